"""Intake in process: a reviewer's note marked for the submitter (``note.shared``) becomes a line of
the dossier's history, once, naming the organisation and the officer (name and title), with the
comment's text or the file's name, size and description — what the integrating system reads in
``GET /v1/dossiers/{id}``. The status is unchanged: a note is not a step of the review."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contracts.events import NoteKind, NoteShared, NoteSharedData, ReviewLevel, ReviewStepKind, SharedFile
from contracts.topics import Topic
from servicekit.clock import ManualClock
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import opened, submitted

ORGANISATION_NAME = "Trường Trung học cơ sở Tân Tiến"
"""The unit level of the sample dossier: the school itself, as intake's review chain names it."""


def _shared(view: dict[str, Any], clock: ManualClock, note_id: str, **data: Any) -> NoteShared:
    step = view["review_chain"][0]
    return NoteShared(
        id=f"note-{note_id}",
        source="/tdkt/review",
        subject=view["dossier_id"],
        time=clock.now(),
        data=NoteSharedData(
            note_id=note_id,
            dossier_id=view["dossier_id"],
            level=ReviewLevel.UNIT,
            step=ReviewStepKind.APPRAISAL,
            author="officer.1",
            author_name="Trần Văn An",
            author_title="Chuyên viên",
            organisation=step["organisation"],
            shared_at=clock.now(),
            **data,
        ),
    )


async def test_a_shared_note_is_a_history_line_with_the_names(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    view = await submitted(service, tokens)
    dossier_id = view["dossier_id"]
    await service.deliver(Topic.REVIEW_EVENTS, opened(view, clock.now()))
    clock.advance(timedelta(hours=1))
    comment = _shared(
        view,
        clock,
        "n-1",
        kind=NoteKind.COMMENT,
        organisation_name="Ủy ban nhân dân xã Tân Tiến",
        text="Đề nghị bổ sung bản sao bằng khen",
    )
    await service.deliver(Topic.REVIEW_EVENTS, comment)
    await service.deliver(Topic.REVIEW_EVENTS, comment)  # delivered again: one line
    clock.advance(timedelta(hours=1))
    file = SharedFile(
        file_name="ket-luan.pdf", size_bytes=2_400_000, media_type="application/pdf", description="Kết luận"
    )
    await service.deliver(Topic.REVIEW_EVENTS, _shared(view, clock, "n-2", kind=NoteKind.FILE, file=file))

    after = (await service.http.get(f"/v1/dossiers/{dossier_id}", headers=tokens.client())).json()
    assert after["status"] == "in_review", "a note is no step of the review"
    lines = [item for item in after["history"] if item["type"] == "vn.tdkt.review.note.shared.v1"]
    assert [(line["level"], line["actor"]) for line in lines] == [("unit", "officer.1")] * 2
    assert [line["summary"] for line in lines] == [
        "Ý kiến của Ủy ban nhân dân xã Tân Tiến (Trần Văn An, Chuyên viên) / comment from Ủy ban nhân dân "
        "xã Tân Tiến (Trần Văn An, Chuyên viên): Đề nghị bổ sung bản sao bằng khen",
        f"Tệp của {ORGANISATION_NAME} (Trần Văn An, Chuyên viên), 2,3 MB / file from {ORGANISATION_NAME} "
        "(Trần Văn An, Chuyên viên), 2.3 MB: ket-luan.pdf — Kết luận",
    ], "without a name in the event, the organisation's name from the dossier's review chain"
