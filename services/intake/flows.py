"""Intake on the bus: an adapter calling one handler per record. A submission from a system on the
bus is the same use case as ``POST /v1/dossiers`` (``handlers.submit``, the event id as the
idempotency key); every review, decision and notification event goes to the dossier's history
(``handlers.record``). A refusal of the catalogue is dead-lettered with its code as the reason
(``servicekit.kafka``)."""

from __future__ import annotations

from contracts.dossiers import InboundEvent
from contracts.events import DecisionEvent, IntakeEvent, NotificationEvent, ReviewEvent
from contracts.topics import Topic
from services.intake import handlers
from services.intake.handlers import IntakeContext


def register_subscribers(ctx: IntakeContext) -> None:
    runtime = ctx.runtime
    runtime.publishes(Topic.INTAKE_EVENTS, IntakeEvent, "Accepted dossiers and amendments (outbox).")

    @runtime.subscribe(Topic.INTAKE_INBOUND)
    async def on_submission_requested(event: InboundEvent) -> None:
        """Same contract as ``POST /v1/dossiers``; the event id is the idempotency key. A request
        intake refuses is dead-lettered with the problem code as its reason."""
        await handlers.submit(ctx, event.client_id or event.source, event.data, idempotency_key=event.id)

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        await handlers.record(ctx, event)

    @runtime.subscribe(Topic.DECISION_EVENTS)
    async def on_decision_event(event: DecisionEvent) -> None:
        await handlers.record(ctx, event)

    @runtime.subscribe(Topic.NOTIFICATION_EVENTS)
    async def on_notification_event(event: NotificationEvent) -> None:
        await handlers.record(ctx, event)
