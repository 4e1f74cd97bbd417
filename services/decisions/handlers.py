"""The decisions service's use cases: one function per command and per consumed event, each the single
home of its use case whether it is reached over HTTP (``views``), over Kafka (``flows``) or from the
document desk (``desk``).

- A handler opens the transactions its use case needs: ``ctx.runtime.write`` when it stages events
  in the outbox, ``run_in_session`` otherwise. Adapters open none.
- The time is read by the handler from the runtime's clock (``ctx.now()``, and ``ctx.today()`` in
  the issuers' time zone), for every caller alike: the desk has no request to read it from.
- A refusal is an entry of the catalogue (``errors``); no HTTP status here.
"""

from __future__ import annotations

import functools

import anyio
from cryptography.hazmat.primitives import serialization
from opentelemetry import trace
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from contracts.events import DossierAmended, DossierApproved, DossierSubmitted, ReviewTaskOpened
from servicekit.auth import Staff
from servicekit.db import run_in_session
from servicekit.errors import DomainError
from servicekit.sandbox import Busy, Stop, Stopped
from servicekit.telemetry import continued_trace, trace_carrier
from services.decisions import errors, issuing, provenance, registry, revocation, verification
from services.decisions.context import DecisionsContext
from services.decisions.documents import inspection, pipeline, store
from services.decisions.documents.inspection import Excess, OverLimits
from services.decisions.documents.signing import Verification
from services.decisions.domain.authority import is_leader
from services.decisions.models import (
    DecisionEntryView,
    DecisionQuery,
    DecisionView,
    DocumentKind,
    EntryPage,
    RevocationRequest,
    VerificationView,
)

tracer = trace.get_tracer(__name__)

MIB = 1024 * 1024
MAX_VERIFY_BYTES = 50 * MIB
"""The largest file ``verify_pdf`` reads."""

# --- consumed events ---------------------------------------------------------------------------


async def dossier_submitted(ctx: DecisionsContext, event: DossierSubmitted | DossierAmended) -> None:
    """What intake accepted: kept to match the dossier's approval against (``provenance``)."""
    now = ctx.now()
    await run_in_session(
        ctx.runtime.engine, lambda session: provenance.record_submission(session, event.data, now)
    )


async def review_task_opened(ctx: DecisionsContext, event: ReviewTaskOpened) -> None:
    """The review workflow opened a task: the dossier's review has begun (``provenance``)."""
    now = ctx.now()
    await run_in_session(
        ctx.runtime.engine, lambda session: provenance.record_review(session, event.data.dossier_id, now)
    )


async def dossier_approved(ctx: DecisionsContext, event: DossierApproved) -> str | None:
    """``dossier.approved``: matched with the dossier's submission and review as seen on the bus
    (else refused: ``provenance``), kept once — a second delivery changes nothing — and, in the
    same transaction, its decision numbered unless a batch rule gathers it into its period's
    decision; the desk then renders, signs and announces it. Returns the numbered decision's id."""
    carrier, today, now = trace_carrier(), ctx.today(), ctx.now()
    settings = ctx.settings

    def record(session: Session) -> str | None:
        provenance.check_approval(session, event.data)
        decision = issuing.record_approval(
            session, event, settings.batches, settings.signers, today, now, carrier
        )
        return decision.id if decision else None

    numbered = await run_in_session(ctx.runtime.engine, record)
    if numbered is not None:
        ctx.doorbell.ring()
    return numbered


# --- issuing -----------------------------------------------------------------------------------


async def issue_batches_now(
    ctx: DecisionsContext, officer: Staff, award_code: str | None = None
) -> list[DecisionView]:
    """A leader issues their organisation's batched decisions (of one award, or all) before the
    period ends: numbered and viewed in one transaction; the desk renders and announces them."""
    if not is_leader(officer):
        raise errors.LEADER_REQUIRED(officer=officer.display_name)
    today, now, signers = ctx.today(), ctx.now(), ctx.settings.signers

    def close(session: Session) -> list[DecisionView]:
        numbered = issuing.close_batches(
            session,
            signers,
            today,
            now,
            due_only=False,
            deciding_organisation=officer.organisation,
            award_code=award_code,
        )
        return registry.decision_views(session, numbered)

    views = await run_in_session(ctx.runtime.engine, close)
    if views:
        ctx.doorbell.ring()
    return views


async def close_due_batches(ctx: DecisionsContext) -> int:
    """The desk's round: one decision for each batch whose period has ended by today (in the
    issuers' time zone), in one transaction. Returns how many were numbered."""
    today, now, signers = ctx.today(), ctx.now(), ctx.settings.signers
    closed = await run_in_session(
        ctx.runtime.engine, lambda session: issuing.close_batches(session, signers, today, now)
    )
    return len(closed)


async def numbered_decisions(ctx: DecisionsContext) -> list[str]:
    """The decisions still to be rendered and signed, oldest first (a page of them)."""
    return await run_in_session(ctx.runtime.engine, store.numbered_decisions)


async def issue_decision(ctx: DecisionsContext, decision_id: str) -> bool:
    """A numbered decision becomes issued, under the trace of the approval that asked for it: read
    (one transaction), rendered and signed outside any lock, then its PDF stored and its events
    staged (a second transaction). False when another instance issued it first."""
    record = await run_in_session(
        ctx.runtime.engine, lambda session: store.decision_record(session, decision_id)
    )
    with (
        continued_trace(record.decision.trace_carrier),
        tracer.start_as_current_span("render and sign decision", attributes={"decision.id": decision_id}),
    ):
        signed_at = ctx.now()
        documents = await anyio.to_thread.run_sync(
            lambda: pipeline.decision_documents(record, ctx.seal.signer, signed_at)
        )
        now, source = ctx.now(), ctx.runtime.source
        return await ctx.runtime.write(
            lambda session: issuing.store_documents(session, decision_id, documents, source, now)
        )


# --- revocation --------------------------------------------------------------------------------


async def revoke_line(
    ctx: DecisionsContext, decision_id: str, request: RevocationRequest, officer: Staff
) -> DecisionView:
    """A leader of the issuing authority revokes one line (Luật TĐKT 2022 Điều 93): the revocation
    decision is numbered in the issuer's register and viewed in one transaction (status
    ``numbered``); the desk renders, signs and announces it (``decision.revoked``)."""
    if is_leader(officer):  # the signature block prints who revokes (others are refused as not leading)
        officer.check_can_sign()
    carrier, today, now, signers = trace_carrier(), ctx.today(), ctx.now(), ctx.settings.signers

    def number(session: Session) -> DecisionView:
        revoked = revocation.revoke(session, decision_id, request, officer, signers, today, now, carrier)
        return registry.decision_view(session, revoked)

    view = await run_in_session(ctx.runtime.engine, number)
    ctx.doorbell.ring()
    return view


# --- the registry ------------------------------------------------------------------------------


async def search_registry(ctx: DecisionsContext, query: DecisionQuery) -> list[DecisionView]:
    return await run_in_session(ctx.runtime.engine, lambda session: registry.find_decisions(session, query))


async def get_decision(ctx: DecisionsContext, decision_id: str) -> DecisionView:
    return await run_in_session(
        ctx.runtime.engine, lambda session: registry.get_decision(session, decision_id)
    )


async def decision_entries(
    ctx: DecisionsContext, decision_id: str, page: EntryPage
) -> list[DecisionEntryView]:
    return await run_in_session(
        ctx.runtime.engine, lambda session: registry.decision_entries(session, decision_id, page)
    )


# --- documents ---------------------------------------------------------------------------------


async def decision_pdf(ctx: DecisionsContext, decision_id: str) -> bytes:
    """The signed decision as issued (``document-not-ready`` while it is still being signed)."""
    stored = await run_in_session(
        ctx.runtime.engine, lambda session: store.issued_document(session, decision_id, DocumentKind.DECISION)
    )
    return stored.content


async def certificates(ctx: DecisionsContext, decision_id: str) -> bytes:
    """Every standing line's certificate: rendered and signed on first request, then served as
    stored; after a revocation the bundle is rendered again without the revoked line, and the
    earlier bundle stays on record (so it still verifies, as partly revoked)."""
    return await _certificate_file(ctx, decision_id, None)


async def certificate(ctx: DecisionsContext, decision_id: str, line_number: int) -> bytes:
    """One line's certificate: rendered and signed on first request, then served as stored — while
    the line stands (``line-revoked`` once it is revoked, even if it was stored)."""
    return await _certificate_file(ctx, decision_id, line_number)


async def _certificate_file(ctx: DecisionsContext, decision_id: str, line_number: int | None) -> bytes:
    """Read what the file holds and any stored copy (one transaction); if none, render and sign it
    outside any transaction, then store it (a second): a concurrent request that stored its copy
    between the two wins, and both serve that one."""
    engine = ctx.runtime.engine
    wanted = await run_in_session(
        engine, lambda session: store.certificate_file(session, decision_id, line_number)
    )
    if wanted.stored is not None:
        return wanted.stored.content
    signed_at = ctx.now()
    pdf = await anyio.to_thread.run_sync(
        lambda: pipeline.certificates_pdf(wanted.record, ctx.seal.signer, signed_at)
    )
    keep = functools.partial(store.store_certificate, wanted=wanted, content=pdf, now=ctx.now())
    try:
        stored = await run_in_session(engine, keep)
    except IntegrityError:  # a concurrent request stored its copy between our look and our insert
        stored = await run_in_session(engine, keep)
    return stored.content


# --- verification ------------------------------------------------------------------------------


async def verify_pdf(ctx: DecisionsContext, content: bytes) -> VerificationView:
    """Is ``content`` an unaltered document of this registry, which, and does its award stand? The
    file is read and its signature checked in a confined child process (``sandbox``), outside any
    transaction; then the registry is read (one)."""
    if len(content) > MAX_VERIFY_BYTES:
        raise errors.FILE_TOO_LARGE(megabytes=MAX_VERIFY_BYTES // MIB)
    result = await _verified(ctx, content)
    held = await run_in_session(
        ctx.runtime.engine, lambda session: verification.holding(session, result.document_sha256)
    )
    return verification.verdict(result, held)


async def _verified(ctx: DecisionsContext, content: bytes) -> Verification:
    """``inspection.inspect`` in the sandbox, its refusals the catalogue's."""
    settings = ctx.settings
    roots = tuple(root.public_bytes(serialization.Encoding.DER) for root in ctx.seal.signer.trust_roots)
    try:
        found = await ctx.sandbox.run(inspection.inspect, content, roots, ctx.now(), ctx.parse_limits)
    except Busy:
        busy = errors.VERIFICATION_BUSY(seconds=settings.verify_retry_after_seconds)
        busy.headers["Retry-After"] = str(settings.verify_retry_after_seconds)
        raise busy from None
    except Stopped as stopped:
        raise _stopped(ctx, stopped) from None
    if isinstance(found, OverLimits):
        limits = ctx.parse_limits
        if found.excess == Excess.OBJECTS:
            raise errors.PDF_TOO_MANY_OBJECTS(objects=found.declared, limit=limits.max_objects)
        raise errors.PDF_TOO_MUCH_DATA(
            stream_megabytes=limits.max_stream_bytes // MIB, total_megabytes=limits.max_decoded_bytes // MIB
        )
    verified: Verification = found
    return verified


def _stopped(ctx: DecisionsContext, stopped: Stopped) -> DomainError:
    if stopped.stop == Stop.TIMED_OUT:
        return errors.PDF_TOOK_TOO_LONG(
            seconds=f"{ctx.settings.verify_timeout_seconds:g}", detail=stopped.detail
        )
    return errors.PDF_TOO_COMPLEX(megabytes=ctx.settings.verify_memory_bytes // MIB, detail=str(stopped))
