"""The in-app feed: an officer's notices (their organisation's and their roles'), newest first,
with read marks per officer; a done task's notices count as read for everyone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from services.notifications.errors import NOTIFICATION_NOT_FOUND
from services.notifications.models import FeedItem, FeedPage, Notification, NotificationRead


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
                task_id=row.task_id,
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
        missing = ", ".join(sorted(set(notification_ids) - set(ids)))
        raise NOTIFICATION_NOT_FOUND(notification_ids=missing, detail=missing)
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
