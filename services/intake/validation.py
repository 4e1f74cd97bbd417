"""Validation of a submission before anything is stored: structure (pydantic, already done),
organisation and permission, award catalogue, review path, and eligibility per entry.

Pure: it reads the packaged registry and catalogue, never the database, so it is the same for
HTTP, the inbound topic and the bulk import, and a 500-entry dossier validates in milliseconds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from contracts.dossiers import DossierSubmission, NomineeSubmission
from contracts.events import (
    CouncilQuorum,
    CouncilRequirement,
    DecisionParticulars,
    HeldTitle,
    IssuingBody,
    NomineeKind,
    PublicCommentRequirement,
    ReviewLevel,
    ReviewStep,
    RewardMultiple,
)
from contracts.levels import level_row
from contracts.names import search_key
from contracts.nominee import AwardRecord, NomineeRecord
from contracts.views import CriterionView, EligibilityView
from services.intake.clients import RegisteredClient
from services.intake.domain import eligibility, organisations
from services.intake.domain.catalogue import AwardDefinition, AwardKind, Catalogue, RuleSet
from services.intake.domain.errors import (
    NoActingOrganisation,
    NoReviewProfileInForce,
    NoRuleSetInForce,
    OrganisationNotInForce,
)
from services.intake.domain.organisations import (
    OrganisationRegistry,
    OrganisationTree,
    ReviewProfile,
    proposer_vi,
    review_chain,
    review_profile_for,
)
from services.intake.errors import (
    ALL_ENTRIES_INELIGIBLE,
    NO_REVIEW_PATH,
    NO_RULE_SET_IN_FORCE,
    ORGANISATION_NOT_IN_FORCE,
    ORGANISATION_NOT_PERMITTED,
    QUOTA_COUNT_REQUIRED,
    UNKNOWN_AWARD,
    UNKNOWN_ORGANISATION,
)


@dataclass(frozen=True)
class ValidatedEntry:
    nominee: NomineeSubmission
    eligibility: EligibilityView
    same_period_titles: tuple[HeldTitle, ...] = ()


@dataclass(frozen=True)
class RevokedTitle:
    """A title revoked by its issuing authority (Luật TĐKT Điều 93), as a nominee's record cites
    it. Decision numbers repeat across issuers ("01/QĐ-UBND" in every commune), so the award,
    its year and the nominee's name (``contracts.names.search_key``) must match too."""

    decision_number: str
    award_code: str
    year: int | None
    nominee_key: str

    def matches(self, award: AwardRecord, nominee_name: str) -> bool:
        return (
            award.decision_number == self.decision_number
            and award.award_code == self.award_code
            and (self.year is None or award.year == self.year)
            and search_key(nominee_name) == self.nominee_key
        )


def mark_revoked(submission: DossierSubmission, revoked: Collection[RevokedTitle]) -> DossierSubmission:
    """The submission with every award its records cite that was revoked marked ``revoked``, so
    the eligibility rules stop counting it whatever the submitting system says."""
    if not revoked:
        return submission
    entries = []
    for nominee in submission.entries:
        awards = [
            award.model_copy(update={"revoked": True})
            if any(title.matches(award, nominee.full_name) for title in revoked)
            else award
            for award in nominee.record.awards
        ]
        record = nominee.record.model_copy(update={"awards": awards})
        entries.append(nominee.model_copy(update={"record": record}))
    return submission.model_copy(update={"entries": entries})


def same_period_titles(
    rule_set: RuleSet, record: NomineeRecord, kind: NomineeKind, year: int
) -> tuple[HeldTitle, ...]:
    """Emulation titles of ``year`` the nominee already holds, with what each pays them: the
    decision pays only the highest title of a period (NĐ 152/2025 Điều 49)."""
    held = []
    for award in record.awards:
        definition = rule_set.award(award.award_code)
        if award.year != year or award.revoked or definition is None:
            continue
        if definition.kind is not AwardKind.EMULATION_TITLE:
            continue
        multiple = definition.reward_multiple
        factor = None
        if multiple is not None:
            factor = multiple.individual if kind is NomineeKind.INDIVIDUAL else multiple.collective
        held.append(
            HeldTitle(
                award_code=award.award_code,
                year=award.year,
                multiple=factor,
                decision_number=award.decision_number,
            )
        )
    return tuple(held)


def decision_particulars(
    rule_set: RuleSet,
    award: AwardDefinition,
    tree: OrganisationTree,
    chain: Sequence[organisations.ReviewStep],
    proposal_year: int,
) -> DecisionParticulars:
    """The texts of the decision: the issuer as of the submission date (with the body above it
    where NĐ 30/2020 prints one) and who proposed the decision to its signer."""
    decider = tree.get(chain[-1].organisation_code)
    parent = tree.parent(decider.code) if decider.prints_parent else None
    return DecisionParticulars(
        award_name_vi=award.name_vi,
        award_is_title=award.kind is AwardKind.EMULATION_TITLE,
        commendation_type=award.commendation_type,
        period_year=proposal_year,
        legal_basis=list(rule_set.decision_bases_vi),
        issuer=IssuingBody(
            organisation=decider.code,
            name_vi=decider.name_vi,
            parent_name_vi=parent.name_vi if parent else None,
            place_vi=decider.place_vi,
            signer_title_vi=decider.signer_title_vi,
        ),
        proposer_name_vi=proposer_vi(tree, chain),
    )


@dataclass(frozen=True)
class ValidatedDossier:
    submission: DossierSubmission
    submission_date: date
    proposal_year: int
    rule_set_id: str
    review_chain: list[ReviewStep]
    deciding_organisation: str
    issuer_code: str
    entries: list[ValidatedEntry]
    council: CouncilRequirement | None = None
    reward_multiple: RewardMultiple | None = None
    public_comment: list[PublicCommentRequirement] = field(default_factory=list)
    particulars: DecisionParticulars | None = None
    award_name_en: str | None = None
    submitting_organisation_name: str | None = None


def eligibility_view(result: eligibility.EligibilityResult) -> EligibilityView:
    return EligibilityView(
        outcome=result.outcome.value,
        rule_set_id=result.rule_set_id,
        criteria=[
            CriterionView(
                code=criterion.code,
                outcome=criterion.outcome.value,
                facts=criterion.facts,
                legal_basis=criterion.legal_basis,
                message_vi=criterion.message_vi,
                message_en=criterion.message_en,
            )
            for criterion in result.criteria
        ],
        council_checks=[f"{check.message_vi} / {check.message_en}" for check in result.council_checks],
    )


def council_requirement(award: AwardDefinition, levels: list[ReviewLevel]) -> CouncilRequirement | None:
    """Where the award's council vote happens: the council of the level that decides (the unit's,
    the commune's or the province's); for awards decided centrally, the bộ/tỉnh council, whose
    minutes and vote the dossier must carry (QĐ 311/QĐ-BNV; DOMAIN.md §3.2). ``levels``: the
    dossier's chain, the decider's level last."""
    vote = award.council_vote
    if vote is None:
        return None
    deciding = levels[-1]
    level = (
        ReviewLevel.PROVINCE
        if deciding is ReviewLevel.CENTRAL and ReviewLevel.PROVINCE in levels
        else deciding
    )
    row = level_row(level)
    return CouncilRequirement(
        level=level,
        threshold_numerator=vote.threshold.numerator,
        threshold_denominator=vote.threshold.denominator,
        legal_basis=vote.legal_basis,
        confirmed=vote.confirmed,
        quorum=row.council_quorum if row is not None else CouncilQuorum(),
    )


class DossierValidator:
    def __init__(
        self,
        catalogue: Catalogue,
        registry: OrganisationRegistry,
        profile: ReviewProfile | None = None,
        quotas: Sequence[eligibility.QuotaSetting] = (),
    ) -> None:
        """``profile``: force one review profile; ``None`` (the default) takes the profile of the
        organisation structure in force on each submission date."""
        self.catalogue = catalogue
        self.registry = registry
        self.profile = profile
        self.quotas = tuple(quotas)

    def profile_for(self, day: date) -> ReviewProfile:
        """The review profile a dossier submitted on ``day`` is routed by (and its levels named by:
        ``ReviewProfile.level_name``)."""
        return self.profile or review_profile_for(day)

    def validate(
        self,
        submission: DossierSubmission,
        client: RegisteredClient,
        today: date,
        revoked: Collection[RevokedTitle] = (),
    ) -> ValidatedDossier:
        """``revoked``: titles revoked since, which the records may still cite as held."""
        submission = mark_revoked(submission, revoked)
        organisation = submission.submitting_organisation
        if not client.may_submit_for(organisation):
            raise ORGANISATION_NOT_PERMITTED(organisation=organisation)
        if organisation not in self.registry:
            raise UNKNOWN_ORGANISATION(organisation=organisation)
        tree = self.registry.as_of(today)
        try:
            tree.get(organisation)
        except OrganisationNotInForce as error:
            raise ORGANISATION_NOT_IN_FORCE(
                organisation=organisation, name=error.name_vi, day=today
            ) from error
        try:
            rule_set = self.catalogue.rule_set_for(today)
        except NoRuleSetInForce as error:
            raise NO_RULE_SET_IN_FORCE(day=today, detail=str(error)) from error
        award = rule_set.award(submission.award_code)
        if award is None:
            raise UNKNOWN_AWARD(
                award_code=submission.award_code,
                rule_set_id=rule_set.id,
                detail=f"known codes: {', '.join(sorted(rule_set.awards))}",
            )
        try:
            chain = review_chain(tree, self.profile_for(today), organisation, award)
        except (NoActingOrganisation, NoReviewProfileInForce) as error:
            raise NO_REVIEW_PATH(
                organisation=organisation, award_code=award.code, detail=str(error)
            ) from error
        proposal_year = submission.proposal_year or today.year
        decider = tree.get(chain[-1].organisation_code)
        levels = [step.level for step in chain]
        results = self._apply_quotas(
            submission,
            decider.code,
            tuple(
                eligibility.evaluate(award, rule_set, nominee.record, nominee.kind, proposal_year)
                for nominee in submission.entries
            ),
        )
        entries = [
            ValidatedEntry(
                nominee,
                eligibility_view(result),
                same_period_titles(rule_set, nominee.record, nominee.kind, proposal_year),
            )
            for nominee, result in zip(submission.entries, results, strict=True)
        ]
        if all(entry.eligibility.outcome == eligibility.Outcome.INELIGIBLE for entry in entries):
            raise ALL_ENTRIES_INELIGIBLE(
                errors=[
                    {
                        "entry": position,
                        "full_name": entry.nominee.full_name,
                        "failed": [
                            criterion.model_dump()
                            for criterion in entry.eligibility.criteria
                            if criterion.outcome == eligibility.CriterionOutcome.FAILED
                        ],
                    }
                    for position, entry in enumerate(entries, start=1)
                ],
            )
        return ValidatedDossier(
            submission=submission,
            submission_date=today,
            proposal_year=proposal_year,
            rule_set_id=rule_set.id,
            review_chain=[
                _named_step(step, tree.get(step.organisation_code), self.profile_for(today), today)
                for step in chain
            ],
            deciding_organisation=decider.code,
            issuer_code=decider.issuer_code,
            entries=entries,
            council=council_requirement(award, levels),
            reward_multiple=(
                RewardMultiple(
                    individual=award.reward_multiple.individual,
                    collective=award.reward_multiple.collective,
                    legal_basis=award.reward_multiple.legal_basis,
                )
                if award.reward_multiple
                else None
            ),
            public_comment=[
                PublicCommentRequirement(
                    before_level=period.before_level,
                    working_days=period.working_days,
                    legal_basis=period.legal_basis,
                    confirmed=period.confirmed,
                )
                for period in award.public_comment
                if period.before_level in levels
            ],
            particulars=decision_particulars(rule_set, award, tree, chain, proposal_year),
            award_name_en=award.name_en,
            submitting_organisation_name=tree.get(organisation).name_vi,
        )

    def _apply_quotas(
        self,
        submission: DossierSubmission,
        decider: str,
        results: tuple[eligibility.EligibilityResult, ...],
    ) -> tuple[eligibility.EligibilityResult, ...]:
        for quota in self.quotas:
            if quota.issuer_code != decider or quota.award_code != submission.award_code:
                continue
            if submission.unit_lao_dong_tien_tien_count is None:
                raise QUOTA_COUNT_REQUIRED(issuer=decider, award_code=quota.award_code)
            results = eligibility.apply_quota(results, quota, submission.unit_lao_dong_tien_tien_count)
        return results


def _named_step(
    step: organisations.ReviewStep, acting: organisations.Organisation, profile: ReviewProfile, day: date
) -> ReviewStep:
    """A step of the review chain with the names people read: who reviews, and the level as the
    structure in force on ``day`` calls it."""
    level_name = profile.level_name(step.level, day, acting.level)
    return ReviewStep(
        level=step.level,
        organisation=step.organisation_code,
        organisation_name=acting.name_vi,
        level_name_vi=level_name.vi,
        level_name_en=level_name.en,
    )
