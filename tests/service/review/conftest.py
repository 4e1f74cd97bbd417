"""The review service in process, with the whole review loop: its app on SQLite and the in-memory
broker, its workflow client on the time-skipping Temporal server, and a worker running the real
``ReviewWorkflow`` and its activities whose events go out through the same broker — so a
``dossier.submitted`` delivered to review opens a task that appears in the inbox."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.events import (
    CouncilRequirement,
    DossierSubmitted,
    DossierWithdrawalRequested,
    ReviewLevel,
    ReviewStep,
    ReviewStepKind,
    ReviewTaskOpened,
    ReviewTaskOpenedData,
    WithdrawalRequestedData,
)
from contracts.topics import Topic
from contracts.workflow import ReviewState, review_workflow_id
from servicekit.clock import ManualClock
from servicekit.settings import KitSettings
from services.review import app as review_app
from services.review.workflow_client import ReviewWorkflows
from tests.service.conftest import START, Tokens
from tests.service.harness import InProcess
from tests.support import events
from tools.waiting import eventually
from workflows.review.activities import (
    PUBLISH_REVIEW_EVENT,
    DeadlinePlanner,
    PublishReviewEvent,
    ReviewActivities,
)
from workflows.review.calendar import CalendarSettings
from workflows.review.workflows import ReviewWorkflow

UNIT = "AH-DS-TT"
"""The organisation that reviews at the unit level in these tests."""
OTHER = "AH-TL-HB"
NOMINEES = events.NOMINEES
PLANNER = DeadlinePlanner(CalendarSettings())


class Publishing:
    """The worker's publishing activity: the real one, through the service's broker — which a
    test may hold for one type of event, to act while the workflow waits for it."""

    def __init__(self, activities: ReviewActivities) -> None:
        self._activities = activities
        self._held: dict[str, asyncio.Event] = {}

    def hold(self, event_type: str) -> asyncio.Event:
        """Hold back events of ``event_type`` until the returned event is set."""
        return self._held.setdefault(event_type, asyncio.Event())

    def release_all(self) -> None:
        for gate in self._held.values():
            gate.set()

    @activity.defn(name=PUBLISH_REVIEW_EVENT)
    async def publish(self, request: PublishReviewEvent) -> None:
        gate = self._held.get(request.event.type)
        if gate is not None:
            await gate.wait()
        await self._activities.publish_review_event(request)


class Review(InProcess):
    """The review service in process, with the Temporal environment its reviews run on."""

    temporal: WorkflowEnvironment
    publishing: Publishing


@asynccontextmanager
async def running_review(
    clock: ManualClock, temporal: WorkflowEnvironment, workflows: ReviewWorkflows | None = None
) -> AsyncIterator[Review]:
    """The review service and a worker for this test's task queue (``TDKT_TEMPORAL_TASK_QUEUE``);
    ``workflows``: another client than the time-skipping server's."""
    kit = KitSettings()
    app, runtime = review_app.build(
        clock, workflows=workflows or ReviewWorkflows(kit, client=temporal.client)
    )
    async with Review(app, runtime, clock) as service:
        service.temporal = temporal
        service.publishing = Publishing(ReviewActivities(runtime.broker, runtime.kit))
        worker = Worker(
            temporal.client,
            task_queue=kit.temporal_task_queue,
            workflows=[ReviewWorkflow],
            activities=[service.publishing.publish, PLANNER.plan_deadline],
        )
        async with worker:
            try:
                yield service
            finally:
                service.publishing.release_all()


@pytest.fixture
def review_env() -> dict[str, str]:
    """Settings the test gives the service, as ``TDKT_REVIEW_<name>`` variables by ``<name>``: none,
    unless a module overrides this fixture or a test parametrizes it."""
    return {}


@pytest.fixture
async def review(
    stack_env: dict[str, str],
    task_queue: str,
    clock: ManualClock,
    temporal: WorkflowEnvironment,
    review_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Review]:
    for name, value in review_env.items():
        monkeypatch.setenv(f"TDKT_REVIEW_{name}", value)
    async with running_review(clock, temporal) as service:
        yield service


def submitted(dossier_id: str | None = None, *, council: bool = False, levels: int = 1) -> DossierSubmitted:
    """A two-nominee dossier as intake announces it (``tests.support.events``), reviewed by ``UNIT``
    (then ``OTHER`` for a second level), with a council at the unit level if asked."""
    event = events.submitted(dossier_id or str(uuid.uuid4()))
    chain = [
        ReviewStep(level=ReviewLevel.UNIT, organisation=UNIT),
        ReviewStep(level=ReviewLevel.DISTRICT, organisation=OTHER),
    ][:levels]
    requirement = CouncilRequirement(
        level=ReviewLevel.UNIT,
        threshold_numerator=1,
        threshold_denominator=2,
        legal_basis="NĐ 98/2023 Điều 30 k7",
        confirmed=True,
    )
    update = {
        "review_levels": [step.level for step in chain],
        "review_chain": chain,
        "council": requirement if council else None,
    }
    return event.model_copy(update={"time": START, "data": event.data.model_copy(update=update)})


def entry(dossier_id: str, n: int) -> str:
    """The id of the dossier's ``n``-th entry (from 1)."""
    return f"{dossier_id}.v1.{n}"


def withdrawal_requested(dossier_id: str, reason: str = "Rút để bổ sung") -> DossierWithdrawalRequested:
    return DossierWithdrawalRequested(
        source="/tdkt/intake",
        subject=dossier_id,
        data=WithdrawalRequestedData(
            dossier_id=dossier_id, requested_by="demo-integrator", reason=reason, at=START
        ),
    )


def task_opened(
    task_id: str,
    *,
    dossier_id: str | None = None,
    organisation: str | None = UNIT,
    role: str | None = "clerk",
    step: ReviewStepKind | None = ReviewStepKind.RECEIPT,
    opened_at: datetime = START,
    due_at: datetime | None = None,
    level: ReviewLevel = ReviewLevel.UNIT,
    award_code: str = "BKTTG",
) -> ReviewTaskOpened:
    """A task as the workflow announces it (for tests that set the inbox up without a workflow)."""
    dossier_id = dossier_id or task_id.split(".", maxsplit=1)[0]
    return ReviewTaskOpened(
        id=f"{task_id}.opened",
        source="/tdkt/review-workflow",
        subject=dossier_id,
        time=opened_at,
        data=ReviewTaskOpenedData(
            task_id=task_id,
            dossier_id=dossier_id,
            workflow_id=review_workflow_id(dossier_id),
            level=level,
            level_index=list(ReviewLevel).index(level),
            levels_total=4,
            organisation=organisation,
            due_at=due_at,
            version=1,
            step=step,
            role=role,
            award_code=award_code,
            submitting_organisation="AH-DS-TT-THCS",
            opened_at=opened_at,
        ),
    )


async def open_task(
    service: Review, tokens: Tokens, dossier_id: str, step: ReviewStepKind, *, version: int = 1
) -> dict[str, Any]:
    """The dossier's open task of ``step``, once the workflow's ``task.opened`` reached the inbox."""
    headers = tokens.staff(UNIT, "clerk")

    async def found() -> dict[str, Any] | None:
        page = await service.http.get(
            "/v1/tasks", params={"dossier_id": dossier_id, "state": "open"}, headers=headers
        )
        return next(
            (
                task
                for task in page.json()["items"]
                if task["step"] == step.value and task["version"] == version
            ),
            None,
        )

    task: dict[str, Any] = await eventually(found, timeout=10, what=f"the {step.value} task of {dossier_id}")
    return task


async def start(service: Review, tokens: Tokens, **options: Any) -> tuple[str, dict[str, Any]]:
    """A dossier submitted to review, and its receipt task as the inbox shows it."""
    event = submitted(**options)
    await service.deliver(Topic.INTAKE_EVENTS, event)
    dossier_id = event.data.dossier_id
    return dossier_id, await open_task(service, tokens, dossier_id, ReviewStepKind.RECEIPT)


async def act(
    service: Review,
    tokens: Tokens,
    task: dict[str, Any],
    action: str,
    role: str,
    body: dict[str, Any] | None = None,
    *,
    organisation: str = UNIT,
) -> Any:
    headers = tokens.staff(organisation, role, subject=f"{role}.1")
    return await service.http.post(f"/v1/tasks/{task['task_id']}/{action}", json=body or {}, headers=headers)


async def review_state(service: Review, dossier_id: str, state: ReviewState) -> None:
    """Wait until the dossier's review reports ``state`` (its ``status`` query)."""
    handle: WorkflowHandle[Any, Any] = service.temporal.client.get_workflow_handle(
        review_workflow_id(dossier_id)
    )

    async def reached() -> bool:
        status = await handle.query(ReviewWorkflow.status)
        return bool(status.state == state)

    await eventually(reached, timeout=10, what=f"the review of {dossier_id} to be {state.value}")


def later(days: float) -> datetime:
    return START + timedelta(days=days)


async def workflow_waits_on(service: Review, dossier_id: str, task_id: str) -> None:
    """Wait until the dossier's review has opened ``task_id`` (whatever the inbox shows)."""
    handle: WorkflowHandle[Any, Any] = service.temporal.client.get_workflow_handle(
        review_workflow_id(dossier_id)
    )

    async def waiting() -> bool:
        return bool((await handle.query(ReviewWorkflow.status)).current_task_id == task_id)

    await eventually(waiting, timeout=10, what=f"the review of {dossier_id} to open {task_id}")


def tally(dossier_id: str, *votes: int, present: int = 8, total: int = 9) -> dict[str, Any]:
    """A council's tally: ``votes[n]`` for the dossier's entry n+1."""
    return {
        "members_total": total,
        "members_present": present,
        "votes": [{"entry_id": entry(dossier_id, n), "votes_for": v} for n, v in enumerate(votes, start=1)],
    }
