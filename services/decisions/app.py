"""Decisions' process: registry API + the consumer that issues decisions."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from servicekit.service import ServiceRuntime, build_runtime, create_app
from services.decisions import flows, views
from services.decisions.settings import SERVICE_NAME, DecisionsSettings

DESCRIPTION = """Quyết định khen thưởng — numbered decisions issued for approved dossiers.

Numbers follow NĐ 30/2020/NĐ-CP: `Số: 01/QĐ-TTg`, one gapless register per issuer and year."""


def build() -> tuple[FastAPI, ServiceRuntime]:
    settings = DecisionsSettings()
    runtime = build_runtime(SERVICE_NAME, settings, Path(__file__).parent / "migrations")
    flows.register_subscribers(runtime, settings)
    app = create_app(
        runtime, [views.build_router(runtime)], title="TĐKT Decisions API", description=DESCRIPTION
    )
    return app, runtime
