"""The operators' commands (``python -m services.notifications.cli``; ``handlers/operators.py``) on
the service's own database: the delivery log, redelivery of dead letters, digests now."""

from __future__ import annotations

import asyncio
import json

import pytest

from contracts.events import DossierRejected, ReviewTaskReminded
from contracts.topics import Topic
from services.notifications import cli
from services.notifications.handlers import dispatch as dispatch_handlers
from services.notifications.handlers import operators
from services.notifications.models import Delivery, DeliveryStatus
from tests.service.conftest import Tokens
from tests.service.notifications.conftest import MAX_ATTEMPTS, ORGANISATION_MAILBOX, Notifications
from tests.support import events


async def _command(notifier: Notifications, *argv: str) -> int:
    """The command as an operator runs it, on this test's stack (its database, its clock)."""
    return await asyncio.to_thread(cli.main, list(argv), notifier.clock)


async def _dead_webhook(notifier: Notifications, tokens: Tokens) -> Delivery:
    await notifier.failing_webhook(tokens.client(write=False), status=500)
    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, "d-2", "Chưa tiêu biểu"))
    await notifier.settle()
    for _ in range(MAX_ATTEMPTS - 1):
        (waiting,) = await notifier.deliveries(Delivery.status == DeliveryStatus.PENDING)
        notifier.clock.set(waiting.next_attempt_at)
        await notifier.settle()
    (dead,) = await notifier.deliveries(Delivery.status == DeliveryStatus.DEAD)
    return dead


async def test_the_delivery_log_by_status_channel_and_dossier(
    notifier: Notifications, tokens: Tokens, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = await _dead_webhook(notifier, tokens)
    listed = await operators.list_deliveries(notifier.ctx, status=DeliveryStatus.DEAD)
    assert [(view.delivery_id, view.channel, view.kind) for view in listed] == [
        (dead.id, "webhook", "received")
    ]
    (mail,) = await operators.list_deliveries(notifier.ctx, channel="email", dossier_id="d-1")
    assert (mail.kind, mail.status) == ("received", DeliveryStatus.DELIVERED)
    assert [view.kind for view in await operators.list_deliveries(notifier.ctx, dossier_id="d-2")] == [
        "rejected"
    ]

    assert await _command(notifier, "deliveries", "--channel", "webhook", "--dossier", "d-1") == 0
    (line,) = capsys.readouterr().out.splitlines()
    shown = json.loads(line)
    assert (shown["delivery_id"], shown["status"]) == (dead.id, "dead")
    assert [entry["outcome"] for entry in shown["log"]][-1] == "dead-lettered"


async def test_an_operator_redelivers_dead_letters(
    notifier: Notifications, tokens: Tokens, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = await _dead_webhook(notifier, tokens)
    notifier.web.statuses["/hook"] = 204
    assert await _command(notifier, "redeliver", "--dead", "--channel", "webhook") == 0
    assert json.loads(capsys.readouterr().out) == {"queued": [dead.id], "left": []}
    await notifier.settle()
    (delivered,) = await notifier.deliveries(Delivery.id == dead.id)
    assert delivered.status == DeliveryStatus.DELIVERED
    requested = [outcome for _, outcome, _ in await notifier.log(dead.id)].count("redelivery-requested")
    assert requested == 1

    again = await operators.redeliver(notifier.ctx, "operator x", delivery_ids=[dead.id])
    assert (again.queued, again.left) == ([dead.id], []), "a delivered one may be sent again"
    assert await _command(notifier, "redeliver", dead.id, "no-such-delivery") == 2
    assert "no such delivery: no-such-delivery" in capsys.readouterr().err


async def test_an_operator_sends_the_held_digests_now(notifier: Notifications, tokens: Tokens) -> None:
    leader = tokens.staff(events.ORGANISATION, "leader")
    await notifier.http.put(
        f"/v1/preferences/{events.ORGANISATION}", json={"digest_reminders": True}, headers=leader
    )
    await notifier.deliver(Topic.REVIEW_EVENTS, events.deadline(ReviewTaskReminded, "d-1", "t-1"))
    assert await operators.send_digests_now(notifier.ctx) == 1
    await dispatch_handlers.keep_house(notifier.ctx)  # the dispatcher's next look at the time-driven work
    await notifier.settle()
    (digest,) = notifier.mail.to(ORGANISATION_MAILBOX)
    assert digest["Subject"] == "Tổng hợp nhắc hạn: 1 nhiệm vụ"
    assert await _command(notifier, "send-digests") == 0, "none left: nothing to do"
