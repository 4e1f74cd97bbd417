"""The webhook contract: what an integrating system receives about the dossiers it submitted,
and how it checks that a request came from this platform.

Each request is a POST of one ``DossierNotice`` CloudEvent (``application/json``). The
``X-TDKT-Signature`` header is ``t=<unix seconds>,v1=<hex HMAC-SHA256>`` of
``"<t>." + body`` under the client's webhook secret: a receiver recomputes it over the raw body,
compares in constant time, and refuses a timestamp further than a few minutes from its clock
(a replay). ``X-TDKT-Delivery`` is the same on every attempt of one delivery, and the event's
``id`` the same on every delivery of one notice, so a receiver that keeps either sees nothing
twice. See docs/WEBHOOKS.md.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from contracts.envelope import CloudEvent, EventData
from contracts.events import ReviewLevel, StruckEntry

SIGNATURE_HEADER = "X-TDKT-Signature"
DELIVERY_HEADER = "X-TDKT-Delivery"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class NoticeKind(StrEnum):
    """What a notice tells; the first group goes to the submitter, the second to reviewers,
    ``decided`` also to each nominee who gave an e-mail address."""

    RECEIVED = "received"
    RETURNED = "returned"
    STRUCK = "struck"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DECIDED = "decided"
    REVOKED = "revoked"
    TASK_OPENED = "task_opened"
    TASK_REMINDER = "task_reminder"
    TASK_ESCALATED = "task_escalated"


class DossierNoticeData(EventData):
    kind: NoticeKind
    dossier_id: str
    external_reference: str | None = Field(default=None, description="The submitting system's reference")
    submitting_organisation: str
    award_code: str | None = None
    submitting_organisation_name: str | None = Field(default=None, description="The submitter's name")
    award_name: str | None = Field(default=None, description="The award's name, in the subscriber's language")
    cause_event_id: str = Field(description="The platform event this notice answers")
    cause_event_type: str
    title: str = Field(description="The notice's subject line, in the subscriber's language")
    text: str = Field(description="The notice's text, in the subscriber's language")
    level: ReviewLevel | None = None
    reason: str | None = Field(default=None, description="Why it was returned, rejected or revoked")
    version: int | None = Field(default=None, description="The dossier version received")
    struck_entries: list[StruckEntry] = Field(default_factory=list)
    decision_id: str | None = None
    decision_number: str | None = Field(default=None, description="Số quyết định, e.g. 12/QĐ-UBND")
    decided_on: date | None = None
    decision_url: str | None = Field(default=None, description="The signed decision PDF")
    occurred_at: datetime


class DossierNotice(CloudEvent):
    type: Literal["vn.tdkt.webhook.dossier.notice.v1"] = "vn.tdkt.webhook.dossier.notice.v1"
    data: DossierNoticeData


class SignatureError(ValueError):
    """A webhook request whose signature header is missing, malformed, wrong or too old."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},{SIGNATURE_VERSION}={digest}"


def verify_signature(
    secret: str, header: str, body: bytes, now: float, tolerance: int = DEFAULT_TOLERANCE_SECONDS
) -> None:
    """What a receiver does with ``X-TDKT-Signature``; raises ``SignatureError`` with the reason."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp, digest = parts.get("t", ""), parts.get(SIGNATURE_VERSION, "")
    if not timestamp.isdigit() or not digest:
        raise SignatureError("malformed signature header")
    if abs(now - int(timestamp)) > tolerance:
        raise SignatureError("timestamp outside the tolerance: a replay or a wrong clock")
    expected = signature(secret, int(timestamp), body).rsplit("=", 1)[1]
    if not hmac.compare_digest(expected, digest):
        raise SignatureError("signature does not match the body")
