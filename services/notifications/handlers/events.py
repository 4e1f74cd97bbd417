"""The consumed events: what intake, review and decisions publish becomes notices."""

from __future__ import annotations

from contracts.envelope import CloudEvent
from services.notifications import notices
from services.notifications.context import NotificationsContext
from services.notifications.domain import may_notify


async def notify(ctx: NotificationsContext, event: CloudEvent) -> int:
    """Record the notices ``event`` calls for — in the feed, and deliveries for the channels that
    reach each audience — once, in one transaction with the record of the event's processing;
    then wake the dispatcher. An event that can notify nobody nor settle a task opens no
    transaction. Returns how many notices were recorded."""
    if not may_notify(event):
        return 0
    now = ctx.runtime.clock.now()
    recorded = await ctx.runtime.write(lambda session: notices.record_notices(session, event, ctx.desk, now))
    if recorded:
        ctx.doorbell.ring()
    return recorded
