"""The operators' commands (``python -m services.notifications.cli``) on the stack's database; the
running service's dispatcher sends what they queue at its next poll."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from servicekit.db import run_in_session
from services.notifications import dispatch
from services.notifications.context import NotificationsContext
from services.notifications.models import DeliveryStatus, DeliveryView

MAX_LISTED = 1000


async def list_deliveries(
    ctx: NotificationsContext,
    *,
    status: DeliveryStatus | None = None,
    channel: str | None = None,
    dossier_id: str | None = None,
) -> list[DeliveryView]:
    """The delivery log (at most ``MAX_LISTED`` deliveries, oldest first)."""

    now = ctx.runtime.clock.now()

    def found(session: Session) -> list[DeliveryView]:
        rows = dispatch.find_deliveries(
            session, status=status, channel=channel, dossier_id=dossier_id, limit=MAX_LISTED
        )
        return dispatch.delivery_views(session, rows, now, ctx.limits)

    return await run_in_session(ctx.runtime.engine, found)


@dataclass(frozen=True)
class Redelivery:
    queued: list[str] = field(default_factory=list)
    """Put back in the queue, from a fresh round of attempts."""
    left: list[str] = field(default_factory=list)
    """Still on their way: left as they are."""
    missing: list[str] = field(default_factory=list)
    """Named but not there: then nothing is redelivered."""


async def redeliver(
    ctx: NotificationsContext,
    actor: str,
    *,
    delivery_ids: Sequence[str] = (),
    dead: bool = False,
    channel: str | None = None,
) -> Redelivery:
    """Send the named deliveries (or every dead-lettered one) again; nothing when one named is
    not there."""
    now = ctx.runtime.clock.now()

    def queue(session: Session) -> Redelivery:
        rows = dispatch.find_deliveries(
            session,
            delivery_ids=delivery_ids,
            status=DeliveryStatus.DEAD if dead else None,
            channel=channel,
            limit=MAX_LISTED,
        )
        missing = sorted(set(delivery_ids) - {row.id for row in rows})
        if missing:
            return Redelivery(missing=missing)
        queued = dispatch.redeliver(session, rows, actor, now)
        return Redelivery(queued=queued, left=[row.id for row in rows if row.id not in queued])

    return await run_in_session(ctx.runtime.engine, queue)


async def send_digests_now(ctx: NotificationsContext) -> int:
    """Bring every held reminder's digest forward to now; returns how many reminders."""
    now = ctx.runtime.clock.now()
    return await run_in_session(ctx.runtime.engine, lambda session: dispatch.send_digests_now(session, now))
