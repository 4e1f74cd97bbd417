"""Intake in process: every review, decision and notification event about a dossier goes to its
history once (``handlers.record``) — the status recomputed, struck entries, the decision's number
and lines and a revocation recorded — and a revoked award stops counting in later submissions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from contracts.events import (
    DecisionIssued,
    DecisionIssuedData,
    DecisionRevoked,
    DecisionRevokedData,
    EntrySummary,
    NotificationSent,
    NotificationSentData,
    ReviewAction,
    ReviewLevel,
    ReviewTaskCompleted,
    ReviewTaskCompletedData,
    RevocationGround,
    StruckEntry,
)
from contracts.topics import Topic
from servicekit.clock import ManualClock
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import (
    REVIEW_SOURCE,
    approved,
    dossier,
    opened,
    refused,
    submitted,
)

DECISIONS = "/tdkt/decisions"
NOTIFICATIONS = "/tdkt/notifications"


async def _view(service: InProcess, tokens: Tokens, dossier_id: str) -> dict[str, Any]:
    view: dict[str, Any] = (
        await service.http.get(f"/v1/dossiers/{dossier_id}", headers=tokens.client())
    ).json()
    return view


def _two_nominees() -> dict[str, Any]:
    body = dossier()
    body["entries"].append({**body["entries"][0], "full_name": "Trần Văn Ơn", "email": None})
    return body


async def test_the_review_is_recorded_once_with_the_status_it_proves(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    view = await submitted(service, tokens, _two_nominees())
    dossier_id = view["dossier_id"]
    clock.advance(timedelta(hours=1))
    task_opened = opened(view, clock.now())
    await service.deliver(Topic.REVIEW_EVENTS, task_opened)
    after = await _view(service, tokens, dossier_id)
    assert (after["status"], after["current_level"]) == ("in_review", "unit")
    assert "Trường Trung học cơ sở Tân Tiến" in after["history"][-1]["summary"], "the reviewer by name"

    await service.deliver(Topic.REVIEW_EVENTS, task_opened)  # delivered again
    assert await _view(service, tokens, dossier_id) == after

    clock.advance(timedelta(hours=1))
    struck = view["entries"][1]
    completed = ReviewTaskCompleted(
        source=REVIEW_SOURCE,
        subject=dossier_id,
        time=clock.now(),
        data=ReviewTaskCompletedData(
            task_id=f"{dossier_id}-unit",
            dossier_id=dossier_id,
            level=ReviewLevel.UNIT,
            action=ReviewAction.APPROVE,
            actor="lanh-dao.truong",
            completed_at=clock.now(),
            organisation="AH-DS-TT-THCS",
            role="leader",
            version=1,
            struck_entries=[StruckEntry(entry_id=struck["entry_id"], reason="Chưa đủ năm công tác")],
        ),
    )
    await service.deliver(Topic.REVIEW_EVENTS, completed)
    after = await _view(service, tokens, dossier_id)
    entries = {entry["full_name"]: entry for entry in after["entries"]}
    assert (entries["Trần Văn Ơn"]["struck_reason"], entries["Trần Văn Ơn"]["struck_level"]) == (
        "Chưa đủ năm công tác",
        "unit",
    )
    assert entries["Nguyễn Thị Minh Khai"]["struck_reason"] is None
    line = after["history"][-1]
    assert (line["actor"], line["organisation"], line["role"], line["version"]) == (
        "lanh-dao.truong",
        "AH-DS-TT-THCS",
        "leader",
        1,
    )
    assert "Trần Văn Ơn" in line["summary"], "the struck nominee by name"

    clock.advance(timedelta(days=2))
    await service.deliver(Topic.REVIEW_EVENTS, approved(view, clock.now()))
    after = await _view(service, tokens, dossier_id)
    assert (after["status"], after["current_level"]) == ("approved", None)
    hashes = [item["entry_hash"] for item in after["history"]]
    assert len(set(hashes)) == len(hashes) == 4 and all(hashes)


async def test_the_decision_numbers_the_lines_and_a_revocation_is_recorded_and_counts(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    view = await submitted(service, tokens)
    dossier_id = view["dossier_id"]
    [entry] = view["entries"]
    clock.advance(timedelta(days=30))
    decided = DecisionIssued(
        source=DECISIONS,
        subject=dossier_id,
        time=clock.now(),
        data=DecisionIssuedData(
            decision_id="q-1",
            dossier_id=dossier_id,
            number="07/QĐ-TTg",
            sequence=7,
            year=2026,
            issuer_code="TTg",
            deciding_organisation="TTG",
            submitting_organisation=view["submitting_organisation"],
            issued_on=date(2026, 4, 1),
            award_code="BKTTG",
            entries=[
                EntrySummary(
                    entry_id=entry["entry_id"],
                    nominee_name=entry["full_name"],
                    nominee_kind="individual",
                    line_number=12,
                )
            ],
            issuer_name_vi="Thủ tướng Chính phủ",
        ),
    )
    await service.deliver(Topic.DECISION_EVENTS, decided)
    after = await _view(service, tokens, dossier_id)
    assert (after["status"], after["decision_number"], after["entries"][0]["line_number"]) == (
        "decided",
        "07/QĐ-TTg",
        12,
    )
    assert "07/QĐ-TTg của Thủ tướng Chính phủ" in after["history"][-1]["summary"]

    # the provincial Bằng khen the teacher's record cites is revoked by its issuer
    clock.advance(timedelta(days=1))
    revoked = DecisionRevoked(
        source=DECISIONS,
        subject=dossier_id,
        time=clock.now(),
        data=DecisionRevokedData(
            revocation_id="r-1",
            number="09/QĐ-UBND",
            issued_on=date(2026, 5, 2),
            issuer_code="UBND-AH",
            deciding_organisation="AH",
            original_decision_id="q-0",
            original_number="45/QĐ-UBND",
            original_issued_on=date(2020, 12, 1),
            dossier_id=dossier_id,
            entry_id=entry["entry_id"],
            line_number=12,
            nominee_name="NGUYEN THI MINH KHAI",
            award_code="BANG_KHEN_TINH",
            period_year=2020,
            ground=RevocationGround.FALSE_DOSSIER,
            reason="Hồ sơ khai sai",
            revoked_by="can-bo.ah",
        ),
    )
    await service.deliver(Topic.DECISION_EVENTS, revoked)
    await service.deliver(Topic.DECISION_EVENTS, revoked)
    after = await _view(service, tokens, dossier_id)
    assert after["entries"][0]["revocation_number"] == "09/QĐ-UBND"
    assert sum(item["type"] == "vn.tdkt.decision.revoked.v1" for item in after["history"]) == 1

    citing = dossier(external_reference="HS-TIEP")
    awards = citing["entries"][0]["record"]["awards"]
    assert awards[0]["award_code"] == "BANG_KHEN_TINH" and awards[0]["year"] == 2020
    awards[0]["decision_number"] = "45/QĐ-UBND"
    problem = refused(
        await service.http.post("/v1/dossiers", json=citing, headers=tokens.client()),
        422,
        "all-entries-ineligible",
    )
    assert "prerequisite" in {criterion["code"] for criterion in problem["errors"][0]["failed"]}
    awards[0]["decision_number"] = "46/QĐ-UBND"  # another decision of the same issuer still counts
    assert (await service.http.post("/v1/dossiers", json=citing, headers=tokens.client())).status_code == 201


async def test_only_the_submitters_notices_are_its_history_and_strangers_events_are_ignored(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    view = await submitted(service, tokens)
    dossier_id = view["dossier_id"]

    def notice(recipient: str, name: str | None = None) -> NotificationSent:
        return NotificationSent(
            source=NOTIFICATIONS,
            subject=dossier_id,
            time=clock.now(),
            data=NotificationSentData(
                notification_id=f"n-{recipient}",
                dossier_id=dossier_id,
                recipient=recipient,
                cause_event_id="e-1",
                subject="Hồ sơ đã được tiếp nhận",
                sent_at=clock.now(),
                recipient_name=name,
            ),
        )

    clock.advance(timedelta(minutes=1))
    await service.deliver(Topic.NOTIFICATION_EVENTS, notice("AH-DS-TT", "Ủy ban nhân dân xã Tân Tiến"))
    await service.deliver(
        Topic.NOTIFICATION_EVENTS, notice("AH-DS-TT-THCS", "Trường Trung học cơ sở Tân Tiến")
    )
    await service.deliver(Topic.NOTIFICATION_EVENTS, notice(f"nominee:{view['entries'][0]['entry_id']}"))
    stranger = notice("AH-DS-TT-THCS").model_copy(update={"subject": "not-a-dossier-of-intake"})
    await service.deliver(Topic.NOTIFICATION_EVENTS, stranger)

    history = (await _view(service, tokens, dossier_id))["history"]
    assert [item["summary"] for item in history[1:]] == [
        "Đã thông báo Trường Trung học cơ sở Tân Tiến trong ứng dụng / "
        "Trường Trung học cơ sở Tân Tiến notified in the app",
        "Đã thông báo Nguyễn Thị Minh Khai trong ứng dụng / Nguyễn Thị Minh Khai notified in the app",
    ]
    for topic in (Topic.NOTIFICATION_EVENTS, Topic.REVIEW_EVENTS, Topic.DECISION_EVENTS):
        assert service.dead_letters(topic) == []


async def test_an_event_intake_cannot_read_is_dead_lettered(service: InProcess) -> None:
    await service.deliver_raw(
        Topic.REVIEW_EVENTS, b'{"specversion": "1.0", "type": "vn.tdkt.review.task.opened.v1"}'
    )
    [dead] = service.dead_letters(Topic.REVIEW_EVENTS)
    assert dead["_headers"]["x-dlq-reason"] == "invalid-event"
