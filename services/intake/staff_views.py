"""Intake's staff API (``/v1/staff``): a dossier as the reviewers of its chain read it — every
entry with all its submitted facts and its eligibility per criterion, the attachments (served
inline with their real content type, so a browser previews PDFs and images), the versions and
what changed between two, the history. Officers' tokens (scope ``tasks``, audience
``tdkt-intake``) from the identity provider; who may read which dossier is ``readers``' rule."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse

from contracts.dossiers import DossierSubmission
from contracts.views import StaffDossierView, VersionChanges
from servicekit.auth import STAFF_SCOPE, STAFF_TOKEN_SCHEME, Staff
from servicekit.files import file_response
from servicekit.problems import error_responses
from servicekit.refusals import STAFF_AUTHENTICATION
from services.intake import staff_handlers
from services.intake.errors import ATTACHMENT_NOT_FOUND, DOSSIER_NOT_FOUND, VERSION_NOT_FOUND
from services.intake.views import Ctx, VersionNumber

router = APIRouter(prefix="/v1/staff", tags=["staff"])
DECLARED = Depends(STAFF_TOKEN_SCHEME)


def officer(request: Request, ctx: Ctx, _declared: Any = DECLARED) -> Staff:
    """The officer the bearer token names (the scheme only declares it in the documents)."""
    return Staff.from_principal(ctx.tokens.authenticator(STAFF_SCOPE)(request))


Officer = Annotated[Staff, Depends(officer)]
READ_RULE = (
    "Readable by the staff of the submitting organisation, and by the staff of each organisation on "
    "the review chain once the review has reached its level; anyone else gets 404 `dossier-not-found`."
)


@router.get(
    "/dossiers/{dossier_id}",
    summary="A dossier as its reviewers read it: entries with every submitted fact, eligibility, documents, versions, history",
    description=READ_RULE,
    responses=error_responses(DOSSIER_NOT_FOUND, *STAFF_AUTHENTICATION),
)
async def get_dossier(ctx: Ctx, dossier_id: str, staff: Officer) -> StaffDossierView:
    return await staff_handlers.get_dossier(ctx, staff, dossier_id)


@router.get(
    "/dossiers/{dossier_id}/versions/{version}",
    summary="A version of the dossier exactly as it was submitted",
    description=READ_RULE,
    responses=error_responses(DOSSIER_NOT_FOUND, VERSION_NOT_FOUND, *STAFF_AUTHENTICATION),
)
async def get_version(ctx: Ctx, dossier_id: str, version: VersionNumber, staff: Officer) -> DossierSubmission:
    return await staff_handlers.get_version(ctx, staff, dossier_id, version)


@router.get(
    "/dossiers/{dossier_id}/changes",
    summary="What changed between two versions (JSON Patch operations with the earlier value)",
    description=READ_RULE,
    responses=error_responses(DOSSIER_NOT_FOUND, VERSION_NOT_FOUND, *STAFF_AUTHENTICATION),
)
async def get_changes(
    ctx: Ctx,
    dossier_id: str,
    staff: Officer,
    from_version: Annotated[int, Query(alias="from", ge=1, le=10_000)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=10_000)],
) -> VersionChanges:
    return await staff_handlers.get_changes(ctx, staff, dossier_id, from_version, to_version)


@router.get(
    "/dossiers/{dossier_id}/attachments/{attachment_id}",
    summary="An attachment, served inline with its content type (a browser previews PDFs and images)",
    description=READ_RULE,
    response_class=FileResponse,
    responses=error_responses(DOSSIER_NOT_FOUND, ATTACHMENT_NOT_FOUND, *STAFF_AUTHENTICATION),
)
async def download(ctx: Ctx, dossier_id: str, attachment_id: str, staff: Officer) -> FileResponse:
    found = await staff_handlers.download(ctx, staff, dossier_id, attachment_id)
    return file_response(found.path, found.media_type, found.file_name, "inline")
