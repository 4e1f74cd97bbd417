"""Notifications' process: the feed, preference and webhook API, the consumers that notify and
the dispatcher that sends."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from pydantic import EmailStr, TypeAdapter

from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.service import ServiceRuntime, build_runtime, create_app
from services.notifications import flows, views
from services.notifications.channels import CertificateSource, EmailChannel, WebhookChannel
from services.notifications.rendering import Links, Renderer
from services.notifications.service import NoticeDesk
from services.notifications.settings import SERVICE_NAME, NotificationsSettings

DESCRIPTION = (
    "Thông báo — what the submitters, reviewers, nominees and integrating systems are told about "
    "dossiers: an in-app feed, e-mail, and signed webhooks (see the `webhooks` section and "
    "docs/WEBHOOKS.md)."
)


def load_directory(path: Path | None) -> dict[str, str]:
    """Mailboxes by organisation code or ``<code>#<role>``; a malformed file stops the start."""
    if path is None:
        return {}
    return TypeAdapter(dict[str, EmailStr]).validate_python(json.loads(path.read_text()))


def build(clock: Clock = SYSTEM_CLOCK) -> tuple[FastAPI, ServiceRuntime]:
    """The service's app and runtime, reading ``clock`` (tests give theirs)."""
    settings = NotificationsSettings()
    runtime = build_runtime(SERVICE_NAME, settings, Path(__file__).parent / "migrations", clock)
    renderer = Renderer(Links(settings.decisions_url.rstrip("/")))
    desk = NoticeDesk(
        source=runtime.source,
        renderer=renderer,
        directory=load_directory(settings.directory_file),
        email_enabled=settings.smtp_host is not None,
        digest_at=settings.digest_at,
        zone=ZoneInfo(settings.time_zone),
        stale_after=timedelta(hours=settings.stale_after_hours),
    )
    http = httpx.AsyncClient(timeout=settings.send_timeout_seconds, follow_redirects=False)
    dispatcher = flows.Dispatcher(
        runtime,
        settings,
        renderer,
        EmailChannel(settings) if settings.smtp_host else None,
        WebhookChannel(http),
        CertificateSource(http, settings.decisions_url.rstrip("/")),
    )
    flows.register_subscribers(runtime, desk, dispatcher)
    runtime.on_start.append(dispatcher.start)
    runtime.on_stop.append(http.aclose)
    runtime.on_stop.append(dispatcher.stop)  # hooks stop in reverse: the dispatcher before the client
    app = create_app(
        runtime,
        [views.build_router(runtime, settings, dispatcher)],
        title="TĐKT Notifications API",
        description=DESCRIPTION,
    )
    views.document_webhooks(app)
    return app, runtime
