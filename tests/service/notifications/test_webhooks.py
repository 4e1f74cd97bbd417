"""Webhooks (``/v1/webhooks/…``; ``handlers/webhooks.py``): an integrating system subscribes (the
secret shown once), rotates its secret, reads its delivery log, redelivers, unsubscribes."""

from __future__ import annotations

import json
import socket
import ssl
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session

from contracts.events import DossierRejected
from contracts.topics import Topic
from contracts.webhooks import SIGNATURE_HEADER, SignatureError, verify_signature
from deploy.devsecrets import DEMO_CLIENT_ID, SECOND_CLIENT_ID
from servicekit.db import run_in_session
from services.notifications.models import Delivery, DeliveryStatus, WebhookSubscription
from services.notifications.secretbox import SecretBox, new_key
from tests.service.conftest import Tokens
from tests.service.notifications.conftest import RECEIVER, Notifications
from tests.support import events

SUBSCRIPTION = "/v1/webhooks/subscription"


async def test_a_subscription_is_made_once_with_its_secret_then_changed_without(
    notifier: Notifications, tokens: Tokens
) -> None:
    client = tokens.client(write=False)
    made = await notifier.http.put(SUBSCRIPTION, json={"url": f"{RECEIVER}/a"}, headers=client)
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    changed = await notifier.http.put(
        SUBSCRIPTION, json={"url": f"{RECEIVER}/b", "language": "en"}, headers=client
    )
    assert changed.status_code == 200
    assert (changed.json()["url"], changed.json()["language"], changed.json()["secret"]) == (
        f"{RECEIVER}/b",
        "en",
        None,
    )
    shown = (await notifier.http.get(SUBSCRIPTION, headers=client)).json()
    assert (shown["url"], shown["secret"]) == (f"{RECEIVER}/b", None)

    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1"))
    await notifier.settle()
    (request,) = notifier.web.received("/b")
    assert json.loads(request.content)["data"]["title"] == "Dossier HS-d-1 received", "in its language"


async def test_a_rotated_secret_signs_what_is_sent_next(notifier: Notifications, tokens: Tokens) -> None:
    client = tokens.client(write=False)
    old = await notifier.subscribe(client)
    rotated = await notifier.http.post(f"{SUBSCRIPTION}/secret", headers=client)
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != old
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1"))
    await notifier.settle()
    (request,) = notifier.web.received("/hook")
    now = notifier.clock.now().timestamp()
    verify_signature(new, request.headers[SIGNATURE_HEADER], request.content, now=now)
    with pytest.raises(SignatureError):
        verify_signature(old, request.headers[SIGNATURE_HEADER], request.content, now=now)


async def test_unsubscribing_cancels_what_is_still_to_be_sent(
    notifier: Notifications, tokens: Tokens
) -> None:
    client = tokens.client(write=False)
    await notifier.failing_webhook(client)
    assert (await notifier.http.delete(SUBSCRIPTION, headers=client)).status_code == 204
    (delivery,) = await notifier.deliveries(Delivery.channel == "webhook")  # beside the e-mail
    assert delivery.status == DeliveryStatus.CANCELLED
    assert [outcome for _, outcome, _ in await notifier.log(delivery.id)][-1] == "cancelled"
    for method, path in (("GET", SUBSCRIPTION), ("DELETE", SUBSCRIPTION), ("POST", f"{SUBSCRIPTION}/secret")):
        response = await notifier.http.request(method, path, headers=client)
        assert response.status_code == 404
        problem = response.json()
        assert problem["code"] == "no-subscription"
        assert "demo-integrator" in problem["message_vi"] and "demo-integrator" in problem["message_en"]


async def test_an_inactive_subscription_is_sent_nothing(notifier: Notifications, tokens: Tokens) -> None:
    client = tokens.client(write=False)
    await notifier.subscribe(client)
    await notifier.http.put(SUBSCRIPTION, json={"url": f"{RECEIVER}/hook", "active": False}, headers=client)
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1"))
    await notifier.settle()
    assert notifier.web.requests == []


@pytest.mark.parametrize(
    ("url", "code", "host"),
    [
        ("http://8.8.8.8/hook", "insecure-webhook-url", None),
        ("https://127.0.0.1/hook", "webhook-url-not-public", "127.0.0.1"),
        ("https://10.1.2.3/hook", "webhook-url-not-public", "10.1.2.3"),
        ("https://224.0.0.1/hook", "webhook-url-not-public", "224.0.0.1"),
        ("https://intranet.example/hook", "webhook-url-not-public", "intranet.example"),
        ("https://nowhere.example/hook", "webhook-url-not-public", "nowhere.example"),
    ],
)
async def test_a_webhook_url_must_be_https_and_public(
    notifier: Notifications, tokens: Tokens, url: str, code: str, host: str | None
) -> None:
    notifier.dns.names["intranet.example"] = ["93.184.215.14", "10.1.2.3"]
    response = await notifier.http.put(SUBSCRIPTION, json={"url": url}, headers=tokens.client(write=False))
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == code and url in problem["message_vi"] and url in problem["message_en"]
    if host:
        assert host in problem["message_en"]
    assert (await notifier.http.get(SUBSCRIPTION, headers=tokens.client(write=False))).status_code == 404


async def test_webhooks_are_for_integrating_systems_with_a_token(
    notifier: Notifications, tokens: Tokens
) -> None:
    anonymous = await notifier.http.get(SUBSCRIPTION)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "missing-token")
    officer = await notifier.http.get(
        "/v1/webhooks/deliveries", headers=tokens.staff(events.ORGANISATION, "leader")
    )
    assert (officer.status_code, officer.json()["code"]) == (
        403,
        "insufficient-scope",
    )  # a valid token, not a client's


async def test_the_delivery_log_shows_the_clients_webhooks_and_a_redelivery_sends_again(
    notifier: Notifications, tokens: Tokens
) -> None:
    client, other = tokens.client(write=False), tokens.client("another-client", write=False)
    await notifier.subscribe(client)
    await notifier.subscribe(other, "/other")
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1"))
    notifier.clock.advance(timedelta(minutes=1))  # the log is oldest first
    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, "d-1", "Chưa tiêu biểu"))
    await notifier.settle()
    log = (await notifier.http.get("/v1/webhooks/deliveries", headers=client)).json()
    assert [(d["kind"], d["channel"], d["status"]) for d in log] == [
        ("received", "webhook", "delivered"),
        ("rejected", "webhook", "delivered"),
    ]
    assert [entry["outcome"] for entry in log[0]["log"]] == ["sending", "delivered"]
    assert (await notifier.http.get("/v1/webhooks/deliveries", headers=other)).json() == []
    filtered = await notifier.http.get(
        "/v1/webhooks/deliveries", params={"status": "dead", "dossier_id": "d-1"}, headers=client
    )
    assert filtered.json() == []

    delivery_id = log[0]["delivery_id"]
    foreign = await notifier.http.post(f"/v1/webhooks/deliveries/{delivery_id}/redeliver", headers=other)
    assert foreign.status_code == 404 and foreign.json()["code"] == "delivery-not-found"
    assert delivery_id in foreign.json()["message_en"]
    again = await notifier.http.post(f"/v1/webhooks/deliveries/{delivery_id}/redeliver", headers=client)
    assert (again.status_code, again.json()) == (202, {"queued": [delivery_id]})
    await notifier.settle()
    assert len(notifier.web.received("/hook")) == 3

    notifier.web.statuses["/hook"] = 500
    await notifier.http.post(f"/v1/webhooks/deliveries/{delivery_id}/redeliver", headers=client)
    await notifier.settle()  # failed: waiting for its next attempt
    under_way = await notifier.http.post(f"/v1/webhooks/deliveries/{delivery_id}/redeliver", headers=client)
    assert under_way.status_code == 409
    problem = under_way.json()
    assert (problem["code"], problem["detail"]) == ("delivery-under-way", "pending")
    assert delivery_id in problem["message_vi"]


async def test_a_webhook_url_longer_than_its_column_is_refused_not_a_500(
    notifier: Notifications, tokens: Tokens
) -> None:
    """Issue 21: a URL of 2,001 characters once reached the database and answered text/plain 500."""
    url = "https://hook.example.vn/" + "a" * (2001 - len("https://hook.example.vn/"))
    refused = await notifier.http.put(SUBSCRIPTION, json={"url": url}, headers=tokens.client(write=False))
    assert (refused.status_code, refused.json()["code"]) == (422, "validation-failed")
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert any("url" in error["loc"] for error in refused.json()["errors"]), refused.json()


def _caused(error: httpx.HTTPError, cause: BaseException) -> httpx.HTTPError:
    error.__cause__ = cause
    return error


INTERNAL = "10.20.30.40"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            _caused(
                httpx.ConnectError(f"[Errno 111] Connect call failed ('{INTERNAL}', 8443)"),
                ConnectionRefusedError(111, f"Connect call failed ('{INTERNAL}', 8443)"),
            ),
            "connection refused",
        ),
        (
            _caused(
                httpx.ConnectError(f"certificate is not valid for '{INTERNAL}'"),
                ssl.SSLCertVerificationError(f"Hostname mismatch, certificate is not valid for '{INTERNAL}'"),
            ),
            "TLS error",
        ),
        (httpx.ReadTimeout(f"timed out reading from {INTERNAL}"), "timeout"),
        (
            _caused(
                httpx.ConnectError(f"[Errno -2] Name or service not known (resolver {INTERNAL})"),
                socket.gaierror(-2, "Name or service not known"),
            ),
            "name not resolved",
        ),
        (httpx.RemoteProtocolError(f"peer {INTERNAL} closed the connection"), "connection lost"),
    ],
)
async def test_the_delivery_log_gives_a_stable_reason_not_the_networks_words(
    notifier: Notifications, tokens: Tokens, error: httpx.HTTPError, reason: str
) -> None:
    client = tokens.client(write=False)
    await notifier.subscribe(client)
    notifier.web.errors["/hook"] = error
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1"))
    await notifier.settle()
    answer = await notifier.http.get("/v1/webhooks/deliveries", headers=client)
    (delivery,) = answer.json()
    assert delivery["last_error"] == reason
    assert [entry["detail"].split(" — ")[0] for entry in delivery["log"] if entry["outcome"] == "failed"] == [
        reason
    ]
    assert INTERNAL not in answer.text


PUBLIC = "93.184.215.14"


async def test_a_name_rebound_to_a_private_address_after_subscribing_is_not_sent_to(
    notifier: Notifications, tokens: Tokens
) -> None:
    client = tokens.client(write=False)
    notifier.dns.names["hooks.example"] = [PUBLIC]
    subscribed = await notifier.http.put(
        SUBSCRIPTION, json={"url": "https://hooks.example/hook"}, headers=client
    )
    assert subscribed.status_code == 201

    privates = ("10.0.0.5", "127.0.0.1", "169.254.169.254", "::1")  # what the attacker's DNS says next
    for number, private in enumerate(privates):
        notifier.dns.names["hooks.example"] = [private]
        await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted(f"d-{number}"))
        await notifier.settle()
        assert notifier.web.received("/hook") == [], private
    shown = (await notifier.http.get("/v1/webhooks/deliveries", headers=client)).json()
    assert {view["last_error"] for view in shown} == {"address not public"}
    assert len(shown) == len(privates)
    assert not any(private in json.dumps(shown) for private in ("10.0.0.5", "169.254.169.254"))


async def test_a_webhook_goes_to_the_address_checked_with_its_name_kept_for_tls(
    notifier: Notifications, tokens: Tokens
) -> None:
    client = tokens.client(write=False)
    notifier.dns.names["hooks.example"] = [PUBLIC]
    await notifier.http.put(SUBSCRIPTION, json={"url": "https://hooks.example:8443/hook"}, headers=client)
    notifier.dns.lookups.clear()
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1"))
    await notifier.settle()
    (request,) = notifier.web.received("/hook")
    assert notifier.dns.lookups == ["hooks.example"], "one lookup, checked, and no other"
    assert (request.url.host, request.url.port) == (PUBLIC, 8443), "connected to the address checked"
    assert request.headers["Host"] == "hooks.example:8443"
    assert request.extensions["sni_hostname"] == "hooks.example", "TLS names and verifies the host"


async def test_the_secret_is_stored_sealed_and_still_signs(notifier: Notifications, tokens: Tokens) -> None:
    client = tokens.client(write=False)

    async def stored() -> str:
        def read(session: Session) -> str:
            return session.get_one(WebhookSubscription, DEMO_CLIENT_ID).secret

        return await run_in_session(notifier.service.runtime.engine, read)

    secret = await notifier.subscribe(client)
    sealed = await stored()
    assert sealed.startswith("aesgcm:") and secret not in sealed and "whsec_" not in sealed
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1"))
    await notifier.settle()
    (request,) = notifier.web.received("/hook")
    verify_signature(
        secret, request.headers[SIGNATURE_HEADER], request.content, now=notifier.clock.now().timestamp()
    )

    rotated = (await notifier.http.post(f"{SUBSCRIPTION}/secret", headers=client)).json()["secret"]
    assert rotated not in await stored() and (await stored()) != sealed
    assert (await notifier.http.get(SUBSCRIPTION, headers=client)).json()["secret"] is None


async def test_a_secret_that_does_not_open_fails_its_attempts_only(
    notifier: Notifications, tokens: Tokens
) -> None:
    await notifier.subscribe(tokens.client(DEMO_CLIENT_ID, write=False))
    await notifier.subscribe(tokens.client(SECOND_CLIENT_ID, write=False), "/second")

    def reseal_under_another_key(session: Session) -> None:
        subscription = session.get_one(WebhookSubscription, DEMO_CLIENT_ID)
        subscription.secret = SecretBox(new_key()).seal("whatever", DEMO_CLIENT_ID)
        session.add(subscription)

    await run_in_session(notifier.service.runtime.engine, reseal_under_another_key)
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1", DEMO_CLIENT_ID))
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-2", SECOND_CLIENT_ID))
    await notifier.settle()
    (unsigned,) = await notifier.deliveries(Delivery.channel == "webhook", Delivery.target == DEMO_CLIENT_ID)
    assert (unsigned.status, unsigned.last_error) == (DeliveryStatus.PENDING, "signing secret unreadable")
    assert notifier.web.received("/hook") == [] and len(notifier.web.received("/second")) == 1
