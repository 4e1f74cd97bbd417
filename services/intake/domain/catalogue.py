"""The versioned award catalogue: what each title or form is, who decides it, and its rules.

Rules change by effective date (DOMAIN.md §6.1), so the catalogue is a list of rule sets, each
valid over a date interval, and every award definition belongs to exactly one of them:

- ``ND98-2023``: Luật TĐKT 2022 with NĐ 98/2023/NĐ-CP, 01/01/2024 to 30/06/2025;
- ``ND152-2025``: Luật TĐKT 2022 with NĐ 152/2025/NĐ-CP, from 01/07/2025 (NĐ 152 Điều 59 repealed
  NĐ 98 from that day).

A transitional dossier that NĐ 152 Điều 60 k3 (LIKELY) lets stay under NĐ 98 is evaluated with
``Catalogue.rule_set("ND98-2023")`` rather than by date.

All content is data in ``data/catalogue.json``: award facts shared by both rule sets, plus the tables
that differ per rule set (council-vote thresholds, public-comment periods, reward multiples, document
templates, and the NĐ 152 Điều 4 principles). Anything DOMAIN.md marks UNCONFIRMED is present with
``confirmed: false`` so that the eligibility engine answers ``manual_review`` instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.events import NomineeKind, ReviewLevel
from contracts.levels import rank
from contracts.nominee import CommendationType, InitiativeKind, InitiativeScope, PerformanceRating
from services.intake.domain.errors import NoRuleSetInForce, UnknownRuleSet
from services.intake.domain.organisations import OrgLevel


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AwardSubject(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    BOTH = "both"


class AwardKind(StrEnum):
    EMULATION_TITLE = "emulation_title"
    """Danh hiệu thi đua (Luật Điều 19–20)."""
    COMMENDATION_FORM = "commendation_form"
    """Hình thức khen thưởng (Luật Điều 9)."""


class DecidingAuthority(_Frozen):
    level: ReviewLevel
    """The highest review level at which the award is decided (the end of its ``review_path``)."""
    organisation_levels: tuple[OrgLevel, ...] = Field(min_length=1)
    """Kinds of organisation whose head holds the power to decide, as the law names them; a review
    profile adds the kinds that hold a power by transfer (NĐ 129/2025 Điều 59: district → commune)."""
    organisation_code: str | None = None
    """A fixed decider (TTG, CTN); ``None``: the lowest organisation of the dossier's chain whose
    kind may decide (``organisations.review_chain``)."""
    description_vi: str
    description_en: str
    signer_title_vi: str
    legal_basis: tuple[str, ...]


class CouncilVote(_Frozen):
    """A mandatory council vote whose threshold is a share of the council's TOTAL membership."""

    threshold: Fraction
    legal_basis: str
    confirmed: bool

    def passes(self, votes_for: int, members_total: int) -> bool:
        """Exact arithmetic: 9 of 10 members meets 90%, 8 of 9 does not."""
        return votes_for * self.threshold.denominator >= members_total * self.threshold.numerator


class PublicComment(_Frozen):
    """Nominees are published for public comment before a council meets (Luật Điều 84 k5)."""

    working_days: int = Field(ge=1)
    before_level: ReviewLevel
    """The review level whose council meets after the comment period."""
    published_by_vi: str
    legal_basis: str
    confirmed: bool


OTHER_DOCUMENT = "OTHER"
"""The document type of an attachment that is none of the catalogue's named documents (tài liệu
khác): no award requires it, so it never completes a checklist."""


class DocumentType(_Frozen):
    """A kind of document a dossier's attachment can be (the catalogue's document table)."""

    code: str
    name_vi: str
    name_en: str


class RequiredDocument(_Frozen):
    code: str
    name_vi: str
    name_en: str
    template: str | None
    """The official template, where DOMAIN.md names one for the rule set."""
    legal_basis: str
    confirmed: bool


class RewardMultiple(_Frozen):
    """Multiples of the base salary in force on the decision date; ``None`` where UNCONFIRMED."""

    individual: Decimal | None
    collective: Decimal | None
    legal_basis: str


class CouncilCheck(_Frozen):
    """A qualitative condition the council judges; shown to reviewers, never computed."""

    code: str
    message_vi: str
    message_en: str
    legal_basis: str


# --- eligibility rules: which generic check an award uses, with its parameters ------------------


class AnnualRatingRule(_Frozen):
    """The nominee's own rating in the proposal year is at least ``min_rating``."""

    rule: Literal["annual_rating"]
    min_rating: PerformanceRating
    legal_basis: str


class GrassrootsFighterRule(_Frozen):
    """Holds ``prerequisite_title`` in the year and (rated ``excellent_rating`` or has an initiative)."""

    rule: Literal["grassroots_fighter"]
    prerequisite_title: str
    excellent_rating: PerformanceRating
    initiative_kinds: tuple[InitiativeKind, ...]
    legal_basis: str


class TitleRunRule(_Frozen):
    """``run_length`` consecutive ``titles`` ending in the proposal year, plus an initiative of scope."""

    rule: Literal["title_run"]
    titles: tuple[str, ...]
    run_length: int = Field(ge=1)
    consecutive_means_adjacent_years: bool
    """True for a yearly title; False where DOMAIN.md leaves "consecutive times" undefined."""
    initiative_scope: InitiativeScope
    initiative_kinds: tuple[InitiativeKind, ...]
    legal_basis: str


class ConsecutiveMeritRule(_Frozen):
    """Luật Điều 74 k1 điểm d shape: a run of a title, or a run of excellent years with initiatives."""

    rule: Literal["consecutive_merit"]
    title: str
    run_length: int = Field(ge=1)
    excellent_run_length: int = Field(ge=1)
    min_initiatives: int = Field(ge=1)
    legal_basis: str


class CollectiveExcellenceRunRule(_Frozen):
    """A run of years in which the collective was rated excellent or held ``title``."""

    rule: Literal["collective_excellence_run"]
    title: str
    run_length: int = Field(ge=1)
    legal_basis: str


class SincePrerequisiteRule(_Frozen):
    """Holds a prerequisite award, then a run of well-rated years with titles in it."""

    rule: Literal["since_prerequisite"]
    prerequisites: tuple[str, ...]
    min_years: int = Field(ge=1)
    min_rating: PerformanceRating
    min_excellent_years: int = Field(ge=0)
    title: str
    title_count: int = Field(ge=1)
    legal_basis: str


class CollectiveYearRule(_Frozen):
    """The collective's rating and member statistics for the proposal year."""

    rule: Literal["collective_year"]
    min_rating: PerformanceRating
    min_lao_dong_tien_tien_share: Fraction
    all_members_completed_tasks: bool
    min_cstdcs_members: int = Field(ge=0)
    no_member_disciplined_warning_or_above: bool
    legal_basis: str


class ManualRule(_Frozen):
    """Criteria the engine must not compute: UNCONFIRMED in DOMAIN.md, or purely qualitative."""

    rule: Literal["manual"]
    reason: Literal["unconfirmed", "qualitative"]
    message_vi: str
    message_en: str
    legal_basis: str


EligibilityRule = Annotated[
    AnnualRatingRule
    | GrassrootsFighterRule
    | TitleRunRule
    | ConsecutiveMeritRule
    | CollectiveExcellenceRunRule
    | SincePrerequisiteRule
    | CollectiveYearRule
    | ManualRule,
    Field(discriminator="rule"),
]


class SubjectCriteria(_Frozen):
    rule: EligibilityRule
    council_checks: tuple[CouncilCheck, ...] = ()


class AwardCriteria(_Frozen):
    individual: SubjectCriteria | None = None
    collective: SubjectCriteria | None = None


class AwardDefinition(_Frozen):
    rule_set_id: str
    code: str
    name_vi: str
    name_en: str
    subject: AwardSubject
    kind: AwardKind
    commendation_type: CommendationType
    deciding: DecidingAuthority
    review_path: tuple[ReviewLevel, ...] = Field(min_length=1)
    """Strictly rising levels, ending at the deciding level."""
    council_vote: CouncilVote | None
    public_comment: tuple[PublicComment, ...]
    required_documents: tuple[RequiredDocument, ...]
    reward_multiple: RewardMultiple | None
    legal_basis: tuple[str, ...]
    criteria: AwardCriteria
    valid_from: date
    valid_to: date | None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ranks = [rank(level) for level in self.review_path]
        if ranks != sorted(set(ranks)):
            raise ValueError(f"{self.code}: review_path must rise strictly")
        if self.review_path[-1] != self.deciding.level:
            raise ValueError(f"{self.code}: review_path must end at the deciding level")
        wants_individual = self.subject in (AwardSubject.INDIVIDUAL, AwardSubject.BOTH)
        wants_collective = self.subject in (AwardSubject.COLLECTIVE, AwardSubject.BOTH)
        if (self.criteria.individual is not None) != wants_individual or (
            self.criteria.collective is not None
        ) != wants_collective:
            raise ValueError(f"{self.code}: criteria must match subject {self.subject}")
        return self

    def criteria_for(self, kind: NomineeKind) -> SubjectCriteria | None:
        return self.criteria.individual if kind is NomineeKind.INDIVIDUAL else self.criteria.collective

    @property
    def criteria_confirmed(self) -> bool:
        """False when any subject's criteria are UNCONFIRMED in DOMAIN.md."""
        return not any(
            isinstance(c.rule, ManualRule) and c.rule.reason == "unconfirmed"
            for c in (self.criteria.individual, self.criteria.collective)
            if c is not None
        )


class Principle(_Frozen):
    legal_basis: str
    confirmed: bool


class Principles(_Frozen):
    """Cross-cutting rules of NĐ 152/2025 Điều 4 (DOMAIN.md key fact 9)."""

    merit_only_chains: Principle
    """Ad-hoc (đột xuất) and campaign (chuyên đề) awards never count toward merit awards."""
    blocking_status: Principle
    """No nomination during discipline review, investigation, inspection, complaint, press check."""
    discipline_period: Principle
    """After a disciplinary period, achievements count only from its end."""


class RuleSet(_Frozen):
    id: str
    name_vi: str
    legal_basis: tuple[str, ...]
    decision_bases_vi: tuple[str, ...]
    """The căn cứ lines an award decision under these rules quotes (NĐ 30/2020 ô 6), print-ready."""
    valid_from: date
    valid_to: date | None
    """Inclusive; ``None`` while still in force."""
    principles: Principles
    awards: Mapping[str, AwardDefinition]

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def award(self, code: str) -> AwardDefinition | None:
        return self.awards.get(code)


class Catalogue:
    """Rule sets ordered by date; at most one covers any day."""

    def __init__(self, rule_sets: list[RuleSet], documents: Mapping[str, DocumentType] | None = None) -> None:
        ordered = sorted(rule_sets, key=lambda rs: rs.valid_from)
        for earlier, later in pairwise(ordered):
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                raise ValueError(f"rule sets {earlier.id} and {later.id} overlap")
        self.rule_sets = tuple(ordered)
        self._by_id = {rs.id: rs for rs in ordered}
        self.documents: Mapping[str, DocumentType] = MappingProxyType(dict(documents or {}))
        """Every document type an attachment can be, by code: those awards require, and ``OTHER``."""

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        source = _CatalogueSource.model_validate_json(text)
        return cls(
            source.compose(),
            {
                code: DocumentType(code=code, name_vi=name.name_vi, name_en=name.name_en)
                for code, name in source.documents.items()
            },
        )

    def document(self, code: str) -> DocumentType | None:
        """The document type ``code`` names, if the catalogue has one (codes are case-sensitive)."""
        return self.documents.get(code)

    def rule_set(self, rule_set_id: str) -> RuleSet:
        try:
            return self._by_id[rule_set_id]
        except KeyError:
            raise UnknownRuleSet(rule_set_id) from None

    def rule_set_for(self, on: date) -> RuleSet:
        """The rule set in force on ``on`` (the submission date)."""
        for rule_set in self.rule_sets:
            if rule_set.covers(on):
                return rule_set
        raise NoRuleSetInForce(f"no rule set in force on {on.isoformat()}")


@cache
def default_catalogue() -> Catalogue:
    text = resources.files("services.intake.domain").joinpath("data", "catalogue.json").read_text("utf-8")
    return Catalogue.from_json(text)


# --- the file format: shared award facts plus per-rule-set tables -------------------------------


class _DocumentName(_Frozen):
    name_vi: str
    name_en: str


class _DocumentList(_Frozen):
    codes: tuple[str, ...]
    legal_basis: str
    confirmed: bool


class _AwardSource(_Frozen):
    code: str
    name_vi: str
    name_en: str
    subject: AwardSubject
    kind: AwardKind
    commendation_type: CommendationType
    deciding: DecidingAuthority
    review_path: tuple[ReviewLevel, ...]
    required_documents: _DocumentList
    legal_basis: tuple[str, ...]
    criteria: AwardCriteria


class _CouncilVoteTable(_Frozen):
    legal_basis: str
    confirmed: bool
    thresholds: Mapping[str, Fraction]


class _PublicCommentGroup(_Frozen):
    awards: tuple[str, ...]
    working_days: int
    before_level: ReviewLevel
    published_by_vi: str
    legal_basis: str
    confirmed: bool


class _RewardTable(_Frozen):
    legal_basis: str
    individual: Mapping[str, Decimal] = {}
    collective: Mapping[str, Decimal] = {}


class _RuleSetSource(_Frozen):
    id: str
    name_vi: str
    legal_basis: tuple[str, ...]
    decision_bases_vi: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    principles: Principles
    council_votes: _CouncilVoteTable
    public_comments: tuple[_PublicCommentGroup, ...]
    reward_multiples: tuple[_RewardTable, ...]
    document_templates: Mapping[str, str]


class _CatalogueSource(_Frozen):
    description: str
    documents: Mapping[str, _DocumentName]
    awards: tuple[_AwardSource, ...]
    rule_sets: tuple[_RuleSetSource, ...]

    @model_validator(mode="after")
    def _references_exist(self) -> Self:
        codes = {a.code for a in self.awards}
        if len(codes) != len(self.awards):
            raise ValueError("duplicate award code")
        referenced: set[str] = set()
        for award in self.awards:
            unknown_docs = set(award.required_documents.codes) - set(self.documents)
            if unknown_docs:
                raise ValueError(f"{award.code}: unknown documents {sorted(unknown_docs)}")
            for subject in (award.criteria.individual, award.criteria.collective):
                if subject is not None:
                    referenced |= _award_codes_in(subject.rule)
        for rs in self.rule_sets:
            referenced |= set(rs.council_votes.thresholds)
            referenced |= {code for group in rs.public_comments for code in group.awards}
            for table in rs.reward_multiples:
                referenced |= set(table.individual) | set(table.collective)
            unknown_templates = set(rs.document_templates) - set(self.documents)
            if unknown_templates:
                raise ValueError(f"{rs.id}: templates for unknown documents {sorted(unknown_templates)}")
        if referenced - codes:
            raise ValueError(f"unknown award codes referenced: {sorted(referenced - codes)}")
        return self

    @model_validator(mode="after")
    def _other_document(self) -> Self:
        """``OTHER`` is the type of an attachment that names none, so it exists and nothing requires it."""
        if OTHER_DOCUMENT not in self.documents:
            raise ValueError(f"the document table must name {OTHER_DOCUMENT}, the untyped attachment's type")
        for award in self.awards:
            if OTHER_DOCUMENT in award.required_documents.codes:
                raise ValueError(f"{award.code}: {OTHER_DOCUMENT} cannot be a required document")
        return self

    def compose(self) -> list[RuleSet]:
        return [self._compose_rule_set(rs) for rs in self.rule_sets]

    def _compose_rule_set(self, rs: _RuleSetSource) -> RuleSet:
        awards = {a.code: self._compose_award(rs, a) for a in self.awards}
        return RuleSet(
            id=rs.id,
            name_vi=rs.name_vi,
            legal_basis=rs.legal_basis,
            decision_bases_vi=rs.decision_bases_vi,
            valid_from=rs.valid_from,
            valid_to=rs.valid_to,
            principles=rs.principles,
            awards=MappingProxyType(awards),
        )

    def _compose_award(self, rs: _RuleSetSource, award: _AwardSource) -> AwardDefinition:
        threshold = rs.council_votes.thresholds.get(award.code)
        vote = (
            None
            if threshold is None
            else CouncilVote(
                threshold=threshold,
                legal_basis=rs.council_votes.legal_basis,
                confirmed=rs.council_votes.confirmed,
            )
        )
        comments = tuple(
            PublicComment(
                working_days=g.working_days,
                before_level=g.before_level,
                published_by_vi=g.published_by_vi,
                legal_basis=g.legal_basis,
                confirmed=g.confirmed,
            )
            for g in rs.public_comments
            if award.code in g.awards
        )
        docs = award.required_documents
        documents = tuple(
            RequiredDocument(
                code=code,
                name_vi=self.documents[code].name_vi,
                name_en=self.documents[code].name_en,
                template=rs.document_templates.get(code),
                legal_basis=docs.legal_basis,
                confirmed=docs.confirmed,
            )
            for code in docs.codes
        )
        return AwardDefinition(
            rule_set_id=rs.id,
            code=award.code,
            name_vi=award.name_vi,
            name_en=award.name_en,
            subject=award.subject,
            kind=award.kind,
            commendation_type=award.commendation_type,
            deciding=award.deciding,
            review_path=award.review_path,
            council_vote=vote,
            public_comment=comments,
            required_documents=documents,
            reward_multiple=_reward_for(rs, award.code),
            legal_basis=award.legal_basis,
            criteria=award.criteria,
            valid_from=rs.valid_from,
            valid_to=rs.valid_to,
        )


def _reward_for(rs: _RuleSetSource, code: str) -> RewardMultiple | None:
    for table in rs.reward_multiples:
        individual, collective = table.individual.get(code), table.collective.get(code)
        if individual is not None or collective is not None:
            return RewardMultiple(individual=individual, collective=collective, legal_basis=table.legal_basis)
    return None


def _award_codes_in(rule: EligibilityRule) -> set[str]:
    match rule:
        case GrassrootsFighterRule():
            return {rule.prerequisite_title}
        case TitleRunRule():
            return set(rule.titles)
        case ConsecutiveMeritRule() | CollectiveExcellenceRunRule():
            return {rule.title}
        case SincePrerequisiteRule():
            return {*rule.prerequisites, rule.title}
        case _:
            return set()
