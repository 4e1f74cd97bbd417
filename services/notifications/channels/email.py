"""The e-mail channel: notices to mailboxes over SMTP (aiosmtplib).

Whom it reaches: a nominee at the address the submission gave; an organisation or a role at the
address its preferences set, else its mailbox in the directory (``TDKT_NOTIFICATIONS_DIRECTORY_FILE``:
code or ``<code>#<role>`` → address); a role without a mailbox at its organisation's, under the
organisation's preferences. What it sends: the notice's text, and for a nominee's decision the
line's signed certificate, fetched from the public decisions registry when the e-mail is sent.
Reminders wait for the daily digest of recipients who asked for one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import formatdate
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
from pydantic import EmailStr, TypeAdapter, ValidationError

from services.notifications.channels.base import (
    Address,
    AddressBook,
    ChannelOff,
    ChannelSetup,
    Mailer,
    Notice,
    OutboundChannel,
    Outgoing,
    Payload,
    SendFailed,
)
from services.notifications.domain import NoticeDraft, organisation_of
from services.notifications.rendering import attachment_name
from services.notifications.settings import NotificationsSettings

NAME = "email"
DELIVERY_MAIL_HEADER = "X-TDKT-Delivery"
ATTACHMENT = "attachment"
"""The key of ``Payload.data`` naming the certificate to attach."""

MAILBOX = TypeAdapter(EmailStr)


@dataclass(frozen=True)
class Attachment:
    file_name: str
    content: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    delivery_id: str
    to: str
    subject: str
    body: str
    attachment: Attachment | None = None


def message_id(delivery_id: str) -> str:
    """Stable across attempts, so a mail system that sees a resend can tell it is the same mail."""
    return f"<{delivery_id}@notifications.tdkt>"


class WholeWordsSubject(UnstructuredHeader, BaseHeader):
    """A Subject folded without losing a space. The email package's own folding of non-ASCII
    text (``_refold_parse_tree``) can put the space at a fold *between* two RFC 2047 encoded
    words, where every reader drops it ("họp Hộiđồng"): CPython gh-92081, still in 3.11 and, in
    another form (gh-144156), in 3.13.0 — 4,289 of 20,000 random Vietnamese subjects lost a space
    on 3.11.7. Here non-ASCII text is encoded by the package's RFC 2047 encoder, which keeps
    every space inside an encoded word (lines of at most the policy's length); ASCII text and
    SMTPUTF8 messages fold as the policy does."""

    def fold(self, *, policy: Policy) -> str:
        text = str(self)
        if text.isascii() or getattr(policy, "utf8", False):
            return super().fold(policy=policy)
        encoded = Header(text, "utf-8", header_name=self.name).encode(
            linesep=policy.linesep, maxlinelen=policy.max_line_length or 0
        )
        return f"{self.name}: {encoded}{policy.linesep}"


def _headers() -> HeaderRegistry:
    registry = HeaderRegistry()
    registry.map_to_type("subject", WholeWordsSubject)
    return registry


MAIL_POLICY = SMTP.clone(header_factory=_headers())
"""RFC 5322 with CRLF line ends (what SMTP carries), and a Subject that keeps its spaces."""


def build_message(mail: OutgoingEmail, mail_from: str, date: str) -> EmailMessage:
    """The e-mail as it goes on the wire (aiosmtplib flattens it with ``email.policy.SMTP``)."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = date
    message["Message-ID"] = message_id(mail.delivery_id)
    message[DELIVERY_MAIL_HEADER] = mail.delivery_id
    message.set_content(mail.body)
    if mail.attachment is not None:
        message.add_attachment(
            mail.attachment.content,
            maintype="application",
            subtype="pdf",
            filename=mail.attachment.file_name,
        )
    return message


def load_directory(path: Path | None) -> dict[str, str]:
    """Mailboxes by organisation code or ``<code>#<role>``; a malformed file stops the start."""
    if path is None:
        return {}
    return TypeAdapter(dict[str, EmailStr]).validate_python(json.loads(path.read_text()))


class SmtpMailer:
    """The SMTP server of the settings (``TDKT_NOTIFICATIONS_SMTP_*``)."""

    def __init__(self, settings: NotificationsSettings) -> None:
        assert settings.smtp_host is not None
        self._settings = settings
        self._host = settings.smtp_host

    async def send(self, message: EmailMessage) -> str:
        password = self._settings.smtp_password
        try:
            _, reply = await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._settings.smtp_port,
                username=self._settings.smtp_username,
                password=password.get_secret_value() if password else None,
                start_tls=self._settings.smtp_starttls,
                use_tls=self._settings.smtp_tls,
                timeout=self._settings.send_timeout_seconds,
            )
        except aiosmtplib.SMTPResponseException as error:  # the server's code is stable; its words are not
            raise SendFailed(f"SMTP {error.code}", f"SMTP: {error}") from error
        except aiosmtplib.SMTPException as error:
            raise SendFailed(f"SMTP: {type(error).__name__}", f"SMTP: {error}") from error
        except OSError as error:
            raise SendFailed("SMTP: connection failed", f"SMTP: {error}") from error
        return f"SMTP: {reply}"


class CertificateSource:
    """Nominees' certificates from the public decisions registry (rendered and signed there on
    first request): a public document, fetched as any citizen would."""

    def __init__(self, http: httpx.AsyncClient, decisions_url: str) -> None:
        self._http = http
        self._decisions_url = decisions_url

    async def fetch(self, decision_id: str, line_number: int, file_name: str | None = None) -> Attachment:
        url = f"{self._decisions_url}/v1/decisions/{decision_id}/certificates/{line_number}"
        try:
            response = await self._http.get(url)
        except httpx.HTTPError as error:
            raise SendFailed("certificate not fetched", f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise SendFailed(f"certificate not available: HTTP {response.status_code}", response.text[:200])
        return Attachment(file_name or f"khen-thuong-{decision_id}-{line_number}.pdf", response.content)


class EmailChannel(OutboundChannel):
    name = NAME
    digests = True

    def __init__(
        self,
        directory: Mapping[str, str],
        mailer: Mailer | None = None,
        certificates: CertificateSource | None = None,
        mail_from: str = "TĐKT <no-reply@tdkt.local>",
    ) -> None:
        self._directory = directory
        self._mailer = mailer
        self._certificates = certificates
        self._mail_from = mail_from

    def address(self, draft: NoticeDraft, book: AddressBook) -> Address | None:
        """The audience's own mailbox — a nominee's address, the preference's, the directory's
        (``<code>#<role>`` for a role) — or else, for a role without one, its organisation's,
        under the organisation's preferences: an organisation that turned e-mail off is not
        mailed for its roles either. None when no one is to be mailed."""
        audience = draft.audience
        own = book.choice(audience, NAME)
        if not own.enabled:
            return None
        mailbox = draft.email_address or own.address or self._directory.get(audience)
        if mailbox:
            return Address(mailbox, owner=audience)
        organisation = organisation_of(audience)
        if organisation is None or organisation == audience:
            return None
        owners = book.choice(organisation, NAME)
        mailbox = owners.address or self._directory.get(organisation)
        return Address(mailbox, owner=organisation) if owners.enabled and mailbox else None

    def render(self, notice: Notice, address: Address) -> Payload:
        data: dict[str, Any] = {}
        if notice.attachment is not None:
            decision_id, line_number = notice.attachment
            data[ATTACHMENT] = {
                "decision_id": decision_id,
                "line_number": line_number,
                "file_name": attachment_name(dict(notice.facts), decision_id, line_number),
            }
        return Payload(subject=notice.subject, body=notice.body, data=data)

    async def send(self, outgoing: Outgoing) -> str:
        if self._mailer is None:
            raise SendFailed("e-mail is off: no SMTP server configured")
        attachment = None
        if wanted := outgoing.data.get(ATTACHMENT):
            if self._certificates is None:
                raise SendFailed("no decisions registry to fetch the certificate from")
            attachment = await self._certificates.fetch(
                wanted["decision_id"], wanted["line_number"], file_name=wanted.get("file_name")
            )
        mail = OutgoingEmail(
            outgoing.delivery_id, outgoing.target, outgoing.subject, outgoing.body, attachment
        )
        return await self._mailer.send(build_message(mail, self._mail_from, formatdate(localtime=False)))

    def parse_address(self, text: str) -> str:
        try:
            return str(MAILBOX.validate_python(text.strip()))
        except ValidationError as error:
            raise ValueError(f"not an e-mail address: {error.errors()[0]['msg']}") from error


def build(setup: ChannelSetup) -> EmailChannel | ChannelOff:
    """On when an SMTP server is configured (or the tests give a mailer)."""
    settings = setup.settings
    if settings.smtp_host is None and setup.mailer is None:
        return ChannelOff("e-mail is off: TDKT_NOTIFICATIONS_SMTP_HOST is not set")
    return EmailChannel(
        load_directory(settings.directory_file),
        setup.mailer or SmtpMailer(settings),
        CertificateSource(setup.http, settings.decisions_url.rstrip("/")),
        settings.mail_from,
    )
