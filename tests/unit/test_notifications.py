"""Notifications: who hears what (pure), the templates, retries and digests, webhook signatures,
and the delivery bookkeeping on the embedded database (claims, interruptions, dead letters)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import re
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiosmtplib.email import flatten_message
from jinja2 import DictLoader
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from contracts.envelope import CloudEvent
from contracts.events import (
    DeliveryChannel,
    DossierRejected,
    DossierReturned,
    DossierSubmitted,
    DossierWithdrawn,
    LevelApproved,
    LevelApprovedData,
    NotificationDelivered,
    NotificationSent,
    ReviewAction,
    ReviewLevel,
    ReviewStepKind,
    ReviewTaskCompleted,
    ReviewTaskCompletedData,
    ReviewTaskEscalated,
    ReviewTaskOpened,
    ReviewTaskOpenedData,
    ReviewTaskReminded,
    StruckEntry,
    event_type_name,
)
from contracts.webhooks import NoticeKind, SignatureError, signature, verify_signature
from contracts.workflow import STEP_ROLES
from servicekit import migrations
from servicekit.db import make_engine
from servicekit.outbox import OutboxRecord
from services.notifications import dispatch, feed, notices, preferences, subscriptions
from services.notifications.channels.base import ChannelChoice, ChannelRegistry, Subscriber
from services.notifications.channels.email import EmailChannel, OutgoingEmail, build_message, load_directory
from services.notifications.channels.feed import FeedChannel
from services.notifications.channels.webhook import WebhookChannel, failure_reason
from services.notifications.dispatch import RetryPolicy
from services.notifications.domain import (
    NoticeDraft,
    facts_of_submission,
    may_notify,
    needs_dossier_facts,
    next_digest_at,
    notices_for,
    retry_delay,
)
from services.notifications.models import (
    Delivery,
    DeliveryLogEntry,
    DeliveryOutcome,
    DeliveryStatus,
    FeedPage,
    Notification,
    PreferenceUpdate,
    SubscriptionRequest,
)
from services.notifications.notices import NoticeDesk
from services.notifications.receivers import ReceiverLimits
from services.notifications.rendering import TEMPLATE_DIR, Links, Renderer
from services.notifications.secretbox import SecretBox, new_key
from tests.support import events

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = events.AT
"""The notices' clock: the events of ``tests.support.events`` happen at this moment."""
LINKS = Links("https://decisions.example")


def _submitted(emails: dict[str, str] | None = None) -> DossierSubmitted:
    return events.submitted("d-1", emails=emails)


def _decided() -> CloudEvent:
    return events.decided("d-1")


def _rejected() -> CloudEvent:
    return events.closed(DossierRejected, "d-1", "Thành tích chưa tiêu biểu")


def _deadline(kind: type[ReviewTaskReminded] | type[ReviewTaskEscalated], task: str = "d-1.0") -> CloudEvent:
    return events.deadline(kind, "d-1", task)


# --- who hears what ------------------------------------------------------------------------


class _EveryoneReachable:
    """An address book where every recipient has every channel on and every client a subscription."""

    def choice(self, recipient: str, channel: str) -> ChannelChoice:
        return ChannelChoice()

    def subscriber(self, client_id: str) -> Subscriber | None:
        return Subscriber(url="https://receiver.example/hook", secret="s", language="vi", active=True)


def _reach(draft: NoticeDraft) -> list[str]:
    """The channels that reach ``draft``'s audience when everything is on."""
    channels = _channels(directory={"AH-DS-TT": "vanthu@ahdstt.example.vn"})
    return sorted(channel.name for channel in channels if channel.address(draft, _EveryoneReachable()))


def test_the_submitter_hears_of_receipt_in_the_feed_by_email_and_its_system_by_webhook() -> None:
    event = _submitted()
    drafts = notices_for(event, facts_of_submission(event))
    assert [(d.audience, d.kind, _reach(d)) for d in drafts] == [
        ("AH-DS-TT", NoticeKind.RECEIVED, ["email", "in_app"]),
        ("client:demo-integrator", NoticeKind.RECEIVED, ["webhook"]),
    ]


def test_nominees_hear_of_the_decision_only_when_they_gave_an_address_with_their_certificate() -> None:
    submitted = _submitted({"d-1.v1.2": "on.tran@example.vn"})
    drafts = notices_for(_decided(), facts_of_submission(submitted))
    nominees = [d for d in drafts if d.audience.startswith("nominee:")]
    assert [(d.audience, d.email_address, d.attachment) for d in nominees] == [
        ("nominee:d-1.v1.2", "on.tran@example.vn", ("q-1", 2))
    ]
    assert _reach(nominees[0]) == ["email"]
    assert nominees[0].facts["nominee_name"] == "Trần Văn Ơn"


def test_without_the_submission_the_system_and_nominees_wait_but_the_organisation_does_not() -> None:
    assert needs_dossier_facts(_decided()) and needs_dossier_facts(_rejected())
    assert [d.audience for d in notices_for(_decided(), None)] == ["AH-DS-TT"]
    assert not needs_dossier_facts(_deadline(ReviewTaskReminded))


def test_events_that_can_notify_nobody_are_told_apart_without_the_database() -> None:
    approved = LevelApproved(
        source="/tdkt/worker",
        subject="d-1",
        data=LevelApprovedData(
            dossier_id="d-1", level=ReviewLevel.UNIT, next_level=None, approved_by="u", approved_at=NOW
        ),
    )
    completed = ReviewTaskCompleted(
        source="/tdkt/worker",
        subject="d-1",
        data=ReviewTaskCompletedData(
            task_id="d-1.0",
            dossier_id="d-1",
            level=ReviewLevel.UNIT,
            action=ReviewAction.APPROVE,
            actor="u",
            completed_at=NOW,
        ),
    )
    struck = completed.model_copy(
        update={
            "data": completed.data.model_copy(
                update={"struck_entries": [StruckEntry(entry_id="d-1.v1.1", reason="r")]}
            )
        }
    )
    assert not may_notify(approved)
    assert may_notify(completed), "a task done settles its reviewers' notices"
    assert may_notify(struck)  # the submitter hears who was struck, once the submission is known
    assert all(map(may_notify, [_submitted(), _decided(), _rejected(), _deadline(ReviewTaskReminded)]))


def test_reviewers_hear_of_tasks_by_role_reminders_by_organisation_escalations_by_leader() -> None:
    opened = ReviewTaskOpened(
        source="/tdkt/worker",
        subject="d-1",
        data=ReviewTaskOpenedData(
            task_id="d-1.0.receipt",
            dossier_id="d-1",
            workflow_id="w",
            level=ReviewLevel.UNIT,
            level_index=0,
            levels_total=1,
            organisation="AH-DS-TT",
            step=ReviewStepKind.RECEIPT,
            role="clerk",
            award_code="BKTTG",
            submitting_organisation="AH-DS-TT-THCS",
            opened_at=NOW,
        ),
    )
    assert [d.audience for d in notices_for(opened, None)] == ["AH-DS-TT#clerk"]
    assert [d.audience for d in notices_for(_deadline(ReviewTaskReminded), None)] == ["AH-DS-TT"]
    assert [d.audience for d in notices_for(_deadline(ReviewTaskEscalated), None)] == ["AH-DS-TT#leader"]
    # a reminder that names the role whose step is waiting reaches that role; escalation the leader
    reminded = _deadline(ReviewTaskReminded)
    reminded = reminded.model_copy(update={"data": reminded.data.model_copy(update={"role": "officer"})})
    assert [d.audience for d in notices_for(reminded, None)] == ["AH-DS-TT#officer"]


# --- templates -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [*(kind.value for kind in NoticeKind), "digest"])
def test_every_notice_has_a_vietnamese_and_an_english_template(kind: str) -> None:
    assert (TEMPLATE_DIR / "vi" / f"{kind}.j2").is_file()
    assert (TEMPLATE_DIR / "en" / f"{kind}.j2").is_file()


def test_templates_render_vietnamese_with_its_dates_and_english_with_its_own() -> None:
    renderer = Renderer(LINKS)
    event = _decided()
    draft = notices_for(event, None)[0]
    facts = {"dossier_id": "d-1", **draft.facts}
    vi, en = renderer.render("decided", "vi", facts), renderer.render("decided", "en", facts)
    assert vi.subject == "Quyết định số 07/QĐ-TTg tặng BKTTG" and vi.language == "vi", (
        "without the submission"
    )
    assert "ngày 24/11/2026" in vi.body and "https://decisions.example/v1/decisions/q-1/pdf" in vi.body
    assert en.subject == "Decision 07/QĐ-TTg: the BKTTG" and "of 2026-11-24" in en.body


def test_a_language_without_the_template_falls_back_to_english() -> None:
    loader = DictLoader(
        {
            "en/received.j2": "{% block subject %}Received {{ dossier }}{% endblock %}"
            "{% block body %}Body{% endblock %}"
        }
    )
    rendered = Renderer(LINKS, loader).render(
        "received", "vi", {"dossier_id": "d-9", "external_reference": None}
    )
    assert (rendered.subject, rendered.language) == ("Received dossier d-9", "en")


def test_a_template_missing_a_fact_fails_loudly_instead_of_printing_nothing() -> None:
    with pytest.raises(Exception, match="decision_number"):
        Renderer(LINKS).render("decided", "vi", {"dossier_id": "d-1"})


# --- retries, digests, signatures ----------------------------------------------------------


def test_retries_back_off_exponentially_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(7)
    delays = [retry_delay(n, 30, 3600, rng).total_seconds() for n in range(1, 10)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(3600, 30 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert delays[3] > delays[0] * 2
    spread = {round(retry_delay(3, 30, 3600, rng).total_seconds(), 3) for _ in range(20)}
    assert len(spread) > 10, "jitter spreads retries of one attempt number"


def test_the_digest_goes_out_at_the_next_local_digest_time() -> None:
    at = time(7, 30)
    # 03:00 UTC is 10:00 in Hà Nội: today's 07:30 has passed, so tomorrow's (00:30 UTC)
    assert next_digest_at(NOW, at, ZONE) == datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    early = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # 06:00 on the 24th in Hà Nội
    assert next_digest_at(early, at, ZONE) == datetime(2026, 11, 24, 0, 30, tzinfo=UTC)


def test_a_webhook_signature_verifies_and_refuses_changes_replays_and_garbage() -> None:
    body = b'{"id":"n-1"}'
    header = signature("whsec_test", 1_800_000_000, body)
    verify_signature("whsec_test", header, body, now=1_800_000_100)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature("whsec_test", header, body + b" ", now=1_800_000_100)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature("another", header, body, now=1_800_000_100)
    with pytest.raises(SignatureError, match="replay"):
        verify_signature("whsec_test", header, body, now=1_800_000_000 + 301)
    with pytest.raises(SignatureError, match="malformed"):
        verify_signature("whsec_test", "v1=abc", body, now=1_800_000_000)


# --- bookkeeping on the embedded database --------------------------------------------------


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'notifications.db'}"
    migrations.upgrade(Path(notices.__file__).parent / "migrations", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _channels(email: bool = True, directory: dict[str, str] | None = None) -> ChannelRegistry:
    mail = EmailChannel({"AH-DS-TT": "vanthu@ahdstt.example.vn"} if directory is None else directory)
    return ChannelRegistry((*((mail,) if email else ()), FeedChannel(), WebhookChannel(None, LINKS)))


def _desk(email: bool = True, directory: dict[str, str] | None = None) -> NoticeDesk:
    return NoticeDesk(
        source="/tdkt/notifications",
        renderer=Renderer(LINKS),
        channels=_channels(email, directory),
        digest_at=time(7, 30),
        zone=ZONE,
        stale_after=timedelta(days=36500),
    )


def _handle(engine: Engine, event: CloudEvent, desk: NoticeDesk | None = None, now: datetime = NOW) -> int:
    with Session(engine) as session:
        count = notices.record_notices(session, event, desk or _desk(), now)
        session.commit()
        return count


def _rows(engine: Engine, model: Any, *where: Any) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(model).where(*where)).all())


def _subscribe(engine: Engine, client: str = "demo-integrator") -> None:
    with Session(engine) as session:
        subscriptions.subscribe(
            session,
            client,
            SubscriptionRequest.model_validate({"url": "https://receiver.example/hook"}),
            NOW,
            SecretBox(new_key()),
        )
        session.commit()


def test_a_redelivered_event_notifies_nobody_twice(engine: Engine) -> None:
    _subscribe(engine)
    event = _submitted()
    assert _handle(engine, event) == 2
    assert _handle(engine, event) == 0
    deliveries = _rows(engine, Delivery)
    assert sorted((d.channel, d.target) for d in deliveries) == [
        ("email", "vanthu@ahdstt.example.vn"),
        ("webhook", "demo-integrator"),
    ]
    webhook = next(d for d in deliveries if d.channel == "webhook")
    notice = json.loads(webhook.body)
    assert notice["type"] == "vn.tdkt.webhook.dossier.notice.v1"
    assert notice["data"]["kind"] == "received" and notice["data"]["external_reference"] == "HS-d-1"


def test_an_event_before_its_submission_reaches_the_system_and_nominees_once_it_arrives(
    engine: Engine,
) -> None:
    _subscribe(engine)
    assert _handle(engine, _decided()) == 1, "the organisation hears at once"
    _handle(engine, _submitted({"d-1.v1.1": "khai@example.vn"}))
    decided = _rows(engine, Notification, Notification.kind == "decided")
    assert sorted(n.recipient for n in decided) == ["AH-DS-TT", "client:demo-integrator", "nominee:d-1.v1.1"]
    nominee_mail = _rows(engine, Delivery, Delivery.recipient == "nominee:d-1.v1.1")
    assert [(d.target, *_attachment(d)[:2]) for d in nominee_mail] == [("khai@example.vn", "q-1", 1)]


def test_preferences_turn_channels_off_and_gather_reminders_into_a_digest(engine: Engine) -> None:
    with Session(engine) as session:
        preferences.set_preference(
            session, "AH-DS-TT", PreferenceUpdate(digest_reminders=True), "leader.1", NOW
        )
        preferences.set_preference(
            session, "AH-DS-TT#leader", PreferenceUpdate(in_app=False, email=False), "x", NOW
        )
        session.commit()
    _handle(engine, _deadline(ReviewTaskReminded, "t-1"))
    _handle(engine, _deadline(ReviewTaskReminded, "t-2"))
    _handle(engine, _deadline(ReviewTaskEscalated))
    escalation = _rows(engine, Notification, Notification.kind == "task_escalated")
    assert [n.in_feed for n in escalation] == [False]
    assert _rows(engine, Delivery, Delivery.recipient == "AH-DS-TT#leader") == []
    held = _rows(engine, Delivery, Delivery.status == DeliveryStatus.HELD)
    assert len(held) == 2
    with Session(engine) as session:
        assert dispatch.release_digests(session, NOW, Renderer(LINKS)) == 0, "not before the digest time"
        assert (
            dispatch.release_digests(session, held[0].hold_until + timedelta(seconds=1), Renderer(LINKS)) == 1
        )
        session.commit()
    digest = _rows(engine, Delivery, Delivery.status == DeliveryStatus.PENDING)
    assert len(digest) == 1 and digest[0].subject == "Tổng hợp nhắc hạn: 2 nhiệm vụ"
    assert "\n1. Nhắc hạn xét duyệt hồ sơ d-1" in digest[0].body and "\n2. Nhắc hạn" in digest[0].body


POLICY = RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=10)
LIMITS = ReceiverLimits(concurrency=4, failures=5, cooldown=timedelta(minutes=5))
CHANNELS = _channels()


def _attachment(delivery: Delivery) -> tuple[str, int, str]:
    """The certificate an e-mail attaches: decision, line, file name (``Delivery.channel_data``)."""
    attachment = delivery.channel_data["attachment"]
    return attachment["decision_id"], attachment["line_number"], attachment["file_name"]


def test_failures_retry_later_then_dead_letter_and_a_redelivery_starts_a_fresh_round(engine: Engine) -> None:
    _handle(engine, _rejected(), _desk())
    rng = random.Random(1)
    now = NOW + timedelta(days=1)
    for attempt in range(1, 4):
        with Session(engine) as session:
            (claim,) = dispatch.claim_due(session, now, 10, timedelta(seconds=60), CHANNELS, LIMITS)
            assert claim.attempt == attempt
            assert dispatch.claim_due(session, now, 10, timedelta(seconds=60), CHANNELS, LIMITS) == [], (
                "claimed once"
            )
            dispatch.record_failed(session, claim, "SMTP: 451 try later", now, POLICY, rng)
            session.commit()
        (delivery,) = _rows(engine, Delivery)
        if attempt < 3:
            assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at > now
            now = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.DEAD
    outcomes = [entry.outcome for entry in _rows(engine, DeliveryLogEntry)]
    assert outcomes == ["sending", "failed"] * 3 + ["dead-lettered"]
    with Session(engine) as session:
        dead = session.get_one(Delivery, delivery.id)
        assert dispatch.redeliver(session, [dead], "operator", now) == [delivery.id]
        session.commit()
        (claim,) = dispatch.claim_due(session, now, 10, timedelta(seconds=60), CHANNELS, LIMITS)
        assert claim.attempt == 1
        dispatch.record_delivered(session, claim, "SMTP: 250 OK", now, "/tdkt/notifications")
        session.commit()
    (delivery,) = _rows(engine, Delivery)
    assert (delivery.status, delivery.interrupted) == (DeliveryStatus.DELIVERED, False)


def test_a_rounds_outcomes_are_recorded_together_each_in_its_attempts_trace(engine: Engine) -> None:
    _subscribe(engine)
    _handle(engine, _submitted())
    now = NOW + timedelta(days=1)
    with Session(engine) as session:
        claims = {
            claim.channel: claim
            for claim in dispatch.claim_due(session, now, 10, timedelta(seconds=60), CHANNELS, LIMITS)
        }
        session.commit()
    email_trace, webhook_trace = "1" * 32, "2" * 32
    outcomes = [
        dispatch.AttemptOutcome(
            claims[DeliveryChannel.EMAIL], now, _carrier(email_trace), detail="SMTP: 250 OK"
        ),
        dispatch.AttemptOutcome(
            claims[DeliveryChannel.WEBHOOK], now, _carrier(webhook_trace), error="HTTP 503"
        ),
    ]
    with Session(engine) as session:
        dispatch.record_outcomes(session, outcomes, "/tdkt/notifications", POLICY, random.Random(1), LIMITS)
        session.commit()
    status = {delivery.channel: delivery.status for delivery in _rows(engine, Delivery)}
    assert status == {"email": DeliveryStatus.DELIVERED, "webhook": DeliveryStatus.PENDING}
    logged = sorted((entry.outcome, entry.attempt) for entry in _rows(engine, DeliveryLogEntry))
    assert logged == [("delivered", 1), ("failed", 1), ("sending", 1), ("sending", 1)]
    published = [
        json.loads(record.value) | {"carrier": record.trace_carrier} for record in _rows(engine, OutboxRecord)
    ]
    (delivered,) = [event for event in published if event["type"] == event_type_name(NotificationDelivered)]
    assert delivered["data"]["channel"] == "email"
    assert email_trace in json.loads(delivered["carrier"])["traceparent"]


def _carrier(trace_id: str) -> str:
    return json.dumps({"traceparent": f"00-{trace_id}-{'3' * 16}-01"})


def test_a_claim_whose_sender_died_is_sent_once_more_and_the_log_says_so(engine: Engine) -> None:
    _handle(engine, _rejected(), _desk())
    now = NOW + timedelta(days=1)
    lease = timedelta(seconds=60)
    with Session(engine) as session:
        (first,) = dispatch.claim_due(session, now, 10, lease, CHANNELS, LIMITS)
        session.commit()
    # the sender dies here: no outcome is recorded for ``first``
    with Session(engine) as session:
        assert dispatch.recover_interrupted(session, now + lease / 2) == 0, "not while the lease holds"
        assert dispatch.recover_interrupted(session, now + lease * 2) == 1
        session.commit()
        (second,) = dispatch.claim_due(session, now + lease * 2, 10, lease, CHANNELS, LIMITS)
        dispatch.record_delivered(session, second, "SMTP: 250 OK", now + lease * 2, "/tdkt/notifications")
        # the dead sender's late report changes nothing but the log
        dispatch.record_failed(session, first, "late", now + lease * 3, POLICY, random.Random())
        session.commit()
    (delivery,) = _rows(engine, Delivery)
    assert (delivery.status, delivery.attempts, delivery.interrupted) == (DeliveryStatus.DELIVERED, 2, True)
    outcomes = [(entry.attempt, entry.outcome) for entry in _rows(engine, DeliveryLogEntry)]
    assert outcomes == [
        (1, DeliveryOutcome.SENDING),
        (1, DeliveryOutcome.INTERRUPTED),
        (2, DeliveryOutcome.SENDING),
        (2, DeliveryOutcome.DELIVERED),
        (1, DeliveryOutcome.FAILED),
    ]


def test_the_feed_keeps_read_marks_per_officer(engine: Engine) -> None:
    _handle(engine, _submitted())
    _handle(engine, _rejected(), now=NOW + timedelta(minutes=1))
    audiences = ["AH-DS-TT", "AH-DS-TT#clerk"]
    with Session(engine) as session:
        page = feed.feed(
            session, audiences, "clerk.1", unread_only=False, dossier_id=None, limit=10, offset=0
        )
        assert (page.total, page.unread) == (2, 2)
        assert [item.kind for item in page.items] == ["rejected", "received"]
        assert feed.mark_read(session, audiences, "clerk.1", [page.items[0].notification_id], True, NOW) == 1
        session.commit()
        mine = feed.feed(session, audiences, "clerk.1", unread_only=True, dossier_id=None, limit=10, offset=0)
        theirs = feed.feed(
            session, audiences, "clerk.2", unread_only=False, dossier_id=None, limit=10, offset=0
        )
    assert [item.kind for item in mine.items] == ["received"] and mine.unread == 1
    assert theirs.unread == 2


def test_an_event_from_long_ago_reaches_the_feed_but_mails_nobody(engine: Engine) -> None:
    _subscribe(engine)
    desk = dataclasses.replace(_desk(), stale_after=timedelta(hours=72))
    old = events.submitted("d-old").model_copy(update={"time": NOW - timedelta(days=4)})
    assert _handle(engine, old, desk) == 2
    assert [n.in_feed for n in _rows(engine, Notification, Notification.recipient == "AH-DS-TT")] == [True]
    assert _rows(engine, Delivery) == []
    _handle(engine, events.submitted("d-new"), desk)
    assert len(_rows(engine, Delivery)) == 2


def test_unsubscribing_cancels_the_webhooks_still_to_be_sent(engine: Engine) -> None:
    _subscribe(engine)
    _handle(engine, _submitted())
    with Session(engine) as session:
        subscriptions.unsubscribe(session, "demo-integrator", NOW)
        session.commit()
    (webhook,) = _rows(engine, Delivery, Delivery.channel == "webhook")
    assert webhook.status == DeliveryStatus.CANCELLED
    assert [e.detail for e in _rows(engine, DeliveryLogEntry)] == ["the client unsubscribed"]


def test_a_decision_line_without_a_number_still_renders_for_the_nominee() -> None:
    facts = {
        "dossier_id": "d-1",
        **notices_for(_decided(), None)[0].facts,
        "nominee_name": "A",
        "line_number": None,
    }
    rendered = Renderer(LINKS).render("decided", "vi", facts)
    assert rendered.body.startswith("Kính gửi A") and "sổ vàng" not in rendered.body


@pytest.mark.parametrize(
    ("host", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("ff0e::1", False),
        ("::ffff:127.0.0.1", False),
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
    ],
)
def test_webhooks_go_only_to_public_addresses(host: str, public: bool) -> None:
    from services.notifications.channels.webhook import is_public

    assert is_public(host) is public


# --- names, not codes ----------------------------------------------------------------------

D = "e9e50a36-1f0c-4c56-9a57-5d2d1b0a7c11"
REFERENCE = "HS-2026-0042"
CODES = re.compile(r"\b(AH-DS-TT|AH-DS|BKTTG|TTG|sign_off|public_comment|None)\b|[0-9a-f]{8}-[0-9a-f]{4}-")
"""What no one should have to read: organisation and award codes, step codes, UUIDs, a missing value."""
VI_CODES = re.compile(r"\b(unit|district|province|central|receipt|appraisal|clerk|officer|leader)\b")
"""Level, step and role codes, which Vietnamese texts must not show."""


def _task_opened(dossier: str, index: int, step: ReviewStepKind, *, named: bool = True) -> ReviewTaskOpened:
    return events.task_opened(dossier, index, step, named=named)


def _task_completed(
    dossier: str, index: int, step: ReviewStepKind, struck: list[StruckEntry] | None = None
) -> ReviewTaskCompleted:
    reviewer = events.CHAIN[index]
    return ReviewTaskCompleted(
        source="/tdkt/review-workflow",
        subject=dossier,
        time=NOW,
        data=ReviewTaskCompletedData(
            task_id=f"{dossier}.{index}.{reviewer.level.value}.{step.value}",
            dossier_id=dossier,
            level=reviewer.level,
            action=ReviewAction.RECOMMEND if struck else ReviewAction.ACCEPT,
            actor="can-bo",
            completed_at=NOW,
            organisation=reviewer.organisation,
            step=step,
            struck_entries=struck or [],
            submitting_organisation=events.ORGANISATION,
        ),
    )


def _with_reference(submitted: DossierSubmitted, reference: str | None) -> DossierSubmitted:
    data = submitted.data.model_copy(update={"external_reference": reference})
    return submitted.model_copy(update={"data": data})


def _every_notice() -> list[tuple[CloudEvent, NoticeDraft]]:
    """Each kind of notice as its audiences get it, from events as their producers publish them."""
    submitted = _with_reference(
        events.submitted(D, emails={f"{D}.v1.1": "khai@example.vn", f"{D}.v1.2": "on@example.vn"}), REFERENCE
    )
    dossier = facts_of_submission(submitted)
    revoked = events.revoked(D)
    happened: list[CloudEvent] = [
        submitted,
        events.closed(DossierReturned, D, "Thiếu biên bản họp"),
        _task_completed(
            D, 1, ReviewStepKind.APPRAISAL, [StruckEntry(entry_id=f"{D}.v1.2", reason="Chưa đủ")]
        ),
        events.closed(DossierRejected, D, "Thành tích chưa tiêu biểu"),
        events.closed(DossierWithdrawn, D, "Đơn vị rút"),
        events.decided(D),
        revoked,
        _task_opened(D, 1, ReviewStepKind.APPRAISAL),
        events.deadline(ReviewTaskReminded, D, f"{D}.0.unit.receipt"),
        events.deadline(ReviewTaskEscalated, D, f"{D}.0.unit.receipt"),
    ]
    return [(event, draft) for event in happened for draft in notices_for(event, dossier)]


def _render(event: CloudEvent, draft: NoticeDraft, language: str) -> str:
    rendered = Renderer(LINKS).render(draft.kind, language, {"dossier_id": event.subject, **draft.facts})
    return f"{rendered.subject}\n{rendered.body}"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_notice_names_organisations_award_nominees_and_levels(language: str) -> None:
    notices = _every_notice()
    assert {draft.kind for _, draft in notices} == set(NoticeKind)
    for event, draft in notices:
        text = _render(event, draft, language)
        assert not CODES.search(text), f"{draft.kind} to {draft.audience}:\n{text}"
        if language == "vi":
            assert not VI_CODES.search(text), f"{draft.kind} to {draft.audience}:\n{text}"
        if draft.audience.startswith("nominee:"):
            assert draft.recipient_name is not None and draft.recipient_name in text
        else:
            assert REFERENCE in text, f"{draft.kind}: the dossier by its reference\n{text}"
        if draft.kind not in (NoticeKind.DECIDED, NoticeKind.REVOKED):
            assert events.ORGANISATION_NAME in text, f"{draft.kind}: the submitter by name\n{text}"
        award = events.AWARD_NAME_EN if language == "en" else events.AWARD_NAME
        assert award in text or (draft.kind is NoticeKind.REVOKED and "Nguyễn Thị Minh Khai" in text)


def test_notices_read_as_a_person_expects() -> None:
    texts = {(draft.kind, draft.audience): _render(event, draft, "vi") for event, draft in _every_notice()}
    assert texts[(NoticeKind.RETURNED, "AH-DS-TT")].startswith(
        f"Hồ sơ {REFERENCE} cần bổ sung\nHồ sơ {REFERENCE} của Ủy ban nhân dân xã Tân Tiến đề nghị tặng Bằng khen của "
        "Thủ tướng Chính phủ được trả lại ở cấp xã/huyện (Ủy ban nhân dân huyện Đông Sơn) để bổ sung"
    )
    assert "\n- Trần Văn Ơn: Chưa đủ\n" in texts[(NoticeKind.STRUCK, "AH-DS-TT")], "struck by name"
    assert texts[(NoticeKind.TASK_OPENED, "AH-DS#officer")].startswith(
        f"Cần xử lý — Thẩm định: hồ sơ {REFERENCE}\n"
        f"Hồ sơ {REFERENCE} của Ủy ban nhân dân xã Tân Tiến đề nghị tặng Bằng khen của Thủ tướng Chính phủ đang "
        "chờ bước Thẩm định ở cấp xã/huyện (Ủy ban nhân dân huyện Đông Sơn), phần việc của chuyên viên.\n"
        "Hạn xử lý: 22/12/2026."
    )


def test_a_dossier_without_a_reference_is_named_by_its_award_and_submitter() -> None:
    submitted = _with_reference(events.submitted(D), None)
    (draft, _) = notices_for(submitted, facts_of_submission(submitted))
    text = _render(submitted, draft, "vi")
    assert text.startswith(
        "Đã tiếp nhận hồ sơ đề nghị tặng Bằng khen của Thủ tướng Chính phủ do Ủy ban nhân dân xã Tân Tiến trình\n"
    )
    assert D not in text


def test_an_older_event_without_names_reads_its_codes_rather_than_failing() -> None:
    opened = _task_opened(D, 1, ReviewStepKind.APPRAISAL, named=False)
    (draft,) = notices_for(opened, None)
    text = _render(opened, draft, "vi")
    assert text.startswith("Cần xử lý — Thẩm định: hồ sơ đề nghị tặng BKTTG do AH-DS-TT trình\n")
    assert "ở cấp xã/huyện, phần việc của chuyên viên" in text


# --- the nominee's e-mail ------------------------------------------------------------------


def _nominee_mail(award: dict[str, Any] | None = None) -> str:
    submitted = events.submitted(D, emails={f"{D}.v1.1": "khai@example.vn"})
    if award is not None:
        particulars = submitted.data.particulars
        assert particulars is not None
        data = submitted.data.model_copy(
            update={
                "particulars": particulars.model_copy(update=award),
                "award_name_en": award.get("award_name_en"),
            }
        )
        submitted = submitted.model_copy(update={"data": data})
    drafts = notices_for(events.decided(D), facts_of_submission(submitted))
    (draft,) = [d for d in drafts if d.audience.startswith("nominee:")]
    return _render(events.decided(D), draft, "vi")


def test_the_nominees_email_keeps_its_link_and_names_the_award_and_its_document() -> None:
    text = _nominee_mail()
    assert f"{LINKS.of_certificate('q-1', 1)}\n" in text, "the link ends its line"
    assert "\nKiểm tra chữ ký số: https://decisions.example/v1/verify\n" in text
    assert "tặng Bằng khen của Thủ tướng Chính phủ cho Nguyễn Thị Minh Khai (số sổ vàng 1)" in text
    assert "\nBằng khen có chữ ký số được gửi kèm thư này" in text
    assert "Giấy chứng nhận" not in text, "a Bằng khen is not a certificate"


@pytest.mark.parametrize(
    ("award", "awarded", "document"),
    [
        (
            {"award_name_vi": "Chiến sĩ thi đua cơ sở", "award_is_title": True},
            "tặng danh hiệu “Chiến sĩ thi đua cơ sở” năm 2026 cho",
            "\nGiấy chứng nhận danh hiệu có chữ ký số",
        ),
        (
            {"award_name_vi": "Giấy khen", "award_is_title": False},
            "tặng Giấy khen cho",
            "\nGiấy khen có chữ ký số",
        ),
        (
            {"award_name_vi": "Huân chương Lao động hạng Ba", "award_is_title": False},
            "tặng Huân chương Lao động hạng Ba cho",
            "\nBằng Huân chương Lao động hạng Ba có chữ ký số",
        ),
    ],
    ids=["title", "giay-khen", "order"],
)
def test_the_nominees_document_is_the_kind_its_award_gives(
    award: dict[str, Any], awarded: str, document: str
) -> None:
    text = _nominee_mail(award)
    assert awarded in text and document in text, text


def test_the_certificate_attached_is_named_after_its_kind_and_decision(engine: Engine) -> None:
    _handle(engine, events.submitted("d-1", emails={"d-1.v1.1": "khai@example.vn"}))
    _handle(engine, _decided())
    (mail,) = _rows(engine, Delivery, Delivery.recipient == "nominee:d-1.v1.1")
    assert (_attachment(mail)[2], mail.recipient_name) == (
        "bang-khen-07-qd-ttg-1.pdf",
        "Nguyễn Thị Minh Khai",
    )


def test_the_feed_entry_event_names_its_recipient_for_the_dossier_history(engine: Engine) -> None:
    _handle(engine, _submitted())
    sent = [
        json.loads(record.value)
        for record in _rows(engine, OutboxRecord)
        if json.loads(record.value)["type"] == event_type_name(NotificationSent)
    ]
    assert [event["data"]["recipient_name"] for event in sent] == [events.ORGANISATION_NAME]


# --- e-mail on the wire --------------------------------------------------------------------

LONG_SUBJECT = (
    "Cần xử lý — Hội đồng: hồ sơ đề nghị tặng Bằng khen của Thủ tướng Chính phủ do Trường Trung học cơ sở "
    "Tân Tiến trình, chờ họp Hội đồng Thi đua - Khen thưởng cấp tỉnh"
)


def _wire(subject: str) -> EmailMessage:
    """``subject`` sent through the channel's message building, flattened as aiosmtplib puts it on
    the wire, and read back as a mail client would."""
    mail = OutgoingEmail("x-1", "van-thu@example.vn", subject, "Nội dung\n")
    raw = flatten_message(build_message(mail, "tdkt@example.vn", "Tue, 24 Nov 2026 03:00:00 -0000"))
    assert all(len(line) <= 78 for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n")), "RFC 5322 line length"
    parsed = message_from_bytes(raw, policy=email_policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_long_vietnamese_subject_keeps_every_space_where_it_is_folded() -> None:
    parsed = _wire(LONG_SUBJECT)
    assert parsed["Subject"] == LONG_SUBJECT
    body = parsed.get_body(("plain",))
    assert body is not None and body.get_content().splitlines() == ["Nội dung"]


def test_no_subject_loses_a_space_whatever_its_words() -> None:
    words = [*LONG_SUBJECT.split(), "DEMO-0001", "(cấp", "xã/huyện):", "Ủy", "ban", "nhân", "dân"]
    rng = random.Random(7)
    for _ in range(300):
        subject = " ".join(rng.choice(words) for _ in range(rng.randint(3, 40)))
        assert _wire(subject)["Subject"] == subject
    assert _wire("Quyết định số 07/QĐ-TTg")["Subject"] == "Quyết định số 07/QĐ-TTg"
    assert _wire("Reminder digest: 2 task(s)")["Subject"] == "Reminder digest: 2 task(s)"


# --- reviewers: one e-mail to the role that acts, and a feed that forgets done tasks -------

STEPS = (ReviewStepKind.RECEIPT, ReviewStepKind.APPRAISAL, ReviewStepKind.SIGN_OFF)


def _review_through_four_levels(engine: Engine, desk: NoticeDesk, dossier: str = "d-1") -> None:
    for index in range(len(events.CHAIN)):
        for step in STEPS:
            _handle(engine, _task_opened(dossier, index, step), desk)
            _handle(engine, _task_completed(dossier, index, step), desk)


def _mailed(engine: Engine) -> Counter[str]:
    return Counter(delivery.target for delivery in _rows(engine, Delivery, Delivery.channel == "email"))


def test_each_step_is_mailed_once_to_the_role_that_acts_not_to_the_whole_office(engine: Engine) -> None:
    directory = load_directory(Path(__file__).parents[2] / "deploy" / "dev-mailboxes.json")
    _review_through_four_levels(engine, _desk(directory=directory))
    expected = Counter(
        directory.get(f"{reviewer.organisation}#{STEP_ROLES[step]}", directory[reviewer.organisation])
        for reviewer in events.CHAIN
        for step in STEPS
    )
    assert _mailed(engine) == expected
    assert max(expected.values()) == 1, "no mailbox hears of one dossier's steps more than once a level"


def test_a_role_without_a_mailbox_is_mailed_at_its_organisations_under_its_preferences(
    engine: Engine,
) -> None:
    desk = _desk(directory={"AH-DS": "van-thu@ds.example.vn", "AH-DS#officer": "cv@ds.example.vn"})
    for step in STEPS[:2]:
        _handle(engine, _task_opened("d-1", 1, step), desk)
    assert _mailed(engine) == Counter({"van-thu@ds.example.vn": 1, "cv@ds.example.vn": 1})
    with Session(engine) as session:
        preferences.set_preference(session, "AH-DS", PreferenceUpdate(email=False), "lanh-dao", NOW)
        session.commit()
    _handle(engine, _task_opened("d-1", 1, ReviewStepKind.SIGN_OFF), desk)
    _handle(engine, _task_opened("d-2", 1, ReviewStepKind.APPRAISAL), desk)
    assert _mailed(engine) == Counter({"van-thu@ds.example.vn": 1, "cv@ds.example.vn": 2}), (
        "an organisation that turned e-mail off is not mailed for its roles either; a role's own mailbox is"
    )


def _feed(engine: Engine, reader: str, *roles: str) -> FeedPage:
    audiences = [events.ORGANISATION, *(f"{events.ORGANISATION}#{role}" for role in roles)]
    with Session(engine) as session:
        return feed.feed(session, audiences, reader, unread_only=False, dossier_id=None, limit=50, offset=0)


def test_a_done_tasks_notices_count_as_read_for_everyone_and_its_held_reminder_is_not_sent(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        preferences.set_preference(
            session, events.ORGANISATION, PreferenceUpdate(digest_reminders=True), "x", NOW
        )
        session.commit()
    receipt = _task_opened("d-1", 0, ReviewStepKind.RECEIPT)
    reminded = _deadline(ReviewTaskReminded, receipt.data.task_id)
    reminded = reminded.model_copy(update={"data": reminded.data.model_copy(update={"role": "clerk"})})
    _handle(engine, receipt)
    _handle(engine, reminded)
    assert (_feed(engine, "van-thu.1", "clerk").unread, _feed(engine, "van-thu.2", "clerk").unread) == (2, 2)
    (held,) = _rows(engine, Delivery, Delivery.status == DeliveryStatus.HELD)

    _handle(engine, _task_completed("d-1", 0, ReviewStepKind.RECEIPT))
    _handle(engine, _task_opened("d-1", 0, ReviewStepKind.APPRAISAL))
    for reader in ("van-thu.1", "van-thu.2"):
        page = _feed(engine, reader, "clerk", "officer")
        assert page.unread == 1, "only the task still to do"
        done = {item.kind: (item.read, item.done) for item in page.items if item.kind != "task_opened"}
        assert done == {"task_reminder": (True, True)}
        assert sorted((item.done, item.read) for item in page.items if item.kind == "task_opened") == [
            (False, False),
            (True, True),
        ]
    with Session(engine) as session:
        cancelled = session.get_one(Delivery, held.id)
        assert cancelled.status == DeliveryStatus.CANCELLED
        assert dispatch.release_digests(session, NOW + timedelta(days=2), Renderer(LINKS)) == 0
    assert [e.detail for e in _rows(engine, DeliveryLogEntry, DeliveryLogEntry.delivery_id == held.id)][
        -1
    ] == ("the task was done before the digest")


def test_a_withdrawn_dossier_settles_its_open_task(engine: Engine) -> None:
    _handle(engine, _task_opened("d-1", 0, ReviewStepKind.RECEIPT))
    assert _feed(engine, "van-thu.1", "clerk").unread == 1
    _handle(engine, events.closed(DossierWithdrawn, "d-1", "Đơn vị rút"))
    assert [item.kind for item in _feed(engine, "van-thu.1", "clerk").items if not item.read] == ["withdrawn"]


async def test_a_webhooks_failure_reason_is_stable_and_names_no_address() -> None:
    """Real refusals by the network (a closed port, TLS to a plain-HTTP server) give the delivery
    log its stable reason, not the error's text with the address it tried."""

    async def plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(plain_http, "127.0.0.1", 0)
    plain_port = server.sockets[0].getsockname()[1]
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            for url, reason in (
                (f"http://127.0.0.1:{closed_port}/hook", "connection refused"),
                (f"https://127.0.0.1:{plain_port}/hook", "TLS error"),
            ):
                with pytest.raises(httpx.HTTPError) as raised:
                    await http.post(url)
                assert failure_reason(raised.value) == reason
    finally:
        server.close()
        await server.wait_closed()
