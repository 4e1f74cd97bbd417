"""What the reference endpoints answer (``reference.py``): the award catalogue and the organisation
registry as they stand on a day, and an eligibility pre-check.

Integrators build a correct submission from these: which award codes exist on the submission date,
who decides each and through which levels, which documents go with it, which organisation codes
exist and under whom. The models are the service's, not ``contracts``': they describe intake's
packaged law, which changes by date, and no other service reads them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from contracts.events import NomineeKind, ReviewLevel, ReviewStep
from contracts.nominee import CommendationType
from contracts.views import EligibilityView
from services.intake.domain.catalogue import AwardKind
from services.intake.domain.organisations import OrgLevel


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class NamedLevel(_View):
    """A review level with its name for a dossier submitted on the day asked about: the second
    level is "cấp huyện" until 30/06/2025 and "cấp xã" from 01/07/2025."""

    level: ReviewLevel
    name_vi: str
    name_en: str


class NamedOrganisationLevel(_View):
    """A kind of organisation (a commune, a provincial department, …) with its name."""

    level: OrgLevel
    name_vi: str
    name_en: str


class DecidingAuthorityView(_View):
    level: NamedLevel = Field(description="The review level that decides: the end of the review path")
    organisation_levels: list[NamedOrganisationLevel] = Field(
        description="Kinds of organisation whose head may decide, as the law names them"
    )
    organisation_levels_in_force: list[NamedOrganisationLevel] = Field(
        description="… and as the organisation structure of the day reads it (from 01/07/2025 the "
        "commune holds the former district chairman's powers, NĐ 129/2025 Điều 59)"
    )
    organisation: str | None = Field(
        description="A fixed decider's organisation code (TTG, CTN); null: the lowest organisation of "
        "the dossier's review chain whose kind may decide"
    )
    description_vi: str
    description_en: str
    signer_title_vi: str
    legal_basis: list[str]


class RequiredDocumentView(_View):
    code: str
    name_vi: str
    name_en: str | None
    template: str | None = Field(description="The official template, where the rule set names one")
    legal_basis: str
    confirmed: bool = Field(description="False where the law's text is not yet confirmed (DOMAIN.md)")


class AwardView(_View):
    code: str = Field(description="The `award_code` of a submission")
    name_vi: str
    name_en: str | None
    subjects: list[NomineeKind] = Field(description="Who may be nominated: individuals, collectives or both")
    kind: AwardKind
    is_title: bool = Field(
        description="A danh hiệu thi đua (emulation title) rather than a form of commendation"
    )
    commendation_type: CommendationType
    deciding: DecidingAuthorityView
    review_path: list[NamedLevel] = Field(
        description="The levels a dossier may pass, lowest first; a dossier's own chain stops at the "
        "first organisation allowed to decide"
    )
    required_documents: list[RequiredDocumentView]
    rule_set_id: str = Field(description="The rule set in force on the day asked about")
    legal_basis: list[str]
    criteria_confirmed: bool = Field(
        description="False when a criterion is not yet confirmed: such entries are judged `manual_review`"
    )


class AwardCatalogueView(_View):
    on: date = Field(description="The day asked about (a submission's date is Vietnam's date)")
    rule_set_id: str
    rule_set_name_vi: str
    rule_set_legal_basis: list[str]
    valid_from: date
    valid_to: date | None = Field(description="Inclusive; null while the rule set is still in force")
    awards: list[AwardView]


class OrganisationView(_View):
    code: str = Field(description="The `submitting_organisation` of a submission")
    name_vi: str
    level: NamedOrganisationLevel
    parent: str | None = Field(description="The managing organisation's code on the day; null for a root")
    issuer_code: str = Field(description="Ký hiệu of its decisions, e.g. UBND in 12/QĐ-UBND")
    valid_from: date | None = Field(
        description="When it came into being (null: before any date the platform knows)"
    )
    valid_to: date | None = Field(description="Its last day (null: still exists)")


class OrganisationDetail(OrganisationView):
    on: date
    parents: list[OrganisationView] = Field(
        description="Its chain of parents on the day, parent first, root last"
    )


class OrganisationRegistryView(_View):
    on: date
    sample: bool = Field(description="True: the packaged registry is illustrative (a fictional province)")
    organisations: list[OrganisationView]


class EntryEligibility(_View):
    position: int = Field(description="1 for the body's first entry")
    kind: NomineeKind
    full_name: str
    eligibility: EligibilityView = Field(description="What a submission of the same body would store for it")


class EligibilityCheck(_View):
    """A submission judged as ``POST /v1/dossiers`` would judge it at this moment; nothing is stored."""

    submission_date: date
    proposal_year: int
    rule_set_id: str
    submitting_organisation: str
    submitting_organisation_name: str | None
    award_code: str
    award_name_vi: str | None
    award_name_en: str | None
    review_chain: list[ReviewStep]
    deciding_organisation: str
    entries: list[EntryEligibility]
