"""Decisions' HTTP API, a thin adapter: the registry of issued decisions, their documents,
revocation and the public verification of a decision's PDF. Each endpoint parses its request,
calls one handler and returns what it gives."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, UploadFile, status
from fastapi.security import HTTPAuthorizationCredentials

from servicekit.auth import STAFF_SCOPE, STAFF_TOKEN_SCHEME, Staff
from servicekit.db import MAX_INTEGER
from servicekit.files import content_disposition
from servicekit.problems import error_responses
from servicekit.refusals import HUMAN_TEXT, SIGNER_NOT_NAMED, STAFF_AUTHENTICATION
from services.decisions import examples, handlers
from services.decisions.context import DecisionsContext
from services.decisions.errors import (
    ALL_LINES_REVOKED,
    ALREADY_REVOKED,
    DECISION_NOT_FOUND,
    DECISION_NOT_REVOCABLE,
    DOCUMENT_NOT_AVAILABLE,
    DOCUMENT_NOT_READY,
    FILE_TOO_LARGE,
    LEADER_REQUIRED,
    LINE_NOT_FOUND,
    LINE_REVOKED,
    NO_CERTIFICATES,
    NOT_ISSUING_AUTHORITY,
    PDF_TOO_COMPLEX,
    PDF_TOO_MANY_OBJECTS,
    PDF_TOO_MUCH_DATA,
    PDF_TOOK_TOO_LONG,
    VERIFICATION_BUSY,
)
from services.decisions.models import (
    DecisionEntryView,
    DecisionQuery,
    DecisionView,
    EntryPage,
    RevocationRequest,
    VerificationView,
)

PDF = "application/pdf"
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {PDF: {}}, "description": "The signed PDF"}}

router = APIRouter(prefix="/v1", tags=["decisions"])


def context(request: Request) -> DecisionsContext:
    ctx: DecisionsContext = request.app.state.context
    return ctx


Ctx = Annotated[DecisionsContext, Depends(context)]


def officer(
    request: Request,
    ctx: Ctx,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(STAFF_TOKEN_SCHEME)],
) -> Staff:
    """The officer a staff token names (the reviewers' own, with ``organisation`` and ``roles``
    claims); ``_declared`` puts the token's scheme in the OpenAPI document."""
    return Staff.from_principal(ctx.tokens.authenticator(STAFF_SCOPE)(request))


Officer = Annotated[Staff, Depends(officer)]


def pdf_response(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=PDF,
        headers={
            "Content-Disposition": content_disposition("inline", filename),
            "ETag": f'"{hashlib.sha256(content).hexdigest()}"',
        },
    )


@router.get("/decisions", summary="Search the registry: by dossier, number, issuer, year, award or nominee")
async def find(ctx: Ctx, query: Annotated[DecisionQuery, Query()]) -> list[DecisionView]:
    return await handlers.search_registry(ctx, query)


@router.get("/decisions/{decision_id}", summary="One decision", responses=error_responses(DECISION_NOT_FOUND))
async def get(ctx: Ctx, decision_id: str) -> DecisionView:
    return await handlers.get_decision(ctx, decision_id)


@router.get(
    "/decisions/{decision_id}/entries",
    summary="The decision's lines (danh sách) with their sổ vàng numbers and reward",
    responses=error_responses(DECISION_NOT_FOUND),
)
async def entries(ctx: Ctx, decision_id: str, page: Annotated[EntryPage, Query()]) -> list[DecisionEntryView]:
    return await handlers.decision_entries(ctx, decision_id, page)


@router.get(
    "/decisions/{decision_id}/pdf",
    summary="The signed decision (NĐ 30/2020/NĐ-CP layout) with its annex",
    response_class=Response,
    responses={
        **PDF_RESPONSE,
        **error_responses(DECISION_NOT_FOUND, DOCUMENT_NOT_AVAILABLE, DOCUMENT_NOT_READY),
    },
)
async def decision_pdf(ctx: Ctx, decision_id: str) -> Response:
    return pdf_response(await handlers.decision_pdf(ctx, decision_id), f"quyet-dinh-{decision_id}.pdf")


@router.get(
    "/decisions/{decision_id}/certificates",
    summary="Every standing line's certificate (A4 landscape, one page each), signed",
    description="Rendered and signed on first request, then served as stored.",
    response_class=Response,
    responses={
        **PDF_RESPONSE,
        **error_responses(DECISION_NOT_FOUND, NO_CERTIFICATES, DOCUMENT_NOT_READY, ALL_LINES_REVOKED),
    },
)
async def certificates_pdf(ctx: Ctx, decision_id: str) -> Response:
    content = await handlers.certificates(ctx, decision_id)
    return pdf_response(content, f"giay-chung-nhan-{decision_id}.pdf")


@router.get(
    "/decisions/{decision_id}/certificates/{line_number}",
    summary="One line's certificate, signed",
    response_class=Response,
    responses={
        **PDF_RESPONSE,
        **error_responses(
            DECISION_NOT_FOUND, NO_CERTIFICATES, LINE_NOT_FOUND, DOCUMENT_NOT_READY, LINE_REVOKED
        ),
    },
)
async def certificate_pdf(
    ctx: Ctx,
    decision_id: str,
    line_number: Annotated[int, Path(ge=1, le=MAX_INTEGER, description="Số sổ vàng")],
) -> Response:
    content = await handlers.certificate(ctx, decision_id, line_number)
    return pdf_response(content, f"giay-chung-nhan-{decision_id}-{line_number}.pdf")


@router.post(
    "/decisions/{decision_id}/revocations",
    status_code=status.HTTP_201_CREATED,
    summary="Revoke one line (hủy bỏ, Luật TĐKT 2022 Điều 93): a leader of the issuing authority",
    description="Numbers a revocation decision in the issuer's register; its signed PDF follows "
    "(status `numbered` until then) and `vn.tdkt.decision.revoked.v1` is published.",
    responses=error_responses(
        NOT_ISSUING_AUTHORITY,
        DECISION_NOT_FOUND,
        LINE_NOT_FOUND,
        DECISION_NOT_REVOCABLE,
        ALREADY_REVOKED,
        SIGNER_NOT_NAMED,
        *HUMAN_TEXT,
        *STAFF_AUTHENTICATION,
    ),
)
async def revoke(
    ctx: Ctx,
    decision_id: str,
    request: Annotated[RevocationRequest, Body(openapi_examples=examples.REVOCATION)],
    officer: Officer,
) -> DecisionView:
    return await handlers.revoke_line(ctx, decision_id, request, officer)


@router.post(
    "/decisions/batches/issue",
    summary="Issue now the batched decisions of the caller's organisation (before the period ends)",
    responses=error_responses(LEADER_REQUIRED, *STAFF_AUTHENTICATION),
)
async def issue_batches(
    ctx: Ctx, officer: Officer, award_code: Annotated[str | None, Query(max_length=50)] = None
) -> list[DecisionView]:
    return await handlers.issue_batches_now(ctx, officer, award_code)


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
    "`problem_details` gives each with `message_vi` and `message_en`.\n\n"
    "The file is read in a short-lived child process under limits of objects, decoded data, memory "
    "and time (422 with the limit it exceeds); a few files are read at once, and one more is "
    "answered 503 `verification-busy` with `Retry-After`.",
    responses=error_responses(
        FILE_TOO_LARGE,
        PDF_TOO_MANY_OBJECTS,
        PDF_TOO_MUCH_DATA,
        PDF_TOO_COMPLEX,
        PDF_TOOK_TOO_LONG,
        VERIFICATION_BUSY,
    ),
)
async def verify_pdf(ctx: Ctx, file: UploadFile) -> VerificationView:
    return await handlers.verify_pdf(ctx, await file.read(handlers.MAX_VERIFY_BYTES + 1))
