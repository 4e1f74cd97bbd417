"""Notifications' event handlers."""

from __future__ import annotations

from contracts.envelope import CloudEvent
from contracts.events import DecisionEvent, NotificationEvent, ReviewEvent
from contracts.topics import Topic
from servicekit.service import ServiceRuntime
from services.notifications import service


def register_subscribers(runtime: ServiceRuntime) -> None:
    runtime.publishes(Topic.NOTIFICATION_EVENTS, NotificationEvent, "Notifications recorded (outbox).")

    async def notify(event: CloudEvent) -> None:
        await runtime.write(lambda session: service.notify(session, event, runtime.source))

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        await notify(event)

    @runtime.subscribe(Topic.DECISION_EVENTS)
    async def on_decision_event(event: DecisionEvent) -> None:
        await notify(event)
