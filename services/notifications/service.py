"""Notifications' use cases; each runs inside one transaction given by the caller."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from contracts.envelope import CloudEvent
from contracts.events import NotificationSent, NotificationSentData
from contracts.topics import Topic
from servicekit.dedup import first_delivery
from servicekit.outbox import add_to_outbox
from services.notifications.domain import messages_for
from services.notifications.models import Notification, NotificationView

CONSUMER = "notifications"


def notify(session: Session, event: CloudEvent, source: str) -> int:
    """Record the notifications ``event`` calls for, once; returns how many were recorded."""
    messages = messages_for(event)
    if not messages or not first_delivery(session, CONSUMER, event):
        return 0
    for message in messages:
        notification = Notification(
            id=str(uuid.uuid4()),
            dossier_id=event.subject,
            recipient=message.recipient,
            cause_source=event.source,
            cause_event_id=event.id,
            subject=message.subject,
            body=message.body,
        )
        session.add(notification)
        add_to_outbox(
            session,
            Topic.NOTIFICATION_EVENTS,
            NotificationSent(
                source=source,
                subject=event.subject,
                data=NotificationSentData(
                    notification_id=notification.id,
                    dossier_id=event.subject,
                    recipient=message.recipient,
                    cause_event_id=event.id,
                    subject=message.subject,
                    sent_at=notification.created_at,
                ),
            ),
        )
    return len(messages)


def list_notifications(
    session: Session, recipient: str | None, dossier_id: str | None
) -> list[NotificationView]:
    statement = select(Notification).order_by(col(Notification.created_at))
    if recipient is not None:
        statement = statement.where(Notification.recipient == recipient)
    if dossier_id is not None:
        statement = statement.where(Notification.dossier_id == dossier_id)
    return [
        NotificationView(
            notification_id=row.id,
            dossier_id=row.dossier_id,
            recipient=row.recipient,
            channel=row.channel,
            subject=row.subject,
            body=row.body,
            created_at=row.created_at,
        )
        for row in session.exec(statement.limit(500)).all()
    ]
