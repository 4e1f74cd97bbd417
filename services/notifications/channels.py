"""The outbound channels: e-mail over SMTP (aiosmtplib) and signed webhooks (httpx). Each send
either returns what the other side answered or raises ``SendFailed`` with the reason; the
dispatcher decides what happens next."""

from __future__ import annotations

from dataclasses import dataclass
from email.header import Header
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import formatdate

import aiosmtplib
import httpx

from contracts.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, signature
from services.notifications.settings import NotificationsSettings

DELIVERY_MAIL_HEADER = "X-TDKT-Delivery"
USER_AGENT = "tdkt-notifications/1"


class SendFailed(Exception):
    """The attempt failed; the message is what the delivery log records."""


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


class EmailChannel:
    def __init__(self, settings: NotificationsSettings) -> None:
        assert settings.smtp_host is not None
        self._settings = settings
        self._host = settings.smtp_host

    async def send(self, mail: OutgoingEmail) -> str:
        message = build_message(mail, self._settings.mail_from, formatdate(localtime=False))
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
        except (aiosmtplib.SMTPException, OSError) as error:
            raise SendFailed(f"SMTP: {error}") from error
        return f"SMTP: {reply}"


class WebhookChannel:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def send(self, delivery_id: str, url: str, secret: str, body: bytes, now: float) -> str:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature(secret, int(now), body),
            DELIVERY_HEADER: delivery_id,
        }
        try:
            response = await self._http.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise SendFailed(f"{type(error).__name__}: {error}") from error
        if not response.is_success:  # the body is not kept: it could be anything the URL serves
            raise SendFailed(f"HTTP {response.status_code}")
        return f"HTTP {response.status_code}"


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
            raise SendFailed(f"certificate not fetched: {type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise SendFailed(f"certificate not available: HTTP {response.status_code}: {response.text[:200]}")
        return Attachment(file_name or f"khen-thuong-{decision_id}-{line_number}.pdf", response.content)
