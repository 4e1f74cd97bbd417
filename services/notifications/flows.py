"""Notifications' flows: the consumers that turn events into notices, and the dispatcher that
sends their e-mails and webhooks, retries them and dead-letters the hopeless."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import datetime, timedelta

from opentelemetry import trace

from contracts.envelope import CloudEvent
from contracts.events import DecisionEvent, DeliveryChannel, IntakeEvent, NotificationEvent, ReviewEvent
from contracts.topics import Topic
from servicekit.db import run_in_session
from servicekit.service import ServiceRuntime
from servicekit.telemetry import continued_trace, trace_carrier
from services.notifications import service
from services.notifications.channels import (
    CertificateSource,
    EmailChannel,
    OutgoingEmail,
    SendFailed,
    WebhookChannel,
)
from services.notifications.domain import may_notify
from services.notifications.rendering import Renderer
from services.notifications.service import AttemptOutcome, Claim, NoticeDesk, RetryPolicy
from services.notifications.settings import NotificationsSettings

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


def register_subscribers(runtime: ServiceRuntime, desk: NoticeDesk, dispatcher: Dispatcher) -> None:
    runtime.publishes(
        Topic.NOTIFICATION_EVENTS,
        NotificationEvent,
        "Notices recorded in the in-app feed, and e-mails and webhooks delivered (outbox).",
    )

    async def notify(event: CloudEvent) -> None:
        if not may_notify(event):
            return
        now = runtime.clock.now()
        if await runtime.write(lambda session: service.handle(session, event, desk, now)):
            dispatcher.wake()

    @runtime.subscribe(Topic.INTAKE_EVENTS)
    async def on_intake_event(event: IntakeEvent) -> None:
        await notify(event)

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        await notify(event)

    @runtime.subscribe(Topic.DECISION_EVENTS)
    async def on_decision_event(event: DecisionEvent) -> None:
        await notify(event)


class Dispatcher:
    """Sends due deliveries. Each round: releases the digests that fell due, recovers claims
    whose lease ran out (their sender died mid-attempt), claims a batch, sends it and records
    its outcomes together. Woken when new notices are recorded; polls otherwise (retries fall
    due on their own)."""

    def __init__(
        self,
        runtime: ServiceRuntime,
        settings: NotificationsSettings,
        renderer: Renderer,
        email: EmailChannel | None,
        webhooks: WebhookChannel,
        certificates: CertificateSource,
    ) -> None:
        self._runtime = runtime
        self._settings = settings
        self._renderer = renderer
        self._email = email
        self._webhooks = webhooks
        self._certificates = certificates
        self._policy = RetryPolicy(
            settings.max_attempts, settings.retry_base_seconds, settings.retry_cap_seconds
        )
        self._rng = random.Random()
        self._poll = timedelta(seconds=settings.dispatch_poll_seconds)
        self._housekept_at: datetime | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        if self._email is None:
            logger.warning("e-mail is off: TDKT_NOTIFICATIONS_SMTP_HOST is not set")
        self._task = asyncio.create_task(self._run(), name="notification-dispatcher")

    async def stop(self) -> None:
        """Finish the attempts under way (so their outcomes are recorded), then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=self._settings.send_timeout_seconds + 5)
            except TimeoutError:
                logger.warning("dispatcher stopped mid-attempt; the lease recovers those deliveries")

    async def _run(self) -> None:
        while not self._stopping:
            try:
                while await self.dispatch_round() and not self._stopping:
                    pass
            except Exception:  # a failed round is retried on the next; the loop must not die
                logger.exception("notification dispatch round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._settings.dispatch_poll_seconds)
            self._wake.clear()

    async def dispatch_round(self) -> int:
        """One round; returns how many deliveries were attempted. Digests and expired leases
        are time-driven: looked for once per poll interval, not at every wake-up. These
        transactions stage no events, so the outbox relay is not woken for them."""
        now = self._runtime.clock.now()
        engine = self._runtime.engine
        if self._housekept_at is None or now - self._housekept_at >= self._poll:
            await run_in_session(engine, lambda session: service.keep_house(session, now, self._renderer))
            self._housekept_at = now
        lease = timedelta(seconds=self._settings.lease_seconds)
        claims = await run_in_session(
            engine, lambda session: service.claim_due(session, now, self._settings.dispatch_batch, lease)
        )
        if claims:
            outcomes = await asyncio.gather(*(self._attempt(claim) for claim in claims))
            await self._runtime.write(
                lambda session: service.record_outcomes(
                    session, outcomes, self._runtime.source, self._policy, self._rng
                )
            )
        return len(claims)

    async def _attempt(self, claim: Claim) -> AttemptOutcome:
        with (
            continued_trace(claim.trace_carrier),
            tracer.start_as_current_span(
                f"deliver {claim.channel.value}",
                attributes={"tdkt.delivery_id": claim.delivery_id, "tdkt.attempt": claim.attempt},
            ),
        ):
            detail, failure = "", None
            try:
                detail = await asyncio.wait_for(
                    self._send(claim), timeout=self._settings.send_timeout_seconds
                )
            except (SendFailed, TimeoutError) as error:
                failure = str(error) or "timed out"
                logger.info("delivery %s attempt %d failed: %s", claim.delivery_id, claim.attempt, failure)
            except Exception as error:  # a bug or bad data: counted and dead-lettered like any failure
                logger.exception("delivery %s attempt %d broke", claim.delivery_id, claim.attempt)
                failure = f"{type(error).__name__}: {error}"
            return AttemptOutcome(
                claim, self._runtime.clock.now(), trace_carrier(), detail=detail, error=failure
            )

    async def _send(self, claim: Claim) -> str:
        if claim.channel is DeliveryChannel.WEBHOOK:
            assert claim.webhook_url is not None and claim.webhook_secret is not None
            return await self._webhooks.send(
                claim.delivery_id,
                claim.webhook_url,
                claim.webhook_secret,
                claim.body.encode(),
                self._runtime.clock.now().timestamp(),
            )
        if self._email is None:
            raise SendFailed("e-mail is off: no SMTP server configured")
        attachment = (
            await self._certificates.fetch(*claim.attachment, file_name=claim.attachment_name)
            if claim.attachment
            else None
        )
        return await self._email.send(
            OutgoingEmail(claim.delivery_id, claim.target, claim.subject, claim.body, attachment)
        )
