"""The dispatcher (``handlers/dispatch.py``, run by ``flows.Dispatcher``) with fake e-mail and webhook
senders: delivered, retried with backoff as the clock moves, dead-lettered after the last attempt,
redelivered; digests at the digest hour; a claim whose sender died sent once more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from contracts.events import DossierRejected, ReviewTaskReminded
from contracts.topics import Topic
from servicekit.db import run_in_session
from services.notifications import dispatch
from services.notifications.handlers import dispatch as dispatch_handlers
from services.notifications.models import Delivery, DeliveryStatus
from tests.service.conftest import Tokens
from tests.service.notifications.conftest import (
    CERTIFICATE,
    MAX_ATTEMPTS,
    ORGANISATION_MAILBOX,
    RETRY_BASE_SECONDS,
    Notifications,
)
from tests.support import events
from tools.waiting import eventually

DELIVERED = "vn.tdkt.notification.delivered.v1"


async def _webhook(notifier: Notifications) -> Delivery:
    (delivery,) = await notifier.deliveries(Delivery.channel == "webhook")
    return delivery


async def test_a_failing_webhook_backs_off_by_the_clock_then_is_dead_lettered_and_redelivered(
    notifier: Notifications, tokens: Tokens
) -> None:
    client = tokens.client(write=False)
    await notifier.failing_webhook(client)
    for attempt in range(1, MAX_ATTEMPTS):
        waiting = await _webhook(notifier)
        assert (waiting.status, waiting.attempts) == (DeliveryStatus.PENDING, attempt)
        ceiling = RETRY_BASE_SECONDS * 2 ** (attempt - 1)
        assert ceiling / 2 <= (waiting.next_attempt_at - notifier.clock.now()).total_seconds() <= ceiling
        assert await dispatch_handlers.claim_due(notifier.ctx, 10) == [], "nothing before its time"
        notifier.clock.set(waiting.next_attempt_at)
        await notifier.settle()
    dead = await _webhook(notifier)
    assert (dead.status, dead.attempts, dead.last_error) == (DeliveryStatus.DEAD, MAX_ATTEMPTS, "HTTP 503")
    outcomes = [outcome for _, outcome, _ in await notifier.log(dead.id)]
    assert outcomes == ["sending", "failed"] * MAX_ATTEMPTS + ["dead-lettered"]
    assert len(notifier.web.received("/hook")) == MAX_ATTEMPTS

    notifier.web.statuses["/hook"] = 200
    redelivered = await notifier.http.post(f"/v1/webhooks/deliveries/{dead.id}/redeliver", headers=client)
    assert redelivered.status_code == 202
    await notifier.settle()
    assert (await _webhook(notifier)).status == DeliveryStatus.DELIVERED
    requests = notifier.web.received("/hook")
    assert len(requests) == MAX_ATTEMPTS + 1 and len({r.headers["X-TDKT-Delivery"] for r in requests}) == 1
    announced = await notifier.service.published_event(
        Topic.NOTIFICATION_EVENTS, DELIVERED, lambda e: e["data"]["channel"] == "webhook"
    )
    assert announced["data"]["attempts"] == 1, "a fresh round of attempts"


async def test_an_email_refused_once_goes_through_at_its_next_attempt(notifier: Notifications) -> None:
    notifier.mail.refuse = 1
    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, "d-1", "Chưa tiêu biểu"))
    await notifier.settle()
    (mail,) = await notifier.deliveries()
    assert notifier.mail.sent == [] and mail.status == DeliveryStatus.PENDING
    notifier.clock.set(mail.next_attempt_at)
    await notifier.settle()
    assert [m["To"] for m in notifier.mail.sent] == [ORGANISATION_MAILBOX]
    log = await notifier.log(mail.id)
    assert [(attempt, outcome) for attempt, outcome, _ in log] == [
        (1, "sending"),
        (1, "failed"),
        (2, "sending"),
        (2, "delivered"),
    ]


async def test_a_certificate_not_ready_yet_is_fetched_again_at_the_next_attempt(
    notifier: Notifications,
) -> None:
    await notifier.deliver(
        Topic.INTAKE_EVENTS, events.submitted("d-1", emails={"d-1.v1.1": "khai@example.vn"})
    )
    notifier.web.certificate_status = 409
    await notifier.deliver(Topic.DECISION_EVENTS, events.decided("d-1"))
    await notifier.settle()
    (nominee,) = await notifier.deliveries(Delivery.recipient == "nominee:d-1.v1.1")
    assert nominee.status == DeliveryStatus.PENDING
    assert nominee.last_error is not None and "HTTP 409" in nominee.last_error
    notifier.web.certificate_status = 200
    notifier.clock.set(nominee.next_attempt_at)
    await notifier.settle()
    (mail,) = notifier.mail.to("khai@example.vn")
    assert [a.get_content() for a in mail.iter_attachments()] == [CERTIFICATE]


async def test_reminders_wait_for_the_digest_hour(notifier: Notifications, tokens: Tokens) -> None:
    leader = tokens.staff(events.ORGANISATION, "leader")
    await notifier.http.put(
        f"/v1/preferences/{events.ORGANISATION}", json={"digest_reminders": True}, headers=leader
    )
    for task in ("t-1", "t-2"):
        await notifier.deliver(Topic.REVIEW_EVENTS, events.deadline(ReviewTaskReminded, "d-1", task))
    await notifier.settle()
    assert notifier.mail.sent == [], "held for the digest"
    held = await notifier.deliveries(Delivery.status == DeliveryStatus.HELD)
    digest_hour = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)  # 07:30 the next morning in Hà Nội
    assert [delivery.hold_until for delivery in held] == [digest_hour, digest_hour]

    notifier.clock.set(digest_hour - timedelta(minutes=1))
    await dispatch_handlers.keep_house(notifier.ctx)
    assert await notifier.count(Delivery.status == DeliveryStatus.HELD) == 2
    # the dispatcher's own round, an hour (its poll interval here) after its last look — which may
    # have been a moment ago, at 07:29, had a round of its own run then (it did under load once)
    notifier.clock.set(digest_hour + timedelta(hours=1))
    notifier.ctx.doorbell.ring()
    (digest,) = await eventually(
        lambda: notifier.mail.to(ORGANISATION_MAILBOX) or None, timeout=10, what="the digest"
    )
    assert digest["Subject"] == "Tổng hợp nhắc hạn: 2 nhiệm vụ"
    assert await notifier.count(Delivery.status == DeliveryStatus.DIGESTED) == 2


async def test_a_claim_whose_sender_died_is_sent_once_more_and_the_log_says_so(
    notifier: Notifications,
) -> None:
    notifier.mail.refuse = 1
    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, "d-1", "Chưa tiêu biểu"))
    await notifier.settle()  # failed once: waiting for its next attempt
    (mail,) = await notifier.deliveries()
    notifier.clock.set(mail.next_attempt_at)
    lease = timedelta(seconds=notifier.ctx.settings.lease_seconds)

    def claim_and_die(session: Session) -> list[dispatch.Claim]:
        return dispatch.claim_due(
            session, notifier.clock.now(), 10, lease, notifier.ctx.channels, notifier.ctx.limits
        )

    (claim,) = await run_in_session(notifier.service.runtime.engine, claim_and_die)  # no outcome ever
    notifier.clock.advance(lease / 2)
    await dispatch_handlers.keep_house(notifier.ctx)
    assert (await notifier.deliveries())[0].status == DeliveryStatus.SENDING, "not while the lease holds"
    notifier.clock.advance(lease)
    await dispatch_handlers.keep_house(notifier.ctx)
    await notifier.settle()
    (mail,) = await notifier.deliveries()
    assert (mail.status, mail.attempts, mail.interrupted) == (DeliveryStatus.DELIVERED, 3, True)
    assert [(attempt, outcome) for attempt, outcome, _ in await notifier.log(mail.id)] == [
        (1, "sending"),
        (1, "failed"),
        (2, "sending"),
        (2, "interrupted"),
        (3, "sending"),
        (3, "delivered"),
    ]
    announced = await notifier.service.published_event(Topic.NOTIFICATION_EVENTS, DELIVERED)
    assert announced["data"]["after_interruption"] is True and claim.attempt == 2
