"""Intake's HTTP API (``/v1``): OAuth2 client-credentials tokens, dossiers, versions, attachments.

An adapter: each operation reads its request, calls one handler (``handlers``) and answers what it
returns; refusals are the catalogue's (``errors``), which the problem handlers answer."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Body,
    Depends,
    FastAPI,
    Form,
    Header,
    Query,
    Request,
    Response,
    Security,
    UploadFile,
    status,
)
from fastapi.responses import FileResponse

from contracts.dossiers import DossierSubmission
from contracts.views import AttachmentView, DossierPage, DossierStatus, DossierView
from servicekit.auth import INTEGRATOR_TOKEN_AUDIENCE, Principal, client_credentials_scheme
from servicekit.db import MAX_PAGE_OFFSET
from servicekit.problems import error_responses
from servicekit.refusals import AUTHENTICATION
from servicekit.telemetry import current_trace_id
from services.intake import examples, handlers
from services.intake.errors import (
    AMENDMENT_CHANGES_IDENTITY,
    ATTACHMENT_NOT_FOUND,
    ATTACHMENT_TOO_LARGE,
    ATTACHMENT_TYPE_NOT_ALLOWED,
    DOSSIER_NOT_AMENDABLE,
    DOSSIER_NOT_FOUND,
    DOSSIER_NOT_WITHDRAWABLE,
    IDEMPOTENCY_KEY_REUSED,
    INVALID_CLIENT,
    UNKNOWN_CLIENT,
    UNSUPPORTED_GRANT_TYPE,
    VALIDATION_REFUSALS,
    VERSION_NOT_FOUND,
)
from services.intake.handlers import READ_SCOPE, SUBMIT_SCOPE, IntakeContext
from services.intake.models import TokenResponse, WithdrawalBody
from services.intake.settings import IntakeSettings

TOKEN_AUDIENCE = INTEGRATOR_TOKEN_AUDIENCE
TOKEN_URL = "/v1/oauth/token"
TOKEN_SCHEME = client_credentials_scheme(
    TOKEN_URL,
    {
        SUBMIT_SCOPE: "Submit, supplement and withdraw the client's dossiers; upload attachments",
        READ_SCOPE: "Read the client's dossiers, their history and attachments",
    },
)
UPLOAD_CHUNK = 1024 * 1024

router = APIRouter(prefix="/v1")
UPLOAD_PATH = "/dossiers/{dossier_id}/attachments"


def context(request: Request) -> IntakeContext:
    ctx: IntakeContext = request.app.state.context
    return ctx


Ctx = Annotated[IntakeContext, Depends(context)]


def _authenticated(scope: str) -> Callable[..., Principal]:
    """A dependency giving the caller whose token holds ``scope``; it declares the OAuth2 scheme
    with the scope on each operation, for the OpenAPI document."""

    declared = Security(TOKEN_SCHEME, scopes=[scope])

    def principal(request: Request, ctx: Ctx, _declared: Any = declared) -> Principal:
        return ctx.tokens.authenticator(scope)(request)

    return principal


Writer = Annotated[Principal, Depends(_authenticated(SUBMIT_SCOPE))]
Reader = Annotated[Principal, Depends(_authenticated(READ_SCOPE))]


@router.post(
    "/oauth/token",
    tags=["auth"],
    summary="OAuth2 client credentials: exchange a client id and secret for an access token",
    responses=error_responses(UNSUPPORTED_GRANT_TYPE, INVALID_CLIENT),
)
async def token(
    request: Request,
    ctx: Ctx,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> TokenResponse:
    client_id, client_secret = _basic_credentials(request) or (client_id, client_secret)
    return handlers.issue_token(ctx, grant_type, client_id or "", client_secret or "")


@router.post(
    "/dossiers",
    tags=["dossiers"],
    status_code=status.HTTP_201_CREATED,
    summary="Submit a nomination dossier (tờ trình)",
    description=(
        "Validates structure, award catalogue, organisation and eligibility (one result per entry). "
        "A dossier whose entries are all ineligible is refused (422 `all-entries-ineligible`); one with "
        "some ineligible entries is accepted with those entries flagged. With `Idempotency-Key`, a "
        "retry with the same body returns the same dossier (200); a different body is a 409."
    ),
    responses={
        **error_responses(UNKNOWN_CLIENT, IDEMPOTENCY_KEY_REUSED, *VALIDATION_REFUSALS, *AUTHENTICATION),
        200: {"description": "An idempotent replay"},
    },
)
async def submit(
    ctx: Ctx,
    submission: Annotated[DossierSubmission, Body(openapi_examples=examples.SUBMISSION)],
    response: Response,
    principal: Writer,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> DossierView:
    submitted = await handlers.submit(
        ctx,
        principal.subject,
        submission,
        idempotency_key=idempotency_key,
        trace_id=current_trace_id(),
    )
    if submitted.replayed:
        response.status_code = status.HTTP_200_OK
    else:
        response.headers["Location"] = f"/v1/dossiers/{submitted.dossier.dossier_id}"
    return submitted.dossier


@router.get(
    "/dossiers",
    tags=["dossiers"],
    summary="The client's own dossiers",
    responses=error_responses(*AUTHENTICATION),
)
async def list_dossiers(
    ctx: Ctx,
    principal: Reader,
    status_: Annotated[DossierStatus | None, Query(alias="status")] = None,
    external_reference: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
) -> DossierPage:
    return await handlers.list_dossiers(
        ctx,
        principal.subject,
        status=status_,
        external_reference=external_reference,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/dossiers/{dossier_id}",
    tags=["dossiers"],
    summary="A dossier with its entries, eligibility, attachments, status and full history",
    responses=error_responses(DOSSIER_NOT_FOUND, *AUTHENTICATION),
)
async def get_dossier(ctx: Ctx, dossier_id: str, principal: Reader) -> DossierView:
    return await handlers.get_dossier(ctx, principal.subject, dossier_id)


@router.put(
    "/dossiers/{dossier_id}",
    tags=["dossiers"],
    summary="Amend a dossier (bổ sung): the body becomes its next version",
    responses=error_responses(
        UNKNOWN_CLIENT,
        DOSSIER_NOT_FOUND,
        DOSSIER_NOT_AMENDABLE,
        AMENDMENT_CHANGES_IDENTITY,
        *VALIDATION_REFUSALS,
        *AUTHENTICATION,
    ),
)
async def amend(ctx: Ctx, dossier_id: str, submission: DossierSubmission, principal: Writer) -> DossierView:
    return await handlers.amend(ctx, principal.subject, dossier_id, submission)


@router.post(
    "/dossiers/{dossier_id}/withdraw",
    tags=["dossiers"],
    status_code=status.HTTP_202_ACCEPTED,
    summary="Withdraw the dossier (rút hồ sơ) before the last level approves it",
    description="Accepted at once; the review ends and the status becomes `withdrawn` when it confirms.",
    responses=error_responses(UNKNOWN_CLIENT, DOSSIER_NOT_FOUND, DOSSIER_NOT_WITHDRAWABLE, *AUTHENTICATION),
)
async def withdraw(ctx: Ctx, dossier_id: str, body: WithdrawalBody, principal: Writer) -> DossierView:
    return await handlers.withdraw(ctx, principal.subject, dossier_id, body.reason)


@router.get(
    "/dossiers/{dossier_id}/versions/{version}",
    tags=["dossiers"],
    summary="A version of a dossier exactly as it was submitted",
    responses=error_responses(DOSSIER_NOT_FOUND, VERSION_NOT_FOUND, *AUTHENTICATION),
)
async def get_version(ctx: Ctx, dossier_id: str, version: int, principal: Reader) -> DossierSubmission:
    return await handlers.get_version(ctx, principal.subject, dossier_id, version)


@router.post(
    UPLOAD_PATH,
    tags=["attachments"],
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file to the dossier's current version",
    responses=error_responses(
        DOSSIER_NOT_FOUND, ATTACHMENT_TOO_LARGE, ATTACHMENT_TYPE_NOT_ALLOWED, *AUTHENTICATION
    ),
)
async def upload(ctx: Ctx, dossier_id: str, file: UploadFile, principal: Writer) -> AttachmentView:
    return await handlers.upload(ctx, principal.subject, dossier_id, _chunks(file), file.filename)


@router.get(
    "/dossiers/{dossier_id}/attachments/{attachment_id}",
    tags=["attachments"],
    summary="Download an attachment",
    response_class=FileResponse,
    responses=error_responses(DOSSIER_NOT_FOUND, ATTACHMENT_NOT_FOUND, *AUTHENTICATION),
)
async def download(ctx: Ctx, dossier_id: str, attachment_id: str, principal: Reader) -> FileResponse:
    found = await handlers.download(ctx, principal.subject, dossier_id, attachment_id)
    return FileResponse(found.path, media_type=found.media_type, filename=found.file_name)


def describe_limits(app: FastAPI, settings: IntakeSettings) -> None:
    """The upload's description names this deployment's accepted types and size limit: settings,
    known when the app is built, not when this module is imported. (FastAPI's way to extend the
    generated document: replace ``app.openapi``.)"""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            generate()["paths"][f"{router.prefix}{UPLOAD_PATH}"]["post"]["description"] = (
                f"Accepted types (judged from the content): {', '.join(settings.attachment_types)}; "
                f"at most {settings.max_attachment_bytes} bytes."
            )
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


async def _chunks(file: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await file.read(UPLOAD_CHUNK):
        yield chunk


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """Client credentials sent as HTTP Basic (RFC 6749 §2.3.1), preferred over form fields."""
    kind, _, encoded = request.headers.get("authorization", "").partition(" ")
    if kind.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret
