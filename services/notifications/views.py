"""Notifications' HTTP API: the in-app feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from servicekit.db import run_in_session
from servicekit.service import ServiceRuntime
from services.notifications import service
from services.notifications.models import NotificationView


def build_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(prefix="/v1/notifications", tags=["notifications"])

    @router.get("", summary="Notifications, by recipient or dossier")
    async def find(
        recipient: Annotated[str | None, Query(max_length=200)] = None,
        dossier_id: Annotated[str | None, Query(max_length=64)] = None,
    ) -> list[NotificationView]:
        return await run_in_session(
            runtime.engine, lambda session: service.list_notifications(session, recipient, dossier_id)
        )

    return router
