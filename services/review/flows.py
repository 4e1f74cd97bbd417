"""Review's event handlers: start reviews, keep the inbox current, pass decisions to workflows.

Each handler returns only after its effect is durable (the workflow started, the row committed,
the signal accepted), so the consumer commits the offset only then.
"""

from __future__ import annotations

from contracts.events import (
    DecisionEvent,
    DecisionIssued,
    DossierAmended,
    DossierSubmitted,
    DossierWithdrawalRequested,
    IntakeEvent,
    ReviewEvent,
)
from contracts.topics import Topic
from servicekit.db import run_in_session
from servicekit.service import ServiceRuntime
from services.review import service
from services.review.workflow_client import ReviewWorkflows


def register_subscribers(runtime: ServiceRuntime, workflows: ReviewWorkflows) -> None:
    runtime.publishes(Topic.REVIEW_EVENTS, ReviewEvent, "Public objections to published nominees (outbox).")

    @runtime.subscribe(Topic.INTAKE_EVENTS)
    async def on_intake_event(event: IntakeEvent) -> None:
        match event:
            case DossierSubmitted():
                await workflows.start_review(event)
            case DossierAmended():
                await workflows.pass_amendment(event)
            case DossierWithdrawalRequested():
                await workflows.pass_withdrawal(event)

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        await run_in_session(runtime.engine, lambda session: service.apply_review_event(session, event))

    @runtime.subscribe(Topic.DECISION_EVENTS)
    async def on_decision_event(event: DecisionEvent) -> None:
        if isinstance(event, DecisionIssued):  # a revocation concerns a review long finished
            await workflows.pass_decision(event)
