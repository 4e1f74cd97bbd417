"""Events → notices → deliveries, inside the caller's transaction.

A consumed event becomes notices (one per audience, at most once: the processed-event record and
a unique key on cause + audience). Each registered channel says whether and where it reaches the
audience (``Channel.address``); the feed shows the notice once it is recorded, and every queued
channel gets a delivery of what it rendered, which the dispatcher sends (``dispatch``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from contracts.envelope import CloudEvent
from contracts.events import (
    ALL_EVENT_TYPES,
    DossierAmended,
    DossierSubmitted,
    NotificationSent,
    NotificationSentData,
    ReviewTaskCompleted,
    event_type_name,
)
from contracts.topics import Topic
from servicekit.db import lock_for_transaction
from servicekit.dedup import first_delivery
from servicekit.outbox import add_to_outbox
from servicekit.telemetry import trace_carrier
from services.notifications.channels.base import Address, Channel, ChannelRegistry, Notice, Payload
from services.notifications.dispatch import log_delivery
from services.notifications.domain import (
    DossierFacts,
    DossierNames,
    NoticeDraft,
    facts_of_submission,
    held_for_digest,
    needs_dossier_facts,
    next_digest_at,
    notices_for,
    settles_tasks,
)
from services.notifications.models import (
    Delivery,
    DeliveryOutcome,
    DeliveryStatus,
    DossierRecord,
    Notification,
    ParkedEvent,
)
from services.notifications.preferences import RecipientBook
from services.notifications.rendering import Renderer

CONSUMER = "notifications"
EVENT_CLASSES = {event_type_name(event_class): event_class for event_class in ALL_EVENT_TYPES}


@dataclass(frozen=True)
class NoticeDesk:
    """What turning events into notices needs besides the session."""

    source: str
    renderer: Renderer
    channels: ChannelRegistry
    digest_at: time
    zone: ZoneInfo
    stale_after: timedelta
    """Older events reach the feed only (see ``NotificationsSettings.stale_after_hours``)."""


def record_notices(session: Session, event: CloudEvent, desk: NoticeDesk, now: datetime) -> int:
    """Record the notices ``event`` calls for, once, at ``now``; returns how many were recorded."""
    # one dossier's events are handled one at a time: an event parked for want of the submission
    # and the submission arriving from another topic at once must not miss each other
    lock_for_transaction(session, f"notifications:{event.subject}")
    if not first_delivery(session, CONSUMER, event, now):
        return 0
    book = RecipientBook(session)
    if isinstance(event, DossierSubmitted | DossierAmended):
        submitted = facts_of_submission(event)
        _remember_dossier(session, submitted, now)
        return _notify(session, book, event, submitted, desk, now) + _release_parked(
            session, book, submitted, desk, now
        )
    if settles_tasks(event):
        _settle_tasks(session, event, now)
    record = session.get(DossierRecord, event.subject)
    facts = _facts(record) if record else None
    if facts is None and needs_dossier_facts(event):
        session.add(ParkedEvent(dossier_id=event.subject, event=event.model_dump_json(), parked_at=now))
    return _notify(session, book, event, facts, desk, now)


def _settle_tasks(session: Session, event: CloudEvent, now: datetime) -> None:
    """A task done (or its dossier withdrawn, which ends the open one): its notices to reviewers
    — opened, reminded, escalated — need no one's attention any more. They count as read for
    every officer from now on (``done_at``), and their deliveries still held for a digest are
    not sent."""
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
        log_delivery(
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


def _release_parked(
    session: Session, book: RecipientBook, facts: DossierFacts, desk: NoticeDesk, now: datetime
) -> int:
    parked = session.exec(
        select(ParkedEvent).where(ParkedEvent.dossier_id == facts.dossier_id).order_by(col(ParkedEvent.id))
    ).all()
    count = 0
    for row in parked:
        event_type = EVENT_CLASSES[CloudEvent.model_validate_json(row.event).type]
        count += _notify(session, book, event_type.model_validate_json(row.event), facts, desk, now)
        session.delete(row)
    return count


def _notify(
    session: Session,
    book: RecipientBook,
    event: CloudEvent,
    facts: DossierFacts | None,
    desk: NoticeDesk,
    now: datetime,
) -> int:
    return sum(_record_notice(session, book, event, draft, desk, now) for draft in notices_for(event, facts))


def _record_notice(
    session: Session,
    book: RecipientBook,
    event: CloudEvent,
    draft: NoticeDraft,
    desk: NoticeDesk,
    now: datetime,
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
    reached = [(channel, where) for channel in desk.channels if (where := channel.address(draft, book))]
    language = next((where.language for _, where in reached if where.language), None)
    facts = {"dossier_id": event.subject, **draft.facts}
    rendered = desk.renderer.render(draft.kind, language or book.language(draft.audience), facts)
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
        in_feed=any(not channel.queued for channel, _ in reached),
        facts=facts,
        task_id=facts.get("task_id"),
    )
    session.add(notification)
    session.flush()
    if notification.in_feed:
        _announce(session, notification, event, draft, desk.source, now)
    if now - event.time > desk.stale_after:
        return True
    notice = Notice(
        notification_id=notification.id,
        dossier_id=event.subject,
        audience=draft.audience,
        kind=draft.kind,
        facts=facts,
        subject=rendered.subject,
        body=rendered.body,
        language=rendered.language,
        source=desk.source,
        cause_event_id=event.id,
        cause_event_type=event.type,
        occurred_at=event.time,
        recorded_at=now,
        attachment=draft.attachment,
    )
    for channel, where in reached:
        if channel.queued:
            _queue(
                session, book, notification, channel, where, channel.render(notice, where), draft, desk, now
            )
    return True


def _announce(
    session: Session,
    notification: Notification,
    event: CloudEvent,
    draft: NoticeDraft,
    source: str,
    now: datetime,
) -> None:
    """``notification.sent``: a notice is in the feed."""
    add_to_outbox(
        session,
        Topic.NOTIFICATION_EVENTS,
        NotificationSent(
            source=source,
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


def _queue(
    session: Session,
    book: RecipientBook,
    notification: Notification,
    channel: Channel,
    where: Address,
    payload: Payload,
    draft: NoticeDraft,
    desk: NoticeDesk,
    now: datetime,
) -> None:
    """One delivery of ``notification`` by ``channel``: due now, or held for the digest of the
    address's owner."""
    delivery = Delivery(
        id=str(uuid.uuid4()),
        notification_id=notification.id,
        dossier_id=notification.dossier_id,
        channel=channel.name,
        recipient=notification.recipient,
        target=where.target,
        subject=payload.subject[:500],
        body=payload.body,
        channel_data=payload.data,
        cause_event_id=notification.cause_event_id,
        next_attempt_at=notification.created_at,
        created_at=notification.created_at,
        trace_carrier=trace_carrier(),
        recipient_name=draft.recipient_name,
    )
    session.add(delivery)
    if channel.digests and held_for_digest(draft.kind, book.digest_reminders(where.owner)):
        delivery.status = DeliveryStatus.HELD
        delivery.hold_until = next_digest_at(now, desk.digest_at, desk.zone)
        session.flush()
        log_delivery(
            session,
            delivery.id,
            DeliveryOutcome.HELD_FOR_DIGEST,
            now,
            detail=f"until {delivery.hold_until:%Y-%m-%d %H:%M} UTC",
        )
