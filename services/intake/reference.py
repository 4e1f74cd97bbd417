"""Intake's reference API (``/v1``): what integrators need to build a correct submission — the
award catalogue and the organisation registry in force on a day, and an eligibility pre-check.

The catalogue and the registry are public (the law is public; the organisation codes are what a
submission must name), so they ask for no token and declare none. The pre-check judges a body as a
submission would, so it needs the integrator's token, read or write.

An adapter like ``views``: each operation reads its request and calls one handler
(``reference_handlers``); refusals are the catalogue's (``errors``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request

from contracts.dossiers import DossierSubmission
from servicekit.problems import error_responses
from servicekit.refusals import AUTHENTICATION, HUMAN_TEXT
from services.intake import examples, reference_handlers
from services.intake.errors import (
    AWARD_NOT_FOUND,
    INVALID_DATE,
    NO_RULE_SET_IN_FORCE,
    ORGANISATION_NOT_FOUND,
    UNKNOWN_CLIENT,
    VALIDATION_REFUSALS,
)
from services.intake.handlers import READ_SCOPE, SUBMIT_SCOPE
from services.intake.reference_models import (
    AwardCatalogueView,
    AwardView,
    EligibilityCheck,
    OrganisationDetail,
    OrganisationRegistryView,
)
from services.intake.views import DECLARED, Ctx

router = APIRouter(prefix="/v1")

PUBLIC: dict[str, Any] = {"security": []}
"""An operation anyone may call: an explicit empty requirement, so that no client asks for a token."""

On = Annotated[
    str | None,
    Query(
        description="The day (YYYY-MM-DD) whose rules or organisations to answer; today in Vietnam "
        "by default, the date a submission made now is judged on",
        json_schema_extra={"format": "date"},
        examples=["2025-07-01"],
        max_length=32,
    ),
]


def _integrator(request: Request, ctx: Ctx, _declared: Any = DECLARED) -> str:
    """The caller of a pre-check: a token with either integrator scope — a reader may check what
    it could not submit, and a writer need not ask for the read scope too."""
    return ctx.tokens.authenticator(READ_SCOPE, SUBMIT_SCOPE)(request).client()


Integrator = Annotated[str, Depends(_integrator)]


@router.get(
    "/awards",
    tags=["reference"],
    summary="The award catalogue in force on a day (danh mục danh hiệu, hình thức khen thưởng)",
    description="Each award's code, names, subjects, deciding authority, review path (levels named "
    "as on that day: the second level is `cấp huyện` until 30/06/2025 and `cấp xã` from 01/07/2025), "
    "required documents and legal basis, with the rule set in force (`ND98-2023` until 30/06/2025, "
    "`ND152-2025` from 01/07/2025). Public: no token.",
    responses=error_responses(INVALID_DATE, NO_RULE_SET_IN_FORCE),
    openapi_extra=PUBLIC,
)
async def list_awards(ctx: Ctx, on: On = None) -> AwardCatalogueView:
    return reference_handlers.awards(ctx, on)


@router.get(
    "/awards/{code}",
    tags=["reference"],
    summary="One award as the rules in force on a day define it",
    description="Public: no token.",
    responses=error_responses(INVALID_DATE, NO_RULE_SET_IN_FORCE, AWARD_NOT_FOUND),
    openapi_extra=PUBLIC,
)
async def get_award(
    ctx: Ctx, code: Annotated[str, Path(max_length=50, examples=["BKTTG"])], on: On = None
) -> AwardView:
    return reference_handlers.award(ctx, code, on)


@router.get(
    "/organisations",
    tags=["reference"],
    summary="The organisation registry on a day (danh mục đơn vị)",
    description="Every organisation that exists on the day, with its level, its parent that day and "
    "its issuer code. Districts exist until 30/06/2025; from 01/07/2025 communes are directly under "
    "the province. Public: no token.",
    responses=error_responses(INVALID_DATE),
    openapi_extra=PUBLIC,
)
async def list_organisations(ctx: Ctx, on: On = None) -> OrganisationRegistryView:
    return reference_handlers.organisations(ctx, on)


@router.get(
    "/organisations/{code}",
    tags=["reference"],
    summary="One organisation on a day, with its chain of parents",
    description="Public: no token.",
    responses=error_responses(INVALID_DATE, ORGANISATION_NOT_FOUND),
    openapi_extra=PUBLIC,
)
async def get_organisation(
    ctx: Ctx, code: Annotated[str, Path(max_length=50, examples=["AH-DS-TT-THCS"])], on: On = None
) -> OrganisationDetail:
    return reference_handlers.organisation(ctx, code, on)


@router.post(
    "/eligibility",
    tags=["reference"],
    summary="Check a submission's eligibility without submitting it",
    description="The body of `POST /v1/dossiers`, judged as a submission made now would be — the same "
    "permission, organisation, award, review path and eligibility checks and the same refusals "
    "(all entries ineligible: 422 `all-entries-ineligible`) — answering each entry's eligibility as "
    "the dossier would store it, and its review chain. Nothing is stored and no event is published. "
    "Needs the integrator's token with `dossiers:read` or `dossiers:write`.",
    responses=error_responses(UNKNOWN_CLIENT, *VALIDATION_REFUSALS, *HUMAN_TEXT, *AUTHENTICATION),
)
async def check_eligibility(
    ctx: Ctx,
    submission: Annotated[DossierSubmission, Body(openapi_examples=examples.SUBMISSION)],
    client_id: Integrator,
) -> EligibilityCheck:
    return await reference_handlers.check_eligibility(ctx, client_id, submission)
