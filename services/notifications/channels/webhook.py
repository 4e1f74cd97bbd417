"""The webhook channel: notices to an integrating system, as signed POSTs of one ``DossierNotice``
(docs/WEBHOOKS.md, ``contracts/webhooks.py``) to the URL of its subscription.

Whom it reaches: the audience ``client:<id>`` whose subscription is active, in the subscription's
language. Its URL and secret are read at each attempt (a client that changed its URL or rotated
its secret gets the new; one that unsubscribed gets nothing more). Subscriptions themselves are
the service's ``subscriptions`` module; the URL a client may give is judged here.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Mapping
from typing import Any

import httpx

from contracts.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, DossierNotice, DossierNoticeData, signature
from services.notifications.channels.base import (
    Address,
    AddressBook,
    ChannelSetup,
    NoRoute,
    Notice,
    OutboundChannel,
    Outgoing,
    Payload,
    SendFailed,
)
from services.notifications.domain import NoticeDraft, client_of
from services.notifications.rendering import Links, wording

NAME = "webhook"
USER_AGENT = "tdkt-notifications/1"
NOT_SUBSCRIBED = "the client has no active webhook subscription"


def resolves_to_public_addresses(host: str) -> bool:
    """Every address ``host`` resolves to is a public one: the platform must not be made to call
    its own network (SSRF)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(address).is_global for address in addresses)


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and what caused it (httpx wraps httpcore's error, which wraps the socket's)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def failure_reason(error: httpx.HTTPError) -> str:
    """What the delivery log says of a request that got no answer: one of a few stable reasons,
    none of the error's own text (which names addresses, ports, resolvers)."""
    chain = _chain(error)
    if any(isinstance(cause, httpx.TimeoutException | TimeoutError) for cause in chain):
        return "timeout"
    if any(isinstance(cause, ssl.SSLError) for cause in chain):
        return "TLS error"
    if any(isinstance(cause, ConnectionRefusedError) for cause in chain):
        return "connection refused"
    if any(isinstance(cause, socket.gaierror) for cause in chain):
        return "name not resolved"
    if isinstance(error, httpx.ConnectError):
        return "connection failed"
    if isinstance(error, httpx.TransportError):
        return "connection lost"
    return "request failed"


class WebhookChannel(OutboundChannel):
    name = NAME
    chosen_by_recipients = False
    """Clients choose by their subscription, not by preferences."""

    def __init__(self, http: httpx.AsyncClient | None, links: Links) -> None:
        self._http = http
        self._links = links

    def address(self, draft: NoticeDraft, book: AddressBook) -> Address | None:
        client_id = client_of(draft.audience)
        if client_id is None:
            return None
        subscriber = book.subscriber(client_id)
        if subscriber is None or not subscriber.active:
            return None
        return Address(client_id, owner=draft.audience, language=subscriber.language)

    def render(self, notice: Notice, address: Address) -> Payload:
        facts = dict(notice.facts)
        body = DossierNotice(
            id=notice.notification_id,
            source=notice.source,
            subject=notice.dossier_id,
            time=notice.recorded_at,
            data=DossierNoticeData.model_validate(
                {
                    **facts,
                    "kind": notice.kind,
                    "submitting_organisation": facts.get("organisation", ""),
                    "award_name": wording(notice.language, facts)["award"] or None,
                    "cause_event_id": notice.cause_event_id,
                    "cause_event_type": notice.cause_event_type,
                    "title": notice.subject,
                    "text": notice.body,
                    "decision_url": (
                        self._links.of_decision(facts["decision_id"]) if "decision_id" in facts else None
                    ),
                    "occurred_at": notice.occurred_at,
                }
            ),
        )
        return Payload(subject=notice.subject, body=body.model_dump_json())

    def route(self, target: str, book: AddressBook) -> Mapping[str, Any] | NoRoute:
        subscriber = book.subscriber(target)
        if subscriber is None or not subscriber.active:
            return NoRoute(NOT_SUBSCRIBED)
        return {"url": subscriber.url, "secret": subscriber.secret}

    async def send(self, outgoing: Outgoing) -> str:
        if self._http is None:
            raise SendFailed("no HTTP client")
        body = outgoing.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature(outgoing.route["secret"], int(outgoing.at.timestamp()), body),
            DELIVERY_HEADER: outgoing.delivery_id,
        }
        try:
            response = await self._http.post(outgoing.route["url"], content=body, headers=headers)
        except httpx.HTTPError as error:
            raise SendFailed(failure_reason(error), f"{type(error).__name__}: {error}") from error
        if not response.is_success:  # the body is not kept: it could be anything the URL serves
            raise SendFailed(f"HTTP {response.status_code}")
        return f"HTTP {response.status_code}"


def build(setup: ChannelSetup) -> WebhookChannel:
    return WebhookChannel(setup.http, setup.renderer.links)
