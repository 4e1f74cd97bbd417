"""Intake's event handlers: submissions from systems on the bus, and every review, decision and
notification event, which becomes the dossier's history."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from contracts.dossiers import InboundEvent
from contracts.envelope import CloudEvent
from contracts.events import DecisionEvent, IntakeEvent, NotificationEvent, ReviewEvent
from contracts.topics import Topic
from servicekit.clock import local_date
from servicekit.db import run_in_session
from servicekit.kafka import PoisonEvent
from servicekit.problems import ProblemError
from servicekit.service import ServiceRuntime
from services.intake import service
from services.intake.clients import ClientRegistry
from services.intake.settings import IntakeSettings
from services.intake.validation import DossierValidator


def register_subscribers(
    runtime: ServiceRuntime, clients: ClientRegistry, validator: DossierValidator, settings: IntakeSettings
) -> None:
    runtime.publishes(Topic.INTAKE_EVENTS, IntakeEvent, "Accepted dossiers and amendments (outbox).")
    zone = ZoneInfo(settings.timezone)

    @runtime.subscribe(Topic.INTAKE_INBOUND)
    async def on_submission_requested(event: InboundEvent) -> None:
        """Same contract as ``POST /v1/dossiers``; the event id is the idempotency key. A request
        intake refuses is dead-lettered with the problem code as its reason."""
        client = clients.get(event.client_id or "")
        if client is None:
            raise PoisonEvent("unknown-client", f"source {event.source!r} names no registered client")
        digest = service.request_digest(event.data)

        def store(session: Session) -> None:
            if service.replay_of(session, client.client_id, event.id, digest) is not None:
                return
            revoked = service.revoked_titles(session, event.data)
            checked = validator.validate(event.data, client, local_date(runtime.clock, zone), revoked)
            service.submit_dossier(
                session,
                checked,
                client_id=client.client_id,
                source=runtime.source,
                trace_id=None,
                idempotency_key=event.id,
                now=runtime.clock.now(),
            )

        try:
            await runtime.write(store)
        except ProblemError as error:
            problem = error.problem
            raise PoisonEvent(problem.code, problem.model_dump_json(exclude_none=True)) from error

    async def record(event: CloudEvent) -> None:
        now = runtime.clock.now()
        await run_in_session(runtime.engine, lambda session: service.record_event(session, event, now))

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        await record(event)

    @runtime.subscribe(Topic.DECISION_EVENTS)
    async def on_decision_event(event: DecisionEvent) -> None:
        await record(event)

    @runtime.subscribe(Topic.NOTIFICATION_EVENTS)
    async def on_notification_event(event: NotificationEvent) -> None:
        await record(event)
