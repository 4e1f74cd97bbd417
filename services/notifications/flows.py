"""Notifications' flows: the Kafka consumers that hand events to their handler, and the dispatcher
loop that runs the sending handlers when woken or at each poll."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from contracts.events import DecisionEvent, IntakeEvent, NotificationEvent, ReviewEvent
from contracts.topics import Topic
from servicekit.service import ServiceRuntime
from services.notifications.context import NotificationsContext
from services.notifications.handlers import dispatch, events

logger = logging.getLogger(__name__)


def register_subscribers(runtime: ServiceRuntime, ctx: NotificationsContext) -> None:
    runtime.publishes(
        Topic.NOTIFICATION_EVENTS,
        NotificationEvent,
        "Notices recorded in the in-app feed, and e-mails and webhooks delivered (outbox).",
    )

    @runtime.subscribe(Topic.INTAKE_EVENTS)
    async def on_intake_event(event: IntakeEvent) -> None:
        await events.notify(ctx, event)

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        await events.notify(ctx, event)

    @runtime.subscribe(Topic.DECISION_EVENTS)
    async def on_decision_event(event: DecisionEvent) -> None:
        await events.notify(ctx, event)


class Dispatcher:
    """Sends due deliveries, round after round while there are any; then waits until a notice is
    recorded (the doorbell) or the poll interval passes (retries fall due on their own). Digests
    and expired leases are time-driven: looked for once per poll interval, not at every wake-up."""

    def __init__(self, ctx: NotificationsContext) -> None:
        self._ctx = ctx
        self._poll = timedelta(seconds=ctx.settings.dispatch_poll_seconds)
        self._housekept_at: datetime | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notification-dispatcher")

    async def stop(self) -> None:
        """Finish the attempts under way (so their outcomes are recorded), then stop."""
        self._stopping = True
        self._ctx.doorbell.ring()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=self._ctx.settings.send_timeout_seconds + 5)
            except TimeoutError:
                logger.warning("dispatcher stopped mid-attempt; the lease recovers those deliveries")

    async def _run(self) -> None:
        while not self._stopping:
            try:
                while await self.dispatch_round() and not self._stopping:
                    pass
            except Exception:  # a failed round is retried on the next; the loop must not die
                logger.exception("notification dispatch round failed")
            await self._ctx.doorbell.wait(self._ctx.settings.dispatch_poll_seconds)

    async def dispatch_round(self) -> int:
        """One round; returns how many deliveries were attempted."""
        now = self._ctx.runtime.clock.now()
        if self._housekept_at is None or now - self._housekept_at >= self._poll:
            await dispatch.keep_house(self._ctx)
            self._housekept_at = now
        return await dispatch.send_due(self._ctx)
