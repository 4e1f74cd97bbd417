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
from services.notifications.dispatch import AttemptOutcome, Claim
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
    """Sends due deliveries: a round claims what is due and launches each attempt as its own task,
    round after round while it claims any; then it waits until a notice is recorded or an attempt
    ends (the doorbell) or the poll interval passes (retries fall due on their own). An attempt's
    outcome is recorded as soon as it ends — with the others that ended meanwhile, in one
    transaction — so a receiver that hangs delays no one else's deliveries: it holds at most
    ``receiver_concurrency`` of the ``max_in_flight`` attempts, until its send timeout. Digests
    and expired leases are time-driven: looked for once per poll interval, not at every wake-up."""

    def __init__(self, ctx: NotificationsContext) -> None:
        self._ctx = ctx
        self._poll = timedelta(seconds=ctx.settings.dispatch_poll_seconds)
        self._housekept_at: datetime | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._ended: list[AttemptOutcome] = []
        self._recording = asyncio.Lock()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notification-dispatcher")

    async def stop(self) -> None:
        """Finish the attempts under way (so their outcomes are recorded), then stop."""
        self._stopping = True
        self._ctx.doorbell.ring()
        grace = self._ctx.settings.send_timeout_seconds + 5
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=grace)
            except TimeoutError:
                logger.warning("dispatcher loop did not stop in time")
        if self._in_flight:
            _, unfinished = await asyncio.wait(set(self._in_flight), timeout=grace)
            if unfinished:
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
        """One round: claims and launches; returns how many attempts it launched."""
        now = self._ctx.runtime.clock.now()
        if self._housekept_at is None or now - self._housekept_at >= self._poll:
            await dispatch.keep_house(self._ctx)
            self._housekept_at = now
        room = self._ctx.settings.max_in_flight - len(self._in_flight)
        if room <= 0:
            return 0  # an attempt that ends rings the doorbell
        claims = await dispatch.claim_due(self._ctx, room)
        for claim in claims:
            task = asyncio.create_task(self._deliver(claim), name=f"deliver {claim.delivery_id}")
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(claims)

    async def _deliver(self, claim: Claim) -> None:
        outcome = await dispatch.attempt(self._ctx, claim)
        self._ended.append(outcome)  # not before the await: the list is swapped meanwhile
        async with self._recording:  # whoever holds it records every outcome ended meanwhile
            ended, self._ended = self._ended, []
            if ended:
                try:
                    await dispatch.record(self._ctx, ended)
                except Exception:  # their leases run out and they are sent once more
                    logger.exception("recording %d delivery outcome(s) failed", len(ended))
        self._ctx.doorbell.ring()  # the receiver has room again: what waited for it may go
