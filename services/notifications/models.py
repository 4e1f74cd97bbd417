"""Notifications' tables and HTTP views."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, EmailStr, UrlConstraints
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contracts.events import DeliveryChannel
from contracts.webhooks import NoticeKind

NoticeLanguage = Literal["vi", "en"]


class Notification(SQLModel, table=True):
    """A notice: what one audience is told of one event. It is the in-app feed entry (unless the
    audience turned the feed off) and the source of its e-mail and webhook deliveries."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("cause_source", "cause_event_id", "recipient", "channel"),)

    id: str = Field(primary_key=True, max_length=64)
    dossier_id: str = Field(index=True, max_length=64)
    recipient: str = Field(index=True, max_length=200)
    channel: str = Field(default="in_app", max_length=20)
    cause_source: str = Field(max_length=200)
    cause_event_id: str = Field(max_length=200)
    subject: str = Field(max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    kind: str = Field(default="", max_length=30)
    language: str = Field(default="vi", max_length=10)
    in_feed: bool = Field(default=True)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    task_id: str | None = Field(default=None, index=True, max_length=200)
    """The review task a reviewer's notice is about (opened, reminded, escalated)."""
    done_at: datetime | None = None
    """When that task was done (or its dossier withdrawn): the notice then counts as read for
    everyone, and e-mails still held for a digest are not sent."""


class NotificationRead(SQLModel, table=True):
    """Read marks are per reader: an organisation's feed is read by each of its officers."""

    __tablename__ = "notification_read"

    notification_id: str = Field(foreign_key="notification.id", primary_key=True, max_length=64)
    reader: str = Field(primary_key=True, max_length=200)
    read_at: datetime


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    """Waiting for its next attempt (``next_attempt_at``)."""
    SENDING = "sending"
    """Claimed by a dispatcher until ``lease_until``; the outcome is not recorded yet."""
    DELIVERED = "delivered"
    DEAD = "dead"
    """Failed ``max_attempts`` times: dead-lettered until someone redelivers it."""
    HELD = "held"
    """A reminder waiting for the recipient's daily digest (``hold_until``)."""
    DIGESTED = "digested"
    """Sent inside a digest (``digest_id``)."""
    CANCELLED = "cancelled"
    """Nothing to send it to any more (subscription removed or turned off)."""


class Delivery(SQLModel, table=True):
    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_status_next_attempt", "status", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=64)
    notification_id: str | None = Field(default=None, foreign_key="notification.id", max_length=64)
    dossier_id: str | None = Field(default=None, index=True, max_length=64)
    channel: str = Field(max_length=20)
    """The name of the channel that sends it (``channels/``; ``DeliveryChannel`` on the wire)."""
    recipient: str = Field(index=True, max_length=200)
    """The audience: organisation, role, nominee line or ``client:<id>``."""
    target: str = Field(max_length=300)
    """Whom the channel sends it to: an e-mail address, the client id whose subscription gives
    URL and secret at send time…"""
    status: str = Field(default=DeliveryStatus.PENDING, max_length=20)
    """A ``DeliveryStatus``."""
    attempts: int = 0
    next_attempt_at: datetime
    lease_until: datetime | None = None
    hold_until: datetime | None = Field(default=None, index=True)
    digest_id: str | None = Field(default=None, max_length=64)
    subject: str = Field(max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    """What the channel rendered: the e-mail text, the webhook's JSON body (the same bytes on
    every attempt)."""
    channel_data: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    """What else the channel needs to send it, as the channel rendered it (an e-mail's
    attachment: ``{"attachment": {"decision_id", "line_number", "file_name"}}``)."""
    recipient_name: str | None = Field(default=None, max_length=300)
    """The audience as people read it (an organisation's, a nominee's name)."""
    cause_event_id: str = Field(max_length=200)
    interrupted: bool = False
    """An attempt was interrupted before its outcome was recorded: the receiver may have it twice."""
    trace_carrier: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime
    delivered_at: datetime | None = None


class DeliveryOutcome(StrEnum):
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    DEAD_LETTERED = "dead-lettered"
    REDELIVERY_REQUESTED = "redelivery-requested"
    HELD_FOR_DIGEST = "held-for-digest"
    DIGESTED = "digested"
    CANCELLED = "cancelled"
    DEFERRED = "deferred"
    """Its receiver's circuit is open: put off to the end of the cool-down, not an attempt."""


class DeliveryLogEntry(SQLModel, table=True):
    """The delivery log: every attempt and what came of it, and every change made by hand."""

    __tablename__ = "delivery_log"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(foreign_key="delivery.id", index=True, max_length=64)
    attempt: int | None = None
    outcome: str = Field(max_length=30)
    """A ``DeliveryOutcome``."""
    detail: str = Field(default="", max_length=1000)
    at: datetime


class ReceiverCircuit(SQLModel, table=True):
    """The circuit breaker of one receiver (a channel's target: a webhook subscription's client,
    a mailbox): its failed attempts in a row, and until when its deliveries are deferred
    (``receivers``). No row: it never failed, or succeeded since."""

    __tablename__ = "receiver_circuit"

    channel: str = Field(primary_key=True, max_length=20)
    target: str = Field(primary_key=True, max_length=300)
    failures: int = 0
    open_until: datetime | None = None
    updated_at: datetime


WEBHOOK_URL_LENGTH = 2000


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscription"

    client_id: str = Field(primary_key=True, max_length=200)
    url: str = Field(max_length=WEBHOOK_URL_LENGTH)
    secret: str = Field(max_length=200)
    """Sealed (``secretbox``: AES-GCM under ``TDKT_NOTIFICATIONS_SECRETS_KEY``); the HMAC needs
    it back, so it is encrypted, not hashed. Shown to the client once, when made or rotated."""
    language: str = Field(default="vi", max_length=10)
    active: bool = True
    created_at: datetime
    updated_at: datetime


class RecipientPreference(SQLModel, table=True):
    """What a recipient chose for all its channels; each channel's own choice is a
    ``ChannelPreference``."""

    __tablename__ = "recipient_preference"

    recipient: str = Field(primary_key=True, max_length=200)
    digest_reminders: bool = False
    language: str = Field(default="vi", max_length=10)
    updated_by: str | None = Field(default=None, max_length=200)
    updated_at: datetime


class ChannelPreference(SQLModel, table=True):
    """One recipient's choice for one channel: on or off, and where it reaches them (the
    channel's own address: a mailbox…). A channel without a row is on, at the address the
    channel finds elsewhere (the directory)."""

    __tablename__ = "channel_preference"

    recipient: str = Field(primary_key=True, max_length=200)
    channel: str = Field(primary_key=True, max_length=20)
    enabled: bool = True
    address: str | None = Field(default=None, max_length=300)


class DossierRecord(SQLModel, table=True):
    """What the submission event said about a dossier: its system, its nominees' addresses, and
    the names people read (``domain.DossierNames``)."""

    __tablename__ = "dossier_record"

    dossier_id: str = Field(primary_key=True, max_length=64)
    submitting_organisation: str = Field(max_length=50)
    client_id: str | None = Field(default=None, max_length=200)
    external_reference: str | None = Field(default=None, max_length=200)
    award_code: str = Field(max_length=50)
    nominee_emails: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recorded_at: datetime
    names: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )


class ParkedEvent(SQLModel, table=True):
    """An event consumed before its dossier's submission event (another topic): its notices to
    the submitting system and the nominees are made when the submission arrives."""

    __tablename__ = "parked_event"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: str = Field(index=True, max_length=64)
    event: str = Field(sa_column=Column(Text, nullable=False))
    parked_at: datetime


# --- views ---------------------------------------------------------------------------------


class NotificationView(BaseModel):
    notification_id: str
    dossier_id: str
    recipient: str
    channel: str
    kind: str
    subject: str
    body: str
    created_at: datetime


class FeedItem(NotificationView):
    read: bool = PydanticField(
        description="Whether the caller has read it (a done task's notice counts as read)"
    )
    done: bool = PydanticField(
        default=False, description="The review task it announced is done: no one needs to act on it any more"
    )
    task_id: str | None = PydanticField(
        default=None, description="The review task a task notice is about (to open it in the inbox)"
    )


class FeedPage(BaseModel):
    items: list[FeedItem]
    total: int
    unread: int


class ReadMarks(BaseModel):
    notification_ids: list[str] | None = PydanticField(
        default=None, max_length=1000, description="Those to mark; every unread one of the feed when absent"
    )
    read: bool = True


class ChannelPreferenceView(BaseModel):
    channel: str = PydanticField(description="The channel's name: `in_app` (the feed), `email`…")
    enabled: bool = PydanticField(description="Whether its notices go this way")
    address: str | None = PydanticField(
        description="Where this channel reaches the recipient; found elsewhere (the directory) when unset"
    )


class ChannelPreferenceUpdate(BaseModel):
    enabled: bool = True
    address: str | None = PydanticField(
        default=None, max_length=300, description="The channel's own kind of address (a mailbox…)"
    )


class PreferenceView(BaseModel):
    recipient: str
    in_app: bool = PydanticField(description="Show its notices in the in-app feed")
    email: bool = PydanticField(description="Send its notices by e-mail")
    email_address: str | None = PydanticField(description="Where e-mail goes; the directory's when unset")
    digest_reminders: bool = PydanticField(description="Gather deadline reminders in one e-mail a day")
    language: NoticeLanguage
    updated_at: datetime | None
    channels: list[ChannelPreferenceView] = PydanticField(
        default_factory=list,
        description="Each channel a recipient chooses, one by one (`in_app` and `email` are the fields "
        "above; `PUT /v1/preferences/{recipient}/channels/{channel}` sets one)",
    )


class PreferenceUpdate(BaseModel):
    in_app: bool = True
    email: bool = True
    email_address: EmailStr | None = PydanticField(default=None, max_length=254)
    digest_reminders: bool = False
    language: NoticeLanguage = "vi"


class SubscriptionRequest(BaseModel):
    url: Annotated[AnyHttpUrl, UrlConstraints(max_length=WEBHOOK_URL_LENGTH)] = PydanticField(
        description="Where notices are POSTed (at most 2,000 characters, its column's width)"
    )
    language: NoticeLanguage = "vi"
    active: bool = True


class SubscriptionView(BaseModel):
    client_id: str
    url: str
    language: str
    active: bool
    created_at: datetime
    updated_at: datetime
    secret: str | None = PydanticField(
        default=None, description="The signing secret: returned only when the subscription is made or rotated"
    )


class DeliveryLogView(BaseModel):
    at: datetime
    attempt: int | None
    outcome: DeliveryOutcome
    detail: str


class CircuitState(StrEnum):
    CLOSED = "closed"
    """Sent to as usual."""
    OPEN = "open"
    """Failed too often: its deliveries are deferred until ``open_until``."""
    HALF_OPEN = "half-open"
    """The cool-down is over: one attempt at a time tries it again."""


class ReceiverView(BaseModel):
    circuit: CircuitState = PydanticField(
        description="The receiver's circuit breaker: `closed` (sent to as usual), `open` (it failed too many "
        "times in a row: its deliveries are deferred, not attempted, until `open_until`), `half-open` (one "
        "attempt at a time tries it again)"
    )
    consecutive_failures: int = PydanticField(description="Its failed attempts in a row")
    open_until: datetime | None = PydanticField(
        default=None, description="While open: the end of the cool-down"
    )


class DeliveryView(BaseModel):
    delivery_id: str
    notification_id: str | None
    dossier_id: str | None
    kind: NoticeKind | None
    channel: DeliveryChannel
    recipient: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    receiver: ReceiverView = PydanticField(
        description="The state of the receiver it goes to (shared by its other deliveries)"
    )
    log: list[DeliveryLogView]
