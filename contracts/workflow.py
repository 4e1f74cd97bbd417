"""The review workflow's interface: names, inputs and outputs shared by the review service (which
starts workflows and sends reviewer actions) and the worker (which runs them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

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
    submitter_name: str | None = Field(default=None, description="The submitting organisation's name")
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
        """As intake named it; for an older input, the name of the chain's own unit level (the
        decision's proposer is another body: the one that submits to the decider)."""
        if self.submitter_name:
            return self.submitter_name
        first = self.review_chain[0] if self.review_chain else None
        return (
            first.organisation_name if first and first.organisation == self.submitting_organisation else None
        )

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

REVIEWER_ACTIONS = (
    ReviewAction.ACCEPT,
    ReviewAction.RECOMMEND,
    ReviewAction.RECORD_VOTE,
    ReviewAction.APPROVE,
    ReviewAction.REJECT,
    ReviewAction.RETURN,
)
"""A reviewer's actions in the order of a level's steps (as messages list them)."""

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
    actor_name: str | None = Field(
        default=None, max_length=200, description="Their full name, from the token"
    )
    actor_title: str | None = Field(
        default=None, max_length=200, description="Their title (chức vụ), from the token"
    )
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


# --- why a reviewer's action is refused ------------------------------------------------------


class RefusalKind(StrEnum):
    CONFLICT = "conflict"
    """The task or the dossier moved on since the reviewer looked: look again (HTTP 409)."""
    INVALID = "invalid"
    """The request is wrong whenever it comes: correct it (HTTP 422)."""
    FORBIDDEN = "forbidden"
    """Not this reviewer's to do (HTTP 403)."""


@dataclass(frozen=True)
class Refusal:
    """One cause of refusal. The messages are templates: ``{name}`` is a fact of the refusal;
    actions, steps and roles are named in the message's language."""

    code: str
    kind: RefusalKind
    meaning: str
    message_vi: str
    message_en: str


TASK_NOT_ACTIONABLE = Refusal(
    "task-not-actionable",
    RefusalKind.CONFLICT,
    "the task is no longer awaiting action: someone acted on it, or the review moved on",
    "Nhiệm vụ {task_id} không còn chờ xử lý (đã được xử lý hoặc hồ sơ đã chuyển bước).",
    "Task {task_id} is not awaiting action (already acted on, or the review moved on).",
)
DOSSIER_WITHDRAWN = Refusal(
    "dossier-withdrawn",
    RefusalKind.CONFLICT,
    "the submitter withdrew the dossier",
    "Hồ sơ đã được đơn vị trình rút lại; không còn xét duyệt.",
    "The dossier has been withdrawn by its submitter; it is no longer under review.",
)
STALE_VERSION = Refusal(
    "stale-version",
    RefusalKind.CONFLICT,
    "the action names a version of the dossier that is no longer current",
    "Phiên bản {version} của hồ sơ đã cũ: hồ sơ hiện ở phiên bản {current}. Hãy xem lại hồ sơ rồi thao tác lại.",
    "Version {version} is stale: the dossier is at version {current}. Look at it again, then act.",
)
ORGANISATION_NOT_REVIEWING = Refusal(
    "organisation-not-reviewing",
    RefusalKind.FORBIDDEN,
    "another organisation reviews the dossier at this level",
    "Ở cấp này hồ sơ do đơn vị {reviewing} xét duyệt, không phải {organisation}.",
    "At this level the dossier is reviewed by {reviewing}, not {organisation}.",
)
ROLE_NOT_OF_STEP = Refusal(
    "role-not-of-step",
    RefusalKind.FORBIDDEN,
    "the step is another role's",
    "Bước {step} do {required} thực hiện, không phải {role}.",
    "The {step} step is for the {required}, not the {role}.",
)
REASON_REQUIRED = Refusal(
    "reason-required",
    RefusalKind.INVALID,
    "a rejection or a return gives no reason",
    "Phải nêu lý do (comment) khi {action} hồ sơ.",
    "A reason (comment) is required to {action} a dossier.",
)
ACTION_NOT_OF_STEP = Refusal(
    "action-not-of-step",
    RefusalKind.INVALID,
    "the open step does not take this action",
    "Thao tác '{action}' không thuộc bước {step}; bước này nhận: {allowed}.",
    "{action} is not an action of the {step} step; it takes: {allowed}.",
)
ENTRIES_NOT_IN_DOSSIER = Refusal(
    "entries-not-in-dossier",
    RefusalKind.INVALID,
    "the appraisal strikes entries the dossier does not (or no longer) hold",
    "Các trường hợp sau không có (hoặc không còn) trong hồ sơ: {entries}.",
    "These entries are not (or no longer) in the dossier: {entries}.",
)
ALL_ENTRIES_STRUCK = Refusal(
    "all-entries-struck",
    RefusalKind.INVALID,
    "the appraisal strikes every entry, which is a rejection",
    "Loại tất cả các trường hợp ({entries}) là không chấp thuận hồ sơ: hãy dùng thao tác không chấp thuận, "
    "kèm lý do.",
    "Striking every entry ({entries}) is a rejection: reject the dossier instead, with the reason.",
)
TALLY_REQUIRED = Refusal(
    "tally-required",
    RefusalKind.INVALID,
    "the council's vote comes without its tally",
    "Phải ghi kết quả bỏ phiếu của Hội đồng (tally).",
    "The council's tally is required.",
)
TALLY_ENTRIES_MISMATCH = Refusal(
    "tally-entries-mismatch",
    RefusalKind.INVALID,
    "the tally does not give exactly one count for each entry still in the dossier",
    "Kết quả bỏ phiếu phải có đúng một số phiếu cho mỗi trường hợp còn trong hồ sơ. Thiếu: {missing}. "
    "Không có trong hồ sơ: {extra}. Ghi hai lần: {repeated}.",
    "The tally must give one count for each entry still in the dossier. Missing: {missing}. "
    "Not in the dossier: {extra}. Counted twice: {repeated}.",
)
MORE_PRESENT_THAN_MEMBERS = Refusal(
    "more-present-than-members",
    RefusalKind.INVALID,
    "the tally has more members present than the council has",
    "Số thành viên có mặt ({present}) nhiều hơn tổng số thành viên Hội đồng ({total}).",
    "More members present ({present}) than the council has ({total}).",
)
MORE_VOTES_THAN_MEMBERS = Refusal(
    "more-votes-than-members",
    RefusalKind.INVALID,
    "an entry has more votes for than the council has members",
    "Số phiếu đồng ý nhiều hơn tổng số thành viên Hội đồng ({total}): {entries}.",
    "More votes for than the council has members ({total}): {entries}.",
)
COUNCIL_QUORUM_NOT_MET = Refusal(
    "council-quorum-not-met",
    RefusalKind.INVALID,
    "too few members were present for the council's vote to stand",
    "Phiên họp Hội đồng không đủ số thành viên có mặt: {present}/{total} có mặt, cần ít nhất {required} "
    "({quorum} tổng số thành viên). Phiếu bằng văn bản của thành viên vắng mặt không tính là có mặt. "
    "Căn cứ: {legal_basis}{rule_status}.",
    "The council session lacks a quorum: {present} of {total} members present, at least {required} needed "
    "({quorum} of the membership). Written votes of absent members do not count as present. "
    "Basis: {legal_basis}{rule_status}.",
)

REFUSALS: dict[str, Refusal] = {
    refusal.code: refusal
    for refusal in (
        TASK_NOT_ACTIONABLE,
        DOSSIER_WITHDRAWN,
        STALE_VERSION,
        ORGANISATION_NOT_REVIEWING,
        ROLE_NOT_OF_STEP,
        REASON_REQUIRED,
        ACTION_NOT_OF_STEP,
        ENTRIES_NOT_IN_DOSSIER,
        ALL_ENTRIES_STRUCK,
        TALLY_REQUIRED,
        TALLY_ENTRIES_MISMATCH,
        MORE_PRESENT_THAN_MEMBERS,
        MORE_VOTES_THAN_MEMBERS,
        COUNCIL_QUORUM_NOT_MET,
    )
}
"""Every cause for which the review workflow (or the review service, checking the same rule
first) refuses a reviewer's action: one code each, shared by both."""

REVIEW_REFUSED = "ReviewRefused"
"""The type of the Temporal application error that carries a refusal out of the update validator."""

_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "action": {
        ReviewAction.ACCEPT: ("tiếp nhận", "accept"),
        ReviewAction.RECOMMEND: ("đề xuất", "recommend"),
        ReviewAction.RECORD_VOTE: ("ghi kết quả bỏ phiếu", "record the vote"),
        ReviewAction.APPROVE: ("phê duyệt", "approve"),
        ReviewAction.REJECT: ("không chấp thuận", "reject"),
        ReviewAction.RETURN: ("trả lại", "return"),
    },
    "step": {
        ReviewStepKind.RECEIPT: ("tiếp nhận", "receipt"),
        ReviewStepKind.APPRAISAL: ("thẩm định", "appraisal"),
        ReviewStepKind.PUBLIC_COMMENT: ("lấy ý kiến công khai", "public comment"),
        ReviewStepKind.COUNCIL: ("họp Hội đồng", "council"),
        ReviewStepKind.SIGN_OFF: ("lãnh đạo ký duyệt", "sign-off"),
    },
    "role": {
        "clerk": ("văn thư", "clerk"),
        "officer": ("chuyên viên thẩm định", "appraisal officer"),
        "council_member": ("thành viên Hội đồng", "council member"),
        "leader": ("lãnh đạo", "leader"),
    },
    "rule_status": {
        "confirmed": ("", ""),
        "unconfirmed": (
            " (mặc định của hệ thống, chưa xác nhận là quy định chung)",
            " (a product default, not confirmed as a national rule)",
        ),
    },
}
"""How a fact's value is named in each language, by the kind of fact."""
_KIND_OF_FACT = {
    "action": "action",
    "allowed": "action",
    "step": "step",
    "role": "role",
    "required": "role",
    "rule_status": "rule_status",
}
NOTHING = "—"

Fact = str | int | list[str]


class ReviewRefused(Exception):
    """A reviewer's action refused, with its cause and the facts that name it: raised by the
    workflow's update validator (carried as a ``REVIEW_REFUSED`` application error) and by the
    review service's own first checks; the service turns it into problem+json once."""

    def __init__(self, refusal: Refusal, **facts: Fact) -> None:
        self.refusal = refusal
        self.facts = facts
        super().__init__(self.message("en"))

    @property
    def code(self) -> str:
        return self.refusal.code

    def message(self, language: str) -> str:
        template = self.refusal.message_vi if language == "vi" else self.refusal.message_en
        return template.format(**{key: _named(key, value, language) for key, value in self.facts.items()})

    def payload(self) -> dict[str, object]:
        return {"code": self.refusal.code, "facts": self.facts}

    @classmethod
    def from_payload(cls, payload: object) -> ReviewRefused | None:
        """The refusal a payload carries; None if it is not one this code knows."""
        if not isinstance(payload, dict):
            return None
        refusal, facts = REFUSALS.get(str(payload.get("code"))), payload.get("facts")
        if refusal is None or not isinstance(facts, dict):
            return None
        try:
            refused = cls(refusal, **facts)
        except (KeyError, IndexError, TypeError):  # facts that do not fill the templates
            return None
        return refused


def _named(key: str, value: Fact, language: str) -> str:
    names = _NAMES.get(_KIND_OF_FACT.get(key, ""), {})
    index = 0 if language == "vi" else 1

    def name(item: str | int) -> str:
        known = names.get(str(item))
        return known[index] if known else str(item)

    if isinstance(value, list):
        return ", ".join(name(item) for item in value) or NOTHING
    return name(value)


def require_reason(action: ReviewAction, comment: str | None) -> None:
    """A rejection or a return must say why (the submitter reads it): the one statement of the rule,
    which the workflow enforces and the review service checks before asking it."""
    if action in (ReviewAction.REJECT, ReviewAction.RETURN) and not (comment or "").strip():
        raise ReviewRefused(REASON_REQUIRED, action=action.value)
