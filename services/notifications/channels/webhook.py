"""The webhook channel: notices to an integrating system, as signed POSTs of one ``DossierNotice``
(docs/WEBHOOKS.md, ``contracts/webhooks.py``) to the URL of its subscription.

Whom it reaches: the audience ``client:<id>`` whose subscription is active, in the subscription's
language. Its URL and secret are read at each attempt (a client that changed its URL or rotated
its secret gets the new; one that unsubscribed gets nothing more). Subscriptions themselves are
the service's ``subscriptions`` module; the URL a client may give is judged here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Mapping
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
from services.notifications.secretbox import SecretBox, SecretsKeyError

NAME = "webhook"
USER_AGENT = "tdkt-notifications/1"
NOT_SUBSCRIBED = "the client has no active webhook subscription"
NAME_NOT_RESOLVED = "name not resolved"
ADDRESS_NOT_PUBLIC = "address not public"


Resolver = Callable[[str, int], Awaitable[list[str]]]
"""The addresses a host name has, for a port (the system's resolver; tests give a stub)."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: str) -> bool:
    """A unicast address of the Internet: not loopback, private, link-local, shared, reserved or
    multicast (``is_global`` alone lets multicast through)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


class NotPublic(SendFailed):
    """The host does not resolve to public addresses only (``detail``: what it resolved to)."""


async def public_address(resolve: Resolver, host: str, port: int) -> str:
    """The address to connect to for ``host``: the first it resolves to, provided every one is
    public — the platform must not be made to call its own network (SSRF), neither by the URL a
    client registers nor by what its name resolves to when a notice is sent (DNS rebinding)."""
    try:
        addresses = [str(ipaddress.ip_address(host))]  # an address, not a name
    except ValueError:
        try:
            addresses = await resolve(host, port)
        except OSError as error:
            raise NotPublic(NAME_NOT_RESOLVED, f"{host}: {error}") from error
    if not addresses:
        raise NotPublic(NAME_NOT_RESOLVED, f"{host}: no address")
    if not all(is_public(address) for address in addresses):
        raise NotPublic(ADDRESS_NOT_PUBLIC, f"{host} resolves to {', '.join(addresses)}")
    return addresses[0]


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
        return NAME_NOT_RESOLVED
    if isinstance(error, httpx.ConnectError):
        return "connection failed"
    if isinstance(error, httpx.TransportError):
        return "connection lost"
    return "request failed"


class WebhookChannel(OutboundChannel):
    name = NAME
    chosen_by_recipients = False
    """Clients choose by their subscription, not by preferences."""

    def __init__(
        self,
        http: httpx.AsyncClient | None,
        links: Links,
        resolve: Resolver = system_resolver,
        *,
        allow_local: bool = False,
        secrets: SecretBox | None = None,
    ) -> None:
        self._http = http
        self._links = links
        self._resolve = resolve
        self._secrets = secrets
        """Opens the secrets sealed in the database (None: they are stored in clear)."""
        self._allow_local = allow_local
        """Send to local and private addresses too (``webhook_allow_http``: development, tests)."""

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
        if self._secrets is None:
            return {"url": subscriber.url, "secret": subscriber.secret}
        try:
            return {"url": subscriber.url, "secret": self._secrets.open(subscriber.secret, target)}
        except SecretsKeyError as error:  # the attempt fails (and says so); the others go on
            return {"url": subscriber.url, "secret": None, "unreadable": str(error)}

    async def send(self, outgoing: Outgoing) -> str:
        if self._http is None:
            raise SendFailed("no HTTP client")
        if outgoing.route["secret"] is None:
            raise SendFailed("signing secret unreadable", outgoing.route["unreadable"])
        body = outgoing.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature(outgoing.route["secret"], int(outgoing.at.timestamp()), body),
            DELIVERY_HEADER: outgoing.delivery_id,
        }
        url = httpx.URL(outgoing.route["url"])
        extensions: dict[str, Any] = {}
        if not self._allow_local:
            url, extensions = await self._pinned(url, headers)
        try:
            response = await self._http.post(url, content=body, headers=headers, extensions=extensions)
        except httpx.HTTPError as error:
            raise SendFailed(failure_reason(error), f"{type(error).__name__}: {error}") from error
        if not response.is_success:  # the body is not kept: it could be anything the URL serves
            raise SendFailed(f"HTTP {response.status_code}")
        return f"HTTP {response.status_code}"

    async def _pinned(self, url: httpx.URL, headers: dict[str, str]) -> tuple[httpx.URL, dict[str, Any]]:
        """``url`` with its host resolved now, checked, and the request pinned to the address
        checked: the connection goes to that address (no second lookup a rebinding name could
        answer otherwise), while the Host header, TLS's server name and the certificate check
        keep the name. (Pinned connections are not kept alive: ``app.build``.)"""
        host = url.host
        address = await public_address(
            self._resolve, host, url.port or (443 if url.scheme == "https" else 80)
        )
        headers["Host"] = url.netloc.decode("ascii")
        extensions: dict[str, Any] = {"sni_hostname": host} if url.scheme == "https" else {}
        return url.copy_with(host=address), extensions


def build(setup: ChannelSetup) -> WebhookChannel:
    return WebhookChannel(
        setup.webhook_http or setup.http,
        setup.renderer.links,
        setup.resolver or system_resolver,
        allow_local=setup.settings.webhook_allow_http,
        secrets=setup.secrets,
    )
