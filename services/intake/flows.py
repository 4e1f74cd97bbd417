"""Intake's event handlers: every review, decision and notification event becomes history."""

from __future__ import annotations

from contracts.envelope import CloudEvent
from contracts.events import DecisionEvent, IntakeEvent, NotificationEvent, ReviewEvent
from contracts.topics import Topic
from servicekit.db import run_in_session
from servicekit.service import ServiceRuntime
from services.intake import service


def register_subscribers(runtime: ServiceRuntime) -> None:
    runtime.publishes(Topic.INTAKE_EVENTS, IntakeEvent, "Accepted dossiers (outbox).")

    async def record(event: CloudEvent) -> None:
        await run_in_session(runtime.engine, lambda session: service.record_event(session, event))

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        await record(event)

    @runtime.subscribe(Topic.DECISION_EVENTS)
    async def on_decision_event(event: DecisionEvent) -> None:
        await record(event)

    @runtime.subscribe(Topic.NOTIFICATION_EVENTS)
    async def on_notification_event(event: NotificationEvent) -> None:
        await record(event)
