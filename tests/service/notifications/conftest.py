"""Notifications in process: the real app on SQLite with the in-memory broker and the test's
``ManualClock``, a fake mailer instead of SMTP, and an in-memory HTTP world (webhook receivers,
the decisions registry's certificates) instead of the network.

The dispatcher polls only once an hour (of the real clock): it sends when rung — a notice
recorded, a redelivery — or when a test calls ``Notifications.settle``; time-driven work (retries,
digests, leases) falls due when the test moves the clock.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, func, or_, select

from contracts.envelope import CloudEvent
from contracts.topics import Topic
from servicekit.clock import ManualClock
from servicekit.db import run_in_session
from services.notifications import app as notifications
from services.notifications.channels.base import SendFailed
from services.notifications.context import NotificationsContext
from services.notifications.models import Delivery, DeliveryLogEntry, DeliveryStatus
from tests.service.harness import InProcess
from tests.support import events
from tools.waiting import eventually

DECISIONS = "http://decisions.test"
RECEIVER = "https://8.8.8.8"
"""Webhook receivers' origin: an address that is public without asking DNS (the in-memory HTTP
world answers every request anyway)."""
ORGANISATION_MAILBOX = "van-thu@ah-ds-tt.example.vn"
DIRECTORY = {
    events.ORGANISATION: ORGANISATION_MAILBOX,
    "AH-DS": "van-thu@ah-ds.example.vn",
    "AH-DS#officer": "chuyen-vien@ah-ds.example.vn",
}
MAX_ATTEMPTS = 3
RETRY_BASE_SECONDS = 60
CERTIFICATE = b"%PDF-1.7 signed certificate"


class FakeMailer:
    """Keeps every e-mail handed to it; refuses the next ``refuse`` ones as a busy server would."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.refuse = 0

    async def send(self, message: EmailMessage) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            raise SendFailed("SMTP: (451, '4.3.0 try again later')")
        self.sent.append(message)
        return "SMTP: 250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.sent if message["To"] == address]


@dataclass
class Web:
    """The HTTP world the service talks to: webhook receivers (answering ``statuses[path]``, 204 by
    default; those of ``hanging`` paths not before ``release`` is set) and the decisions registry
    (serving ``CERTIFICATE``, or ``certificate_status``)."""

    requests: list[httpx.Request] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    certificate_status: int = 200
    hanging: set[str] = field(default_factory=set)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    errors: dict[str, httpx.HTTPError] = field(default_factory=dict)
    """Paths whose requests get no answer but this error."""

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if str(request.url).startswith(DECISIONS):
            if self.certificate_status != 200:
                return httpx.Response(self.certificate_status, json={"code": "document-not-ready"})
            return httpx.Response(200, content=CERTIFICATE, headers={"content-type": "application/pdf"})
        self.requests.append(request)
        if request.url.path in self.errors:
            raise self.errors[request.url.path]
        if request.url.path in self.hanging:
            await self.release.wait()
        return httpx.Response(self.statuses.get(request.url.path, 204))

    def received(self, path: str) -> list[httpx.Request]:
        return [request for request in self.requests if request.url.path == path]


@dataclass
class Dns:
    """The names webhook hosts resolve to (``names``; an unknown name is not found), and every
    lookup made. Addresses need no lookup."""

    names: dict[str, list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)

    async def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.names[host])


@dataclass
class Notifications:
    """The running service and the fakes around it."""

    service: InProcess
    mail: FakeMailer
    web: Web
    dns: Dns

    @property
    def ctx(self) -> NotificationsContext:
        ctx: NotificationsContext = self.service.app.state.context
        return ctx

    @property
    def clock(self) -> ManualClock:
        return self.service.clock

    @property
    def http(self) -> httpx.AsyncClient:
        return self.service.http

    async def deliver(self, topic: Topic, event: CloudEvent) -> None:
        """``event`` as happening now (by the test's clock), through the service's consumer."""
        await self.service.deliver(topic, event.model_copy(update={"time": self.clock.now()}))

    async def settle(self) -> None:
        """Ring the dispatcher and wait until nothing due is left unsent (a failed delivery waits
        for its next attempt)."""
        self.ctx.doorbell.ring()

        async def quiet() -> bool:
            return (
                await self.count(
                    or_(
                        (col(Delivery.status) == DeliveryStatus.PENDING)
                        & (col(Delivery.next_attempt_at) <= self.clock.now()),
                        col(Delivery.status) == DeliveryStatus.SENDING,
                    )
                )
                == 0
            )

        await eventually(quiet, timeout=10, what="the dispatcher done with what is due")

    async def count(self, *where: Any) -> int:
        def counted(session: Session) -> int:
            return session.exec(select(func.count()).select_from(Delivery).where(*where)).one()

        return await run_in_session(self.service.runtime.engine, counted)

    async def deliveries(self, *where: Any) -> list[Delivery]:
        def found(session: Session) -> list[Delivery]:
            return list(session.exec(select(Delivery).where(*where).order_by(col(Delivery.created_at))).all())

        return await run_in_session(self.service.runtime.engine, found)

    async def log(self, delivery_id: str) -> list[tuple[int | None, str, datetime]]:
        def found(session: Session) -> list[tuple[int | None, str, datetime]]:
            rows = session.exec(
                select(DeliveryLogEntry)
                .where(DeliveryLogEntry.delivery_id == delivery_id)
                .order_by(col(DeliveryLogEntry.id))
            ).all()
            return [(row.attempt, row.outcome, row.at) for row in rows]

        return await run_in_session(self.service.runtime.engine, found)

    async def failing_webhook(self, headers: dict[str, str], status: int = 503) -> None:
        """The client subscribed, its receiver answering ``status``, and the webhook of a
        submission (d-1) tried once: it waits for its next attempt."""
        await self.subscribe(headers)
        self.web.statuses["/hook"] = status
        await self.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1"))
        await self.settle()

    async def subscribe(self, headers: dict[str, str], path: str = "/hook") -> str:
        response = await self.http.put(
            "/v1/webhooks/subscription", json={"url": f"{RECEIVER}{path}"}, headers=headers
        )
        assert response.status_code == 201, response.text
        secret: str = response.json()["secret"]
        return secret


@pytest.fixture
def notifications_env(
    stack_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    directory = tmp_path / "mailboxes.json"
    directory.write_text(json.dumps(DIRECTORY))
    env = {
        "TDKT_NOTIFICATIONS_DIRECTORY_FILE": str(directory),
        "TDKT_NOTIFICATIONS_DECISIONS_URL": DECISIONS,
        "TDKT_NOTIFICATIONS_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "TDKT_NOTIFICATIONS_RETRY_BASE_SECONDS": str(RETRY_BASE_SECONDS),
        "TDKT_NOTIFICATIONS_RETRY_CAP_SECONDS": "3600",
        "TDKT_NOTIFICATIONS_DISPATCH_POLL_SECONDS": "3600",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {**stack_env, **env}


@pytest.fixture
async def notifier(notifications_env: dict[str, str], clock: ManualClock) -> AsyncIterator[Notifications]:
    mail, web, dns = FakeMailer(), Web(), Dns()
    app, runtime = notifications.build(
        clock, http_transport=httpx.MockTransport(web.handle), mailer=mail, resolver=dns.resolve
    )
    async with InProcess(app, runtime, clock) as service:
        yield Notifications(service, mail, web, dns)
