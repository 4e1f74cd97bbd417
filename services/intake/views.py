"""Intake's HTTP API (``/v1``): OAuth2 client-credentials tokens, dossiers, versions, attachments."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, Form, Header, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from contracts.dossiers import DossierSubmission
from servicekit.auth import (
    INTEGRATOR_READ_SCOPE,
    INTEGRATOR_TOKEN_AUDIENCE,
    Principal,
    TokenService,
    client_credentials_scheme,
)
from servicekit.clock import local_date
from servicekit.db import MAX_PAGE_OFFSET, run_in_session
from servicekit.problems import ProblemError, problem_responses
from servicekit.service import ServiceRuntime
from servicekit.telemetry import current_trace_id
from services.intake import examples, service
from services.intake.clients import ClientRegistry, RegisteredClient
from services.intake.lifecycle import DossierStatus
from services.intake.models import AttachmentView, DossierPage, DossierView, TokenResponse, WithdrawalBody
from services.intake.settings import IntakeSettings
from services.intake.storage import AttachmentStore, TooLarge, TypeNotAllowed
from services.intake.validation import DossierValidator

TOKEN_AUDIENCE = INTEGRATOR_TOKEN_AUDIENCE
SUBMIT_SCOPE = "dossiers:write"
READ_SCOPE = INTEGRATOR_READ_SCOPE
TOKEN_URL = "/v1/oauth/token"
TOKEN_SCHEME = client_credentials_scheme(
    TOKEN_URL,
    {
        SUBMIT_SCOPE: "Submit, supplement and withdraw the client's dossiers; upload attachments",
        READ_SCOPE: "Read the client's dossiers, their history and attachments",
    },
)
UPLOAD_CHUNK = 1024 * 1024


def build_router(
    runtime: ServiceRuntime,
    settings: IntakeSettings,
    clients: ClientRegistry,
    tokens: TokenService,
    validator: DossierValidator,
    store: AttachmentStore,
) -> APIRouter:
    router = APIRouter(prefix="/v1")
    zone = ZoneInfo(settings.timezone)
    writer = Depends(tokens.authenticator(SUBMIT_SCOPE))
    reader = Depends(tokens.authenticator(READ_SCOPE))
    auth_errors = problem_responses(401, 403)

    def registered(subject: str) -> RegisteredClient:
        client = clients.get(subject)
        if client is None:  # a valid token for a client since removed from the registry
            raise ProblemError(
                403, "unknown-client", "Hệ thống này chưa được đăng ký.", "This client is not registered."
            )
        return client

    @router.post(
        "/oauth/token",
        tags=["auth"],
        summary="OAuth2 client credentials: exchange a client id and secret for an access token",
        responses=problem_responses(400, 401),
    )
    async def token(
        request: Request,
        grant_type: Annotated[str, Form()],
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
    ) -> TokenResponse:
        if grant_type != "client_credentials":
            raise ProblemError(
                400,
                "unsupported-grant-type",
                "Chỉ hỗ trợ grant_type=client_credentials.",
                "Only grant_type=client_credentials is supported.",
            )
        client_id, client_secret = _basic_credentials(request) or (client_id, client_secret)
        client = clients.authenticate(client_id or "", client_secret or "")
        if client is None:
            raise ProblemError(
                401,
                "invalid-client",
                "Sai mã hệ thống hoặc khóa bí mật.",
                "Unknown client or wrong client secret.",
            )
        scopes = [SUBMIT_SCOPE, READ_SCOPE]
        access_token, expires_in = tokens.issue(client.client_id, scopes)
        return TokenResponse(access_token=access_token, expires_in=expires_in, scope=" ".join(scopes))

    async def validated(submission: DossierSubmission, client: RegisteredClient) -> Any:
        revoked = await run_in_session(runtime.engine, lambda s: service.revoked_titles(s, submission))
        return validator.validate(submission, client, local_date(runtime.clock, zone), revoked)

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
            **auth_errors,
            **problem_responses(409, 422),
            200: {"description": "An idempotent replay"},
        },
    )
    async def submit(
        submission: Annotated[DossierSubmission, Body(openapi_examples=examples.SUBMISSION)],
        response: Response,
        principal: Principal = writer,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> DossierView:
        client = registered(principal.subject)
        digest = service.request_digest(submission)

        async def replay() -> DossierView | None:
            if idempotency_key is None:
                return None
            replayed = await run_in_session(
                runtime.engine,
                lambda session: service.replay_of(session, client.client_id, idempotency_key, digest),
            )
            if replayed is None:
                return None
            response.status_code = status.HTTP_200_OK
            return await run_in_session(
                runtime.engine, lambda session: service.dossier_view(session, replayed, client.client_id)
            )

        if (earlier := await replay()) is not None:
            return earlier
        checked = await validated(submission, client)
        trace_id = current_trace_id()

        def store(session: Session) -> DossierView:
            dossier = service.submit_dossier(
                session,
                checked,
                client_id=client.client_id,
                source=runtime.source,
                trace_id=trace_id,
                idempotency_key=idempotency_key,
                now=runtime.clock.now(),
            )
            return service.dossier_view(session, dossier.id, client.client_id)

        try:
            view = await runtime.write(store)
        except IntegrityError:
            # a concurrent request with the same Idempotency-Key committed first: answer as its replay
            if (earlier := await replay()) is None:
                raise
            return earlier
        response.headers["Location"] = f"/v1/dossiers/{view.dossier_id}"
        return view

    @router.get("/dossiers", tags=["dossiers"], summary="The client's own dossiers", responses=auth_errors)
    async def list_dossiers(
        principal: Principal = reader,
        status_: Annotated[DossierStatus | None, Query(alias="status")] = None,
        external_reference: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
    ) -> DossierPage:
        return await run_in_session(
            runtime.engine,
            lambda session: service.list_dossiers(
                session,
                principal.subject,
                status=status_,
                external_reference=external_reference,
                limit=limit,
                offset=offset,
            ),
        )

    @router.get(
        "/dossiers/{dossier_id}",
        tags=["dossiers"],
        summary="A dossier with its entries, eligibility, attachments, status and full history",
        responses={**auth_errors, **problem_responses(404)},
    )
    async def get_dossier(dossier_id: str, principal: Principal = reader) -> DossierView:
        return await run_in_session(
            runtime.engine, lambda session: service.dossier_view(session, dossier_id, principal.subject)
        )

    @router.put(
        "/dossiers/{dossier_id}",
        tags=["dossiers"],
        summary="Amend a dossier (bổ sung): the body becomes its next version",
        responses={**auth_errors, **problem_responses(404, 409, 422)},
    )
    async def amend(
        dossier_id: str,
        submission: DossierSubmission,
        principal: Principal = writer,
    ) -> DossierView:
        client = registered(principal.subject)
        await run_in_session(
            runtime.engine,
            lambda session: service.check_amendment(
                service.own_dossier(session, dossier_id, client.client_id), submission
            ),
        )
        checked = await validated(submission, client)

        def store(session: Session) -> DossierView:
            service.amend_dossier(
                session,
                dossier_id,
                checked,
                client_id=client.client_id,
                source=runtime.source,
                now=runtime.clock.now(),
            )
            return service.dossier_view(session, dossier_id, client.client_id)

        return await runtime.write(store)

    @router.post(
        "/dossiers/{dossier_id}/withdraw",
        tags=["dossiers"],
        status_code=status.HTTP_202_ACCEPTED,
        summary="Withdraw the dossier (rút hồ sơ) before the last level approves it",
        description="Accepted at once; the review ends and the status becomes `withdrawn` when it confirms.",
        responses={**auth_errors, **problem_responses(404, 409)},
    )
    async def withdraw(dossier_id: str, body: WithdrawalBody, principal: Principal = writer) -> DossierView:
        client = registered(principal.subject)

        def store(session: Session) -> DossierView:
            service.request_withdrawal(
                session, dossier_id, client.client_id, body.reason, runtime.source, runtime.clock.now()
            )
            return service.dossier_view(session, dossier_id, client.client_id)

        return await runtime.write(store)

    @router.get(
        "/dossiers/{dossier_id}/versions/{version}",
        tags=["dossiers"],
        summary="A version of a dossier exactly as it was submitted",
        responses={**auth_errors, **problem_responses(404)},
    )
    async def get_version(dossier_id: str, version: int, principal: Principal = reader) -> DossierSubmission:
        body = await run_in_session(
            runtime.engine,
            lambda session: service.dossier_version(session, dossier_id, version, principal.subject),
        )
        return DossierSubmission.model_validate(body)

    @router.post(
        "/dossiers/{dossier_id}/attachments",
        tags=["attachments"],
        status_code=status.HTTP_201_CREATED,
        summary="Attach a file to the dossier's current version",
        description=(
            f"Accepted types (judged from the content): {', '.join(settings.attachment_types)}; "
            f"at most {settings.max_attachment_bytes} bytes."
        ),
        responses={**auth_errors, **problem_responses(404, 413, 415)},
    )
    async def upload(dossier_id: str, file: UploadFile, principal: Principal = writer) -> AttachmentView:
        await run_in_session(
            runtime.engine, lambda session: service.own_dossier(session, dossier_id, principal.subject)
        )
        try:
            stored = await store.put(_chunks(file))
        except TooLarge as error:
            raise ProblemError(
                413,
                "attachment-too-large",
                f"Tệp đính kèm vượt quá {settings.max_attachment_bytes} byte.",
                f"The attachment exceeds {settings.max_attachment_bytes} bytes.",
            ) from error
        except TypeNotAllowed as error:
            raise ProblemError(
                415,
                "attachment-type-not-allowed",
                "Loại tệp không được chấp nhận.",
                "This type of file is not accepted.",
                detail=f"detected: {error.detected or 'unknown'}; accepted: {', '.join(settings.attachment_types)}",
            ) from error
        name = (file.filename or "attachment")[:255]
        now = runtime.clock.now()
        view = await run_in_session(
            runtime.engine,
            lambda session: service.add_attachment(session, dossier_id, principal.subject, stored, name, now),
        )
        return view

    @router.get(
        "/dossiers/{dossier_id}/attachments/{attachment_id}",
        tags=["attachments"],
        summary="Download an attachment",
        response_class=FileResponse,
        responses={**auth_errors, **problem_responses(404)},
    )
    async def download(dossier_id: str, attachment_id: str, principal: Principal = reader) -> FileResponse:
        attachment = await run_in_session(
            runtime.engine,
            lambda session: service.find_attachment(session, dossier_id, attachment_id, principal.subject),
        )
        return FileResponse(
            store.path_of(attachment.sha256), media_type=attachment.media_type, filename=attachment.file_name
        )

    return router


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
