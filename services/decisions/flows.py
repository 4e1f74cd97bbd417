"""Decisions on the bus: what the service publishes; the consumers of intake's events (what was
submitted) and of review events (a review begun, an approval: matched with both, ``provenance``)."""

from __future__ import annotations

from contracts.events import (
    DecisionEvent,
    DossierAmended,
    DossierApproved,
    DossierSubmitted,
    IntakeEvent,
    ReviewEvent,
    ReviewTaskOpened,
)
from contracts.topics import Topic
from services.decisions import handlers
from services.decisions.context import DecisionsContext


def register_subscribers(ctx: DecisionsContext) -> None:
    runtime = ctx.runtime
    runtime.publishes(Topic.DECISION_EVENTS, DecisionEvent, "Issued and revoked decisions (outbox).")

    @runtime.subscribe(Topic.INTAKE_EVENTS)
    async def on_intake_event(event: IntakeEvent) -> None:
        if isinstance(event, DossierSubmitted | DossierAmended):
            await handlers.dossier_submitted(ctx, event)

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        if isinstance(event, ReviewTaskOpened):
            await handlers.review_task_opened(ctx, event)
        elif isinstance(event, DossierApproved):
            await handlers.dossier_approved(ctx, event)
