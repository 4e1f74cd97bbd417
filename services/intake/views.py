"""Intake's HTTP API (``/v1``): dossiers, versions, attachments, for integrating systems whose
access tokens come from the identity provider (OAuth2 client credentials).

An adapter: each operation reads its request, calls one handler (``handlers``) and answers what it
returns; refusals are the catalogue's (``errors``), which the problem handlers answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Body,
    Depends,
    FastAPI,
    Form,
    Header,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.responses import FileResponse

from contracts.dossiers import DossierSubmission
from contracts.views import AttachmentView, DossierPage, DossierStatus, DossierView
from servicekit.auth import INTAKE_AUDIENCE, INTEGRATOR_TOKEN_SCHEME
from servicekit.db import MAX_INTEGER, MAX_PAGE_OFFSET
from servicekit.files import file_response
from servicekit.problems import error_responses
from servicekit.refusals import AUTHENTICATION, HUMAN_TEXT
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
    UNKNOWN_CLIENT,
    UNKNOWN_DOCUMENT_CODE,
    VALIDATION_REFUSALS,
    VERSION_NOT_FOUND,
)
from services.intake.handlers import READ_SCOPE, SUBMIT_SCOPE, IntakeContext
from services.intake.models import WithdrawalBody
from services.intake.settings import IntakeSettings

TOKEN_AUDIENCE = INTAKE_AUDIENCE
TOKEN_SCHEME = INTEGRATOR_TOKEN_SCHEME
DECLARED = Depends(TOKEN_SCHEME)
UPLOAD_CHUNK = 1024 * 1024
VersionNumber = Annotated[int, Path(ge=1, le=MAX_INTEGER, description="The version's number, from 1")]

router = APIRouter(prefix="/v1")
UPLOAD_PATH = "/dossiers/{dossier_id}/attachments"


def context(request: Request) -> IntakeContext:
    ctx: IntakeContext = request.app.state.context
    return ctx


Ctx = Annotated[IntakeContext, Depends(context)]


def _authenticated(scope: str) -> Callable[..., str]:
    """A dependency giving the caller whose token holds ``scope``; it declares the bearer scheme on
    each operation, for the OpenAPI document."""

    def client_id(request: Request, ctx: Ctx, _declared: Any = DECLARED) -> str:
        return ctx.tokens.authenticator(scope)(request).client()

    return client_id


Writer = Annotated[str, Depends(_authenticated(SUBMIT_SCOPE))]
Reader = Annotated[str, Depends(_authenticated(READ_SCOPE))]


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
        **error_responses(
            UNKNOWN_CLIENT, IDEMPOTENCY_KEY_REUSED, *VALIDATION_REFUSALS, *HUMAN_TEXT, *AUTHENTICATION
        ),
        200: {"description": "An idempotent replay"},
    },
)
async def submit(
    ctx: Ctx,
    submission: Annotated[DossierSubmission, Body(openapi_examples=examples.SUBMISSION)],
    response: Response,
    client_id: Writer,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> DossierView:
    submitted = await handlers.submit(
        ctx,
        client_id,
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
    client_id: Reader,
    status_: Annotated[DossierStatus | None, Query(alias="status")] = None,
    external_reference: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
) -> DossierPage:
    return await handlers.list_dossiers(
        ctx,
        client_id,
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
async def get_dossier(ctx: Ctx, dossier_id: str, client_id: Reader) -> DossierView:
    return await handlers.get_dossier(ctx, client_id, dossier_id)


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
        *HUMAN_TEXT,
        *AUTHENTICATION,
    ),
)
async def amend(ctx: Ctx, dossier_id: str, submission: DossierSubmission, client_id: Writer) -> DossierView:
    return await handlers.amend(ctx, client_id, dossier_id, submission)


@router.post(
    "/dossiers/{dossier_id}/withdraw",
    tags=["dossiers"],
    status_code=status.HTTP_202_ACCEPTED,
    summary="Withdraw the dossier (rút hồ sơ) before the last level approves it",
    description="Accepted at once; the review ends and the status becomes `withdrawn` when it confirms.",
    responses=error_responses(
        UNKNOWN_CLIENT, DOSSIER_NOT_FOUND, DOSSIER_NOT_WITHDRAWABLE, *HUMAN_TEXT, *AUTHENTICATION
    ),
)
async def withdraw(ctx: Ctx, dossier_id: str, body: WithdrawalBody, client_id: Writer) -> DossierView:
    return await handlers.withdraw(ctx, client_id, dossier_id, body.reason)


@router.get(
    "/dossiers/{dossier_id}/versions/{version}",
    tags=["dossiers"],
    summary="A version of a dossier exactly as it was submitted",
    responses=error_responses(DOSSIER_NOT_FOUND, VERSION_NOT_FOUND, *AUTHENTICATION),
)
async def get_version(
    ctx: Ctx, dossier_id: str, version: VersionNumber, client_id: Reader
) -> DossierSubmission:
    return await handlers.get_version(ctx, client_id, dossier_id, version)


@router.post(
    UPLOAD_PATH,
    tags=["attachments"],
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file to the dossier's current version, as one of the catalogue's documents",
    responses=error_responses(
        DOSSIER_NOT_FOUND,
        UNKNOWN_DOCUMENT_CODE,
        ATTACHMENT_TOO_LARGE,
        ATTACHMENT_TYPE_NOT_ALLOWED,
        *AUTHENTICATION,
    ),
)
async def upload(
    ctx: Ctx,
    dossier_id: str,
    file: UploadFile,
    client_id: Writer,
    document_code: Annotated[
        str | None,
        Form(
            max_length=50,
            description="The document type (TO_TRINH, BAO_CAO_THANH_TICH, BIEN_BAN_BINH_XET, …; the "
            "dossier's `documents` list what its award requires); omitted or empty: OTHER",
        ),
    ] = None,
) -> AttachmentView:
    return await handlers.upload(ctx, client_id, dossier_id, _chunks(file), file.filename, document_code)


@router.get(
    "/dossiers/{dossier_id}/attachments/{attachment_id}",
    tags=["attachments"],
    summary="Download an attachment",
    response_class=FileResponse,
    responses=error_responses(DOSSIER_NOT_FOUND, ATTACHMENT_NOT_FOUND, *AUTHENTICATION),
)
async def download(ctx: Ctx, dossier_id: str, attachment_id: str, client_id: Reader) -> FileResponse:
    found = await handlers.download(ctx, client_id, dossier_id, attachment_id)
    return file_response(found.path, found.media_type, found.file_name)


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
