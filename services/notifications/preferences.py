"""How each recipient wants to be told: its language and digest (``recipient_preference``), and
per channel on or off and where (``channel_preference``, one row per recipient and channel) —
and ``RecipientBook``, what channels read of them (and of subscriptions) to find a recipient.

The form of the first API version (``in_app``, ``email``, ``email_address``) reads and writes the
rows of the feed and e-mail channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import Session, select

from services.notifications.channels.base import ChannelChoice, Subscriber
from services.notifications.channels.email import NAME as EMAIL
from services.notifications.channels.feed import NAME as FEED
from services.notifications.models import (
    ChannelPreference,
    ChannelPreferenceView,
    PreferenceUpdate,
    PreferenceView,
    RecipientPreference,
    WebhookSubscription,
)

NEVER_STORED = datetime.min.replace(tzinfo=UTC)
"""``updated_at`` of a recipient's default preference, which no one has saved."""


def preference_of(session: Session, recipient: str) -> RecipientPreference:
    return session.get(RecipientPreference, recipient) or RecipientPreference(
        recipient=recipient, updated_at=NEVER_STORED
    )


def choices_of(session: Session, recipient: str) -> dict[str, ChannelChoice]:
    """``recipient``'s choice per channel, for the channels it chose anything for."""
    rows = session.exec(select(ChannelPreference).where(ChannelPreference.recipient == recipient)).all()
    return {row.channel: ChannelChoice(row.enabled, row.address) for row in rows}


class RecipientBook:
    """Recipients' preferences and clients' subscriptions as one transaction sees them, each
    recipient read once (a notice asks for the same recipient on every channel)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._choices: dict[str, dict[str, ChannelChoice]] = {}
        self._preferences: dict[str, RecipientPreference] = {}

    def choice(self, recipient: str, channel: str) -> ChannelChoice:
        if recipient not in self._choices:
            self._choices[recipient] = choices_of(self._session, recipient)
        return self._choices[recipient].get(channel, ChannelChoice())

    def subscriber(self, client_id: str) -> Subscriber | None:
        found = self._session.get(WebhookSubscription, client_id)
        if found is None:
            return None
        return Subscriber(url=found.url, secret=found.secret, language=found.language, active=found.active)

    def _preference(self, recipient: str) -> RecipientPreference:
        if recipient not in self._preferences:
            self._preferences[recipient] = preference_of(self._session, recipient)
        return self._preferences[recipient]

    def language(self, recipient: str) -> str:
        return self._preference(recipient).language

    def digest_reminders(self, recipient: str) -> bool:
        return self._preference(recipient).digest_reminders


def _choose(session: Session, recipient: str, channel: str, enabled: bool, address: str | None) -> None:
    row = session.get(ChannelPreference, (recipient, channel)) or ChannelPreference(
        recipient=recipient, channel=channel
    )
    row.enabled = enabled
    row.address = address
    session.add(row)


def _touch(session: Session, recipient: str, actor: str, now: datetime) -> RecipientPreference:
    preference = preference_of(session, recipient)
    preference.updated_by = actor
    preference.updated_at = now
    session.add(preference)
    return preference


def set_preference(
    session: Session, recipient: str, update: PreferenceUpdate, actor: str, now: datetime
) -> None:
    """The first version's form: every field as given (absent ones at their defaults)."""
    preference = _touch(session, recipient, actor, now)
    preference.digest_reminders = update.digest_reminders
    preference.language = update.language
    _choose(session, recipient, FEED, update.in_app, None)
    _choose(session, recipient, EMAIL, update.email, update.email_address)


def set_choice(
    session: Session, recipient: str, channel: str, choice: ChannelChoice, actor: str, now: datetime
) -> None:
    """One channel's choice; the others stay as they are."""
    _touch(session, recipient, actor, now)
    _choose(session, recipient, channel, choice.enabled, choice.address)


def preference_view(session: Session, recipient: str, channels: Sequence[str]) -> PreferenceView:
    """What ``recipient`` chose, with ``channels`` one by one (those recipients choose)."""
    stored = session.get(RecipientPreference, recipient)
    preference = stored or preference_of(session, recipient)
    choices = choices_of(session, recipient)
    feed, email = choices.get(FEED, ChannelChoice()), choices.get(EMAIL, ChannelChoice())
    return PreferenceView(
        recipient=recipient,
        in_app=feed.enabled,
        email=email.enabled,
        email_address=email.address,
        digest_reminders=preference.digest_reminders,
        language="en" if preference.language == "en" else "vi",
        updated_at=preference.updated_at if stored else None,
        channels=[
            ChannelPreferenceView(
                channel=name,
                enabled=choices.get(name, ChannelChoice()).enabled,
                address=choices.get(name, ChannelChoice()).address,
            )
            for name in channels
        ],
    )
