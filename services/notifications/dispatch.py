"""The deliveries' bookkeeping, inside the caller's transaction: claims, outcomes, retries, dead
letters, digests, interruptions, redeliveries, and the delivery log.

The dispatcher *claims* a delivery (committed) before sending and records the outcome after, so a
crash in between leaves a claim whose lease runs out; the delivery is then logged as interrupted
and sent once more. Nothing here knows one channel from another: at each claim the delivery's
channel says what sending needs now (``Channel.route``) or that it can no longer be sent.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from contracts.events import NotificationDelivered, NotificationDeliveredData
from contracts.topics import Topic
from servicekit.outbox import add_to_outbox
from servicekit.telemetry import continued_trace
from services.notifications import receivers
from services.notifications.channels.base import ChannelRegistry, NoRoute, wire_name
from services.notifications.domain import retry_delay
from services.notifications.models import (
    Delivery,
    DeliveryLogEntry,
    DeliveryLogView,
    DeliveryOutcome,
    DeliveryStatus,
    DeliveryView,
    Notification,
)
from services.notifications.preferences import RecipientBook
from services.notifications.receivers import ReceiverLimits
from services.notifications.rendering import Renderer


def log_delivery(
    session: Session,
    delivery_id: str,
    outcome: DeliveryOutcome,
    at: datetime,
    *,
    attempt: int | None = None,
    detail: str = "",
) -> None:
    """Append to the delivery log."""
    session.add(
        DeliveryLogEntry(
            delivery_id=delivery_id, attempt=attempt, outcome=outcome, detail=detail[:1000], at=at
        )
    )


@dataclass(frozen=True)
class Claim:
    """A delivery claimed for one attempt, with what sending it needs."""

    delivery_id: str
    channel: str
    attempt: int
    target: str
    subject: str
    body: str
    trace_carrier: str
    data: Mapping[str, Any] = field(default_factory=dict)
    """What the channel rendered besides the text (``Delivery.channel_data``)."""
    route: Mapping[str, Any] = field(default_factory=dict)
    """What the channel found at the claim (``Channel.route``); kept in memory only."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    cap_seconds: float


# --- time-driven work ------------------------------------------------------------------------


def keep_house(session: Session, now: datetime, renderer: Renderer) -> None:
    """The dispatcher's time-driven work: digests fallen due, claims whose lease ran out."""
    release_digests(session, now, renderer)
    recover_interrupted(session, now)


def release_digests(session: Session, now: datetime, renderer: Renderer) -> int:
    """Gather the held reminders whose digest time has come into one delivery per recipient,
    channel and target, in the recipient's language."""
    held = session.exec(
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.HELD, col(Delivery.hold_until) <= now)
        .order_by(
            col(Delivery.recipient), col(Delivery.channel), col(Delivery.target), col(Delivery.created_at)
        )
        .with_for_update(skip_locked=True)  # another dispatcher's digest takes those it locked
    ).all()
    book = RecipientBook(session)
    digests = 0
    for (recipient, channel, target), group in groupby(
        held, key=lambda row: (row.recipient, row.channel, row.target)
    ):
        items = list(group)
        rendered = renderer.digest(
            book.language(recipient), [{"subject": item.subject, "body": item.body} for item in items]
        )
        digest = Delivery(
            id=str(uuid.uuid4()),
            channel=channel,
            recipient=recipient,
            target=target,
            subject=rendered.subject,
            body=rendered.body,
            cause_event_id=f"digest:{now:%Y-%m-%d}",
            next_attempt_at=now,
            created_at=now,
        )
        session.add(digest)
        session.flush()
        for item in items:
            item.status = DeliveryStatus.DIGESTED
            item.digest_id = digest.id
            session.add(item)
            log_delivery(session, item.id, DeliveryOutcome.DIGESTED, now, detail=digest.id)
        digests += 1
    return digests


def send_digests_now(session: Session, now: datetime) -> int:
    """Bring every held reminder's digest forward to ``now`` (an operator's command)."""
    result = session.execute(
        update(Delivery).where(col(Delivery.status) == DeliveryStatus.HELD).values(hold_until=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


INTERRUPTED = (
    "the sender stopped before recording the outcome; sending again — the receiver may get it twice "
    "(same delivery id)"
)


def recover_interrupted(session: Session, now: datetime) -> int:
    """Claims whose lease ran out without an outcome: the sender stopped mid-attempt. Whether
    the other side got it is unknown, so it is sent once more and the log says so."""
    stale = session.exec(
        select(Delivery.id, Delivery.attempts).where(
            Delivery.status == DeliveryStatus.SENDING, col(Delivery.lease_until) < now
        )
    ).all()
    recovered = 0
    for delivery_id, attempts in stale:
        # conditional: another dispatcher may have recovered (and claimed) it meanwhile
        changed = session.execute(
            update(Delivery)
            .where(
                col(Delivery.id) == delivery_id,
                col(Delivery.status) == DeliveryStatus.SENDING,
                col(Delivery.attempts) == attempts,
            )
            .values(status=DeliveryStatus.PENDING, interrupted=True, lease_until=None, next_attempt_at=now)
        )
        if changed.rowcount == 1:  # type: ignore[attr-defined]
            log_delivery(
                session, delivery_id, DeliveryOutcome.INTERRUPTED, now, attempt=attempts, detail=INTERRUPTED
            )
            recovered += 1
    return recovered


# --- claims and outcomes ---------------------------------------------------------------------


def claim_due(
    session: Session,
    now: datetime,
    limit: int,
    lease: timedelta,
    channels: ChannelRegistry,
    limits: ReceiverLimits,
) -> list[Claim]:
    """Claim up to ``limit`` due deliveries for one attempt each, until ``now + lease``, leaving
    receivers with no room (``receivers.Room``) aside — their turn comes when an attempt ends —
    and deferring those of receivers whose circuit is open; those their channel can no longer
    send are cancelled. A delivery of a channel this process does not run is claimed all the
    same: its attempt fails, saying so."""
    receivers.defer_open(session, now)
    room = receivers.Room(session, now, limits)
    due = session.exec(
        select(Delivery)
        .where(
            Delivery.status == DeliveryStatus.PENDING, col(Delivery.next_attempt_at) <= now, *room.not_full()
        )
        .order_by(col(Delivery.next_attempt_at))
        .limit(limit)
    ).all()
    book = RecipientBook(session)
    claims: list[Claim] = []
    for delivery in due:
        channel = channels.get(delivery.channel)
        route = channel.route(delivery.target, book) if channel is not None else {}
        if isinstance(route, NoRoute):
            _cancel(session, delivery, now, route.reason)
            continue
        if not room.take((delivery.channel, delivery.target)):
            continue
        attempt = delivery.attempts + 1
        # A conditional update: of two dispatchers claiming the same row, one wins.
        claimed = session.execute(
            update(Delivery)
            .where(col(Delivery.id) == delivery.id, col(Delivery.status) == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.SENDING, attempts=attempt, lease_until=now + lease)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        log_delivery(session, delivery.id, DeliveryOutcome.SENDING, now, attempt=attempt)
        claims.append(
            Claim(
                delivery_id=delivery.id,
                channel=delivery.channel,
                attempt=attempt,
                target=delivery.target,
                subject=delivery.subject,
                body=delivery.body,
                trace_carrier=delivery.trace_carrier,
                data=dict(delivery.channel_data),
                route=route,
            )
        )
    return claims


def _cancel(session: Session, delivery: Delivery, now: datetime, reason: str) -> None:
    delivery.status = DeliveryStatus.CANCELLED
    session.add(delivery)
    log_delivery(session, delivery.id, DeliveryOutcome.CANCELLED, now, detail=reason)


def _claimed(session: Session, claim: Claim) -> Delivery | None:
    """The delivery if ``claim`` still holds it (not recovered as interrupted meanwhile)."""
    delivery = session.get(Delivery, claim.delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.SENDING or delivery.attempts != claim.attempt:
        return None
    return delivery


@dataclass(frozen=True)
class AttemptOutcome:
    """How one attempt ended: delivered, with the channel's ``detail``, or failed, with ``error``.
    ``trace_carrier`` is the attempt's span, which the recorded outcome continues."""

    claim: Claim
    at: datetime
    trace_carrier: str
    detail: str = ""
    error: str | None = None


def record_outcomes(
    session: Session,
    outcomes: Sequence[AttemptOutcome],
    source: str,
    policy: RetryPolicy,
    rng: random.Random,
    limits: ReceiverLimits,
) -> None:
    """The outcomes of the attempts that ended since the last were recorded, in one transaction:
    one commit and one relay wake-up for them rather than one per attempt; each counts on its
    receiver's circuit."""
    # One query for the round's rows; held so that each ``session.get`` below finds its row in
    # the identity map (which holds unchanged rows only weakly).
    _held = session.exec(
        select(Delivery).where(col(Delivery.id).in_([outcome.claim.delivery_id for outcome in outcomes]))
    ).all()
    for outcome in outcomes:
        with continued_trace(outcome.trace_carrier):
            if outcome.error is None:
                record_delivered(session, outcome.claim, outcome.detail, outcome.at, source)
            else:
                record_failed(session, outcome.claim, outcome.error, outcome.at, policy, rng)
            receiver = (outcome.claim.channel, outcome.claim.target)
            receivers.record(session, receiver, outcome.error is None, outcome.at, limits)


def record_delivered(session: Session, claim: Claim, detail: str, now: datetime, source: str) -> None:
    """Delivered: logged, and announced on ``notification.delivered`` (by the channel's wire name;
    a channel contracts do not name yet is not announced)."""
    log_delivery(
        session, claim.delivery_id, DeliveryOutcome.DELIVERED, now, attempt=claim.attempt, detail=detail
    )
    delivery = _claimed(session, claim)
    if delivery is None:
        return
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = now
    delivery.lease_until = None
    delivery.last_error = None
    session.add(delivery)
    channel = wire_name(delivery.channel)
    if channel is None:
        return
    add_to_outbox(
        session,
        Topic.NOTIFICATION_EVENTS,
        NotificationDelivered(
            source=source,
            subject=delivery.dossier_id or delivery.recipient,
            time=now,
            data=NotificationDeliveredData(
                delivery_id=delivery.id,
                notification_id=delivery.notification_id or delivery.id,
                dossier_id=delivery.dossier_id or "",
                channel=channel,
                recipient=delivery.recipient,
                cause_event_id=delivery.cause_event_id,
                attempts=delivery.attempts,
                after_interruption=delivery.interrupted,
                delivered_at=now,
                recipient_name=delivery.recipient_name,
            ),
        ),
    )


def record_failed(
    session: Session, claim: Claim, error: str, now: datetime, policy: RetryPolicy, rng: random.Random
) -> None:
    """Failed: tried again after a backoff, or dead-lettered after ``policy.max_attempts``."""
    delivery = _claimed(session, claim)
    if delivery is None:
        log_delivery(
            session, claim.delivery_id, DeliveryOutcome.FAILED, now, attempt=claim.attempt, detail=error
        )
        return
    delivery.last_error = error[:1000]
    delivery.lease_until = None
    if delivery.attempts >= policy.max_attempts:
        delivery.status = DeliveryStatus.DEAD
        outcome_detail = error
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + retry_delay(
            delivery.attempts, policy.base_seconds, policy.cap_seconds, rng
        )
        outcome_detail = f"{error} — next attempt at {delivery.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC"
    session.add(delivery)
    log_delivery(
        session, delivery.id, DeliveryOutcome.FAILED, now, attempt=claim.attempt, detail=outcome_detail
    )
    if delivery.status == DeliveryStatus.DEAD:
        log_delivery(
            session,
            delivery.id,
            DeliveryOutcome.DEAD_LETTERED,
            now,
            detail=f"after {delivery.attempts} attempts",
        )


# --- redelivery and the log ------------------------------------------------------------------

REDELIVERABLE = (DeliveryStatus.DEAD, DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED)


def redeliver(session: Session, deliveries: Sequence[Delivery], actor: str, now: datetime) -> list[str]:
    """Send ``deliveries`` again from a fresh round of attempts; those still on their way are
    left as they are. Returns the ids put back in the queue."""
    queued: list[str] = []
    for delivery in deliveries:
        if delivery.status not in REDELIVERABLE:
            continue
        log_delivery(
            session,
            delivery.id,
            DeliveryOutcome.REDELIVERY_REQUESTED,
            now,
            detail=f"by {actor} (was {delivery.status} after {delivery.attempts} attempts)",
        )
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = now
        session.add(delivery)
        queued.append(delivery.id)
    receivers.probe_now(
        session, [(d.channel, d.target) for d in deliveries if d.id in queued], now
    )  # someone says the receiver is back: try it now
    return queued


def find_deliveries(
    session: Session,
    *,
    delivery_ids: Sequence[str] = (),
    status: DeliveryStatus | None = None,
    channel: str | None = None,
    target: str | None = None,
    dossier_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Delivery]:
    statement = select(Delivery).order_by(col(Delivery.created_at), col(Delivery.id))
    if delivery_ids:
        statement = statement.where(col(Delivery.id).in_(delivery_ids))
    if status is not None:
        statement = statement.where(Delivery.status == status)
    if channel is not None:
        statement = statement.where(Delivery.channel == channel)
    if target is not None:
        statement = statement.where(Delivery.target == target)
    if dossier_id is not None:
        statement = statement.where(Delivery.dossier_id == dossier_id)
    return list(session.exec(statement.offset(offset).limit(limit)).all())


def delivery_views(
    session: Session, deliveries: Sequence[Delivery], now: datetime, limits: ReceiverLimits
) -> list[DeliveryView]:
    """The deliveries with their log and their receiver's circuit, those of channels contracts
    name (``DeliveryChannel``)."""
    shown = [(delivery, name) for delivery in deliveries if (name := wire_name(delivery.channel))]
    circuits = receivers.receiver_views(session, [(d.channel, d.target) for d, _ in shown], now, limits)
    ids = [delivery.id for delivery, _ in shown]
    log = session.exec(
        select(DeliveryLogEntry)
        .where(col(DeliveryLogEntry.delivery_id).in_(ids))
        .order_by(col(DeliveryLogEntry.id))
    ).all()
    kinds = dict(
        session.exec(
            select(Notification.id, Notification.kind).where(
                col(Notification.id).in_([d.notification_id for d, _ in shown if d.notification_id])
            )
        ).all()
    )
    return [
        DeliveryView(
            delivery_id=delivery.id,
            notification_id=delivery.notification_id,
            dossier_id=delivery.dossier_id,
            kind=kinds.get(delivery.notification_id or "") or None,
            channel=name,
            recipient=delivery.recipient,
            status=DeliveryStatus(delivery.status),
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at if delivery.status == DeliveryStatus.PENDING else None,
            delivered_at=delivery.delivered_at,
            last_error=delivery.last_error,
            receiver=circuits[(delivery.channel, delivery.target)],
            log=[
                DeliveryLogView(
                    at=entry.at,
                    attempt=entry.attempt,
                    outcome=DeliveryOutcome(entry.outcome),
                    detail=entry.detail,
                )
                for entry in log
                if entry.delivery_id == delivery.id
            ],
        )
        for delivery, name in shown
    ]
