"""Example request bodies for the review API's documentation (Swagger UI's "Try it out"), one set
per reviewer action."""

from __future__ import annotations

from fastapi.openapi.models import Example

from contracts.events import ReviewAction

ENTRY_ID = "5b0c9f4e-6a1d-4c2e-9a57-2f1e8d3c7a10"
"""An entry of the dossier, as ``GET /v1/tasks/{task_id}`` lists them."""
OTHER_ENTRY_ID = "c2d7e1a8-93b4-4f0e-8d6a-1e5f7b9a0c34"

_AS_IS: dict[str, Example] = {
    "as-is": {"summary": "On the version the reviewer read", "value": {"version": 1}},
}
_WITH_REASON: dict[str, Example] = {
    "with-reason": {
        "summary": "With the reason the submitter reads",
        "value": {
            "version": 1,
            "comment": "Hồ sơ thiếu báo cáo thành tích có xác nhận của cấp trình; đề nghị bổ sung.",
        },
    },
}

TASK_ACTIONS: dict[ReviewAction, dict[str, Example]] = {
    ReviewAction.ACCEPT: _AS_IS,
    ReviewAction.RECOMMEND: {
        **_AS_IS,
        "striking-an-entry": {
            "summary": "Recommend, striking one entry with its reason",
            "value": {
                "version": 1,
                "comment": "Đề nghị trình cấp trên; một trường hợp chưa đủ tiêu chuẩn.",
                "struck_entries": [
                    {
                        "entry_id": OTHER_ENTRY_ID,
                        "reason": "Chưa đủ 5 năm liên tục hoàn thành xuất sắc nhiệm vụ "
                        "(Luật TĐKT 2022 Điều 73 k1 điểm b).",
                    }
                ],
            },
        },
    },
    ReviewAction.RECORD_VOTE: {
        "council-tally": {
            "summary": "The council's vote: 9 members, 8 present, 1 in writing",
            "description": "Each entry's votes in favour count against the council's total "
            "membership (NĐ 98/2023 Điều 30 k7); entries below the threshold are struck.",
            "value": {
                "version": 1,
                "tally": {
                    "members_total": 9,
                    "members_present": 8,
                    "written_votes": 1,
                    "votes": [
                        {"entry_id": ENTRY_ID, "votes_for": 8},
                        {"entry_id": OTHER_ENTRY_ID, "votes_for": 5},
                    ],
                    "minutes_attachment_id": "0f8e2d4c-1b3a-4e5f-9d7c-6a2b8e1f3c50",
                },
            },
        },
    },
    ReviewAction.APPROVE: _AS_IS,
    ReviewAction.REJECT: _WITH_REASON,
    ReviewAction.RETURN: _WITH_REASON,
}
