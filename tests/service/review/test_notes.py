"""Notes on a task, in process: a reviewer's comment or file is kept with who wrote it (login, name,
title, organisation by name), the level and step, and the service's time; another organisation's
task answers as missing, an empty comment, a file of the wrong type or too large and a task of a
withdrawn or ended review are refused with both messages; every organisation that has a task for
the dossier reads its notes (a later level reads an earlier one's) and its files inline, anyone
else finds no dossier; only a note marked for the submitter leaves review, once, as note.shared."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from contracts.events import DossierRejected, DossierWithdrawn, ReviewLevel, ReviewStepKind, ReviewTaskOpened
from contracts.topics import Topic
from tests.service.conftest import START, Tokens
from tests.service.review.conftest import OTHER, UNIT, Review, task_opened
from tests.support import events

LIMIT = 4096
PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20 + b"%%EOF\n"
DOSSIER = "d-notes"
UNIT_TASK = f"{DOSSIER}.0.unit.appraisal"
DISTRICT_TASK = f"{DOSSIER}.1.district.receipt"
UNIT_NAME = "Ủy ban nhân dân xã Tân Tiến"
DISTRICT_NAME = "Ủy ban nhân dân huyện Đông Sơn"
UNRELATED = "AH"
SHARED = "vn.tdkt.review.note.shared.v1"


@pytest.fixture
def review_env() -> dict[str, str]:
    return {"MAX_NOTE_FILE_BYTES": str(LIMIT)}


def _opened(
    task_id: str, organisation: str, name: str, level: ReviewLevel, step: ReviewStepKind
) -> ReviewTaskOpened:
    event = task_opened(task_id, dossier_id=DOSSIER, organisation=organisation, level=level, step=step)
    return event.model_copy(update={"data": event.data.model_copy(update={"organisation_name": name})})


async def _tasks(review: Review, *, district: bool = False) -> None:
    await review.deliver(
        Topic.REVIEW_EVENTS, _opened(UNIT_TASK, UNIT, UNIT_NAME, ReviewLevel.UNIT, ReviewStepKind.APPRAISAL)
    )
    if district:
        await review.deliver(
            Topic.REVIEW_EVENTS,
            _opened(DISTRICT_TASK, OTHER, DISTRICT_NAME, ReviewLevel.DISTRICT, ReviewStepKind.RECEIPT),
        )


def _officer(tokens: Tokens, organisation: str = UNIT, role: str = "officer") -> dict[str, str]:
    return tokens.staff(
        organisation, role, subject=f"{role}.{organisation}", name="Trần Văn An", title="Chuyên viên"
    )


async def _comment(
    review: Review,
    headers: dict[str, str],
    text: str,
    *,
    task_id: str = UNIT_TASK,
    for_submitter: bool = False,
) -> Any:
    return await review.http.post(
        f"/v1/tasks/{task_id}/comments", json={"text": text, "for_submitter": for_submitter}, headers=headers
    )


async def _file(
    review: Review,
    headers: dict[str, str],
    content: bytes = PDF,
    *,
    task_id: str = UNIT_TASK,
    **form: str,
) -> Any:
    return await review.http.post(
        f"/v1/tasks/{task_id}/files",
        files={"file": ("bao-cao-tham-dinh.pdf", content, "application/octet-stream")},
        data=form,
        headers=headers,
    )


def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    problem: dict[str, Any] = response.json()
    assert problem["message_vi"] and problem["message_en"] and problem["message_vi"] != problem["message_en"]
    return problem


async def test_a_comment_and_a_file_are_kept_with_who_wrote_them(review: Review, tokens: Tokens) -> None:
    await _tasks(review)
    review.clock.advance(timedelta(hours=1))
    comment = await _comment(review, _officer(tokens, role="clerk"), "  Đủ điều kiện đề nghị.  ")
    assert comment.status_code == 201, comment.text
    note = comment.json()
    assert note | {"note_id": None} == {
        "note_id": None,
        "dossier_id": DOSSIER,
        "task_id": UNIT_TASK,
        "kind": "comment",
        "level": "unit",
        "step": "appraisal",
        "organisation": UNIT,
        "organisation_name": UNIT_NAME,
        "author": f"clerk.{UNIT}",
        "author_name": "Trần Văn An",
        "author_title": "Chuyên viên",
        "text": "Đủ điều kiện đề nghị.",
        "file": None,
        "for_submitter": False,
        "created_at": "2026-03-02T03:00:00Z",
    }, "any role of the organisation; the time from the service's clock"

    uploaded = await _file(review, _officer(tokens), description="Báo cáo thẩm định", for_submitter="true")
    assert uploaded.status_code == 201, uploaded.text
    file_note = uploaded.json()
    assert (file_note["kind"], file_note["for_submitter"], file_note["text"]) == ("file", True, None)
    assert file_note["file"] | {"file_id": None, "sha256": None, "download": None} == {
        "file_id": None,
        "sha256": None,
        "download": None,
        "file_name": "bao-cao-tham-dinh.pdf",
        "media_type": "application/pdf",
        "size_bytes": len(PDF),
        "description": "Báo cáo thẩm định",
    }, "typed from the content, not the declared type"

    task = await review.http.get(f"/v1/tasks/{UNIT_TASK}", headers=_officer(tokens))
    assert task.json()["notes_count"] == 2
    inbox = await review.http.get("/v1/tasks", params={"dossier_id": DOSSIER}, headers=_officer(tokens))
    assert [item["notes_count"] for item in inbox.json()["items"]] == [2]


async def test_a_note_is_refused_for_each_cause(review: Review, tokens: Tokens) -> None:
    await _tasks(review)
    for response in (
        await _comment(review, _officer(tokens, OTHER), "Ý kiến"),
        await _file(review, _officer(tokens, OTHER)),
    ):
        problem = _refused(response, 404, "task-not-found")
        assert UNIT_TASK in problem["message_vi"] and UNIT_TASK in problem["message_en"]

    empty = _refused(await _comment(review, _officer(tokens), "   "), 422, "comment-empty")
    assert (empty["message_vi"], empty["message_en"]) == (
        "Ý kiến không được để trống.",
        "A comment cannot be empty.",
    )
    _refused(await _comment(review, _officer(tokens), "\u200b\u2060 "), 422, "comment-empty")
    _refused(await _comment(review, _officer(tokens), "x" * 4001), 422, "validation-failed")
    reordered = _refused(
        await _comment(review, _officer(tokens), "Đồng ý \u2067ý đồng gnôhk\u2069"), 422, "text-bidi-control"
    )
    assert "text" in reordered["message_vi"] and "text" in reordered["message_en"]

    wrong = _refused(
        await _file(review, _officer(tokens), b"just some text, not a document"),
        415,
        "note-file-type-not-allowed",
    )
    assert "application/pdf" in wrong["message_vi"] and "application/pdf" in wrong["message_en"]
    large = _refused(await _file(review, _officer(tokens), PDF + b"0" * LIMIT), 413, "note-file-too-large")
    assert str(LIMIT) in large["message_vi"] and str(LIMIT) in large["message_en"]
    _refused(await _file(review, _officer(tokens), b""), 415, "note-file-type-not-allowed")

    await review.deliver(Topic.REVIEW_EVENTS, events.closed(DossierWithdrawn, DOSSIER, "Rút để bổ sung"))
    withdrawn = _refused(await _comment(review, _officer(tokens), "Ý kiến"), 409, "dossier-withdrawn")
    assert "rút" in withdrawn["message_vi"] and "withdrawn" in withdrawn["message_en"]
    _refused(await _file(review, _officer(tokens)), 409, "dossier-withdrawn")
    notes = await review.http.get(f"/v1/dossiers/{DOSSIER}/notes", headers=_officer(tokens))
    assert notes.json() == [], "nothing of the refused ones was kept"


async def test_a_rejected_dossier_takes_no_more_notes(review: Review, tokens: Tokens) -> None:
    await _tasks(review)
    await review.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, DOSSIER, "Không đủ tiêu chuẩn"))
    ended = _refused(await _comment(review, _officer(tokens), "Ý kiến"), 409, "review-ended")
    assert DOSSIER in ended["message_vi"] and DOSSIER in ended["message_en"]


async def test_the_notes_are_read_by_every_level_and_by_no_one_else(review: Review, tokens: Tokens) -> None:
    await _tasks(review, district=True)
    assert (await _comment(review, _officer(tokens), "Cấp xã: đồng ý")).status_code == 201
    review.clock.advance(timedelta(minutes=5))
    file_id = (await _file(review, _officer(tokens), description="Biên bản họp")).json()["note_id"]
    review.clock.advance(timedelta(minutes=5))
    later = await _comment(review, _officer(tokens, OTHER), "Cấp huyện: đã nhận", task_id=DISTRICT_TASK)
    assert later.status_code == 201, later.text

    for organisation in (UNIT, OTHER):
        notes = await review.http.get(
            f"/v1/dossiers/{DOSSIER}/notes", headers=_officer(tokens, organisation, "leader")
        )
        assert notes.status_code == 200, notes.text
        assert [(n["organisation_name"], n["level"], n["kind"], n["text"]) for n in notes.json()] == [
            (UNIT_NAME, "unit", "comment", "Cấp xã: đồng ý"),
            (UNIT_NAME, "unit", "file", None),
            (DISTRICT_NAME, "district", "comment", "Cấp huyện: đã nhận"),
        ], "oldest first, every level"
        download = await review.http.get(
            f"/v1/dossiers/{DOSSIER}/files/{file_id}", headers=_officer(tokens, organisation, "clerk")
        )
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"] == (
            "inline; filename=\"bao-cao-tham-dinh.pdf\"; filename*=UTF-8''bao-cao-tham-dinh.pdf"
        )

    stranger = _officer(tokens, UNRELATED, "leader")
    problem = _refused(
        await review.http.get(f"/v1/dossiers/{DOSSIER}/notes", headers=stranger), 404, "dossier-not-found"
    )
    assert DOSSIER in problem["message_vi"] and DOSSIER in problem["message_en"]
    _refused(
        await review.http.get(f"/v1/dossiers/{DOSSIER}/files/{file_id}", headers=stranger),
        404,
        "dossier-not-found",
    )
    _refused(
        await review.http.get(f"/v1/dossiers/{DOSSIER}/files/no-such", headers=_officer(tokens)),
        404,
        "note-file-not-found",
    )
    anonymous = await review.http.get(f"/v1/dossiers/{DOSSIER}/notes")
    assert anonymous.status_code == 401


async def test_only_a_note_marked_for_the_submitter_leaves_review_once(
    review: Review, tokens: Tokens
) -> None:
    await _tasks(review)
    await _comment(review, _officer(tokens), "Nội bộ: cần xác minh thêm")
    shared = await _comment(review, _officer(tokens), "Đề nghị bổ sung bản sao bằng khen", for_submitter=True)
    uploaded = await _file(review, _officer(tokens), description="Kết luận thẩm định", for_submitter="true")
    assert uploaded.status_code == 201, uploaded.text

    await review.published_event(Topic.REVIEW_EVENTS, SHARED, lambda e: e["data"]["kind"] == "file")
    await review.relayed()
    announced = review.events(Topic.REVIEW_EVENTS, SHARED)
    assert len(announced) == 2, "the unmarked comment never leaves review"
    comment, file = (event["data"] for event in announced)
    assert announced[0]["subject"] == DOSSIER
    assert comment | {"note_id": None, "shared_at": None} == {
        "note_id": None,
        "shared_at": None,
        "dossier_id": DOSSIER,
        "level": "unit",
        "step": "appraisal",
        "kind": "comment",
        "author": f"officer.{UNIT}",
        "author_name": "Trần Văn An",
        "author_title": "Chuyên viên",
        "organisation": UNIT,
        "organisation_name": UNIT_NAME,
        "text": "Đề nghị bổ sung bản sao bằng khen",
        "file": None,
    }
    assert comment["note_id"] == shared.json()["note_id"]
    assert file["file"] == {
        "file_name": "bao-cao-tham-dinh.pdf",
        "size_bytes": len(PDF),
        "media_type": "application/pdf",
        "description": "Kết luận thẩm định",
    }, "the file's name, size and description: not the file"
    assert START.isoformat()[:10] in file["shared_at"]
