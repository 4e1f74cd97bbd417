"""Receivers kept apart (``receivers``, ``flows.Dispatcher``): a webhook receiver that hangs delays
no other client's webhooks, holds at most ``receiver_concurrency`` attempts, and one that keeps
failing has its circuit opened — its deliveries deferred, not attempted, until the cool-down ends
by the clock, then probed one at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col

from contracts.topics import Topic
from deploy.devsecrets import DEMO_CLIENT_ID, SECOND_CLIENT_ID
from services.notifications.models import Delivery, DeliveryStatus
from tests.service.conftest import Tokens
from tests.service.notifications.conftest import RETRY_BASE_SECONDS, Notifications
from tests.support import events
from tools.waiting import eventually

CONCURRENCY = 2
FAILURES = 2
COOLDOWN = timedelta(minutes=10)


@pytest.fixture
def notifications_env(notifications_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "TDKT_NOTIFICATIONS_RECEIVER_CONCURRENCY": str(CONCURRENCY),
        "TDKT_NOTIFICATIONS_BREAKER_FAILURES": str(FAILURES),
        "TDKT_NOTIFICATIONS_BREAKER_COOLDOWN_SECONDS": str(COOLDOWN.total_seconds()),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {**notifications_env, **env}


def _webhooks_to(client_id: str) -> Any:
    return (col(Delivery.channel) == "webhook") & (col(Delivery.target) == client_id)


async def test_a_hanging_receiver_delays_no_other_clients_webhooks(
    notifier: Notifications, tokens: Tokens
) -> None:
    await notifier.subscribe(tokens.client(DEMO_CLIENT_ID, write=False), "/hangs")
    await notifier.subscribe(tokens.client(SECOND_CLIENT_ID, write=False), "/fast")
    notifier.web.hanging.add("/hangs")
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1", DEMO_CLIENT_ID))
    await eventually(lambda: notifier.web.received("/hangs") or None, timeout=10, what="the hanging request")

    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-2", SECOND_CLIENT_ID))

    async def fast_delivered() -> bool:
        return (
            await notifier.count(_webhooks_to(SECOND_CLIENT_ID), Delivery.status == DeliveryStatus.DELIVERED)
            == 1
        )

    await eventually(fast_delivered, timeout=10, what="the other client's webhook recorded delivered")
    (hanging,) = await notifier.deliveries(_webhooks_to(DEMO_CLIENT_ID))
    assert hanging.status == DeliveryStatus.SENDING and not notifier.web.release.is_set(), "still hanging"
    assert [outcome for _, outcome, _ in await notifier.log(hanging.id)] == ["sending"]

    notifier.web.release.set()
    await notifier.settle()
    (hanging,) = await notifier.deliveries(_webhooks_to(DEMO_CLIENT_ID))
    assert hanging.status == DeliveryStatus.DELIVERED


async def test_a_hanging_receiver_holds_at_most_its_share_of_attempts(
    notifier: Notifications, tokens: Tokens
) -> None:
    await notifier.subscribe(tokens.client(DEMO_CLIENT_ID, write=False), "/hangs")
    notifier.web.hanging.add("/hangs")
    for dossier in ("d-1", "d-2", "d-3"):
        await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted(dossier, DEMO_CLIENT_ID))
    await eventually(
        lambda: len(notifier.web.received("/hangs")) == CONCURRENCY or None, timeout=10, what="two under way"
    )
    # the e-mails of the same notices, to another receiver, are not held up
    await eventually(lambda: len(notifier.mail.sent) == 3 or None, timeout=10, what="the e-mails")
    statuses = sorted(d.status for d in await notifier.deliveries(_webhooks_to(DEMO_CLIENT_ID)))
    assert statuses == [DeliveryStatus.PENDING] + [DeliveryStatus.SENDING] * CONCURRENCY
    assert len(notifier.web.received("/hangs")) == CONCURRENCY

    notifier.web.release.set()
    await notifier.settle()
    assert (
        await notifier.count(_webhooks_to(DEMO_CLIENT_ID), Delivery.status == DeliveryStatus.DELIVERED) == 3
    )


async def test_a_failing_receivers_circuit_opens_defers_without_attempts_and_is_probed_after_the_cooldown(
    notifier: Notifications, tokens: Tokens
) -> None:
    client = tokens.client(DEMO_CLIENT_ID, write=False)
    await notifier.subscribe(client)
    notifier.web.statuses["/hook"] = 503
    for dossier in ("d-1", "d-2"):
        await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted(dossier, DEMO_CLIENT_ID))
    await notifier.settle()  # two failures in a row: the circuit opens
    opened_at = notifier.clock.now()
    open_until = opened_at + COOLDOWN

    notifier.clock.advance(timedelta(seconds=RETRY_BASE_SECONDS))  # their retries fall due
    await notifier.settle()
    for delivery in await notifier.deliveries(_webhooks_to(DEMO_CLIENT_ID)):
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
            DeliveryStatus.PENDING,
            1,
            open_until,
        ), "deferred, not attempted"
        assert [outcome for _, outcome, _ in await notifier.log(delivery.id)][-1] == "deferred"
    assert len(notifier.web.received("/hook")) == 2
    shown = (await notifier.http.get("/v1/webhooks/deliveries", headers=client)).json()
    assert [view["receiver"] for view in shown] == [
        {
            "circuit": "open",
            "consecutive_failures": 2,
            "open_until": open_until.isoformat().replace("+00:00", "Z"),
        }
    ] * 2

    notifier.clock.set(open_until)  # half-open: one probe, which fails, and the circuit opens again
    await notifier.settle()
    assert len(notifier.web.received("/hook")) == 3
    attempts = sorted(d.attempts for d in await notifier.deliveries(_webhooks_to(DEMO_CLIENT_ID)))
    assert attempts == [1, 2]
    reopened_until = notifier.clock.now() + COOLDOWN
    notifier.clock.advance(timedelta(seconds=RETRY_BASE_SECONDS * 2))
    await notifier.settle()
    assert {d.next_attempt_at for d in await notifier.deliveries(_webhooks_to(DEMO_CLIENT_ID))} == {
        reopened_until
    }

    notifier.web.statuses["/hook"] = 204  # the receiver is back: the probe closes the circuit
    notifier.clock.set(reopened_until)
    await notifier.settle()
    delivered = await notifier.deliveries(_webhooks_to(DEMO_CLIENT_ID))
    assert [d.status for d in delivered] == [DeliveryStatus.DELIVERED] * 2
    assert sorted(d.attempts for d in delivered) == [2, 3], "deferrals are not attempts"
    shown = (await notifier.http.get("/v1/webhooks/deliveries", headers=client)).json()
    assert shown[0]["receiver"] == {"circuit": "closed", "consecutive_failures": 0, "open_until": None}
