"""Notifications' process: feed API + the consumers that notify."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from servicekit.service import ServiceRuntime, build_runtime, create_app
from services.notifications import flows, views
from services.notifications.settings import SERVICE_NAME, NotificationsSettings

DESCRIPTION = "Thông báo — what the submitters, reviewers and nominees are told about their dossiers."


def build() -> tuple[FastAPI, ServiceRuntime]:
    runtime = build_runtime(SERVICE_NAME, NotificationsSettings(), Path(__file__).parent / "migrations")
    flows.register_subscribers(runtime)
    app = create_app(
        runtime, [views.build_router(runtime)], title="TĐKT Notifications API", description=DESCRIPTION
    )
    return app, runtime
