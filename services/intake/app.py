"""Intake's process: HTTP API + event consumers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from servicekit.service import ServiceRuntime, build_runtime, create_app
from services.intake import flows, views
from services.intake.settings import SERVICE_NAME, IntakeSettings

DESCRIPTION = """Tiếp nhận hồ sơ đề nghị khen thưởng — the intake API for integrating systems.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code` and
messages in Vietnamese (`message_vi`) and English (`message_en`). Every response of a traced
request carries the trace id in `X-Trace-Id`."""


def build() -> tuple[FastAPI, ServiceRuntime]:
    runtime = build_runtime(SERVICE_NAME, IntakeSettings(), Path(__file__).parent / "migrations")
    flows.register_subscribers(runtime)
    app = create_app(runtime, [views.build_router(runtime)], title="TĐKT Intake API", description=DESCRIPTION)
    return app, runtime
