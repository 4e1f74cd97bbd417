"""Decisions' flows: approvals become numbered decisions; the desk renders, signs and publishes them."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import anyio
from opentelemetry import trace
from sqlalchemy.exc import IntegrityError

from contracts.events import DecisionEvent, DossierApproved, ReviewEvent
from contracts.topics import Topic
from servicekit.clock import local_date
from servicekit.db import run_in_session
from servicekit.service import ServiceRuntime
from servicekit.telemetry import continued_trace, trace_carrier
from services.decisions import service
from services.decisions.documents import compose
from services.decisions.documents.certificate import render_certificates
from services.decisions.documents.decision import render_decision, render_revocation
from services.decisions.documents.signing import DocumentSigner
from services.decisions.models import DocumentKind
from services.decisions.settings import DecisionsSettings

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


class DocumentDesk:
    """Renders and signs numbered decisions, then stores them with their events; also closes
    batches whose period has ended. Woken on every new decision, and sweeps on a timer so a
    decision left half-done by a crash, or a batch that fell due overnight, is finished."""

    def __init__(
        self, runtime: ServiceRuntime, settings: DecisionsSettings, load_signer: Callable[[], DocumentSigner]
    ) -> None:
        self._runtime = runtime
        self._settings = settings
        self._load_signer = load_signer
        self._signer: DocumentSigner | None = None
        self._zone = ZoneInfo(settings.timezone)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def today(self) -> date:
        """The date in the issuers' time zone: decisions are dated by it."""
        return local_date(self._runtime.clock, self._zone)

    def now(self) -> datetime:
        return self._runtime.clock.now()

    def wake(self) -> None:
        self._wake.set()

    @property
    def signer(self) -> DocumentSigner:
        if self._signer is None:
            raise RuntimeError("the decision desk has not started")
        return self._signer

    async def start(self) -> None:
        """Load the signing key (a missing one stops the process here, with the reason) and start."""
        self._signer = await anyio.to_thread.run_sync(self._load_signer)
        self._task = asyncio.create_task(self._run(), name="decision-desk")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._settings.sweep_seconds)
            self._wake.clear()
            try:
                await self.sweep()
            except Exception:  # a failed round is retried on the next; the loop must not die
                logger.exception("decision desk round failed")

    async def sweep(self) -> int:
        """Close due batches, then finish every numbered decision; returns how many were issued."""
        await self._runtime.write(
            lambda session: service.close_batches(session, self._settings.signers, self.today(), self.now())
        )
        issued = 0
        while ids := await run_in_session(self._runtime.engine, service.numbered_decisions):
            for decision_id in ids:
                issued += await self.issue(decision_id)
        return issued

    async def issue(self, decision_id: str) -> bool:
        record = await run_in_session(
            self._runtime.engine, lambda session: service.decision_record(session, decision_id)
        )
        with (
            continued_trace(record.decision.trace_carrier),
            tracer.start_as_current_span("render and sign decision", attributes={"decision.id": decision_id}),
        ):
            documents = await anyio.to_thread.run_sync(self._render, record)
            return await self._runtime.write(
                lambda session: service.store_documents(
                    session, decision_id, documents, self._runtime.source, self.now()
                )
            )

    def _render(self, record: service.DecisionRecord) -> dict[DocumentKind, bytes]:
        decision = record.decision
        place = compose.issuing_body(decision).place_vi
        if record.revocation is not None and record.original is not None:
            document = compose.revocation_document(
                decision, record.revocation, record.original, record.lines[0]
            )
            return {DocumentKind.DECISION: self._sign(render_revocation(document), decision.number, place)}
        # certificates are rendered when first asked for (see ``certificate``): most are never
        # printed from here, and a decision's issuance should not wait for them
        return {
            DocumentKind.DECISION: self._sign(
                render_decision(compose.decision_document(decision, record.lines)),
                decision.number,
                place,
            ),
        }

    def _sign(self, pdf: bytes, number: str, place: str) -> bytes:
        return self.signer.sign(
            pdf, reason=f"Quyết định số {number}", location=place or "Việt Nam", at=self.now()
        )

    async def certificate(self, decision_id: str, line_number: int | None) -> bytes:
        """One line's certificate, or every standing line's (``line_number`` None): rendered and
        signed on first request, then served as stored — while the line stands (a revoked line's
        certificate answers 410 even if it was stored; the bundle is rendered again without it,
        and the earlier bundle stays on record, so it still verifies, as partly revoked)."""
        wanted = await run_in_session(
            self._runtime.engine, lambda session: service.certificate_file(session, decision_id, line_number)
        )
        existing = await run_in_session(
            self._runtime.engine,
            lambda session: service.find_document(session, decision_id, wanted.kind, wanted.key),
        )
        if existing is not None:
            return existing.content
        decision = wanted.record.decision
        pdf = await anyio.to_thread.run_sync(
            lambda: self._sign(
                render_certificates(compose.certificates(decision, wanted.record.lines)),
                decision.number,
                compose.issuing_body(decision).place_vi,
            )
        )
        store = functools.partial(service.store_certificate, wanted=wanted, content=pdf, now=self.now())
        try:
            stored = await run_in_session(self._runtime.engine, store)
        except IntegrityError:  # a concurrent request stored its copy between our look and our insert
            stored = await run_in_session(self._runtime.engine, store)
        return stored.content


def register_subscribers(runtime: ServiceRuntime, settings: DecisionsSettings, desk: DocumentDesk) -> None:
    runtime.publishes(Topic.DECISION_EVENTS, DecisionEvent, "Issued and revoked decisions (outbox).")

    @runtime.subscribe(Topic.REVIEW_EVENTS)
    async def on_review_event(event: ReviewEvent) -> None:
        if not isinstance(event, DossierApproved):
            return
        carrier = trace_carrier()
        numbered = await runtime.write(
            lambda session: service.record_approval(
                session, event, settings.batches, settings.signers, desk.today(), desk.now(), carrier
            )
        )
        if numbered is not None:
            desk.wake()
