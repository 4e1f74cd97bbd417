"""Decisions' event handler: an approved dossier gets its numbered decision."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from contracts.events import DecisionEvent, DossierApproved, ReviewEvent
from contracts.topics import Topic
from servicekit.service import ServiceRuntime
from services.decisions import service
from services.decisions.settings import DecisionsSettings


def register_subscribers(runtime: ServiceRuntime, settings: DecisionsSettings) -> None:
    zone = ZoneInfo(settings.timezone)
    runtime.publishes(Topic.DECISION_EVENTS, DecisionEvent, "Numbered decisions (outbox).")

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        if not isinstance(event, DossierApproved):
            return
        today = datetime.now(zone).date()
        await runtime.write(lambda session: service.issue_decision(session, event, runtime.source, today))
