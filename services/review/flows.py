"""Review's Kafka adapters: each consumed event goes to its handler (``services.review.handlers``)."""

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
from servicekit.service import ServiceRuntime
from services.review import handlers
from services.review.handlers import ReviewContext


def register_subscribers(runtime: ServiceRuntime, ctx: ReviewContext) -> None:
    runtime.publishes(
        Topic.REVIEW_EVENTS,
        ReviewEvent,
        "Public objections to published nominees, and reviewers' notes marked for the submitter (outbox).",
    )

    @runtime.subscribe(Topic.INTAKE_EVENTS)
    async def on_intake_event(event: IntakeEvent) -> None:
        match event:
            case DossierSubmitted():
                await handlers.start_review(ctx, event)
            case DossierAmended():
                await handlers.amend_review(ctx, event)
            case DossierWithdrawalRequested():
                await handlers.withdraw_review(ctx, event)

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        await handlers.keep_inbox(ctx, event)

    @runtime.subscribe(Topic.DECISION_EVENTS)
    async def on_decision_event(event: DecisionEvent) -> None:
        if isinstance(event, DecisionIssued):  # a revocation concerns a review long finished
            await handlers.pass_decision(ctx, event)
