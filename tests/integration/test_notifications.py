"""Notifications against the real broker, a real SMTP server (aiosmtpd) and a local webhook
receiver: events in, e-mails and signed webhooks out, with retries, dead letters, redelivery,
digests, deduplication and a sender killed mid-attempt. The end-to-end case runs the whole
pipeline: a dossier reviewed to its decision, the nominee mailed the signed certificate."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from contracts.envelope import CloudEvent, kafka_headers
from contracts.events import DossierReturned, ReviewTaskReminded
from contracts.topics import Topic, topic_name
from contracts.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, verify_signature
from deploy import apps, devsecrets, infra
from deploy.infra import kafka_access
from servicekit.kafka import client_options, ensure_topics
from servicekit.settings import KitSettings
from tests.integration.conftest import MAILBOXES, Pipeline
from tests.support import events
from tests.support.identity import Identity
from tests.support.mail import MailCatcher
from tests.support.receiver import WebhookReceiver
from tools.demo import demo_dossier, run_demo
from tools.waiting import eventually

ORGANISATION_MAILBOX = "van-thu@ah-ds-tt.example.vn"
MAX_ATTEMPTS = 3
RETRY_BASE_SECONDS = 0.4
LEASE_SECONDS = 3


@dataclass
class Notifier:
    """One notifications process on its own topics and SQLite database."""

    process: apps.AppProcess
    kit: KitSettings
    env: dict[str, str]
    mail: MailCatcher
    receiver: WebhookReceiver
    identity: Identity
    """The stack's Keycloak: officers' and integrating systems' tokens (clients made on demand)."""

    @property
    def url(self) -> str:
        return self.process.url()

    async def publish(self, topic: Topic, *published: CloudEvent) -> None:
        """Publish ``published`` as happening now: the service reads the real clock, and an event
        older than its ``stale_after_hours`` reaches the feed only."""
        producer = AIOKafkaProducer(**client_options(self.kit))
        await producer.start()
        try:
            for stamped in published:
                event = stamped.model_copy(update={"time": datetime.now(UTC)})
                await producer.send_and_wait(
                    topic_name(topic, self.kit.topic_prefix),
                    event.to_kafka_value(),
                    key=event.kafka_key,
                    headers=[(k, v.encode()) for k, v in kafka_headers().items()],
                )
        finally:
            await producer.stop()

    def client(self, client_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.identity.client_token(client_id)}"}

    def officer(self, subject: str, *roles: str) -> dict[str, str]:
        token = self.identity.staff_token(events.ORGANISATION, *roles, subject=subject)
        return {"Authorization": f"Bearer {token}"}

    async def subscribe(self, client_id: str, path: str) -> str:
        async with httpx.AsyncClient() as http:
            response = await http.put(
                f"{self.url}/v1/webhooks/subscription",
                json={"url": self.receiver.url(path)},
                headers=self.client(client_id),
            )
        assert response.status_code == 201, response.text
        secret: str = response.json()["secret"]
        return secret

    async def deliveries(self, client_id: str, **params: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient() as http:
            response = await http.get(
                f"{self.url}/v1/webhooks/deliveries", params=params, headers=self.client(client_id)
            )
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "services.notifications.cli", *args],
            env=self.env,
            cwd=infra.REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout

    def logs(self) -> str:
        return infra.tail(self.process.log_file, 60)


@pytest.fixture(scope="module")
async def notifier(infrastructure: None, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Notifier]:
    state_dir: Path = tmp_path_factory.mktemp("notifier")
    prefix = f"test-{uuid.uuid4().hex[:8]}."
    mail, receiver = MailCatcher().start(), WebhookReceiver().start()
    secret_files = devsecrets.ensure_dev_secrets(state_dir / "secrets")
    directory = state_dir / "mailboxes.json"
    directory.write_text(json.dumps({events.ORGANISATION: ORGANISATION_MAILBOX}))
    spec = next(spec for spec in apps.APPS if spec.name == "notifications")
    env = {
        **os.environ,
        **secret_files,
        "TDKT_AUTH_ISSUER": infra.keycloak_issuer(),
        **apps.bus_environment(),
        "TDKT_TOPIC_PREFIX": prefix,
        "TDKT_DATA_DIR": str(state_dir / "data"),
        spec.port_variable: str(apps.free_port()),
        "TDKT_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "TDKT_NOTIFICATIONS_SMTP_PORT": str(mail.port),
        "TDKT_NOTIFICATIONS_DIRECTORY_FILE": str(directory),
        "TDKT_NOTIFICATIONS_WEBHOOK_ALLOW_HTTP": "true",
        "TDKT_NOTIFICATIONS_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "TDKT_NOTIFICATIONS_RETRY_BASE_SECONDS": str(RETRY_BASE_SECONDS),
        "TDKT_NOTIFICATIONS_RETRY_CAP_SECONDS": "2",
        "TDKT_NOTIFICATIONS_LEASE_SECONDS": str(LEASE_SECONDS),
        "TDKT_NOTIFICATIONS_SEND_TIMEOUT_SECONDS": "2",
        "TDKT_NOTIFICATIONS_DISPATCH_POLL_SECONDS": "0.2",
    }
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    kit = KitSettings(
        kafka_bootstrap_servers=env["TDKT_KAFKA_BOOTSTRAP_SERVERS"],
        kafka_credentials_file=env["TDKT_KAFKA_CREDENTIALS_FILE"],
        topic_prefix=prefix,
    )
    await ensure_topics(kit)
    await asyncio.to_thread(kafka_access.apply_access, prefix)
    process = apps.AppProcess(spec, env, state_dir)
    identity = Identity()
    await asyncio.to_thread(process.ensure_up)
    yield Notifier(
        process=process,
        kit=kit,
        env=env,
        mail=mail,
        receiver=receiver,
        identity=identity,
    )
    await asyncio.to_thread(process.ensure_down)
    await asyncio.to_thread(kafka_access.revoke_access, prefix)
    identity.close()
    receiver.stop()
    mail.stop()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _text(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    text: str = body.get_content()
    return text.replace("\r\n", "\n")  # as a mail client shows it


def _notice(request: Any) -> dict[str, Any]:
    notice: dict[str, Any] = json.loads(request.body)
    return notice


async def test_a_returned_dossier_reaches_the_mailbox_the_feed_and_the_systems_signed_webhook(
    notifier: Notifier,
) -> None:
    secret = await notifier.subscribe("client-a", "/a")
    dossier = f"d-{uuid.uuid4().hex[:8]}"
    await notifier.publish(Topic.INTAKE_EVENTS, events.submitted(dossier, client_id="client-a"))
    await notifier.publish(Topic.REVIEW_EVENTS, events.closed(DossierReturned, dossier, "Thiếu biên bản họp"))

    def returned_webhook() -> Any:
        kinds = {_notice(r)["data"]["kind"]: r for r in notifier.receiver.received("/a")}
        return kinds.get("returned") if "received" in kinds else None

    request = await eventually(returned_webhook, timeout=30, what="the returned notice by webhook")
    verify_signature(secret, request.headers[SIGNATURE_HEADER.lower()], request.body, now=time.time())
    notice = _notice(request)
    assert notice["type"] == "vn.tdkt.webhook.dossier.notice.v1" and notice["subject"] == dossier
    assert (
        notice["data"]["reason"] == "Thiếu biên bản họp"
        and notice["data"]["external_reference"] == f"HS-{dossier}"
    )
    assert notice["data"]["title"] == f"Hồ sơ HS-{dossier} cần bổ sung"

    def returned_mail() -> Any:
        return [
            m for m in notifier.mail.to(ORGANISATION_MAILBOX) if f"HS-{dossier} cần bổ sung" in m["Subject"]
        ]

    (mail,) = await eventually(returned_mail, timeout=30, what="the returned notice by e-mail")
    assert "Lý do: Thiếu biên bản họp" in _text(mail)

    async def both_delivered() -> list[dict[str, Any]] | None:
        found = await notifier.deliveries("client-a", dossier_id=dossier)
        return found if [d["status"] for d in found] == ["delivered", "delivered"] else None

    deliveries = await eventually(both_delivered, timeout=30, what="the delivery log")
    assert request.headers[DELIVERY_HEADER.lower()] in {d["delivery_id"] for d in deliveries}
    assert [entry["outcome"] for entry in deliveries[0]["log"]] == ["sending", "delivered"]

    async with httpx.AsyncClient() as http:
        clerk = notifier.officer("clerk.1", "clerk")
        feed = (
            await http.get(f"{notifier.url}/v1/feed", params={"dossier_id": dossier}, headers=clerk)
        ).json()
        assert [item["kind"] for item in feed["items"]] == ["returned", "received"] and feed["unread"] == 2
        marked = await http.post(f"{notifier.url}/v1/feed/read", json={}, headers=clerk)
        assert marked.json()["changed"] >= 2
        again = (
            await http.get(f"{notifier.url}/v1/feed", params={"dossier_id": dossier}, headers=clerk)
        ).json()
        assert again["unread"] == 0
        subscription = (
            await http.get(f"{notifier.url}/v1/webhooks/subscription", headers=notifier.client("client-a"))
        ).json()
        assert subscription["secret"] is None, "the secret is shown once"
        anonymous = await http.get(f"{notifier.url}/v1/feed")
        assert anonymous.status_code == 401 and anonymous.json()["code"] == "missing-token"
        not_http = await http.put(
            f"{notifier.url}/v1/webhooks/subscription",
            json={"url": "ftp://x"},
            headers=notifier.client("client-z"),
        )
        assert not_http.status_code == 422


async def test_failures_back_off_then_dead_letter_and_a_redelivery_gets_through(notifier: Notifier) -> None:
    await notifier.subscribe("client-b", "/b")
    notifier.receiver.statuses["/b"] = 503
    notifier.mail.refuse_next = 1
    dossier = f"d-{uuid.uuid4().hex[:8]}"
    await notifier.publish(Topic.INTAKE_EVENTS, events.submitted(dossier, client_id="client-b"))

    async def dead() -> dict[str, Any] | None:
        found = await notifier.deliveries("client-b", dossier_id=dossier)
        return found[0] if found and found[0]["status"] == "dead" else None

    delivery = await eventually(dead, timeout=60, what="the webhook dead-lettered")
    log = delivery["log"]
    assert [entry["outcome"] for entry in log] == ["sending", "failed"] * MAX_ATTEMPTS + ["dead-lettered"]
    assert "HTTP 503" in log[1]["detail"] and delivery["attempts"] == MAX_ATTEMPTS
    starts = [datetime.fromisoformat(entry["at"]) for entry in log if entry["outcome"] == "sending"]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(starts)]
    # half of base·2^(n−1) is fixed: at least 0.2 s, then 0.4 s
    assert gaps[0] >= RETRY_BASE_SECONDS / 2 and gaps[1] >= RETRY_BASE_SECONDS, gaps

    notifier.receiver.statuses["/b"] = 204
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{notifier.url}/v1/webhooks/deliveries/{delivery['delivery_id']}/redeliver",
            headers=notifier.client("client-b"),
        )
        assert response.status_code == 202, response.text
        foreign = await http.post(
            f"{notifier.url}/v1/webhooks/deliveries/{delivery['delivery_id']}/redeliver",
            headers=notifier.client("client-a"),
        )
        assert foreign.status_code == 404

    async def delivered() -> dict[str, Any] | None:
        found = await notifier.deliveries("client-b", dossier_id=dossier)
        return found[0] if found[0]["status"] == "delivered" else None

    await eventually(delivered, timeout=30, what="the redelivered webhook")
    requests = notifier.receiver.received("/b")
    assert len(requests) == MAX_ATTEMPTS + 1
    assert len({r.headers[DELIVERY_HEADER.lower()] for r in requests}) == 1, "one delivery, several attempts"

    # the organisation's e-mail was refused once (451) and went through on the next attempt
    def mailed() -> Any:
        return [m for m in notifier.mail.to(ORGANISATION_MAILBOX) if f"HS-{dossier}" in m["Subject"]]

    await eventually(mailed, timeout=30, what="the e-mail after a refusal")
    (mail_delivery,) = [
        json.loads(line)
        for line in notifier.cli("deliveries", "--channel", "email", "--dossier", dossier).splitlines()
    ]
    assert [entry["outcome"] for entry in mail_delivery["log"]] == [
        "sending",
        "failed",
        "sending",
        "delivered",
    ]
    assert "451" in mail_delivery["log"][1]["detail"]


async def test_an_operator_redelivers_dead_letters_from_the_command_line(notifier: Notifier) -> None:
    await notifier.subscribe("client-d", "/d")
    notifier.receiver.statuses["/d"] = 500
    dossier = f"d-{uuid.uuid4().hex[:8]}"
    await notifier.publish(Topic.INTAKE_EVENTS, events.submitted(dossier, client_id="client-d"))

    async def dead() -> Any:
        found = await notifier.deliveries("client-d", dossier_id=dossier)
        return found if found and found[0]["status"] == "dead" else None

    await eventually(dead, timeout=60, what="the webhook dead-lettered")
    notifier.receiver.statuses["/d"] = 200
    queued = json.loads(notifier.cli("redeliver", "--dead", "--channel", "webhook"))["queued"]
    assert queued

    async def delivered() -> Any:
        found = await notifier.deliveries("client-d", dossier_id=dossier)
        return found if found[0]["status"] == "delivered" else None

    (delivery,) = await eventually(delivered, timeout=30, what="the redelivered webhook")
    requested = [entry for entry in delivery["log"] if entry["outcome"] == "redelivery-requested"]
    assert len(requested) == 1 and requested[0]["detail"].startswith("by operator")


async def test_a_redelivered_event_sends_nothing_twice(notifier: Notifier) -> None:
    await notifier.subscribe("client-e", "/e")
    dossier = f"d-{uuid.uuid4().hex[:8]}"
    event = events.submitted(dossier, client_id="client-e")
    await notifier.publish(Topic.INTAKE_EVENTS, event, event, event)
    # the same dossier keys the same partition: once this later event is through, so are the repeats
    await notifier.publish(
        Topic.INTAKE_EVENTS,
        events.submitted(dossier, client_id="client-e").model_copy(update={"id": f"{event.id}-amended"}),
    )

    def two_received() -> Any:
        return [m for m in notifier.mail.to(ORGANISATION_MAILBOX) if f"HS-{dossier}" in m["Subject"]]

    await eventually(lambda: len(two_received()) >= 2 or None, timeout=30, what="the second event's e-mail")

    async def settled() -> Any:
        found = await notifier.deliveries("client-e", dossier_id=dossier)
        return found if len(found) == 2 and {d["status"] for d in found} == {"delivered"} else None

    await eventually(settled, timeout=30, what="both webhooks delivered")
    assert len(two_received()) == 2, "three deliveries of one event, one e-mail"
    assert len(notifier.receiver.received("/e")) == 2


async def test_reminders_wait_for_the_daily_digest_when_asked(notifier: Notifier) -> None:
    async with httpx.AsyncClient() as http:
        leader = notifier.officer("leader.1", "leader")
        preference = await http.put(
            f"{notifier.url}/v1/preferences/{events.ORGANISATION}",
            json={"digest_reminders": True},
            headers=leader,
        )
        assert preference.status_code == 200 and preference.json()["digest_reminders"] is True
        clerk = notifier.officer("clerk.1", "clerk")
        forbidden = await http.put(
            f"{notifier.url}/v1/preferences/{events.ORGANISATION}", json={}, headers=clerk
        )
        assert forbidden.status_code == 403 and forbidden.json()["code"] == "not-your-recipient"
    dossier = f"d-{uuid.uuid4().hex[:8]}"
    await notifier.publish(
        Topic.REVIEW_EVENTS,
        events.deadline(ReviewTaskReminded, dossier, f"{dossier}.t1"),
        events.deadline(ReviewTaskReminded, dossier, f"{dossier}.t2"),
    )

    async def in_feed() -> Any:
        async with httpx.AsyncClient() as http:
            feed = (
                await http.get(
                    f"{notifier.url}/v1/feed",
                    params={"dossier_id": dossier},
                    headers=notifier.officer("clerk.c", "clerk"),
                )
            ).json()
        return feed if feed["total"] == 2 else None

    await eventually(in_feed, timeout=30, what="the reminders in the feed at once")
    digests_before = len([m for m in notifier.mail.messages if "Tổng hợp nhắc hạn" in m["Subject"]])
    assert not [m for m in notifier.mail.messages if dossier in _text(m)], "held for the digest"
    notifier.cli("send-digests")

    def digest() -> Any:
        found = [m for m in notifier.mail.messages if "Tổng hợp nhắc hạn" in m["Subject"]]
        return found[-1] if len(found) > digests_before else None

    mail = await eventually(digest, timeout=30, what="the digest")
    # no submission was seen for this dossier: its id is all there is to name it by
    assert f"\n1. Nhắc hạn xét duyệt hồ sơ {dossier}\n" in _text(mail)
    assert f"\n2. Nhắc hạn xét duyệt hồ sơ {dossier}\n" in _text(mail)
    async with httpx.AsyncClient() as http:
        await http.put(
            f"{notifier.url}/v1/preferences/{events.ORGANISATION}",
            json={"digest_reminders": False},
            headers=notifier.officer("leader.1", "leader"),
        )


async def _webhook_held_by_the_receiver(notifier: Notifier, client_id: str, path: str) -> str:
    """A dossier whose receipt webhook to ``client_id`` has reached the receiver, which holds its
    answer until ``receiver.release`` is set; returns the dossier's id."""
    await notifier.subscribe(client_id, path)
    notifier.receiver.hold.set()
    notifier.receiver.release.clear()
    dossier = f"d-{uuid.uuid4().hex[:8]}"
    await notifier.publish(Topic.INTAKE_EVENTS, events.submitted(dossier, client_id=client_id))
    await eventually(
        lambda: notifier.receiver.received(path) or None, timeout=30, what="the attempt under way"
    )
    return dossier


async def test_a_stopping_service_finishes_the_attempt_under_way(notifier: Notifier) -> None:
    dossier = await _webhook_held_by_the_receiver(notifier, "client-g", "/g")
    log = notifier.process.log_file
    seen = log.stat().st_size
    stopping = asyncio.create_task(asyncio.to_thread(notifier.process.ensure_down))  # SIGTERM, then wait
    await eventually(
        lambda: "Shutting down" in log.read_bytes()[seen:].decode(errors="replace") or None,
        timeout=10,
        what="the service told to stop",
    )
    notifier.receiver.release.set()  # the receiver answers only now, while the service is stopping
    await stopping
    notifier.receiver.hold.clear()
    notifier.receiver.release.clear()
    (delivery,) = [
        json.loads(line)
        for line in notifier.cli("deliveries", "--channel", "webhook", "--dossier", dossier).splitlines()
    ]
    assert [(e["attempt"], e["outcome"]) for e in delivery["log"]] == [(1, "sending"), (1, "delivered")]
    await asyncio.to_thread(notifier.process.ensure_up)


async def test_a_sender_killed_mid_attempt_sends_once_more_and_the_log_says_so(notifier: Notifier) -> None:
    dossier = await _webhook_held_by_the_receiver(notifier, "client-c", "/c")
    pid = notifier.process.find_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # between sending and recording the outcome
    await eventually(
        lambda: (
            (notifier.process.find_pid(clean=False) is None and not _listening(notifier.process.port()))
            or None
        ),
        timeout=10,
        what="the process gone",
    )
    notifier.receiver.hold.clear()
    notifier.receiver.release.set()
    await asyncio.to_thread(notifier.process.ensure_up)

    await eventually(
        lambda: len(notifier.receiver.received("/c")) >= 2 or None, timeout=30, what="the attempt sent again"
    )

    async def delivered() -> Any:
        found = await notifier.deliveries("client-c", dossier_id=dossier)
        return found[0] if found and found[0]["status"] == "delivered" else None

    delivery = await eventually(delivered, timeout=30, what="the delivery recorded")
    assert [(e["attempt"], e["outcome"]) for e in delivery["log"]] == [
        (1, "sending"),
        (1, "interrupted"),
        (2, "sending"),
        (2, "delivered"),
    ], notifier.logs()
    assert "may get it twice" in delivery["log"][1]["detail"]
    requests = notifier.receiver.received("/c")
    assert len(requests) == 2 and len({r.headers[DELIVERY_HEADER.lower()] for r in requests}) == 1


async def test_from_review_to_decision_the_nominee_gets_the_signed_certificate(pipeline: Pipeline) -> None:
    receiver = WebhookReceiver().start()
    integrator = await pipeline.integrator_headers()
    subscription = f"{pipeline.endpoints.notifications}/v1/webhooks/subscription"
    async with httpx.AsyncClient() as http:
        made = await http.put(subscription, json={"url": receiver.url("/tdkt")}, headers=integrator)
        assert made.status_code in (200, 201), made.text
        if made.status_code == 200:  # subscribed before (the API fuzzing does): a fresh secret
            made = await http.post(f"{subscription}/secret", headers=integrator)
        secret = made.json()["secret"]
        dossier = demo_dossier()
        address = f"nominee-{uuid.uuid4().hex[:6]}@example.vn"
        dossier["entries"][0]["email"] = address
        dossier["external_reference"] = f"NOTIFY-{uuid.uuid4().hex[:6]}"
        result = await run_demo(pipeline.endpoints, pipeline.credentials, dossier, say=lambda _line: None)

        (mail,) = await eventually(
            lambda: pipeline.mail.to(address) or None, timeout=60, what="the nominee's e-mail"
        )
        subject = f"Quyết định số {result.decision_number} tặng Bằng khen của Thủ tướng Chính phủ"
        assert mail["Subject"] == subject
        text = _text(mail)
        assert text.startswith("Kính gửi Nguyễn Thị Minh Khai,\n")
        assert "tặng Bằng khen của Thủ tướng Chính phủ cho Nguyễn Thị Minh Khai (số sổ vàng 1)" in text
        # the certificate's link ends its line; the document is the Bằng khen itself
        assert re.search(
            r"\nBằng khen có chữ ký số được gửi kèm thư này; bản gốc tải tại \S+/certificates/1\n", text
        )
        (attachment,) = list(mail.iter_attachments())
        number = result.decision_number.lower().replace("/", "-").replace("đ", "d")  # 07/QĐ-TTg: 07-qd-ttg
        assert attachment.get_filename() == f"bang-khen-{number}-1.pdf"
        certificate = attachment.get_content()
        assert attachment.get_content_type() == "application/pdf" and certificate.startswith(b"%PDF")
        verified = await http.post(
            f"{pipeline.endpoints.decisions}/v1/verify",
            files={"file": ("c.pdf", certificate, "application/pdf")},
            timeout=30,  # read in a confined child process: seconds on a busy machine
        )
        assert verified.json()["valid"] is True, verified.text

        school = MAILBOXES[demo_dossier()["submitting_organisation"]]

        def decided_mail() -> Any:
            return [m for m in pipeline.mail.to(school) if m["Subject"] == subject] or None

        (school_mail,) = await eventually(decided_mail, timeout=30, what="the school's e-mail")
        assert _text(school_mail).startswith(f"Hồ sơ {dossier['external_reference']} đã có Quyết định số")

        # each step's e-mail went once to the mailbox of the role that acts, naming what it is about
        view = (
            await http.get(f"{pipeline.endpoints.intake}/v1/dossiers/{result.dossier_id}", headers=integrator)
        ).json()
        mailboxes = {
            MAILBOXES.get(f"{step['organisation']}#{role}", MAILBOXES.get(step["organisation"]))
            for step in view["review_chain"]
            for role in ("clerk", "officer", "leader")
        }

        def task_mails() -> list[EmailMessage] | None:
            found = [
                m
                for m in pipeline.mail.messages
                if m["Subject"].startswith("Cần xử lý") and dossier["external_reference"] in m["Subject"]
            ]
            return found if len(found) >= 3 * len(view["review_chain"]) else None

        tasks = await eventually(task_mails, timeout=30, what="the reviewers' e-mails")
        assert Counter(m["To"] for m in tasks) == Counter(dict.fromkeys(mailboxes, 1)), "once per role"
        for m in tasks:
            assert "Trường Trung học cơ sở Tân Tiến" in _text(m) and "AH-" not in _text(m), _text(m)

        def decided_webhook() -> Any:
            for request in receiver.received("/tdkt"):
                notice = _notice(request)
                if notice["subject"] == result.dossier_id and notice["data"]["kind"] == "decided":
                    return request
            return None

        request = await eventually(decided_webhook, timeout=30, what="the integrator's signed webhook")
        verify_signature(secret, request.headers[SIGNATURE_HEADER.lower()], request.body, now=time.time())
        data = _notice(request)["data"]
        assert (data["decision_number"], data["external_reference"]) == (
            result.decision_number,
            dossier["external_reference"],
        )
        assert data["decision_url"].startswith(pipeline.endpoints.decisions)
        assert (await http.delete(subscription, headers=integrator)).status_code == 204
    receiver.stop()
