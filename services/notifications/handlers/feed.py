"""An officer's feed and read marks (staff tokens)."""

from __future__ import annotations

from servicekit.auth import Staff
from servicekit.db import run_in_session
from services.notifications import feed
from services.notifications.context import NotificationsContext
from services.notifications.domain import staff_audiences
from services.notifications.models import FeedPage, ReadMarks


async def read_feed(
    ctx: NotificationsContext,
    staff: Staff,
    *,
    organisation_only: bool,
    unread_only: bool,
    dossier_id: str | None,
    limit: int,
    offset: int,
) -> FeedPage:
    """The officer's notices, newest first: the organisation's and their roles' (or the
    organisation's only), with the counts of all and unread."""
    audiences = (
        [staff.organisation] if organisation_only else staff_audiences(staff.organisation, staff.roles)
    )
    return await run_in_session(
        ctx.runtime.engine,
        lambda session: feed.feed(
            session,
            audiences,
            staff.subject,
            unread_only=unread_only,
            dossier_id=dossier_id,
            limit=limit,
            offset=offset,
        ),
    )


async def mark_read(ctx: NotificationsContext, staff: Staff, marks: ReadMarks) -> int:
    """Mark the named notices of the officer's feed (every one when none are named) read, or
    unread again; ``notification-not-found`` when one is not in it. Returns how many changed."""
    now = ctx.runtime.clock.now()
    audiences = staff_audiences(staff.organisation, staff.roles)
    return await run_in_session(
        ctx.runtime.engine,
        lambda session: feed.mark_read(
            session, audiences, staff.subject, marks.notification_ids, marks.read, now
        ),
    )
