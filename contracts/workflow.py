"""The review workflow's interface: names, inputs and outputs shared by the review service (which
starts workflows and sends reviewer actions) and the worker (which runs them)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from temporalio.common import SearchAttributeKey

from contracts.events import (
    CouncilRequirement,
    CouncilTally,
    DecisionParticulars,
    EligibilityOutcome,
    EntrySummary,
    PublicCommentRequirement,
    ReviewAction,
    ReviewLevel,
    ReviewStep,
    ReviewStepKind,
    RewardMultiple,
    StruckEntry,
)

REVIEW_WORKFLOW = "ReviewWorkflow"

# Search attributes for operators to find a review in the Temporal UI — ids, codes and states
# only, never personal data (search attributes are stored unencrypted). Registered on the server
# by ``deploy/infra.py``.
SEARCH_DOSSIER_ID = SearchAttributeKey.for_keyword("TdktDossierId")
SEARCH_ORGANISATION = SearchAttributeKey.for_keyword("TdktOrganisation")
SEARCH_LEVEL = SearchAttributeKey.for_keyword("TdktLevel")
SEARCH_STATE = SearchAttributeKey.for_keyword("TdktState")
ACT_ON_TASK_UPDATE = "act_on_task"
DECISION_ISSUED_SIGNAL = "decision_issued"
DOSSIER_AMENDED_SIGNAL = "dossier_amended"
WITHDRAW_SIGNAL = "withdraw"
STATUS_QUERY = "status"


def review_workflow_id(dossier_id: str) -> str:
    """One review per dossier: the id is derived, so a redelivered event cannot start a second."""
    return f"review-{dossier_id}"


def review_task_id(
    dossier_id: str,
    level_index: int,
    level: ReviewLevel,
    version: int = 1,
    step: ReviewStepKind | None = None,
) -> str:
    """A level reviewed again after an amendment gets new tasks: their ids name the version; each
    step of a level is a task of its own (reviews from before steps had one task per level)."""
    base = f"{dossier_id}.{level_index}.{level.value}"
    versioned = base if version == 1 else f"{base}.v{version}"
    return versioned if step is None else f"{versioned}.{step.value}"


class ReviewInput(BaseModel):
    dossier_id: str
    version: int
    award_code: str
    submitting_organisation: str
    deciding_organisation: str
    issuer_code: str
    entries: list[EntrySummary]
    review_levels: list[ReviewLevel] = Field(min_length=1)
    review_chain: list[ReviewStep] = Field(default_factory=list)
    submitted_event_id: str
    resume_at_level: int = Field(default=0, ge=0, description="Where a continued review picks up")
    council: CouncilRequirement | None = None
    public_comment: list[PublicCommentRequirement] = Field(default_factory=list)
    reward_multiple: RewardMultiple | None = None
    particulars: DecisionParticulars | None = None
    history_event_limit: int | None = Field(
        default=None, ge=1, description="Continue as a new run past this many history events (tests lower it)"
    )

    def entries_for_decision(self) -> list[EntrySummary]:
        """Entries intake flagged as ineligible stay out of the approval: reviewers cannot yet
        overrule a flag (per-entry decisions come with partial approval)."""
        return [entry for entry in self.entries if entry.eligibility is not EligibilityOutcome.INELIGIBLE]

    def organisation_at(self, index: int) -> str | None:
        return self.review_chain[index].organisation if index < len(self.review_chain) else None

    def organisation_name_at(self, index: int) -> str | None:
        return self.review_chain[index].organisation_name if index < len(self.review_chain) else None

    @property
    def submitting_organisation_name(self) -> str | None:
        return self.particulars.proposer_name_vi if self.particulars else None

    @property
    def award_name(self) -> str | None:
        return self.particulars.award_name_vi if self.particulars else None

    def named(self, struck: list[StruckEntry]) -> list[StruckEntry]:
        """``struck`` with each nominee's name, for the people who read of them."""
        names = {entry.entry_id: entry.nominee_name for entry in self.entries}
        return [
            entry
            if entry.nominee_name
            else entry.model_copy(update={"nominee_name": names.get(entry.entry_id)})
            for entry in struck
        ]


STEP_ROLES: dict[ReviewStepKind, str] = {
    ReviewStepKind.RECEIPT: "clerk",
    ReviewStepKind.APPRAISAL: "officer",
    ReviewStepKind.COUNCIL: "council_member",
    ReviewStepKind.SIGN_OFF: "leader",
}
"""Who acts at each step; the public-comment step is a period, not a task."""

STEP_ACTIONS: dict[ReviewStepKind, frozenset[ReviewAction]] = {
    ReviewStepKind.RECEIPT: frozenset({ReviewAction.ACCEPT, ReviewAction.RETURN}),
    ReviewStepKind.APPRAISAL: frozenset({ReviewAction.RECOMMEND, ReviewAction.RETURN, ReviewAction.REJECT}),
    ReviewStepKind.COUNCIL: frozenset({ReviewAction.RECORD_VOTE}),
    ReviewStepKind.SIGN_OFF: frozenset({ReviewAction.APPROVE, ReviewAction.RETURN, ReviewAction.REJECT}),
}


class TaskActionRequest(BaseModel):
    task_id: str
    action: ReviewAction
    actor: str = Field(min_length=1, max_length=200, description="The reviewer's subject (user id)")
    comment: str | None = Field(default=None, max_length=4000)
    organisation: str | None = Field(default=None, description="The reviewer's organisation, from the token")
    role: str | None = Field(default=None, description="The role the reviewer acts in")
    version: int | None = Field(default=None, description="The dossier version the reviewer saw, if given")
    struck_entries: list[StruckEntry] = Field(
        default_factory=list, description="Appraisal: entries taken out"
    )
    tally: CouncilTally | None = Field(default=None, description="Council: the recorded vote")


class TaskActionResult(BaseModel):
    task_id: str
    action: ReviewAction
    level: ReviewLevel
    next_level: ReviewLevel | None
    acted_at: datetime


class DeadlineRequest(BaseModel):
    opened_at: datetime
    level: ReviewLevel
    award_code: str
    working_days: int | None = Field(
        default=None, ge=1, description="A given period instead of the step's limit"
    )


class DeadlinePlan(BaseModel):
    step: str
    limit_working_days: int
    legal_basis: str
    confirmed: bool
    due_at: datetime
    remind_at: datetime


class AmendmentSignal(BaseModel):
    """A new version of a returned dossier: the review resumes at the level that returned it."""

    version: int = Field(ge=2)
    entries: list[EntrySummary]
    event_id: str


class WithdrawalSignal(BaseModel):
    requested_by: str
    reason: str
    event_id: str


class DecisionIssuedSignal(BaseModel):
    decision_id: str
    number: str
    event_id: str


class ReviewState(StrEnum):
    IN_REVIEW = "in_review"
    AWAITING_DECISION = "awaiting_decision"
    DECIDED = "decided"
    REJECTED = "rejected"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class ReviewStatus(BaseModel):
    dossier_id: str
    state: ReviewState
    current_task_id: str | None
    current_level: ReviewLevel | None
    decision_number: str | None = None
