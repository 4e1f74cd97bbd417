"""Notifications' use cases; each runs inside one transaction given by the caller.

A consumed event becomes notices (one per audience, at most once: the processed-event record and
a unique key on cause + audience), each shown in the in-app feed and turned into deliveries (an
e-mail, a webhook). Deliveries are sent by the dispatcher: it *claims* a delivery (committed)
before sending and records the outcome after, so a crash in between leaves a claim whose lease
runs out; the delivery is then logged as interrupted and sent once more.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, update
from sqlmodel import Session, col, select

from contracts.envelope import CloudEvent
from contracts.events import (
    ALL_EVENT_TYPES,
    CLIENT_RECIPIENT_PREFIX,
    DeliveryChannel,
    DossierAmended,
    DossierSubmitted,
    NotificationDelivered,
    NotificationDeliveredData,
    NotificationSent,
    NotificationSentData,
    ReviewTaskCompleted,
    event_type_name,
)
from contracts.topics import Topic
from contracts.webhooks import DossierNotice, DossierNoticeData
from servicekit.db import lock_for_transaction
from servicekit.dedup import first_delivery
from servicekit.outbox import add_to_outbox
from servicekit.problems import ProblemError
from servicekit.telemetry import continued_trace, trace_carrier
from services.notifications.domain import (
    Channel,
    DossierFacts,
    DossierNames,
    NoticeDraft,
    facts_of_submission,
    held_for_digest,
    needs_dossier_facts,
    next_digest_at,
    notices_for,
    organisation_of,
    retry_delay,
    settles_tasks,
)
from services.notifications.models import (
    Delivery,
    DeliveryLogEntry,
    DeliveryLogView,
    DeliveryOutcome,
    DeliveryStatus,
    DeliveryView,
    DossierRecord,
    FeedItem,
    FeedPage,
    Notification,
    NotificationRead,
    ParkedEvent,
    PreferenceUpdate,
    PreferenceView,
    RecipientPreference,
    SubscriptionRequest,
    SubscriptionView,
    WebhookSubscription,
)
from services.notifications.rendering import Renderer, attachment_name, wording

CONSUMER = "notifications"
EVENT_CLASSES = {event_type_name(event_class): event_class for event_class in ALL_EVENT_TYPES}


@dataclass(frozen=True)
class NoticeDesk:
    """What turning events into notices needs besides the session."""

    source: str
    renderer: Renderer
    directory: Mapping[str, str]
    """Mailboxes of organisations and roles (``TDKT_NOTIFICATIONS_DIRECTORY_FILE``)."""
    email_enabled: bool
    digest_at: time
    zone: ZoneInfo
    stale_after: timedelta
    """Older events reach the feed only (see ``NotificationsSettings.stale_after_hours``)."""


# --- events → notices → deliveries ---------------------------------------------------------


def handle(session: Session, event: CloudEvent, desk: NoticeDesk, now: datetime) -> int:
    """Record the notices ``event`` calls for, once, at ``now``; returns how many were recorded."""
    # one dossier's events are handled one at a time: an event parked for want of the submission
    # and the submission arriving from another topic at once must not miss each other
    lock_for_transaction(session, f"notifications:{event.subject}")
    if not first_delivery(session, CONSUMER, event, now):
        return 0
    if isinstance(event, DossierSubmitted | DossierAmended):
        submitted = facts_of_submission(event)
        _remember_dossier(session, submitted, now)
        return _notify(session, event, submitted, desk, now) + _release_parked(session, submitted, desk, now)
    if settles_tasks(event):
        _settle_tasks(session, event, now)
    record = session.get(DossierRecord, event.subject)
    facts = _facts(record) if record else None
    if facts is None and needs_dossier_facts(event):
        session.add(ParkedEvent(dossier_id=event.subject, event=event.model_dump_json(), parked_at=now))
    return _notify(session, event, facts, desk, now)


def _settle_tasks(session: Session, event: CloudEvent, now: datetime) -> None:
    """A task done (or its dossier withdrawn, which ends the open one): its notices to reviewers
    — opened, reminded, escalated — need no one's attention any more. They count as read for
    every officer from now on (``done_at``), and their e-mails still held for a digest are not
    sent."""
    settled = [
        col(Notification.dossier_id) == event.subject,
        col(Notification.task_id).is_not(None),
        col(Notification.done_at).is_(None),
    ]
    if isinstance(event, ReviewTaskCompleted):
        settled.append(col(Notification.task_id) == event.data.task_id)
    ids = list(session.exec(select(Notification.id).where(*settled)).all())
    if not ids:
        return
    session.execute(update(Notification).where(col(Notification.id).in_(ids)).values(done_at=now))
    held = session.exec(
        select(Delivery).where(col(Delivery.notification_id).in_(ids), Delivery.status == DeliveryStatus.HELD)
    ).all()
    for delivery in held:
        delivery.status = DeliveryStatus.CANCELLED
        session.add(delivery)
        _log(
            session, delivery.id, DeliveryOutcome.CANCELLED, now, detail="the task was done before the digest"
        )


def _remember_dossier(session: Session, facts: DossierFacts, now: datetime) -> None:
    record = session.get(DossierRecord, facts.dossier_id) or DossierRecord(
        dossier_id=facts.dossier_id,
        submitting_organisation=facts.submitting_organisation,
        award_code=facts.award_code,
        recorded_at=now,
    )
    record.client_id = facts.client_id
    record.external_reference = facts.external_reference
    record.award_code = facts.award_code
    record.nominee_emails = dict(facts.nominee_emails)
    record.names = facts.names.to_json()
    session.add(record)


def _facts(record: DossierRecord) -> DossierFacts:
    return DossierFacts(
        dossier_id=record.dossier_id,
        submitting_organisation=record.submitting_organisation,
        client_id=record.client_id,
        external_reference=record.external_reference,
        award_code=record.award_code,
        nominee_emails=dict(record.nominee_emails),
        names=DossierNames.from_json(record.names),
    )


def _release_parked(session: Session, facts: DossierFacts, desk: NoticeDesk, now: datetime) -> int:
    parked = session.exec(
        select(ParkedEvent).where(ParkedEvent.dossier_id == facts.dossier_id).order_by(col(ParkedEvent.id))
    ).all()
    count = 0
    for row in parked:
        event_type = EVENT_CLASSES[CloudEvent.model_validate_json(row.event).type]
        count += _notify(session, event_type.model_validate_json(row.event), facts, desk, now)
        session.delete(row)
    return count


def _notify(
    session: Session, event: CloudEvent, facts: DossierFacts | None, desk: NoticeDesk, now: datetime
) -> int:
    return sum(_record_notice(session, event, draft, desk, now) for draft in notices_for(event, facts))


def _record_notice(
    session: Session, event: CloudEvent, draft: NoticeDraft, desk: NoticeDesk, now: datetime
) -> bool:
    already = session.exec(
        select(Notification.id).where(
            Notification.cause_source == event.source,
            Notification.cause_event_id == event.id,
            Notification.recipient == draft.audience,
        )
    ).first()
    if already is not None:
        return False
    preference = preference_of(session, draft.audience)
    subscription = _subscription_for(session, draft)
    language = subscription.language if subscription else preference.language
    facts = {"dossier_id": event.subject, **draft.facts}
    rendered = desk.renderer.render(draft.kind, language, facts)
    notification = Notification(
        id=str(uuid.uuid4()),
        dossier_id=event.subject,
        recipient=draft.audience,
        cause_source=event.source,
        cause_event_id=event.id,
        subject=rendered.subject[:500],
        body=rendered.body,
        created_at=now,
        kind=draft.kind.value,
        language=rendered.language,
        in_feed=Channel.IN_APP in draft.channels and preference.in_app,
        facts=facts,
        task_id=facts.get("task_id"),
    )
    session.add(notification)
    session.flush()
    if notification.in_feed:
        add_to_outbox(
            session,
            Topic.NOTIFICATION_EVENTS,
            NotificationSent(
                source=desk.source,
                subject=event.subject,
                time=now,
                data=NotificationSentData(
                    notification_id=notification.id,
                    dossier_id=event.subject,
                    recipient=draft.audience,
                    cause_event_id=event.id,
                    subject=notification.subject,
                    sent_at=now,
                    recipient_name=draft.recipient_name,
                ),
            ),
        )
    if now - event.time > desk.stale_after:
        return True
    mailbox = (
        _mailbox(session, draft, preference, desk.directory)
        if Channel.EMAIL in draft.channels and desk.email_enabled
        else None
    )
    if mailbox is not None:
        address, owner = mailbox
        held = held_for_digest(draft.kind, Channel.EMAIL, owner.digest_reminders)
        delivery = _delivery(notification, DeliveryChannel.EMAIL, address, notification.body, draft)
        if held:
            delivery.status = DeliveryStatus.HELD
            delivery.hold_until = next_digest_at(now, desk.digest_at, desk.zone)
        if draft.attachment is not None:
            delivery.attachment_decision_id, delivery.attachment_line = draft.attachment
            delivery.attachment_name = attachment_name(facts, *draft.attachment)
        _add_with_log(
            session,
            delivery,
            now,
            DeliveryOutcome.HELD_FOR_DIGEST if held else None,
            f"until {delivery.hold_until:%Y-%m-%d %H:%M} UTC" if held else "",
        )
    if Channel.WEBHOOK in draft.channels and subscription is not None and subscription.active:
        notice = DossierNotice(
            id=notification.id,
            source=desk.source,
            subject=event.subject,
            time=now,
            data=DossierNoticeData.model_validate(
                {
                    **facts,
                    "kind": draft.kind,
                    "submitting_organisation": facts.get("organisation", ""),
                    "award_name": wording(rendered.language, facts)["award"] or None,
                    "cause_event_id": event.id,
                    "cause_event_type": event.type,
                    "title": rendered.subject,
                    "text": rendered.body,
                    "decision_url": (
                        desk.renderer.links.of_decision(facts["decision_id"])
                        if "decision_id" in facts
                        else None
                    ),
                    "occurred_at": event.time,
                }
            ),
        )
        _add_with_log(
            session,
            _delivery(
                notification, DeliveryChannel.WEBHOOK, subscription.client_id, notice.model_dump_json(), draft
            ),
            now,
        )
    return True


def _delivery(
    notification: Notification, channel: DeliveryChannel, target: str, body: str, draft: NoticeDraft
) -> Delivery:
    return Delivery(
        id=str(uuid.uuid4()),
        notification_id=notification.id,
        dossier_id=notification.dossier_id,
        channel=channel,
        recipient=notification.recipient,
        target=target,
        subject=notification.subject,
        body=body,
        cause_event_id=notification.cause_event_id,
        next_attempt_at=notification.created_at,
        created_at=notification.created_at,
        trace_carrier=trace_carrier(),
        recipient_name=draft.recipient_name,
    )


def _add_with_log(
    session: Session,
    delivery: Delivery,
    now: datetime,
    outcome: DeliveryOutcome | None = None,
    detail: str = "",
) -> None:
    session.add(delivery)
    if outcome is not None:
        session.flush()
        _log(session, delivery.id, outcome, now, detail=detail)


def _log(
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


def _subscription_for(session: Session, draft: NoticeDraft) -> WebhookSubscription | None:
    if Channel.WEBHOOK not in draft.channels:
        return None
    return session.get(WebhookSubscription, draft.audience.removeprefix(CLIENT_RECIPIENT_PREFIX))


def _mailbox(
    session: Session, draft: NoticeDraft, preference: RecipientPreference, directory: Mapping[str, str]
) -> tuple[str, RecipientPreference] | None:
    """Where ``draft``'s e-mail goes, and whose preferences rule it (digests): the audience's own
    mailbox — a nominee's address, the preference's, the directory's (``<code>#<role>`` for a
    role) — or else, for a role without one, its organisation's, under the organisation's
    preferences: an organisation that turned e-mail off is not mailed for its roles either.
    None when no one is to be mailed."""
    if not preference.email:
        return None
    own = draft.email_address or preference.email_address or directory.get(draft.audience)
    if own:
        return own, preference
    organisation = organisation_of(draft.audience)
    if organisation is None or organisation == draft.audience:
        return None
    owner = preference_of(session, organisation)
    address = owner.email_address or directory.get(organisation)
    return (address, owner) if owner.email and address else None


# --- dispatching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A delivery claimed for one attempt, with what sending it needs."""

    delivery_id: str
    channel: DeliveryChannel
    attempt: int
    target: str
    subject: str
    body: str
    attachment: tuple[str, int] | None
    trace_carrier: str
    attachment_name: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None


def keep_house(session: Session, now: datetime, renderer: Renderer) -> None:
    """The dispatcher's time-driven work: digests fallen due, claims whose lease ran out."""
    release_digests(session, now, renderer)
    recover_interrupted(session, now)


def release_digests(session: Session, now: datetime, renderer: Renderer) -> int:
    """Gather the held reminders whose digest time has come into one e-mail per recipient."""
    held = session.exec(
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.HELD, col(Delivery.hold_until) <= now)
        .order_by(col(Delivery.recipient), col(Delivery.target), col(Delivery.created_at))
        .with_for_update(skip_locked=True)  # another dispatcher's digest takes those it locked
    ).all()
    digests = 0
    for (recipient, target), group in groupby(held, key=lambda row: (row.recipient, row.target)):
        items = list(group)
        rendered = renderer.digest(
            preference_of(session, recipient).language,
            [{"subject": item.subject, "body": item.body} for item in items],
        )
        digest = Delivery(
            id=str(uuid.uuid4()),
            channel=DeliveryChannel.EMAIL,
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
            _log(session, item.id, DeliveryOutcome.DIGESTED, now, detail=digest.id)
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
            _log(session, delivery_id, DeliveryOutcome.INTERRUPTED, now, attempt=attempts, detail=INTERRUPTED)
            recovered += 1
    return recovered


def claim_due(session: Session, now: datetime, limit: int, lease: timedelta) -> list[Claim]:
    due = session.exec(
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.PENDING, col(Delivery.next_attempt_at) <= now)
        .order_by(col(Delivery.next_attempt_at))
        .limit(limit)
    ).all()
    claims: list[Claim] = []
    for delivery in due:
        subscription = None
        if delivery.channel == DeliveryChannel.WEBHOOK:
            subscription = session.get(WebhookSubscription, delivery.target)
            if subscription is None or not subscription.active:
                _cancel(session, delivery, now)
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
        _log(session, delivery.id, DeliveryOutcome.SENDING, now, attempt=attempt)
        claims.append(
            Claim(
                delivery_id=delivery.id,
                channel=DeliveryChannel(delivery.channel),
                attempt=attempt,
                target=delivery.target,
                subject=delivery.subject,
                body=delivery.body,
                attachment=(
                    (delivery.attachment_decision_id, delivery.attachment_line)
                    if delivery.attachment_decision_id and delivery.attachment_line
                    else None
                ),
                trace_carrier=delivery.trace_carrier,
                attachment_name=delivery.attachment_name,
                webhook_url=subscription.url if subscription else None,
                webhook_secret=subscription.secret if subscription else None,
            )
        )
    return claims


def _cancel(session: Session, delivery: Delivery, now: datetime) -> None:
    delivery.status = DeliveryStatus.CANCELLED
    session.add(delivery)
    _log(
        session,
        delivery.id,
        DeliveryOutcome.CANCELLED,
        now,
        detail="the client has no active webhook subscription",
    )


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
) -> None:
    """A dispatch round's outcomes in one transaction: one commit and one relay wake-up for the
    round rather than one per attempt."""
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


def record_delivered(session: Session, claim: Claim, detail: str, now: datetime, source: str) -> None:
    _log(session, claim.delivery_id, DeliveryOutcome.DELIVERED, now, attempt=claim.attempt, detail=detail)
    delivery = _claimed(session, claim)
    if delivery is None:
        return
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = now
    delivery.lease_until = None
    delivery.last_error = None
    session.add(delivery)
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
                channel=DeliveryChannel(delivery.channel),
                recipient=delivery.recipient,
                cause_event_id=delivery.cause_event_id,
                attempts=delivery.attempts,
                after_interruption=delivery.interrupted,
                delivered_at=now,
                recipient_name=delivery.recipient_name,
            ),
        ),
    )


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    cap_seconds: float


def record_failed(
    session: Session, claim: Claim, error: str, now: datetime, policy: RetryPolicy, rng: random.Random
) -> None:
    delivery = _claimed(session, claim)
    if delivery is None:
        _log(session, claim.delivery_id, DeliveryOutcome.FAILED, now, attempt=claim.attempt, detail=error)
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
    _log(session, delivery.id, DeliveryOutcome.FAILED, now, attempt=claim.attempt, detail=outcome_detail)
    if delivery.status == DeliveryStatus.DEAD:
        _log(
            session,
            delivery.id,
            DeliveryOutcome.DEAD_LETTERED,
            now,
            detail=f"after {delivery.attempts} attempts",
        )


REDELIVERABLE = (DeliveryStatus.DEAD, DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED)


def redeliver(session: Session, deliveries: Sequence[Delivery], actor: str, now: datetime) -> list[str]:
    """Send ``deliveries`` again from a fresh round of attempts; those still on their way are
    left as they are. Returns the ids put back in the queue."""
    queued: list[str] = []
    for delivery in deliveries:
        if delivery.status not in REDELIVERABLE:
            continue
        _log(
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
    return queued


def find_deliveries(
    session: Session,
    *,
    delivery_ids: Sequence[str] = (),
    status: DeliveryStatus | None = None,
    channel: DeliveryChannel | None = None,
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


def delivery_views(session: Session, deliveries: Sequence[Delivery]) -> list[DeliveryView]:
    ids = [delivery.id for delivery in deliveries]
    log = session.exec(
        select(DeliveryLogEntry)
        .where(col(DeliveryLogEntry.delivery_id).in_(ids))
        .order_by(col(DeliveryLogEntry.id))
    ).all()
    kinds = dict(
        session.exec(
            select(Notification.id, Notification.kind).where(
                col(Notification.id).in_([d.notification_id for d in deliveries if d.notification_id])
            )
        ).all()
    )
    return [
        DeliveryView(
            delivery_id=delivery.id,
            notification_id=delivery.notification_id,
            dossier_id=delivery.dossier_id,
            kind=kinds.get(delivery.notification_id or "") or None,
            channel=DeliveryChannel(delivery.channel),
            recipient=delivery.recipient,
            status=DeliveryStatus(delivery.status),
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at if delivery.status == DeliveryStatus.PENDING else None,
            delivered_at=delivery.delivered_at,
            last_error=delivery.last_error,
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
        for delivery in deliveries
    ]


# --- the in-app feed -----------------------------------------------------------------------


def feed(
    session: Session,
    audiences: Sequence[str],
    reader: str,
    *,
    unread_only: bool,
    dossier_id: str | None,
    limit: int,
    offset: int,
) -> FeedPage:
    read_ids = select(NotificationRead.notification_id).where(NotificationRead.reader == reader)
    visible: list[ColumnElement[bool]] = [
        col(Notification.recipient).in_(audiences),
        col(Notification.in_feed).is_(True),
    ]
    if dossier_id is not None:
        visible.append(col(Notification.dossier_id) == dossier_id)
    unread_condition = col(Notification.id).not_in(read_ids) & col(Notification.done_at).is_(None)
    total = session.exec(select(func.count()).select_from(Notification).where(*visible)).one()
    unread = session.exec(
        select(func.count()).select_from(Notification).where(*visible, unread_condition)
    ).one()
    statement = select(Notification).where(*visible)
    if unread_only:
        statement = statement.where(unread_condition)
    rows = session.exec(
        statement.order_by(col(Notification.created_at).desc(), col(Notification.id))
        .offset(offset)
        .limit(limit)
    ).all()
    marked = set(
        session.exec(
            select(NotificationRead.notification_id).where(
                NotificationRead.reader == reader,
                col(NotificationRead.notification_id).in_([r.id for r in rows]),
            )
        ).all()
    )
    return FeedPage(
        items=[
            FeedItem(
                notification_id=row.id,
                dossier_id=row.dossier_id,
                recipient=row.recipient,
                channel=row.channel,
                kind=row.kind,
                subject=row.subject,
                body=row.body,
                created_at=row.created_at,
                read=row.id in marked or row.done_at is not None,
                done=row.done_at is not None,
                task_id=row.facts.get("task_id"),
            )
            for row in rows
        ],
        total=total,
        unread=unread,
    )


def mark_read(
    session: Session,
    audiences: Sequence[str],
    reader: str,
    notification_ids: Sequence[str] | None,
    read: bool,
    now: datetime,
) -> int:
    """Mark the caller's notices read (or unread again); ``None`` means every one of the feed."""
    statement = select(Notification.id).where(
        col(Notification.recipient).in_(audiences), col(Notification.in_feed).is_(True)
    )
    if notification_ids is not None:
        statement = statement.where(col(Notification.id).in_(notification_ids))
    ids = list(session.exec(statement).all())
    if notification_ids is not None and len(ids) != len(set(notification_ids)):
        raise ProblemError(
            404,
            "notification-not-found",
            "Không có thông báo này trong hộp thư của cán bộ.",
            "No such notification in the caller's feed.",
            detail=", ".join(sorted(set(notification_ids) - set(ids))),
        )
    already = set(
        session.exec(
            select(NotificationRead.notification_id).where(
                NotificationRead.reader == reader, col(NotificationRead.notification_id).in_(ids)
            )
        ).all()
    )
    if read:
        for notification_id in ids:
            if notification_id not in already:
                session.add(NotificationRead(notification_id=notification_id, reader=reader, read_at=now))
        return len(set(ids) - already)
    for notification_id in already:
        mark = session.get(NotificationRead, (notification_id, reader))
        if mark is not None:
            session.delete(mark)
    return len(already)


# --- preferences and subscriptions ---------------------------------------------------------


NEVER_STORED = datetime.min.replace(tzinfo=UTC)
"""``updated_at`` of a recipient's default preference, which no one has saved."""


def preference_of(session: Session, recipient: str) -> RecipientPreference:
    return session.get(RecipientPreference, recipient) or RecipientPreference(
        recipient=recipient, updated_at=NEVER_STORED
    )


def has_preference(session: Session, recipient: str) -> bool:
    return session.get(RecipientPreference, recipient) is not None


def preference_view(preference: RecipientPreference, stored: bool) -> PreferenceView:
    return PreferenceView(
        recipient=preference.recipient,
        in_app=preference.in_app,
        email=preference.email,
        email_address=preference.email_address,
        digest_reminders=preference.digest_reminders,
        language="en" if preference.language == "en" else "vi",
        updated_at=preference.updated_at if stored else None,
    )


def set_preference(
    session: Session, recipient: str, update_: PreferenceUpdate, actor: str, now: datetime
) -> PreferenceView:
    preference = preference_of(session, recipient)
    for name, value in update_.model_dump().items():
        setattr(preference, name, value)
    preference.updated_by = actor
    preference.updated_at = now
    session.add(preference)
    return preference_view(preference, stored=True)


def subscription_view(subscription: WebhookSubscription, with_secret: bool = False) -> SubscriptionView:
    return SubscriptionView(
        client_id=subscription.client_id,
        url=subscription.url,
        language=subscription.language,
        active=subscription.active,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
        secret=subscription.secret if with_secret else None,
    )


def subscribe(
    session: Session, client_id: str, request: SubscriptionRequest, now: datetime
) -> tuple[SubscriptionView, bool]:
    """Make or change the client's subscription; the secret is returned when it is made."""
    subscription = session.get(WebhookSubscription, client_id)
    created = subscription is None
    if subscription is None:
        subscription = WebhookSubscription(
            client_id=client_id, url="", secret=new_secret(), created_at=now, updated_at=now
        )
    subscription.url = str(request.url)
    subscription.language = request.language
    subscription.active = request.active
    subscription.updated_at = now
    session.add(subscription)
    return subscription_view(subscription, with_secret=created), created


def rotate_secret(session: Session, client_id: str, now: datetime) -> SubscriptionView:
    subscription = own_subscription(session, client_id)
    subscription.secret = new_secret()
    subscription.updated_at = now
    session.add(subscription)
    return subscription_view(subscription, with_secret=True)


def own_subscription(session: Session, client_id: str) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, client_id)
    if subscription is None:
        raise ProblemError(
            404,
            "no-subscription",
            "Hệ thống chưa đăng ký nhận webhook.",
            "This client has no webhook subscription.",
        )
    return subscription


def unsubscribe(session: Session, client_id: str, now: datetime) -> None:
    """End the subscription and cancel its deliveries still to be sent."""
    session.delete(own_subscription(session, client_id))
    waiting = find_deliveries(
        session,
        status=DeliveryStatus.PENDING,
        channel=DeliveryChannel.WEBHOOK,
        target=client_id,
        limit=100_000,
    )
    for delivery in waiting:
        delivery.status = DeliveryStatus.CANCELLED
        session.add(delivery)
        _log(session, delivery.id, DeliveryOutcome.CANCELLED, now, detail="the client unsubscribed")


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def client_delivery(session: Session, client_id: str, delivery_id: str) -> Delivery:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.channel != DeliveryChannel.WEBHOOK or delivery.target != client_id:
        raise ProblemError(
            404,
            "delivery-not-found",
            "Không có lần gửi webhook này cho hệ thống.",
            "No such webhook delivery for this client.",
        )
    return delivery
