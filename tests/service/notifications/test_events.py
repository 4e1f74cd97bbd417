"""The consumed events (``handlers/events.py``): what intake, review and decisions publish becomes
notices in the feed, e-mails to the right mailboxes and signed webhooks to the submitting system —
once, however often an event is delivered; a record that is no event is dead-lettered."""

from __future__ import annotations

import json
from datetime import timedelta

from contracts.events import (
    DossierReturned,
    LevelApproved,
    LevelApprovedData,
    ReviewLevel,
    ReviewStepKind,
    ReviewTaskCompleted,
)
from contracts.topics import Topic
from contracts.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, verify_signature
from services.notifications.handlers import events as event_handlers
from services.notifications.models import DeliveryStatus
from tests.service.conftest import Tokens
from tests.service.notifications.conftest import CERTIFICATE, ORGANISATION_MAILBOX, Notifications
from tests.support import events
from tools.waiting import eventually

SENT = "vn.tdkt.notification.sent.v1"
DELIVERED = "vn.tdkt.notification.delivered.v1"


def _text(message: object) -> str:
    body = message.get_body(("plain",))  # type: ignore[attr-defined]
    return str(body.get_content())


async def test_a_submission_is_in_the_feed_mailed_to_the_organisation_and_signed_to_its_system(
    notifier: Notifications, tokens: Tokens
) -> None:
    secret = await notifier.subscribe(tokens.client(write=False))
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1"))

    page = (await notifier.http.get("/v1/feed", headers=tokens.staff(events.ORGANISATION, "clerk"))).json()
    assert [(item["kind"], item["subject"]) for item in page["items"]] == [
        ("received", "Đã tiếp nhận hồ sơ HS-d-1")
    ]
    sent = await notifier.service.published_event(Topic.NOTIFICATION_EVENTS, SENT)
    assert sent["data"]["recipient_name"] == events.ORGANISATION_NAME

    await notifier.settle()
    (mail,) = notifier.mail.to(ORGANISATION_MAILBOX)
    assert mail["Subject"] == "Đã tiếp nhận hồ sơ HS-d-1"
    (request,) = notifier.web.received("/hook")
    now = notifier.clock.now().timestamp()
    verify_signature(secret, request.headers[SIGNATURE_HEADER], request.content, now=now)
    notice = json.loads(request.content)
    assert (notice["data"]["kind"], notice["data"]["external_reference"]) == ("received", "HS-d-1")
    assert request.headers[DELIVERY_HEADER] in {d.id for d in await notifier.deliveries()}
    await notifier.service.relayed()
    delivered = {  # by event id: the outbox relays at least once
        e["id"]: (e["data"]["channel"], e["data"]["attempts"])
        for e in notifier.service.events(Topic.NOTIFICATION_EVENTS, DELIVERED)
    }
    assert sorted(delivered.values()) == [
        ("email", 1),
        ("webhook", 1),
    ]


async def test_an_event_delivered_again_notifies_nobody_twice(
    notifier: Notifications, tokens: Tokens
) -> None:
    await notifier.subscribe(tokens.client(write=False))
    submitted = events.submitted("d-1")
    for _ in range(3):
        await notifier.deliver(Topic.INTAKE_EVENTS, submitted)
    await notifier.settle()
    assert len(notifier.mail.sent) == 1 and len(notifier.web.received("/hook")) == 1
    assert await event_handlers.notify(notifier.ctx, submitted) == 0, "the handler itself dedups"


async def test_an_event_before_its_submission_reaches_the_system_and_nominees_when_it_arrives(
    notifier: Notifications, tokens: Tokens
) -> None:
    await notifier.subscribe(tokens.client(write=False))
    await notifier.deliver(Topic.DECISION_EVENTS, events.decided("d-1"))
    await notifier.settle()
    assert [m["To"] for m in notifier.mail.sent] == [ORGANISATION_MAILBOX], "the organisation hears at once"
    assert notifier.web.received("/hook") == []

    await notifier.deliver(
        Topic.INTAKE_EVENTS, events.submitted("d-1", emails={"d-1.v1.1": "khai@example.vn"})
    )
    await notifier.settle()
    kinds = sorted(json.loads(r.content)["data"]["kind"] for r in notifier.web.received("/hook"))
    assert kinds == ["decided", "received"]
    (nominee,) = notifier.mail.to("khai@example.vn")
    assert nominee["Subject"] == "Quyết định số 07/QĐ-TTg tặng Bằng khen của Thủ tướng Chính phủ"
    assert _text(nominee).startswith("Kính gửi Nguyễn Thị Minh Khai,")
    (attachment,) = list(nominee.iter_attachments())
    assert attachment.get_filename() == "bang-khen-07-qd-ttg-1.pdf"
    assert attachment.get_content() == CERTIFICATE


async def test_each_step_is_mailed_to_the_role_that_acts_else_to_its_organisation(
    notifier: Notifications, tokens: Tokens
) -> None:
    for step in (ReviewStepKind.RECEIPT, ReviewStepKind.APPRAISAL):  # clerk (no mailbox), officer
        await notifier.deliver(Topic.REVIEW_EVENTS, events.task_opened("d-1", 1, step))
    await notifier.settle()
    assert sorted(m["To"] for m in notifier.mail.sent) == [
        "chuyen-vien@ah-ds.example.vn",
        "van-thu@ah-ds.example.vn",
    ]
    officer_mail = notifier.mail.to("chuyen-vien@ah-ds.example.vn")[0]
    assert (
        officer_mail["Subject"]
        == "Cần xử lý — Thẩm định: hồ sơ đề nghị tặng Bằng khen của Thủ tướng Chính phủ do Ủy ban nhân dân xã Tân Tiến trình"
    )
    clerks = (await notifier.http.get("/v1/feed", headers=tokens.staff("AH-DS", "clerk"))).json()
    assert [item["recipient"] for item in clerks["items"]] == ["AH-DS#clerk"], "a role sees its own tasks"


async def test_a_done_task_leaves_everyones_unread_count(notifier: Notifications, tokens: Tokens) -> None:
    opened = events.task_opened("d-1", 0, ReviewStepKind.RECEIPT)
    await notifier.deliver(Topic.REVIEW_EVENTS, opened)
    clerks = [tokens.staff(events.ORGANISATION, "clerk", subject=name) for name in ("van-thu.1", "van-thu.2")]
    for headers in clerks:
        assert (await notifier.http.get("/v1/feed", headers=headers)).json()["unread"] == 1
    done = ReviewTaskCompleted.model_validate(events.task_completed("d-1", opened.data.task_id).model_dump())
    await notifier.deliver(Topic.REVIEW_EVENTS, done)
    for headers in clerks:
        page = (await notifier.http.get("/v1/feed", headers=headers)).json()
        assert page["unread"] == 0
        assert [(item["read"], item["done"]) for item in page["items"]] == [(True, True)]


async def test_an_event_from_long_ago_reaches_the_feed_but_mails_nobody(
    notifier: Notifications, tokens: Tokens
) -> None:
    await notifier.subscribe(tokens.client(write=False))
    old = events.submitted("d-old").model_copy(update={"time": notifier.clock.now() - timedelta(days=4)})
    await notifier.service.deliver(Topic.INTAKE_EVENTS, old)
    page = (await notifier.http.get("/v1/feed", headers=tokens.staff(events.ORGANISATION, "clerk"))).json()
    assert page["total"] == 1
    assert await notifier.deliveries() == []


async def test_an_event_that_notifies_nobody_records_nothing(notifier: Notifications) -> None:
    approved = LevelApproved(
        source="/tdkt/worker",
        subject="d-1",
        data=LevelApprovedData(
            dossier_id="d-1",
            level=ReviewLevel.UNIT,
            next_level=ReviewLevel.DISTRICT,
            approved_by="u",
            approved_at=notifier.clock.now(),
        ),
    )
    assert await event_handlers.notify(notifier.ctx, approved) == 0
    await notifier.deliver(Topic.REVIEW_EVENTS, approved)
    assert notifier.service.dead_letters(Topic.REVIEW_EVENTS) == []
    assert await notifier.deliveries() == []


async def test_a_returned_dossier_tells_the_organisation_why(notifier: Notifications) -> None:
    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierReturned, "d-1", "Thiếu biên bản họp"))
    await notifier.settle()
    (mail,) = notifier.mail.to(ORGANISATION_MAILBOX)
    assert "Lý do: Thiếu biên bản họp" in _text(mail)
    (delivery,) = await notifier.deliveries()
    assert delivery.status == DeliveryStatus.DELIVERED


async def test_records_that_are_no_events_are_dead_lettered_with_their_reason(
    notifier: Notifications,
) -> None:
    await notifier.service.deliver_raw(Topic.INTAKE_EVENTS, b"not json")
    unknown = {**json.loads(events.submitted("d-1").to_kafka_value()), "type": "vn.tdkt.dossier.lost.v1"}
    await notifier.service.deliver_raw(Topic.INTAKE_EVENTS, json.dumps(unknown).encode())
    invalid = json.loads(events.submitted("d-1").to_kafka_value())
    del invalid["data"]["submitting_organisation"]
    await notifier.service.deliver_raw(Topic.INTAKE_EVENTS, json.dumps(invalid).encode())
    reasons = await eventually(
        lambda: (
            [d["_headers"]["x-dlq-reason"] for d in notifier.service.dead_letters(Topic.INTAKE_EVENTS)]
            or None
        ),
        timeout=5,
        what="the dead letters",
    )
    assert reasons == ["malformed-record", "unknown-event-type", "invalid-event"]
    assert await notifier.deliveries() == []
