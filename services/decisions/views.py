"""Decisions' HTTP API: the registry of issued decisions, their documents, revocation and the
public verification of a decision's PDF."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Depends, Query, Response, UploadFile, status
from sqlmodel import Session

from servicekit.auth import STAFF_SCOPE, Principal, Staff, TokenService
from servicekit.db import run_in_session
from servicekit.problems import ProblemError, problem_responses
from servicekit.service import ServiceRuntime
from servicekit.telemetry import trace_carrier
from services.decisions import examples, service, verification
from services.decisions.documents.signing import verify
from services.decisions.flows import DocumentDesk
from services.decisions.models import (
    DecisionEntryView,
    DecisionQuery,
    DecisionView,
    DocumentKind,
    EntryPage,
    RevocationRequest,
    VerificationView,
)
from services.decisions.settings import DecisionsSettings

"""Officers use the platform's staff tokens (the reviewers' own, with ``organisation`` and
``roles`` claims)."""
MAX_VERIFY_BYTES = 50 * 1024 * 1024
PDF = "application/pdf"
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {PDF: {}}, "description": "The signed PDF"}}


def pdf_response(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=PDF,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "ETag": f'"{hashlib.sha256(content).hexdigest()}"',
        },
    )


def build_router(
    runtime: ServiceRuntime,
    settings: DecisionsSettings,
    desk: DocumentDesk,
    tokens: TokenService,
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["decisions"])
    officer = Depends(tokens.authenticator(STAFF_SCOPE))

    @router.get(
        "/decisions", summary="Search the registry: by dossier, number, issuer, year, award or nominee"
    )
    async def find(query: Annotated[DecisionQuery, Query()]) -> list[DecisionView]:
        return await run_in_session(runtime.engine, lambda s: service.find_decisions(s, query))

    @router.get("/decisions/{decision_id}", summary="One decision", responses=problem_responses(404))
    async def get(decision_id: str) -> DecisionView:
        return await run_in_session(runtime.engine, lambda s: service.get_decision(s, decision_id))

    @router.get(
        "/decisions/{decision_id}/entries",
        summary="The decision's lines (danh sách) with their sổ vàng numbers and reward",
        responses=problem_responses(404),
    )
    async def entries(decision_id: str, page: Annotated[EntryPage, Query()]) -> list[DecisionEntryView]:
        return await run_in_session(runtime.engine, lambda s: service.decision_entries(s, decision_id, page))

    async def document(decision_id: str, kind: DocumentKind) -> bytes:
        stored = await run_in_session(runtime.engine, lambda s: service.issued_document(s, decision_id, kind))
        return stored.content

    @router.get(
        "/decisions/{decision_id}/pdf",
        summary="The signed decision (NĐ 30/2020/NĐ-CP layout) with its annex",
        response_class=Response,
        responses={**PDF_RESPONSE, **problem_responses(404, 409)},
    )
    async def decision_pdf(decision_id: str) -> Response:
        return pdf_response(
            await document(decision_id, DocumentKind.DECISION), f"quyet-dinh-{decision_id}.pdf"
        )

    @router.get(
        "/decisions/{decision_id}/certificates",
        summary="Every standing line's certificate (A4 landscape, one page each), signed",
        description="Rendered and signed on first request, then served as stored.",
        response_class=Response,
        responses={**PDF_RESPONSE, **problem_responses(404, 409, 410)},
    )
    async def certificates_pdf(decision_id: str) -> Response:
        content = await desk.certificate(decision_id, None)
        return pdf_response(content, f"giay-chung-nhan-{decision_id}.pdf")

    @router.get(
        "/decisions/{decision_id}/certificates/{line_number}",
        summary="One line's certificate, signed",
        response_class=Response,
        responses={**PDF_RESPONSE, **problem_responses(404, 409, 410)},
    )
    async def certificate_pdf(decision_id: str, line_number: int) -> Response:
        content = await desk.certificate(decision_id, line_number)
        return pdf_response(content, f"giay-chung-nhan-{decision_id}-{line_number}.pdf")

    @router.post(
        "/decisions/{decision_id}/revocations",
        status_code=status.HTTP_201_CREATED,
        summary="Revoke one line (hủy bỏ, Luật TĐKT 2022 Điều 93): a leader of the issuing authority",
        description="Numbers a revocation decision in the issuer's register; its signed PDF follows "
        "(status `numbered` until then) and `vn.tdkt.decision.revoked.v1` is published.",
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def revoke(
        decision_id: str,
        request: Annotated[RevocationRequest, Body(openapi_examples=examples.REVOCATION)],
        principal: Principal = officer,
    ) -> DecisionView:
        staff, carrier = Staff.from_principal(principal), trace_carrier()

        def store(session: Session) -> DecisionView:
            revocation = service.revoke(
                session, decision_id, request, staff, settings.signers, desk.today(), desk.now(), carrier
            )
            return service.decision_view(session, revocation)

        view = await runtime.write(store)
        desk.wake()
        return view

    @router.post(
        "/decisions/batches/issue",
        summary="Issue now the batched decisions of the caller's organisation (before the period ends)",
        responses=problem_responses(401, 403),
    )
    async def issue_batches(
        award_code: Annotated[str | None, Query(max_length=50)] = None, principal: Principal = officer
    ) -> list[DecisionView]:
        staff = Staff.from_principal(principal)

        def close(session: Session) -> list[DecisionView]:
            numbered = service.issue_batches_now(
                session, staff, settings.signers, desk.today(), desk.now(), award_code
            )
            return service.decision_views(session, numbered)

        views = await runtime.write(close)
        desk.wake()
        return views

    @router.post(
        "/verify",
        tags=["verification"],
        summary="Is this PDF an unaltered document of this registry, which, and does its award stand?",
        description="Public. Checks the PAdES signature (intact, covering the whole file, chaining to "
        "this system's trust roots) and finds the document by its SHA-256: then it is `authentic`. "
        "It is `valid` when, besides, no award it attests was revoked (Luật TĐKT 2022 Điều 93): a "
        "revoked line's certificate, or a decision whose lines were all revoked, is authentic but "
        "`revoked`, with `revocations` naming each revocation decision (number, date, ground, số sổ "
        "vàng, nominee); some lines revoked: problem `partly-revoked`. `problems` keeps the codes; "
        "`problem_details` gives each with `message_vi` and `message_en`.",
        responses=problem_responses(413, 422),
    )
    async def verify_pdf(file: UploadFile) -> VerificationView:
        content = await file.read(MAX_VERIFY_BYTES + 1)
        if len(content) > MAX_VERIFY_BYTES:
            raise ProblemError(
                413,
                "file-too-large",
                f"Tệp vượt quá {MAX_VERIFY_BYTES // (1024 * 1024)} MB.",
                f"The file exceeds {MAX_VERIFY_BYTES // (1024 * 1024)} MB.",
            )
        result = await anyio.to_thread.run_sync(lambda: verify(content, desk.signer, desk.now()))
        held = await run_in_session(
            runtime.engine, lambda session: verification.holding(session, result.document_sha256)
        )
        return verification.verdict(result, held)

    return router
