"""Intake's reference use cases: what an integrator needs to build a correct submission (issue 20
§2) — the award catalogue and the organisation registry in force on a day, and an eligibility
pre-check of a submission that stores nothing.

The law is data that changes by date (a rule set from 01/07/2025, communes instead of districts),
so every answer is "as of" a day: the one asked for, or today in Vietnam by the service's clock,
the day a submission made now would be judged on. The catalogue and registry are the packaged ones
the validator judges with (``ctx.validator``), so what these answers say is what a submission meets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType

from contracts.dossiers import DossierSubmission
from contracts.events import NomineeKind, ReviewLevel
from contracts.levels import level_row
from servicekit.db import run_in_session
from services.intake import revocations
from services.intake.domain.catalogue import AwardDefinition, AwardKind, AwardSubject, RuleSet
from services.intake.domain.errors import (
    NoReviewProfileInForce,
    NoRuleSetInForce,
    OrganisationNotInForce,
    UnknownOrganisation,
)
from services.intake.domain.organisations import LevelName, Organisation, OrganisationTree, OrgLevel
from services.intake.errors import (
    AWARD_NOT_FOUND,
    INVALID_DATE,
    NO_RULE_SET_IN_FORCE,
    ORGANISATION_NOT_FOUND,
)
from services.intake.handlers import IntakeContext, registered
from services.intake.reference_models import (
    AwardCatalogueView,
    AwardView,
    DecidingAuthorityView,
    EligibilityCheck,
    EntryEligibility,
    NamedLevel,
    NamedOrganisationLevel,
    OrganisationDetail,
    OrganisationRegistryView,
    OrganisationView,
    RequiredDocumentView,
)

ORGANISATION_LEVEL_NAMES: Mapping[OrgLevel, LevelName] = MappingProxyType(
    {
        OrgLevel.CENTRAL: LevelName(vi="Trung ương", en="central"),
        OrgLevel.MINISTRY: LevelName(vi="Bộ, ban, ngành trung ương", en="ministry or central body"),
        OrgLevel.MINISTRY_UNIT: LevelName(vi="Đơn vị thuộc bộ, ban, ngành", en="unit under a ministry"),
        OrgLevel.PROVINCE: LevelName(vi="Tỉnh, thành phố trực thuộc trung ương", en="province"),
        OrgLevel.PROVINCE_DEPARTMENT: LevelName(
            vi="Sở, cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh", en="provincial department"
        ),
        OrgLevel.DISTRICT: LevelName(vi="Huyện", en="district"),
        OrgLevel.COMMUNE: LevelName(vi="Xã, phường, đặc khu", en="commune, ward or special zone"),
        OrgLevel.UNIT: LevelName(vi="Cơ quan, đơn vị", en="agency or unit"),
        OrgLevel.ENTERPRISE: LevelName(vi="Doanh nghiệp, hợp tác xã", en="enterprise or cooperative"),
    }
)
"""How people name each kind of organisation (the registry's ``level``); one row per ``OrgLevel``."""

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SUBJECTS = {
    AwardSubject.INDIVIDUAL: [NomineeKind.INDIVIDUAL],
    AwardSubject.COLLECTIVE: [NomineeKind.COLLECTIVE],
    AwardSubject.BOTH: [NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE],
}


def day_of(ctx: IntakeContext, on: str | None) -> date:
    """The day asked about: ``on`` (YYYY-MM-DD, nothing else: ``date.fromisoformat`` would take
    ``20250701`` or a week date too, which integrators would then send elsewhere), or today in
    Vietnam by the service's clock — the date a submission made now is judged on."""
    if on is None:
        return ctx.submission_day(ctx.runtime.clock.now())
    if _ISO_DAY.fullmatch(on):
        try:
            return date.fromisoformat(on)
        except ValueError:
            pass
    raise INVALID_DATE(value=on)


# --- the award catalogue -------------------------------------------------------------------------


def awards(ctx: IntakeContext, on: str | None) -> AwardCatalogueView:
    """Every award of the rule set in force on the day, in the catalogue's order."""
    day = day_of(ctx, on)
    rule_set = _rule_set(ctx, day)
    return AwardCatalogueView(
        on=day,
        rule_set_id=rule_set.id,
        rule_set_name_vi=rule_set.name_vi,
        rule_set_legal_basis=list(rule_set.legal_basis),
        valid_from=rule_set.valid_from,
        valid_to=rule_set.valid_to,
        awards=[_award_view(ctx, award, day) for award in rule_set.awards.values()],
    )


def award(ctx: IntakeContext, code: str, on: str | None) -> AwardView:
    day = day_of(ctx, on)
    rule_set = _rule_set(ctx, day)
    found = rule_set.award(code)
    if found is None:
        raise AWARD_NOT_FOUND(
            award_code=code,
            day=day,
            rule_set_id=rule_set.id,
            detail=f"known codes: {', '.join(sorted(rule_set.awards))}",
        )
    return _award_view(ctx, found, day)


def _rule_set(ctx: IntakeContext, day: date) -> RuleSet:
    try:
        return ctx.validator.catalogue.rule_set_for(day)
    except NoRuleSetInForce as error:
        raise NO_RULE_SET_IN_FORCE(day=day, detail=str(error)) from error


def _award_view(ctx: IntakeContext, award: AwardDefinition, day: date) -> AwardView:
    deciding = award.deciding
    try:
        in_force = ctx.validator.profile_for(day).may_decide(deciding.organisation_levels)
    except NoReviewProfileInForce:
        in_force = frozenset(deciding.organisation_levels)
    return AwardView(
        code=award.code,
        name_vi=award.name_vi,
        name_en=award.name_en or None,
        subjects=_SUBJECTS[award.subject],
        kind=award.kind,
        is_title=award.kind is AwardKind.EMULATION_TITLE,
        commendation_type=award.commendation_type,
        deciding=DecidingAuthorityView(
            level=_named_level(deciding.level, day),
            organisation_levels=_named_kinds(deciding.organisation_levels),
            organisation_levels_in_force=_named_kinds(level for level in OrgLevel if level in in_force),
            organisation=deciding.organisation_code,
            description_vi=deciding.description_vi,
            description_en=deciding.description_en,
            signer_title_vi=deciding.signer_title_vi,
            legal_basis=list(deciding.legal_basis),
        ),
        review_path=[_named_level(level, day) for level in award.review_path],
        required_documents=[
            RequiredDocumentView(
                code=document.code,
                name_vi=document.name_vi,
                name_en=document.name_en or None,
                template=document.template,
                legal_basis=document.legal_basis,
                confirmed=document.confirmed,
            )
            for document in award.required_documents
        ],
        rule_set_id=award.rule_set_id,
        legal_basis=list(award.legal_basis),
        criteria_confirmed=award.criteria_confirmed,
    )


def _named_level(level: ReviewLevel, day: date) -> NamedLevel:
    """The level as the table of levels names it for a dossier submitted on ``day``."""
    row = level_row(level)
    name = row.name_on(day) if row is not None else None
    return NamedLevel(
        level=level,
        name_vi=name.vi if name else str(level),
        name_en=name.en if name else str(level),
    )


def _named_kinds(levels: Iterable[OrgLevel]) -> list[NamedOrganisationLevel]:
    return [_named_kind(level) for level in levels]


def _named_kind(level: OrgLevel) -> NamedOrganisationLevel:
    name = ORGANISATION_LEVEL_NAMES[level]
    return NamedOrganisationLevel(level=level, name_vi=name.vi, name_en=name.en)


# --- the organisation registry -------------------------------------------------------------------


def organisations(ctx: IntakeContext, on: str | None) -> OrganisationRegistryView:
    """The organisations that exist on the day, each under its parent of that day, in the
    registry's order (central bodies first)."""
    day = day_of(ctx, on)
    tree = ctx.validator.registry.as_of(day)
    return OrganisationRegistryView(
        on=day,
        sample=ctx.validator.registry.sample,
        organisations=[_organisation_view(tree, org) for org in tree],
    )


def organisation(ctx: IntakeContext, code: str, on: str | None) -> OrganisationDetail:
    """One organisation on the day, with its chain of parents; one that does not exist that day
    (a district after the reform) is not found, and the detail says when it did exist."""
    day = day_of(ctx, on)
    tree = ctx.validator.registry.as_of(day)
    try:
        found = tree.get(code)
    except UnknownOrganisation as error:
        raise ORGANISATION_NOT_FOUND(organisation=code, day=day, detail="no such code") from error
    except OrganisationNotInForce as error:
        known = ctx.validator.registry.get(code)
        raise ORGANISATION_NOT_FOUND(
            organisation=code,
            day=day,
            detail=f"{known.name_vi} exists from {known.valid_from or 'the start'} "
            f"to {known.valid_to or 'today'}",
        ) from error
    return OrganisationDetail(
        **_organisation_view(tree, found).model_dump(),
        on=day,
        parents=[_organisation_view(tree, parent) for parent in tree.ancestors(code)],
    )


def _organisation_view(tree: OrganisationTree, org: Organisation) -> OrganisationView:
    parent = tree.parent(org.code)
    return OrganisationView(
        code=org.code,
        name_vi=org.name_vi,
        level=_named_kind(org.level),
        parent=parent.code if parent else None,
        issuer_code=org.issuer_code,
        valid_from=org.valid_from,
        valid_to=org.valid_to,
    )


# --- the eligibility pre-check -------------------------------------------------------------------


async def check_eligibility(
    ctx: IntakeContext, client_id: str, submission: DossierSubmission
) -> EligibilityCheck:
    """``submission`` judged exactly as ``handlers.submit`` would judge it now — the same client
    check, the same revocations read, the same ``DossierValidator.validate`` with its refusals —
    but nothing is stored and nothing is published: one read, no write, no outbox row."""
    client = registered(ctx, client_id)
    now = ctx.runtime.clock.now()
    revoked = await run_in_session(
        ctx.runtime.engine, lambda session: revocations.revoked_titles(session, submission)
    )
    checked = ctx.validator.validate(submission, client, ctx.submission_day(now), revoked)
    particulars = checked.particulars
    return EligibilityCheck(
        submission_date=checked.submission_date,
        proposal_year=checked.proposal_year,
        rule_set_id=checked.rule_set_id,
        submitting_organisation=submission.submitting_organisation,
        submitting_organisation_name=checked.submitting_organisation_name,
        award_code=submission.award_code,
        award_name_vi=particulars.award_name_vi if particulars else None,
        award_name_en=checked.award_name_en,
        review_chain=checked.review_chain,
        deciding_organisation=checked.deciding_organisation,
        entries=[
            EntryEligibility(
                position=position,
                kind=entry.nominee.kind,
                full_name=entry.nominee.full_name,
                eligibility=entry.eligibility,
            )
            for position, entry in enumerate(checked.entries, start=1)
        ],
    )
