"""Example request bodies for intake's API documentation (Swagger UI's "Try it out")."""

from __future__ import annotations

from fastapi.openapi.models import Example

from contracts.samples import eligible_record

SUBMISSION: dict[str, Example] = {
    "bang-khen-thu-tuong": {
        "summary": "Bằng khen của Thủ tướng for a teacher (the README's example)",
        "description": "A lower secondary school proposes one teacher: seven years rated good, a "
        "provincial Bằng khen and three CSTĐCS titles (Luật TĐKT 2022 Điều 73 k1 điểm b).",
        "value": {
            "submitting_organisation": "AH-DS-TT-THCS",
            "award_code": "BKTTG",
            "proposal_year": 2026,
            "entries": [
                {
                    "kind": "individual",
                    "full_name": "Nguyễn Văn An",
                    "email": "an.nguyen@example.vn",
                    "record": eligible_record(2026),
                }
            ],
        },
    }
}
