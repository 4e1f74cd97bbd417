"""Intake's dossier history reads as people speak: organisations, the award, nominees, levels,
steps and actions by name, never by code or id (codes only for events of older producers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from contracts.envelope import CloudEvent
from contracts.events import (
    CouncilTally,
    DeliveryChannel,
    DossierClosedData,
    DossierRejected,
    DossierReturned,
    DossierWithdrawn,
    EntryVote,
    LevelApproved,
    LevelApprovedData,
    NoteKind,
    NoteShared,
    NoteSharedData,
    NotificationDelivered,
    NotificationDeliveredData,
    NotificationSent,
    NotificationSentData,
    ObjectionRecorded,
    ObjectionRecordedData,
    PublicCommentOpened,
    PublicCommentOpenedData,
    ReviewAction,
    ReviewLevel,
    ReviewStepKind,
    ReviewTaskCompleted,
    ReviewTaskCompletedData,
    ReviewTaskEscalated,
    ReviewTaskOpened,
    ReviewTaskOpenedData,
    ReviewTaskReminded,
    SharedFile,
    StruckEntry,
)
from contracts.labels import Label
from servicekit import migrations
from servicekit.db import make_engine
from services.intake import recording
from services.intake.history import HistoryNames, describe
from services.intake.models import Dossier, DossierEntry, DossierHistory
from tests.support import events

D = "e9e50a36-1f0c-4c56-9a57-5d2d1b0a7c11"
AT = events.AT
NAMES = HistoryNames(
    reviewers={step.level: step.organisation_name or step.organisation for step in events.CHAIN},
    nominees={f"{D}.v1.2": "Trần Văn Ơn"},
)
CODES = re.compile(
    r"\b(AH-DS-TT|AH-DS|BKTTG|TTG|sign_off|record_vote|public_comment)\b|[0-9a-f]{8}-[0-9a-f]{4}-"
)
"""What no one should have to read: organisation and award codes, step codes, UUIDs."""
ENGLISH_CODES = re.compile(r"\b(unit|district|province|central|receipt|appraisal|accept|recommend)\b")
"""Level, step and action codes, which the Vietnamese half must not show."""


def _review(event_type: type[CloudEvent], data: object) -> CloudEvent:
    return event_type.model_validate(
        {"source": "/tdkt/review-workflow", "subject": D, "time": AT, "data": data}
    )


def _opened(step: ReviewStepKind, named: bool = True) -> CloudEvent:
    return _review(
        ReviewTaskOpened,
        ReviewTaskOpenedData(
            task_id=f"{D}.1.district.{step.value}",
            dossier_id=D,
            workflow_id=f"review-{D}",
            level=ReviewLevel.DISTRICT,
            level_index=1,
            levels_total=4,
            organisation="AH-DS",
            organisation_name="Ủy ban nhân dân huyện Đông Sơn" if named else None,
            step=step,
            role="clerk",
            award_code="BKTTG",
            submitting_organisation="AH-DS-TT",
            opened_at=AT,
        ),
    )


def _completed(
    step: ReviewStepKind,
    action: ReviewAction,
    struck: list[StruckEntry] | None = None,
    tally: CouncilTally | None = None,
) -> CloudEvent:
    return _review(
        ReviewTaskCompleted,
        ReviewTaskCompletedData(
            task_id=f"{D}.0.unit.{step.value}",
            dossier_id=D,
            level=ReviewLevel.UNIT,
            action=action,
            actor="can-bo.xa",
            completed_at=AT,
            organisation="AH-DS-TT",
            role="clerk",
            step=step,
            struck_entries=struck or [],
            tally=tally,
        ),
    )


def _every_event() -> list[CloudEvent]:
    closed = DossierClosedData(
        dossier_id=D,
        submitting_organisation="AH-DS-TT",
        level=ReviewLevel.PROVINCE,
        actor="lanh-dao.tinh",
        reason="Thiếu biên bản họp",
        at=AT,
    )
    return [
        events.submitted(D),
        _opened(ReviewStepKind.RECEIPT),
        _completed(ReviewStepKind.RECEIPT, ReviewAction.ACCEPT),
        _completed(
            ReviewStepKind.APPRAISAL,
            ReviewAction.RECOMMEND,
            struck=[StruckEntry(entry_id=f"{D}.v1.2", reason="Chưa đủ 5 năm")],
        ),
        _completed(
            ReviewStepKind.COUNCIL,
            ReviewAction.RECORD_VOTE,
            tally=CouncilTally(
                members_total=10, members_present=9, votes=[EntryVote(entry_id=f"{D}.v1.2", votes_for=9)]
            ),
        ),
        _completed(ReviewStepKind.SIGN_OFF, ReviewAction.APPROVE),
        _review(
            PublicCommentOpened,
            PublicCommentOpenedData(
                dossier_id=D,
                level=ReviewLevel.PROVINCE,
                award_code="BKTTG",
                nominees=[],
                opened_at=AT,
                closes_at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
                working_days=10,
                legal_basis="Luật TĐKT 2022 Điều 84 k5",
            ),
        ),
        _review(
            ObjectionRecorded,
            ObjectionRecordedData(
                objection_id="o-1", dossier_id=D, author_name="Công dân", text="…", received_at=AT
            ),
        ),
        events.deadline(ReviewTaskReminded, D, f"{D}.0.unit.receipt"),
        events.deadline(ReviewTaskEscalated, D, f"{D}.0.unit.receipt"),
        _review(
            LevelApproved,
            LevelApprovedData(
                dossier_id=D,
                level=ReviewLevel.UNIT,
                next_level=ReviewLevel.DISTRICT,
                approved_by="lanh-dao.xa",
                approved_at=AT,
            ),
        ),
        _review(DossierReturned, closed),
        _review(DossierRejected, closed),
        _review(DossierWithdrawn, closed),
        events.decided(D),
        events.revoked(D),
        NotificationSent(
            source="/tdkt/notifications",
            subject=D,
            time=AT,
            data=NotificationSentData(
                notification_id="n-1",
                dossier_id=D,
                recipient="AH-DS-TT",
                recipient_name=events.ORGANISATION_NAME,
                cause_event_id="e-1",
                subject="…",
                sent_at=AT,
            ),
        ),
        NotificationDelivered(
            source="/tdkt/notifications",
            subject=D,
            time=AT,
            data=NotificationDeliveredData(
                delivery_id="x-1",
                notification_id="n-1",
                dossier_id=D,
                channel=DeliveryChannel.EMAIL,
                recipient=f"nominee:{D}.v1.2",
                cause_event_id="e-1",
                attempts=1,
                after_interruption=False,
                delivered_at=AT,
            ),
        ),
        *(
            _review(
                NoteShared,
                NoteSharedData(
                    note_id="n-1",
                    dossier_id=D,
                    level=ReviewLevel.DISTRICT,
                    step=ReviewStepKind.APPRAISAL,
                    author="officer.1",
                    author_name="Trần Văn An",
                    author_title="Chuyên viên",
                    organisation="AH-DS",  # no name in the event: the chain's
                    shared_at=AT,
                    **note,
                ),
            )
            for note in (
                {"kind": NoteKind.COMMENT, "text": "Đề nghị bổ sung bản sao bằng khen"},
                {
                    "kind": NoteKind.FILE,
                    "file": SharedFile(
                        file_name="bien-ban.pdf", size_bytes=5000, media_type="application/pdf"
                    ),
                },
            )
        ),
    ]


@pytest.mark.parametrize("event", _every_event(), ids=lambda event: event.type.removeprefix("vn.tdkt."))
def test_every_history_line_names_things_instead_of_codes(event: CloudEvent) -> None:
    _level, _actor, summary = describe(event, NAMES)
    vietnamese, _, english = summary.partition(" / ")
    assert english, "Vietnamese, then English"
    assert not CODES.search(summary), summary
    assert not ENGLISH_CODES.search(vietnamese), summary


def test_history_lines_read_as_a_person_expects() -> None:
    lines = [describe(event, NAMES)[2] for event in _every_event()]
    assert lines[0].startswith(
        "Tiếp nhận hồ sơ của Ủy ban nhân dân xã Tân Tiến đề nghị tặng Bằng khen của Thủ tướng Chính phủ "
        "(2 trường hợp)"
    )
    assert lines[1].startswith("Mở bước Tiếp nhận ở cấp xã/huyện (Ủy ban nhân dân huyện Đông Sơn)")
    assert lines[2].startswith("Tiếp nhận: đồng ý tiếp nhận, cấp cơ sở (Ủy ban nhân dân xã Tân Tiến)")
    assert "không đề nghị tiếp / struck: Trần Văn Ơn" in lines[3]
    assert "Trần Văn Ơn 9/10" in lines[4]
    assert lines[5].startswith("Lãnh đạo ký duyệt: đồng ý")
    assert lines[10].startswith("Cấp cơ sở (Ủy ban nhân dân xã Tân Tiến) đồng ý")
    assert lines[11].startswith("Trả lại để bổ sung ở cấp tỉnh (Ủy ban nhân dân tỉnh An Hà)")
    assert (
        lines[14]
        == "Quyết định số 07/QĐ-TTg của Thủ tướng Chính phủ / decision 07/QĐ-TTg issued by Thủ tướng Chính phủ"
    )
    assert lines[16].startswith("Đã thông báo Ủy ban nhân dân xã Tân Tiến trong ứng dụng")
    assert lines[17].startswith("Đã gửi e-mail tới Trần Văn Ơn")
    assert lines[18] == (
        "Ý kiến của Ủy ban nhân dân huyện Đông Sơn (Trần Văn An, Chuyên viên) / comment from Ủy ban nhân dân "
        "huyện Đông Sơn (Trần Văn An, Chuyên viên): Đề nghị bổ sung bản sao bằng khen"
    )
    assert lines[19].startswith(
        "Tệp của Ủy ban nhân dân huyện Đông Sơn (Trần Văn An, Chuyên viên), 5 KB / file from"
    )


def test_an_older_event_without_names_falls_back_to_the_code() -> None:
    summary = describe(_opened(ReviewStepKind.RECEIPT, named=False), HistoryNames())[2]
    assert summary.startswith(
        "Mở bước Tiếp nhận ở cấp xã/huyện / Receipt opened at the commune/district level"
    )


# --- on the embedded database: the names intake keeps with the dossier ----------------------


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    migrations.upgrade(Path(recording.__file__).parent / "migrations", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_recorded_history_names_the_reviewers_and_nominees_intake_knows(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            Dossier(
                id=D,
                client_id="demo-integrator",
                submitting_organisation="AH-DS-TT",
                award_code="BKTTG",
                submission_date=date(2026, 11, 24),
                proposal_year=2026,
                rule_set_id="ND152-2025",
                review_chain=[step.model_dump(mode="json") for step in events.CHAIN],
                submitted_at=AT,
                updated_at=AT,
            )
        )
        session.flush()
        session.add(
            DossierEntry(
                id=f"{D}.v1.2",
                dossier_id=D,
                version=1,
                position=2,
                kind="individual",
                full_name="Trần Văn Ơn",
                eligibility_outcome="eligible",
            )
        )
        struck = StruckEntry(entry_id=f"{D}.v1.2", reason="Chưa đủ 5 năm")  # an older event: no name
        for event in (
            _opened(ReviewStepKind.RECEIPT, named=False),
            _completed(ReviewStepKind.APPRAISAL, ReviewAction.RECOMMEND, struck=[struck]),
        ):
            recording.record_event(session, event, AT)
        session.commit()
        summaries = session.exec(
            select(DossierHistory.summary)
            .where(DossierHistory.dossier_id == D)
            .order_by(col(DossierHistory.id))
        ).all()
    assert summaries == [
        # submitted in 2026, when the second level is the commune's (the chain names no level here)
        "Mở bước Tiếp nhận ở cấp xã (Ủy ban nhân dân huyện Đông Sơn) / Receipt opened at the "
        "commune level (Ủy ban nhân dân huyện Đông Sơn)",
        "Thẩm định: đề nghị trình duyệt, cấp cơ sở (Ủy ban nhân dân xã Tân Tiến) / Appraisal: recommended "
        "for approval, unit level (Ủy ban nhân dân xã Tân Tiến) — không đề nghị tiếp / struck: Trần Văn Ơn",
    ]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(HistoryNames(submission_date=date(2025, 6, 30)), "cấp huyện", id="before-the-reform"),
        pytest.param(HistoryNames(submission_date=date(2025, 7, 1)), "cấp xã", id="after-the-reform"),
        pytest.param(HistoryNames(), "cấp xã/huyện", id="no-date"),
        pytest.param(
            HistoryNames(levels={"district": Label("cấp sở", "provincial department level")}),
            "cấp sở",
            id="as-the-chain-names-it",
        ),
    ],
)
def test_a_level_is_named_as_the_structure_in_force_names_it(names: HistoryNames, expected: str) -> None:
    assert names.level("district").vi == expected
