"""Notifications' process: the feed, preference and webhook API, the consumers that notify and
the dispatcher that sends — the composition root."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.service import ServiceRuntime, build_runtime, create_app
from services.notifications import flows, views
from services.notifications.channels import discover
from services.notifications.channels.base import ChannelSetup, Mailer
from services.notifications.channels.webhook import Resolver
from services.notifications.context import build_context
from services.notifications.rendering import Links, Renderer
from services.notifications.secretbox import KEY_SETTING, SecretBox
from services.notifications.settings import SERVICE_NAME, NotificationsSettings

DESCRIPTION = (
    "Thông báo — what the submitters, reviewers, nominees and integrating systems are told about "
    "dossiers: an in-app feed, e-mail, and signed webhooks (see the `webhooks` section and "
    "docs/WEBHOOKS.md)."
)


def secret_box(settings: NotificationsSettings) -> SecretBox:
    """What seals webhook secrets in the database; the service does not start without its key."""
    if settings.secrets_key is None:
        raise RuntimeError(
            f"No key to seal webhook secrets with: set {KEY_SETTING} to base64 of 32 random bytes "
            "(`openssl rand -base64 32`; `make up` generates one)."
        )
    return SecretBox(settings.secrets_key.get_secret_value())


def build(
    clock: Clock = SYSTEM_CLOCK,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
    mailer: Mailer | None = None,
    resolver: Resolver | None = None,
) -> tuple[FastAPI, ServiceRuntime]:
    """The service's app and runtime, reading ``clock``; tests give theirs, and may give the
    outside world too: the HTTP transport (webhook receivers, the decisions registry), the
    mailer (instead of SMTP) and the resolver of webhook hosts (instead of the system's)."""
    settings = NotificationsSettings()
    secrets = secret_box(settings) if settings.secrets_key is not None else None
    runtime = build_runtime(SERVICE_NAME, settings, Path(__file__).parent / "migrations", clock)
    renderer = Renderer(Links(settings.decisions_url.rstrip("/")))
    http = httpx.AsyncClient(
        timeout=settings.send_timeout_seconds, follow_redirects=False, transport=http_transport
    )
    # webhooks connect to the address their host was checked at (channels.webhook): a connection
    # is not kept for another request, which could be another host's at the same address
    webhook_http = httpx.AsyncClient(
        timeout=settings.send_timeout_seconds,
        follow_redirects=False,
        transport=http_transport
        or httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=0)),
    )
    channels = discover(ChannelSetup(settings, renderer, http, mailer, webhook_http, resolver, secrets))
    ctx = build_context(runtime, settings, channels, renderer, resolver, secrets)
    dispatcher = flows.Dispatcher(ctx)
    flows.register_subscribers(runtime, ctx)

    async def refuse_without_key() -> None:
        secret_box(settings)  # a missing key stops the process here, with the reason

    runtime.on_start.append(refuse_without_key)
    runtime.on_start.append(channels.say_what_runs)
    runtime.on_start.append(dispatcher.start)
    runtime.on_stop.append(http.aclose)
    runtime.on_stop.append(webhook_http.aclose)
    runtime.on_stop.append(dispatcher.stop)  # hooks stop in reverse: the dispatcher before the client
    app = create_app(runtime, [views.router], title="TĐKT Notifications API", description=DESCRIPTION)
    app.state.context = ctx
    views.document_webhooks(app)
    return app, runtime
