"""What a channel is: the protocol every channel module implements, and the registry the service
builds at start-up from the modules of this package.

A channel answers four questions about a notice (``domain.NoticeDraft``: an audience told one
thing):

- ``address`` — whom does it reach for this audience, if anyone: from the draft (a nominee's own
  address), the recipient's preferences, its own directory, or a subscription;
- ``render`` — what it sends for the notice: its text and subject, and what else it needs at
  send time (``Payload.data``, stored with the delivery: an e-mail's attachment…);
- ``route`` — at each attempt, what sending to that target needs now (a webhook's URL and
  secret, which the client may have changed since), or why it can no longer be sent;
- ``send`` — one attempt: what the other side answered, or ``SendFailed`` with the reason.

The feed is a channel that is not ``queued``: recording a notice it addresses is its delivery.
The others are queued: each notice becomes a ``Delivery`` the dispatcher sends, retries and
dead-letters. Nothing outside a channel's module names a channel to decide what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

import httpx

from contracts.events import DeliveryChannel
from contracts.webhooks import NoticeKind
from services.notifications.domain import NoticeDraft
from services.notifications.rendering import Renderer
from services.notifications.secretbox import SecretBox
from services.notifications.settings import NotificationsSettings

logger = logging.getLogger(__name__)


class SendFailed(Exception):
    """The attempt failed. Its message is the *reason* the delivery log records and clients read:
    short and stable ("timeout", "connection refused", "HTTP 503"…), never the receiver's, the
    network's or a resolver's own words, which can name internal addresses; those go in
    ``detail``, for the service's log only."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ChannelChoice:
    """A recipient's choice for one channel (``models.ChannelPreference``; on, no address of its
    own, where it chose nothing)."""

    enabled: bool = True
    address: str | None = None


@dataclass(frozen=True)
class Subscriber:
    """An integrating system's webhook subscription, as a channel sees it."""

    url: str
    secret: str
    language: str
    active: bool


class AddressBook(Protocol):
    """What channels may look up (read-only) to find a recipient."""

    def choice(self, recipient: str, channel: str) -> ChannelChoice:
        """``recipient``'s choice for ``channel``."""
        ...

    def subscriber(self, client_id: str) -> Subscriber | None:
        """The client's webhook subscription, if it has one."""
        ...


@dataclass(frozen=True)
class Address:
    """Where a channel reaches an audience."""

    target: str
    """What the channel sends to: a mailbox, a client id, the audience itself for the feed…"""
    owner: str
    """Whose preferences rule what is sent there (its digest setting): the audience, or the
    organisation whose mailbox stands in for one of its roles."""
    language: str | None = None
    """The language asked for on this channel (a subscription's), over the recipient's own."""


@dataclass(frozen=True)
class Notice:
    """A recorded notice, rendered in its audience's language: what a channel renders from."""

    notification_id: str
    dossier_id: str
    audience: str
    kind: NoticeKind
    facts: Mapping[str, Any]
    subject: str
    body: str
    language: str
    source: str
    cause_event_id: str
    cause_event_type: str
    occurred_at: datetime
    recorded_at: datetime
    attachment: tuple[str, int] | None = None
    """(decision id, line) of the certificate a nominee's notice comes with."""


@dataclass(frozen=True)
class Payload:
    """What a channel sends for a notice (the same on every attempt)."""

    subject: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)
    """What else sending needs, JSON values only (kept with the delivery)."""


@dataclass(frozen=True)
class NoRoute:
    """The target can no longer be sent to (the delivery is cancelled), and why."""

    reason: str


@dataclass(frozen=True)
class Outgoing:
    """One attempt of one delivery, as the channel sends it."""

    delivery_id: str
    attempt: int
    target: str
    subject: str
    body: str
    data: Mapping[str, Any]
    route: Mapping[str, Any]
    at: datetime


class Channel(Protocol):
    name: str
    """Its name, stored with each delivery and preference; on the wire (``notification.delivered``)
    the value of ``contracts.events.DeliveryChannel``."""
    queued: bool
    """Sent by the dispatcher, with retries (False: the feed, delivered by being recorded)."""
    digests: bool
    """Reminders wait for the recipient's daily digest when it asked for one."""
    chosen_by_recipients: bool
    """Recipients turn it on or off and set its address in their preferences."""

    def address(self, draft: NoticeDraft, book: AddressBook) -> Address | None: ...

    def render(self, notice: Notice, address: Address) -> Payload: ...

    def route(self, target: str, book: AddressBook) -> Mapping[str, Any] | NoRoute: ...

    async def send(self, outgoing: Outgoing) -> str: ...

    def parse_address(self, text: str) -> str:
        """The address as stored; ``ValueError`` naming what is wrong with it."""
        ...


class OutboundChannel:
    """The defaults of a queued channel (a plugin base, as Netflix Dispatch's): a channel module
    subclasses it and gives ``name``, ``address``, ``render`` and ``send``."""

    name: str
    queued = True
    digests = False
    chosen_by_recipients = True

    def route(self, target: str, book: AddressBook) -> Mapping[str, Any] | NoRoute:
        return {}

    def parse_address(self, text: str) -> str:
        if not text.strip():
            raise ValueError("the address is empty")
        return text.strip()


class Mailer(Protocol):
    """Hands an e-mail to a mail server; returns the server's answer, raises ``SendFailed``."""

    async def send(self, message: EmailMessage) -> str: ...


@dataclass(frozen=True)
class ChannelSetup:
    """What a channel module's ``build(setup)`` gets at start-up: the service's settings (a
    channel reads its own ``TDKT_NOTIFICATIONS_…`` settings beside them), the texts, and the
    connections to the outside world (tests give fakes)."""

    settings: NotificationsSettings
    renderer: Renderer
    http: httpx.AsyncClient
    mailer: Mailer | None = None
    """Sends e-mail; SMTP with the settings' server when None."""
    webhook_http: httpx.AsyncClient | None = None
    """The client webhooks are sent with (``http`` when None)."""
    resolver: Callable[[str, int], Awaitable[list[str]]] | None = None
    """The addresses of a host name, for a port; the system's resolver when None."""
    secrets: SecretBox | None = None
    """Opens the webhook secrets sealed in the database."""


@dataclass(frozen=True)
class ChannelOff:
    """What a channel module's ``build`` returns when the channel cannot run here, and why."""

    reason: str


class ChannelRegistry:
    """The channels of this process, by name, in the order they were registered, and why the
    others are off."""

    def __init__(self, channels: tuple[Channel, ...] = ()) -> None:
        self._channels: dict[str, Channel] = {}
        self.off: list[str] = []
        """Why channels whose modules are here do not run (said at start-up)."""
        for channel in channels:
            self.register(channel)

    def register(self, channel: Channel, *, replace: bool = False) -> None:
        if channel.name in self._channels and not replace:
            raise ValueError(f"two channels are named {channel.name!r}")
        if channel.queued and wire_name(channel.name) is None:
            logger.warning(
                "channel %r is not a contracts.events.DeliveryChannel value: its deliveries are sent and "
                "logged, but not announced on notification.delivered until contracts name it "
                "(deploy the consumers first)",
                channel.name,
            )
        self._channels[channel.name] = channel

    def get(self, name: str) -> Channel | None:
        return self._channels.get(name)

    def __iter__(self) -> Iterator[Channel]:
        return iter(list(self._channels.values()))

    def chosen_by_recipients(self) -> list[Channel]:
        return [channel for channel in self if channel.chosen_by_recipients]

    async def say_what_runs(self) -> None:
        """A start-up hook: which channels run, and why the others do not."""
        logger.info("notification channels: %s", ", ".join(channel.name for channel in self))
        for reason in self.off:
            logger.warning("%s", reason)


def wire_name(name: str) -> DeliveryChannel | None:
    """The channel's name as ``notification.delivered`` carries it; None before contracts know it."""
    try:
        return DeliveryChannel(name)
    except ValueError:
        return None
