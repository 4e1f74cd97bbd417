"""Channels behind one protocol (``channels/``): the service runs the channel modules of its package,
and a new channel — here a fake SMS gateway, registered by the test alone — takes preferences and
delivers notices without a change anywhere else (docs/ARCHITECTURE.md §15, "Adding a channel")."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from contracts.events import DossierRejected
from contracts.topics import Topic
from servicekit.clock import ManualClock
from services.notifications import app as notifications
from services.notifications.channels import factories
from services.notifications.channels.base import (
    Address,
    AddressBook,
    Notice,
    OutboundChannel,
    Outgoing,
    Payload,
)
from services.notifications.domain import NoticeDraft
from services.notifications.models import Delivery, DeliveryStatus
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.notifications.conftest import ORGANISATION_MAILBOX, Dns, FakeMailer, Notifications, Web
from tests.support import events

DELIVERED = "vn.tdkt.notification.delivered.v1"


class FakeSms(OutboundChannel):
    """Short messages to the mobile number a recipient set in its preferences."""

    name = "sms"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def address(self, draft: NoticeDraft, book: AddressBook) -> Address | None:
        choice = book.choice(draft.audience, self.name)
        return Address(choice.address, owner=draft.audience) if choice.enabled and choice.address else None

    def render(self, notice: Notice, address: Address) -> Payload:
        return Payload(subject=notice.subject, body=notice.subject[:160], data={"sender_id": "TDKT"})

    async def send(self, outgoing: Outgoing) -> str:
        self.sent.append(outgoing)
        return "SMS gateway: accepted"

    def parse_address(self, text: str) -> str:
        if not text.startswith("+84"):
            raise ValueError("not a Vietnamese mobile number (+84…)")
        return text


@pytest.fixture
async def with_sms(
    notifications_env: dict[str, str], clock: ManualClock
) -> AsyncIterator[tuple[Notifications, FakeSms]]:
    mail, web, sms = FakeMailer(), Web(), FakeSms()
    app, runtime = notifications.build(clock, http_transport=httpx.MockTransport(web.handle), mailer=mail)
    app.state.context.channels.register(sms)
    async with InProcess(app, runtime, clock) as service:
        yield Notifications(service, mail, web, Dns()), sms


async def test_the_service_runs_each_channel_module_of_its_package(notifier: Notifications) -> None:
    assert [channel.name for channel in notifier.ctx.channels] == ["email", "in_app", "webhook"]
    assert len(factories()) == 3


async def test_a_new_channel_takes_its_address_and_delivers_notices_without_a_change_elsewhere(
    with_sms: tuple[Notifications, FakeSms], tokens: Tokens
) -> None:
    notifier, sms = with_sms
    leader = tokens.staff(events.ORGANISATION, "leader")
    path = f"/v1/preferences/{events.ORGANISATION}/channels/sms"
    refused = await notifier.http.put(path, json={"address": "0912 345 678"}, headers=leader)
    assert refused.status_code == 422
    assert "not a Vietnamese mobile number" in refused.json()["message_en"]
    chosen = await notifier.http.put(path, json={"address": "+84912345678"}, headers=leader)
    assert chosen.status_code == 200
    assert {"channel": "sms", "enabled": True, "address": "+84912345678"} in chosen.json()["channels"]

    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, "d-1", "Chưa tiêu biểu"))
    await notifier.settle()
    (message,) = sms.sent
    assert (message.target, message.body, message.data) == (
        "+84912345678",
        "Hồ sơ d-1 không được chấp thuận",
        {"sender_id": "TDKT"},
    )
    (delivery,) = await notifier.deliveries(Delivery.channel == "sms")
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [outcome for _, outcome, _ in await notifier.log(delivery.id)] == ["sending", "delivered"]
    assert [m["To"] for m in notifier.mail.sent] == [ORGANISATION_MAILBOX], "the other channels as before"
    await notifier.service.relayed()
    announced = {
        e["id"]: e["data"]["channel"] for e in notifier.service.events(Topic.NOTIFICATION_EVENTS, DELIVERED)
    }
    assert list(announced.values()) == ["email"], (
        "until contracts name it, a new channel's deliveries are not announced"
    )

    off = await notifier.http.put(path, json={"enabled": False, "address": "+84912345678"}, headers=leader)
    assert off.status_code == 200
    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, "d-2", "Chưa tiêu biểu"))
    await notifier.settle()
    assert len(sms.sent) == 1, "turned off"
