"""Decisions on the bus: what the service publishes, and the consumer of review events — an
approval goes to its handler."""

from __future__ import annotations

from contracts.events import DecisionEvent, DossierApproved, ReviewEvent
from contracts.topics import Topic
from services.decisions import handlers
from services.decisions.context import DecisionsContext


def register_subscribers(ctx: DecisionsContext) -> None:
    runtime = ctx.runtime
    runtime.publishes(Topic.DECISION_EVENTS, DecisionEvent, "Issued and revoked decisions (outbox).")

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        if isinstance(event, DossierApproved):
            await handlers.dossier_approved(ctx, event)
