"""Intake's use cases: one function per command — a submission, an amendment, a
withdrawal, the reads, an attachment's upload and download — and per consumed event. The HTTP
API (``views``) and the bus (``flows``) are adapters that call them; a submission is the same
function whichever way it came.

Every handler takes the service's collaborators (``IntakeContext``) and plain values, answers a
view model (``contracts.views``) or raises a refusal of ``errors.CATALOGUE``, and:

- reads the time itself, once, from the runtime's clock (``ctx.runtime.clock``): adapters pass
  none, so a use case has one ``now`` however it was reached;
- opens the transactions it needs — ``ctx.runtime.write`` where it stages outbox events,
  ``run_in_session`` otherwise — and no adapter opens any.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from contracts.dossiers import DossierSubmission
from contracts.envelope import CloudEvent
from contracts.views import AttachmentView, DossierPage, DossierStatus, DossierView
from servicekit.auth import INTEGRATOR_READ_SCOPE, INTEGRATOR_WRITE_SCOPE, TokenService
from servicekit.db import run_in_session
from servicekit.files import ContentStore, TooLarge, TypeNotAllowed, safe_file_name
from servicekit.service import ServiceRuntime
from services.intake import attachments, dossiers, lifecycle, queries, recording, revocations
from services.intake.clients import ClientRegistry, RegisteredClient
from services.intake.errors import (
    ATTACHMENT_TOO_LARGE,
    ATTACHMENT_TYPE_NOT_ALLOWED,
    UNKNOWN_CLIENT,
)
from services.intake.settings import IntakeSettings
from services.intake.validation import DossierValidator, RevokedTitle

SUBMIT_SCOPE = INTEGRATOR_WRITE_SCOPE
READ_SCOPE = INTEGRATOR_READ_SCOPE


@dataclass(frozen=True)
class IntakeContext:
    """What every handler works with, built once by ``app.build``."""

    runtime: ServiceRuntime
    settings: IntakeSettings
    clients: ClientRegistry
    tokens: TokenService
    validator: DossierValidator
    store: ContentStore

    def submission_day(self, now: datetime) -> date:
        """A submission's date is Vietnam's date (``TDKT_INTAKE_TIMEZONE``) at ``now``."""
        return now.astimezone(ZoneInfo(self.settings.timezone)).date()


@dataclass(frozen=True)
class Submitted:
    dossier: DossierView
    replayed: bool
    """The key was used before with the same body: this is the dossier it created then."""


@dataclass(frozen=True)
class Download:
    path: Path
    media_type: str
    file_name: str


# --- the client a token names -------------------------------------------------------------------


def registered(ctx: IntakeContext, client_id: str) -> RegisteredClient:
    """The client a token or an inbound record names; a valid token may outlive its client's
    registration."""
    client = ctx.clients.get(client_id)
    if client is None:
        raise UNKNOWN_CLIENT(client=client_id)
    return client


# --- dossiers -----------------------------------------------------------------------------------


async def submit(
    ctx: IntakeContext,
    client_id: str,
    submission: DossierSubmission,
    *,
    idempotency_key: str | None = None,
    trace_id: str | None = None,
) -> Submitted:
    """A new dossier (``POST /v1/dossiers``, or a record on ``tdkt.intake.inbound`` whose event id
    is the key), validated and stored with its ``dossier.submitted``.

    Two transactions, with the validation between them:

    1. one read: the replay of ``idempotency_key`` when it was used before (answered at once, not
       validated again), else the revocations the submission's records cite;
    2. validation, outside any transaction: it is pure and takes milliseconds to tens of them for
       500 entries, during which a transaction would hold SQLite's one write lock (``BEGIN
       IMMEDIATE``) or a pooled PostgreSQL connection;
    3. one write: the dossier, its version and entries, its idempotency record and its outbox
       event, all or nothing.

    The revocations' read and the store deliberately do not share a transaction: under PostgreSQL's
    READ COMMITTED one would not make the check atomic either (a revocation committed after the read
    is missed both ways), while any revocation committed before the read is always seen.

    The replay stays race-safe: a concurrent duplicate passes the read before the first commits and
    fails its write on the idempotency record's primary key (PostgreSQL makes it wait for the first
    transaction, SQLite queues writers); it then answers the first dossier, as a replay, or refuses
    ``idempotency-key-reused`` when its body differs."""
    client = registered(ctx, client_id)
    now = ctx.runtime.clock.now()
    digest = dossiers.request_digest(submission)

    def replay(session: Session) -> DossierView | None:
        if idempotency_key is None:
            return None
        earlier = dossiers.replay_of(session, client.client_id, idempotency_key, digest)
        return None if earlier is None else _view(ctx, session, earlier, client.client_id)

    def prepare(session: Session) -> tuple[DossierView | None, list[RevokedTitle]]:
        earlier = replay(session)
        return earlier, [] if earlier else revocations.revoked_titles(session, submission)

    earlier, revoked = await run_in_session(ctx.runtime.engine, prepare)
    if earlier is not None:
        return Submitted(earlier, replayed=True)
    checked = ctx.validator.validate(submission, client, ctx.submission_day(now), revoked)

    def store(session: Session) -> DossierView:
        dossier = dossiers.store_submission(
            session,
            checked,
            client_id=client.client_id,
            source=ctx.runtime.source,
            trace_id=trace_id,
            idempotency_key=idempotency_key,
            now=now,
        )
        return _view(ctx, session, dossier.id, client.client_id)

    try:
        return Submitted(await ctx.runtime.write(store), replayed=False)
    except IntegrityError:
        # a concurrent request with the same key committed first: answer as its replay
        if (earlier := await run_in_session(ctx.runtime.engine, replay)) is None:
            raise
        return Submitted(earlier, replayed=True)


async def amend(
    ctx: IntakeContext, client_id: str, dossier_id: str, submission: DossierSubmission
) -> DossierView:
    """The dossier's next version (bổ sung), with its ``dossier.amended``. As a submission: one read
    (the dossier open to amendment, the revocations cited), validation outside any transaction,
    one write — which checks the dossier's status again, so an amendment never lands on a dossier
    a level took up meanwhile."""
    client = registered(ctx, client_id)
    now = ctx.runtime.clock.now()

    def prepare(session: Session) -> list[RevokedTitle]:
        dossier = dossiers.own_dossier(session, dossier_id, client.client_id)
        lifecycle.check_amendment(
            dossier.status, dossier.submitting_organisation, dossier.award_code, submission
        )
        return revocations.revoked_titles(session, submission)

    revoked = await run_in_session(ctx.runtime.engine, prepare)
    checked = ctx.validator.validate(submission, client, ctx.submission_day(now), revoked)

    def store(session: Session) -> DossierView:
        dossiers.store_amendment(
            session, dossier_id, checked, client_id=client.client_id, source=ctx.runtime.source, now=now
        )
        return _view(ctx, session, dossier_id, client.client_id)

    return await ctx.runtime.write(store)


async def withdraw(ctx: IntakeContext, client_id: str, dossier_id: str, reason: str) -> DossierView:
    """The submitter's request to withdraw (rút hồ sơ), in one write with its event; the status
    becomes ``withdrawn`` when the review confirms."""
    client = registered(ctx, client_id)
    now = ctx.runtime.clock.now()

    def store(session: Session) -> DossierView:
        dossiers.store_withdrawal_request(
            session, dossier_id, client.client_id, reason, ctx.runtime.source, now
        )
        return _view(ctx, session, dossier_id, client.client_id)

    return await ctx.runtime.write(store)


async def list_dossiers(
    ctx: IntakeContext,
    client_id: str,
    *,
    status: DossierStatus | None = None,
    external_reference: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> DossierPage:
    catalogue = ctx.validator.catalogue
    return await run_in_session(
        ctx.runtime.engine,
        lambda session: queries.list_dossiers(
            session,
            catalogue,
            client_id,
            status=status,
            external_reference=external_reference,
            limit=limit,
            offset=offset,
        ),
    )


async def get_dossier(ctx: IntakeContext, client_id: str, dossier_id: str) -> DossierView:
    return await run_in_session(
        ctx.runtime.engine, lambda session: _view(ctx, session, dossier_id, client_id)
    )


async def get_version(ctx: IntakeContext, client_id: str, dossier_id: str, version: int) -> DossierSubmission:
    """A version exactly as it was submitted."""
    body = await run_in_session(
        ctx.runtime.engine,
        lambda session: queries.dossier_version(session, dossier_id, version, client_id),
    )
    return DossierSubmission.model_validate(body)


def _view(ctx: IntakeContext, session: Session, dossier_id: str, client_id: str) -> DossierView:
    return queries.dossier_view(session, ctx.validator.catalogue, dossier_id, client_id)


# --- attachments --------------------------------------------------------------------------------


async def upload(
    ctx: IntakeContext,
    client_id: str,
    dossier_id: str,
    chunks: AsyncIterator[bytes],
    file_name: str | None,
    document_code: str | None = None,
) -> AttachmentView:
    """A file attached to the dossier's current version as a document of the catalogue
    (``document_code``; omitted: ``OTHER``, see ``attachments.document_type``). The code and the
    dossier are checked before the bytes are read; they are kept (content-addressed) only once
    their size and type pass; the row is written after, checking the dossier again."""
    document = attachments.document_type(ctx.validator.catalogue, document_code)
    await run_in_session(
        ctx.runtime.engine, lambda session: dossiers.own_dossier(session, dossier_id, client_id)
    )
    try:
        stored = await ctx.store.put(chunks)
    except TooLarge as error:
        raise ATTACHMENT_TOO_LARGE(limit=ctx.store.max_bytes) from error
    except TypeNotAllowed as error:
        raise ATTACHMENT_TYPE_NOT_ALLOWED(
            detected=error.detected or "unknown",
            detail=f"detected: {error.detected or 'unknown'}; accepted: {', '.join(ctx.settings.attachment_types)}",
        ) from error
    name = safe_file_name(file_name, "attachment")
    now = ctx.runtime.clock.now()
    return await run_in_session(
        ctx.runtime.engine,
        lambda session: attachments.add_attachment(
            session, dossier_id, client_id, stored, name, document, now
        ),
    )


async def download(ctx: IntakeContext, client_id: str, dossier_id: str, attachment_id: str) -> Download:
    attachment = await run_in_session(
        ctx.runtime.engine,
        lambda session: attachments.find_attachment(session, dossier_id, attachment_id, client_id),
    )
    return Download(ctx.store.path_of(attachment.sha256), attachment.media_type, attachment.file_name)


# --- events -------------------------------------------------------------------------------------


async def record(ctx: IntakeContext, event: CloudEvent) -> None:
    """A review, decision or notification event in its dossier's history (once: a repeat changes
    nothing), with the status recomputed and the entries struck, numbered or revoked it names."""
    now = ctx.runtime.clock.now()
    await run_in_session(ctx.runtime.engine, lambda session: recording.record_event(session, event, now))
