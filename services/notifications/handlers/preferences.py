"""How a recipient (an organisation, or ``<code>#<role>``) is notified: its officers manage it —
the leader the organisation's, holders of a role that role's."""

from __future__ import annotations

from sqlmodel import Session

from servicekit.auth import Staff
from servicekit.db import run_in_session
from services.notifications import preferences
from services.notifications.channels.base import ChannelChoice
from services.notifications.context import NotificationsContext
from services.notifications.domain import may_manage
from services.notifications.errors import INVALID_CHANNEL_ADDRESS, NOT_YOUR_RECIPIENT, UNKNOWN_CHANNEL
from services.notifications.models import ChannelPreferenceUpdate, PreferenceUpdate, PreferenceView


def _managed(staff: Staff, recipient: str) -> None:
    if not may_manage(staff.organisation, staff.roles, recipient):
        raise NOT_YOUR_RECIPIENT(recipient=recipient, organisation=staff.organisation)


def _chosen(ctx: NotificationsContext) -> list[str]:
    return [channel.name for channel in ctx.channels.chosen_by_recipients()]


async def get_preference(ctx: NotificationsContext, staff: Staff, recipient: str) -> PreferenceView:
    _managed(staff, recipient)
    channels = _chosen(ctx)
    return await run_in_session(
        ctx.runtime.engine, lambda session: preferences.preference_view(session, recipient, channels)
    )


async def set_preference(
    ctx: NotificationsContext, staff: Staff, recipient: str, update: PreferenceUpdate
) -> PreferenceView:
    """The whole form (feed and e-mail on or off, the address, digest, language): absent fields
    take their defaults."""
    _managed(staff, recipient)
    now, channels = ctx.runtime.clock.now(), _chosen(ctx)

    def save(session: Session) -> PreferenceView:
        preferences.set_preference(session, recipient, update, staff.subject, now)
        session.flush()
        return preferences.preference_view(session, recipient, channels)

    return await run_in_session(ctx.runtime.engine, save)


async def set_channel_preference(
    ctx: NotificationsContext,
    staff: Staff,
    recipient: str,
    channel_name: str,
    update: ChannelPreferenceUpdate,
) -> PreferenceView:
    """One channel on or off, and its address (which the channel judges); the others stay."""
    _managed(staff, recipient)
    channels = _chosen(ctx)
    channel = ctx.channels.get(channel_name)
    if channel is None or not channel.chosen_by_recipients:
        raise UNKNOWN_CHANNEL(channel=channel_name, channels=", ".join(channels))
    address = None
    if update.address is not None:
        try:
            address = channel.parse_address(update.address)
        except ValueError as error:
            raise INVALID_CHANNEL_ADDRESS(
                address=update.address, channel=channel_name, reason=str(error)
            ) from error
    now = ctx.runtime.clock.now()

    def save(session: Session) -> PreferenceView:
        choice = ChannelChoice(update.enabled, address)
        preferences.set_choice(session, recipient, channel_name, choice, staff.subject, now)
        session.flush()
        return preferences.preference_view(session, recipient, channels)

    return await run_in_session(ctx.runtime.engine, save)
