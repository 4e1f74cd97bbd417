"""Review's consumed events, in process on the real workflow: intake's events start, amend and
withdraw a review; the workflow's events keep the inbox; the decision ends the review. A repeat
changes nothing; a record that is no valid event is dead-lettered with its reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from contracts.envelope import CloudEvent
from contracts.events import (
    DecisionRevoked,
    DecisionRevokedData,
    DossierAmended,
    DossierWithdrawn,
    ReviewAction,
    ReviewStepKind,
    RevocationGround,
)
from contracts.topics import DeadLetterHeader, Topic
from contracts.workflow import ReviewState
from tests.service.conftest import START, Tokens
from tests.service.review.conftest import (
    UNIT,
    Review,
    act,
    entry,
    open_task,
    review_state,
    start,
    submitted,
    task_opened,
    withdrawal_requested,
)
from tests.support import events
from tools.waiting import eventually

OPENED = "vn.tdkt.review.task.opened.v1"


async def _tasks(review: Review, tokens: Tokens, dossier_id: str) -> list[dict[str, Any]]:
    page = await review.http.get(
        "/v1/tasks", params={"dossier_id": dossier_id}, headers=tokens.staff(UNIT, "clerk")
    )
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def test_a_submitted_dossier_opens_its_receipt_task_once(review: Review, tokens: Tokens) -> None:
    event = submitted()
    dossier_id = event.data.dossier_id
    await review.deliver(Topic.INTAKE_EVENTS, event)
    task = await open_task(review, tokens, dossier_id, ReviewStepKind.RECEIPT)
    assert (task["organisation"], task["role"], task["level"], task["version"]) == (UNIT, "clerk", "unit", 1)
    assert task["due_at"] is not None, "the step's deadline, planned by the workflow's calendar"
    await review_state(review, dossier_id, ReviewState.IN_REVIEW)

    await review.deliver(Topic.INTAKE_EVENTS, event)  # redelivered: the review is running already
    await review.deliver(Topic.INTAKE_EVENTS, submitted(dossier_id))  # or submitted again under a new id
    assert [task["task_id"] for task in await _tasks(review, tokens, dossier_id)] == [task["task_id"]]
    opened = [e for e in review.events(Topic.REVIEW_EVENTS, OPENED) if e["subject"] == dossier_id]
    assert len(opened) == 1
    assert review.dead_letters(Topic.INTAKE_EVENTS) == []


async def test_the_workflows_events_keep_the_inbox_and_repeats_change_nothing(
    review: Review, tokens: Tokens
) -> None:
    first = task_opened("d1.0.unit.receipt", due_at=START + timedelta(days=1))
    await review.deliver(Topic.REVIEW_EVENTS, first)
    await review.deliver(Topic.REVIEW_EVENTS, task_opened("d1.0.unit.receipt", due_at=START))
    await review.deliver(Topic.REVIEW_EVENTS, task_opened("d1.0.unit.appraisal", role="officer"))
    for _ in range(2):
        await review.deliver(
            Topic.REVIEW_EVENTS, events.task_completed("d1", "d1.0.unit.receipt", ReviewAction.ACCEPT)
        )
        await review.deliver(Topic.REVIEW_EVENTS, events.closed(DossierWithdrawn, "d1", "rút hồ sơ"))
    page = (await review.http.get("/v1/tasks", headers=tokens.staff(UNIT, "clerk"))).json()
    tasks = {item["task_id"]: item for item in page["items"]}
    assert {task_id: (task["state"], task["action"], task["actor"]) for task_id, task in tasks.items()} == {
        "d1.0.unit.receipt": ("completed", "accept", "leader.1"),
        "d1.0.unit.appraisal": ("cancelled", "withdrawn", "leader.1"),
    }
    assert page["counts"] == {"open": 0, "completed": 1, "cancelled": 1, "overdue": 0}
    assert tasks["d1.0.unit.receipt"]["due_at"].startswith("2026-03-03"), "the first task.opened stands"


async def test_an_amended_dossier_resumes_its_review_with_a_new_task(review: Review, tokens: Tokens) -> None:
    dossier_id, receipt = await start(review, tokens)
    returned = await act(review, tokens, receipt, "return", "clerk", {"comment": "Bổ sung biên bản họp"})
    assert returned.status_code == 200, returned.text
    await review_state(review, dossier_id, ReviewState.RETURNED)
    amended = DossierAmended(
        source="/tdkt/intake",
        subject=dossier_id,
        data=submitted(dossier_id).data.model_copy(update={"version": 2}),
    )
    await review.deliver(Topic.INTAKE_EVENTS, amended)
    again = await open_task(review, tokens, dossier_id, ReviewStepKind.RECEIPT, version=2)
    assert again["task_id"].endswith(".v2.receipt")
    await review_state(review, dossier_id, ReviewState.IN_REVIEW)
    await review.deliver(Topic.INTAKE_EVENTS, amended)  # a repeat while in review changes nothing
    assert len(await _tasks(review, tokens, dossier_id)) == 2


async def test_a_withdrawal_ends_the_review_and_cancels_its_open_task(review: Review, tokens: Tokens) -> None:
    dossier_id, _ = await start(review, tokens)
    withdrawal = withdrawal_requested(dossier_id)
    await review.deliver(Topic.INTAKE_EVENTS, withdrawal)
    await review_state(review, dossier_id, ReviewState.WITHDRAWN)
    announced = await review.published_event(
        Topic.REVIEW_EVENTS, "vn.tdkt.dossier.withdrawn.v1", lambda e: e["subject"] == dossier_id
    )
    assert (announced["data"]["actor"], announced["data"]["reason"]) == ("demo-integrator", "Rút để bổ sung")

    async def cancelled() -> bool:
        (task,) = await _tasks(review, tokens, dossier_id)
        return bool(task["state"] == "cancelled" and task["action"] == "withdrawn")

    await eventually(cancelled, timeout=10, what="the open task cancelled")
    await review.deliver(Topic.INTAKE_EVENTS, withdrawal)  # to a review that has ended: nothing
    stray = withdrawal.model_copy(
        update={"data": withdrawal.data.model_copy(update={"dossier_id": "d-none"})}
    )
    await review.deliver(Topic.INTAKE_EVENTS, stray)  # to a dossier never reviewed: nothing
    assert review.dead_letters(Topic.INTAKE_EVENTS) == []


async def test_the_decision_ends_the_approved_review(review: Review, tokens: Tokens) -> None:
    dossier_id, _ = await start(review, tokens)
    for step, action, role in [
        (ReviewStepKind.RECEIPT, "accept", "clerk"),
        (ReviewStepKind.APPRAISAL, "recommend", "officer"),
        (ReviewStepKind.SIGN_OFF, "approve", "leader"),
    ]:
        task = await open_task(review, tokens, dossier_id, step)
        assert (await act(review, tokens, task, action, role)).status_code == 200
    await review_state(review, dossier_id, ReviewState.AWAITING_DECISION)
    decided = events.decided(dossier_id)
    await review.deliver(Topic.DECISION_EVENTS, decided)
    await review_state(review, dossier_id, ReviewState.DECIDED)
    await review.deliver(Topic.DECISION_EVENTS, decided)  # the review has ended: nothing
    revoked = DecisionRevoked(
        source="/tdkt/decisions",
        subject=dossier_id,
        data=DecisionRevokedData(
            revocation_id="r-1",
            number="02/QĐ-TTg",
            issued_on=date(2026, 12, 1),
            issuer_code="TTg",
            deciding_organisation="TTG",
            original_decision_id="q-1",
            original_number="07/QĐ-TTg",
            original_issued_on=date(2026, 11, 24),
            dossier_id=dossier_id,
            entry_id=entry(dossier_id, 1),
            line_number=1,
            nominee_name="Nguyễn Thị Minh Khai",
            award_code="BKTTG",
            ground=RevocationGround.LATER_VIOLATION_FOUND,
            reason="Vi phạm trong thời gian tính thành tích",
            revoked_by="lanh-dao",
        ),
    )
    await review.deliver(Topic.DECISION_EVENTS, revoked)  # concerns a review long finished: nothing
    assert review.dead_letters(Topic.DECISION_EVENTS) == []


VALID: dict[Topic, Callable[[], CloudEvent]] = {
    Topic.INTAKE_EVENTS: lambda: submitted("d-bad"),
    Topic.REVIEW_EVENTS: lambda: task_opened("d-bad.0.unit.receipt"),
    Topic.DECISION_EVENTS: lambda: events.decided("d-bad"),
}
"""An event each consumer takes, to spoil."""


@pytest.mark.parametrize("topic", [Topic.INTAKE_EVENTS, Topic.REVIEW_EVENTS, Topic.DECISION_EVENTS])
async def test_a_record_that_is_no_valid_event_is_dead_lettered_with_its_reason(
    review: Review, topic: Topic
) -> None:
    valid = json.loads(VALID[topic]().to_kafka_value())
    await review.deliver_raw(topic, b"not json")
    await review.deliver_raw(topic, json.dumps({**valid, "type": "vn.tdkt.nothing.v1"}).encode())
    await review.deliver_raw(topic, json.dumps({**valid, "data": {"dossier_id": "d-bad"}}).encode())
    reasons = [dead["_headers"][DeadLetterHeader.REASON] for dead in review.dead_letters(topic)]
    assert reasons == ["malformed-record", "unknown-event-type", "invalid-event"]
    assert review.dead_letters(topic)[0]["raw"] == "not json"
