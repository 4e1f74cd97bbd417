"""Event types carried on the bus, versioned in their ``type`` (``vn.tdkt.<noun>.<verb>.v<N>``).

Rules for evolving a published event (checked by tests/unit/test_compat.py against the
committed JSON Schemas): add only optional fields with defaults; never remove, rename or retype a
field. A breaking change is a new type with the next version number, published beside the old one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, TypeAdapter, WithJsonSchema

from contracts.envelope import CloudEvent, EventData
from contracts.nominee import CommendationType


class ReviewLevel(StrEnum):
    UNIT = "unit"
    DISTRICT = "district"
    PROVINCE = "province"
    CENTRAL = "central"


def _known_level_or_code(value: Any) -> ReviewLevel | str:
    if isinstance(value, ReviewLevel):
        return value
    if not isinstance(value, str) or not value:
        raise ValueError("a review level is a non-empty string")
    try:
        return ReviewLevel(value)
    except ValueError:
        return value


DossierId = Annotated[str, Field(max_length=64)]
"""A dossier's id, as long as every service's column for it (``varchar(64)``): a longer one is an
invalid event, dead-lettered as such, not a database error retried on its partition."""
TaskId = Annotated[str, Field(max_length=120)]
EntryId = Annotated[str, Field(max_length=120)]
"""An entry's id (``<dossier id>.<n>``); the columns that keep it hold 120."""

PassedOnLevel = Annotated[
    ReviewLevel | str,
    PlainValidator(_known_level_or_code),
    WithJsonSchema(
        {"enum": [level.value for level in ReviewLevel], "title": "ReviewLevel", "type": "string"}
    ),
]
"""The level a review event reports. A level this build does not know is kept as its code rather
than refused: the consumers of review events record and show it (history, inbox, notices), so an
event from a newer workflow must not be dead-lettered. New levels are still announced "deploy
consumers first" (``contracts.compat``); the workflow's own input (``ReviewInput``) stays strict."""


class ReviewAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    WITHDRAWN = "withdrawn"
    """Not a reviewer's action: the submitter withdrew the dossier while the task was open."""
    ACCEPT = "accept"
    """Receipt (tiếp nhận): the dossier is complete enough to appraise."""
    RECOMMEND = "recommend"
    """Appraisal (thẩm định): the officer's recommendation, possibly striking entries."""
    RECORD_VOTE = "record_vote"
    """Council (hội đồng): the tally of the vote is recorded."""


class ReviewStepKind(StrEnum):
    """The steps of one review level, in order (DOMAIN.md §3)."""

    RECEIPT = "receipt"
    APPRAISAL = "appraisal"
    PUBLIC_COMMENT = "public_comment"
    COUNCIL = "council"
    SIGN_OFF = "sign_off"


class StruckEntry(EventData):
    """An entry taken out of the dossier by a reviewer or by the council, with the reason the
    submitter sees."""

    entry_id: EntryId
    reason: str = Field(min_length=1, max_length=2000)
    level: PassedOnLevel | None = None
    nominee_name: str | None = Field(
        default=None, description="The nominee, as submitted (for people to read)"
    )


class EntryVote(EventData):
    entry_id: EntryId
    votes_for: int = Field(ge=0)


class CouncilTally(EventData):
    """The council's vote: the threshold counts TOTAL membership, absent members voting in writing
    (NĐ 98/2023 Điều 30 k7); quorum is recorded, as are the minutes."""

    members_total: int = Field(ge=1)
    members_present: int = Field(ge=0)
    written_votes: int = Field(default=0, ge=0, description="Absent members' votes in writing")
    votes: list[EntryVote] = Field(min_length=1)
    minutes_attachment_id: str | None = Field(default=None, description="Biên bản họp (an intake attachment)")


class CouncilQuorum(EventData):
    """How many of the council's members must be present for its vote to stand. Quorum counts
    members PRESENT (DOMAIN.md §3.3 and key fact 11): absent members' written votes count toward
    the threshold, not toward the quorum. No national rule was found; the product default is
    Bắc Ninh's rule for sessions that decide awards, labelled unconfirmed."""

    numerator: int = Field(default=4, ge=1)
    denominator: int = Field(default=5, ge=1)
    legal_basis: str = (
        "Mặc định của hệ thống theo QĐ 86/2025/QĐ-UBND tỉnh Bắc Ninh Điều 8 k4b (phiên họp xét khen thưởng "
        "cần ≥80% thành viên có mặt) — quy định cấp tỉnh, chưa xác nhận là quy định chung / product default "
        "after QĐ 86/2025/QĐ-UBND Bắc Ninh Điều 8 k4b (award sessions need ≥80% of members present), "
        "a provincial rule: UNCONFIRMED as a national rule"
    )
    confirmed: bool = False


class CouncilRequirement(EventData):
    level: ReviewLevel
    threshold_numerator: int = Field(ge=1)
    threshold_denominator: int = Field(ge=1)
    legal_basis: str
    confirmed: bool
    quorum: CouncilQuorum = Field(
        default_factory=CouncilQuorum,
        description="Members present for the vote to stand (product default 4/5, a provincial rule, unconfirmed)",
    )


class RewardMultiple(EventData):
    """Multiples of the base salary (lương cơ sở) the award pays (NĐ 152/2025 Điều 49–54); None
    where DOMAIN.md leaves the multiple UNCONFIRMED."""

    individual: Decimal | None = None
    collective: Decimal | None = None
    legal_basis: str


class PublicCommentRequirement(EventData):
    before_level: ReviewLevel
    working_days: int = Field(ge=1)
    legal_basis: str
    confirmed: bool


class NomineeKind(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"


class EligibilityOutcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    MANUAL_REVIEW = "manual_review"


class HeldTitle(EventData):
    award_code: str
    year: int
    multiple: Decimal | None = Field(description="What the title pays this nominee; None if UNCONFIRMED")
    decision_number: str | None = None


class EntrySummary(EventData):
    entry_id: EntryId
    nominee_name: str
    nominee_kind: NomineeKind
    eligibility: EligibilityOutcome | None = Field(
        default=None, description="Intake's eligibility result; ineligible entries are flagged, not dropped"
    )
    position_title: str | None = Field(default=None, description="Chức vụ, đơn vị công tác, as submitted")
    same_period_titles: list[HeldTitle] = Field(
        default_factory=list,
        description="Emulation titles the nominee already holds for the same period, from the submitted "
        "record (revoked ones excluded): only the highest title of a period is paid (NĐ 152/2025 Điều 49)",
    )
    line_number: int | None = Field(
        default=None, ge=1, description="Số sổ vàng: the entry's line in its decision (decision events only)"
    )


class IssuingBody(EventData):
    """The deciding organisation as its decisions print it (NĐ 30/2020/NĐ-CP ô 1–4, 7)."""

    organisation: str = Field(description="The organisation's code")
    name_vi: str
    parent_name_vi: str | None = None
    place_vi: str = Field(description="Địa danh printed before the date")
    signer_title_vi: str


class DecisionParticulars(EventData):
    """What the decision document states that intake's catalogue and organisation registry know."""

    award_name_vi: str
    award_is_title: bool = Field(description="A danh hiệu thi đua, not a hình thức khen thưởng")
    commendation_type: CommendationType
    period_year: int | None = Field(default=None, description="The year the achievement is for")
    legal_basis: list[str] = Field(default_factory=list, description="The award's legal bases (căn cứ)")
    issuer: IssuingBody
    proposer_name_vi: str = Field(
        description="Who proposed the decision to its signer (Theo đề nghị của …): the body reviewing at the "
        "level below the decider, or the decider's standing body"
    )


class ReviewStep(EventData):
    level: ReviewLevel
    organisation: str = Field(description="Code of the organisation that reviews at this level")
    organisation_name: str | None = Field(default=None, description="Its name, as people read it")
    level_name_vi: str | None = Field(
        default=None,
        description="The level as people read it under the structure in force on the submission date "
        '("cấp xã" for the district level from 01/07/2025, "cấp sở" where a department acts there)',
    )
    level_name_en: str | None = Field(default=None, description="The same in English")


# --- intake -------------------------------------------------------------------------------


class NomineeContact(EventData):
    """How a nominee is reached; only the notifications service reads it."""

    entry_id: EntryId
    email: str


class DossierSubmittedData(EventData):
    dossier_id: DossierId
    version: int = Field(ge=1)
    submitting_organisation: str
    award_code: str
    entries: list[EntrySummary] = Field(min_length=1)
    review_levels: list[ReviewLevel] = Field(min_length=1)
    deciding_organisation: str
    issuer_code: str = Field(description="Issuer code used in the decision number, e.g. TTg")
    review_chain: list[ReviewStep] = Field(
        default_factory=list, description="Who reviews at each level, in order (empty from older producers)"
    )
    rule_set_id: str | None = Field(default=None, description="Rules in force on the submission date")
    council: CouncilRequirement | None = Field(default=None, description="A council vote the award requires")
    reward_multiple: RewardMultiple | None = Field(default=None, description="What the award pays, if known")
    public_comment: list[PublicCommentRequirement] = Field(
        default_factory=list, description="Publication for public comment the award requires"
    )
    submission_date: date | None = None
    external_reference: str | None = Field(default=None, description="The submitting system's own reference")
    particulars: DecisionParticulars | None = Field(default=None, description="For the decision document")
    client_id: str | None = Field(default=None, description="The integrating system that submitted it")
    nominee_contacts: list[NomineeContact] = Field(
        default_factory=list, description="Nominees who gave an e-mail address, for the decision notice"
    )
    award_name_en: str | None = Field(
        default=None, description="The award's English name (the Vietnamese one is particulars.award_name_vi)"
    )
    submitting_organisation_name: str | None = Field(
        default=None, description="The submitting organisation's name, as people read it"
    )


class DossierSubmitted(CloudEvent):
    type: Literal["vn.tdkt.dossier.submitted.v1"] = "vn.tdkt.dossier.submitted.v1"
    data: DossierSubmittedData


class WithdrawalRequestedData(EventData):
    dossier_id: DossierId
    requested_by: str = Field(description="The client (integrating system) that asked")
    reason: str
    at: datetime


class DossierWithdrawalRequested(CloudEvent):
    type: Literal["vn.tdkt.dossier.withdrawal.requested.v1"] = "vn.tdkt.dossier.withdrawal.requested.v1"
    data: WithdrawalRequestedData


class DossierAmended(CloudEvent):
    """A new version of a dossier (bổ sung); the data is the whole new version."""

    type: Literal["vn.tdkt.dossier.amended.v1"] = "vn.tdkt.dossier.amended.v1"
    data: DossierSubmittedData


# --- review (published by the review workflow's activities) --------------------------------


class ReviewTaskOpenedData(EventData):
    task_id: TaskId
    dossier_id: DossierId
    workflow_id: str
    level: PassedOnLevel
    level_index: int = Field(ge=0)
    levels_total: int = Field(ge=1)
    organisation: str | None = Field(default=None, description="The organisation that reviews at this level")
    due_at: datetime | None = Field(default=None, description="When the step is due, where a limit applies")
    version: int | None = Field(default=None, description="The dossier version under review")
    step: ReviewStepKind | None = Field(default=None, description="The step within the level")
    role: str | None = Field(default=None, description="The reviewer role the step needs")
    award_code: str
    submitting_organisation: str
    opened_at: datetime
    organisation_name: str | None = Field(default=None, description="The reviewing organisation's name")
    submitting_organisation_name: str | None = Field(default=None, description="The submitter's name")
    award_name: str | None = Field(default=None, description="The award's Vietnamese name")


class ReviewTaskOpened(CloudEvent):
    type: Literal["vn.tdkt.review.task.opened.v1"] = "vn.tdkt.review.task.opened.v1"
    data: ReviewTaskOpenedData


class ReviewTaskCompletedData(EventData):
    task_id: TaskId
    dossier_id: DossierId
    level: PassedOnLevel
    action: ReviewAction
    actor: str
    comment: str | None = None
    completed_at: datetime
    actor_name: str | None = Field(default=None, description="The actor's full name, from their identity")
    actor_title: str | None = Field(
        default=None, description="The actor's title (chức vụ), from their identity"
    )
    organisation: str | None = Field(default=None, description="The organisation the actor acted for")
    role: str | None = Field(default=None, description="The role the actor acted in")
    version: int | None = Field(default=None, description="The dossier version acted on")
    step: ReviewStepKind | None = None
    struck_entries: list[StruckEntry] = Field(default_factory=list)
    tally: CouncilTally | None = None
    submitting_organisation: str | None = Field(default=None, description="Whose dossier it is")


class ReviewTaskCompleted(CloudEvent):
    type: Literal["vn.tdkt.review.task.completed.v1"] = "vn.tdkt.review.task.completed.v1"
    data: ReviewTaskCompletedData


class ReviewTaskDeadlineData(EventData):
    """A task's reminder (75% of its limit gone) or escalation (overdue, to the organisation's leader)."""

    task_id: TaskId
    dossier_id: DossierId
    level: PassedOnLevel
    organisation: str | None = None
    due_at: datetime
    limit_working_days: int = Field(ge=1)
    legal_basis: str
    at: datetime
    role: str | None = Field(default=None, description="The reviewer role of the step left waiting")
    organisation_name: str | None = Field(default=None, description="The reviewing organisation's name")
    submitting_organisation_name: str | None = Field(default=None, description="The submitter's name")
    award_name: str | None = Field(default=None, description="The award's Vietnamese name")


class ReviewTaskReminded(CloudEvent):
    type: Literal["vn.tdkt.review.task.reminded.v1"] = "vn.tdkt.review.task.reminded.v1"
    data: ReviewTaskDeadlineData


class ReviewTaskEscalated(CloudEvent):
    type: Literal["vn.tdkt.review.task.escalated.v1"] = "vn.tdkt.review.task.escalated.v1"
    data: ReviewTaskDeadlineData


class PublicCommentOpenedData(EventData):
    """Nominees published for public comment (lấy ý kiến nhân dân) before the council meets."""

    dossier_id: DossierId
    level: PassedOnLevel
    organisation: str | None = None
    award_code: str
    nominees: list[EntrySummary]
    opened_at: datetime
    closes_at: datetime
    working_days: int = Field(ge=1)
    legal_basis: str


class PublicCommentOpened(CloudEvent):
    type: Literal["vn.tdkt.review.public_comment.opened.v1"] = "vn.tdkt.review.public_comment.opened.v1"
    data: PublicCommentOpenedData


class ObjectionRecordedData(EventData):
    objection_id: str
    dossier_id: DossierId
    entry_id: EntryId | None = None
    author_name: str
    text: str
    received_at: datetime


class ObjectionRecorded(CloudEvent):
    type: Literal["vn.tdkt.review.objection.recorded.v1"] = "vn.tdkt.review.objection.recorded.v1"
    data: ObjectionRecordedData


class NoteKind(StrEnum):
    COMMENT = "comment"
    FILE = "file"


class SharedFile(EventData):
    """What the submitter learns of a file a reviewer shared: its name, size and description; the
    bytes stay with the reviewing organisations."""

    file_name: str
    size_bytes: int = Field(ge=0)
    media_type: str
    description: str | None = None


class NoteSharedData(EventData):
    """A reviewer's comment or file on a task, marked for the submitter (its other notes stay in
    review): who wrote it, by name and title, for which organisation, at which level."""

    note_id: str
    dossier_id: DossierId
    level: PassedOnLevel
    step: ReviewStepKind | None = None
    kind: NoteKind
    author: str = Field(description="The login of the officer who wrote it")
    author_name: str | None = Field(default=None, description="Their full name, from their identity")
    author_title: str | None = Field(default=None, description="Their title (chức vụ)")
    organisation: str = Field(description="The organisation they wrote for")
    organisation_name: str | None = Field(default=None, description="Its name, as people read it")
    text: str | None = Field(default=None, description="The comment (kind `comment`)")
    file: SharedFile | None = Field(
        default=None, description="The file (kind `file`): name, size, description"
    )
    shared_at: datetime


class NoteShared(CloudEvent):
    type: Literal["vn.tdkt.review.note.shared.v1"] = "vn.tdkt.review.note.shared.v1"
    data: NoteSharedData


class LevelApprovedData(EventData):
    dossier_id: DossierId
    level: PassedOnLevel
    next_level: PassedOnLevel | None
    approved_by: str
    approved_at: datetime
    approved_by_name: str | None = Field(
        default=None, description="The leader's full name, from their identity"
    )
    approved_by_title: str | None = Field(default=None, description="The leader's title (chức vụ)")


class LevelApproved(CloudEvent):
    type: Literal["vn.tdkt.review.level.approved.v1"] = "vn.tdkt.review.level.approved.v1"
    data: LevelApprovedData


class DossierApprovedData(EventData):
    dossier_id: DossierId
    version: int = Field(ge=1)
    award_code: str
    submitting_organisation: str
    deciding_organisation: str
    issuer_code: str
    entries: list[EntrySummary] = Field(min_length=1)
    approved_at: datetime
    struck_entries: list[StruckEntry] = Field(
        default_factory=list, description="Entries the review took out, with reasons; not in the decision"
    )
    reward_multiple: RewardMultiple | None = None
    particulars: DecisionParticulars | None = Field(default=None, description="For the decision document")
    approved_by: str | None = Field(default=None, description="The leader whose sign-off approved it")
    approved_by_name: str | None = Field(
        default=None, description="Their full name, from their identity: the signature block prints it"
    )
    approved_by_title: str | None = Field(
        default=None, description="Their title (chức vụ), from their identity: the signature block prints it"
    )


class DossierApproved(CloudEvent):
    type: Literal["vn.tdkt.dossier.approved.v1"] = "vn.tdkt.dossier.approved.v1"
    data: DossierApprovedData


class DossierClosedData(EventData):
    """A dossier that leaves review without approval at ``level``."""

    dossier_id: DossierId
    submitting_organisation: str
    level: PassedOnLevel
    actor: str
    reason: str
    at: datetime
    actor_name: str | None = Field(default=None, description="The actor's full name, from their identity")
    actor_title: str | None = Field(
        default=None, description="The actor's title (chức vụ), from their identity"
    )


class DossierRejected(CloudEvent):
    type: Literal["vn.tdkt.dossier.rejected.v1"] = "vn.tdkt.dossier.rejected.v1"
    data: DossierClosedData


class DossierReturned(CloudEvent):
    type: Literal["vn.tdkt.dossier.returned.v1"] = "vn.tdkt.dossier.returned.v1"
    data: DossierClosedData


class DossierWithdrawn(CloudEvent):
    """The review ended because the submitter withdrew the dossier (rút hồ sơ)."""

    type: Literal["vn.tdkt.dossier.withdrawn.v1"] = "vn.tdkt.dossier.withdrawn.v1"
    data: DossierClosedData


# --- decisions -----------------------------------------------------------------------------


class EntryReward(EventData):
    entry_id: EntryId
    amount_vnd: int | None = Field(
        description="Rounded up to 10,000 VND; None where the multiple is UNCONFIRMED"
    )
    multiple: Decimal | None = None
    combination: str | None = Field(
        default=None,
        description="Why the amount differs from multiple × base salary under the combination rules "
        "(NĐ 152/2025 Điều 49 k5–k7), in Vietnamese and English",
    )


class DecisionReward(EventData):
    """Reward money (tiền thưởng) on the decision date: multiple × base salary, rounded up to the
    next 10,000 VND (NĐ 152/2025 Điều 49)."""

    base_salary_vnd: int
    base_salary_basis: str
    legal_basis: str
    entries: list[EntryReward]
    total_vnd: int = Field(
        description="The sum of the KNOWN amounts only: an unknown amount adds nothing, so this is 0 when "
        "no amount is known. Not the total unless every amount is known; read complete_total_vnd"
    )
    complete_total_vnd: int | None = Field(
        default=None,
        description="The total of the entries' amounts; None when any of them is unknown (its multiple "
        "UNCONFIRMED) — never a sum that counts an unknown amount as 0",
    )


class DecisionIssuedData(EventData):
    decision_id: str
    dossier_id: DossierId
    number: str = Field(description="As printed on the decision, e.g. 01/QĐ-TTg")
    sequence: int = Field(ge=1, description="Position in the issuer's register for the year")
    year: int
    issuer_code: str
    deciding_organisation: str
    submitting_organisation: str
    issued_on: date
    award_code: str
    entries: list[EntrySummary] = Field(min_length=1)
    reward: DecisionReward | None = Field(
        default=None, description="None where no multiple or base salary is known"
    )
    dossier_ids: list[str] = Field(
        default_factory=list,
        description="Every dossier the decision answers (several for a batched decision); "
        "the event's own dossier is dossier_id, and entries are that dossier's",
    )
    entries_total: int | None = Field(default=None, ge=1, description="Lines in the whole decision")
    issuer_name_vi: str | None = None
    signer_title_vi: str | None = None
    signer_name: str | None = None
    document_sha256: str | None = Field(
        default=None, description="SHA-256 (hex) of the signed decision PDF, as served by the registry"
    )


class DecisionIssued(CloudEvent):
    """Published once per dossier the decision answers, with that dossier as subject."""

    type: Literal["vn.tdkt.decision.issued.v1"] = "vn.tdkt.decision.issued.v1"
    data: DecisionIssuedData


class RevocationGround(StrEnum):
    """Luật TĐKT 2022 Điều 93 k2."""

    FRAUDULENT_ACHIEVEMENT = "a"
    """Gian dối trong việc kê khai thành tích."""
    FALSE_DOSSIER = "b"
    """Thông tin sai sự thật, làm giả hồ sơ."""
    UNLAWFUL_REVIEW = "c"
    """Thẩm định, xét duyệt, đề nghị khen thưởng trái pháp luật."""
    LATER_VIOLATION_FOUND = "d"
    """Kết luận, quyết định, bản án sau đó cho thấy vi phạm trong thời gian tính thành tích."""


class DecisionRevokedData(EventData):
    revocation_id: str
    number: str = Field(description="The revocation decision's own number, from the same register")
    issued_on: date
    issuer_code: str
    deciding_organisation: str
    original_decision_id: str
    original_number: str
    original_issued_on: date
    dossier_id: DossierId
    entry_id: EntryId
    line_number: int = Field(ge=1, description="Số sổ vàng of the revoked line")
    nominee_name: str
    award_code: str
    period_year: int | None = None
    ground: RevocationGround
    reason: str
    revoked_by: str = Field(description="The officer of the issuing organisation who revoked it")
    document_sha256: str | None = None


class DecisionRevoked(CloudEvent):
    """An award line revoked (hủy bỏ) by its issuing authority (Luật TĐKT 2022 Điều 93)."""

    type: Literal["vn.tdkt.decision.revoked.v1"] = "vn.tdkt.decision.revoked.v1"
    data: DecisionRevokedData


# --- notifications -------------------------------------------------------------------------


CLIENT_RECIPIENT_PREFIX = "client:"
NOMINEE_RECIPIENT_PREFIX = "nominee:"


def client_recipient(client_id: str) -> str:
    """The ``recipient`` of notices to an integrating system (by webhook)."""
    return f"{CLIENT_RECIPIENT_PREFIX}{client_id}"


def nominee_recipient(entry_id: str) -> str:
    """The ``recipient`` of notices to the nominee of one dossier entry (by e-mail)."""
    return f"{NOMINEE_RECIPIENT_PREFIX}{entry_id}"


class NotificationSentData(EventData):
    notification_id: str
    dossier_id: DossierId
    recipient: str = Field(description="Organisation code or user id of the recipient")
    channel: Literal["in_app"] = "in_app"
    cause_event_id: str = Field(description="The event this notification answers")
    subject: str
    sent_at: datetime
    recipient_name: str | None = Field(
        default=None, description="The recipient as people read it: organisation, role or nominee name"
    )


class NotificationSent(CloudEvent):
    """A notice recorded in the in-app feed."""

    type: Literal["vn.tdkt.notification.sent.v1"] = "vn.tdkt.notification.sent.v1"
    data: NotificationSentData


class DeliveryChannel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class NotificationDeliveredData(EventData):
    delivery_id: str
    notification_id: str = Field(description="The notice delivered (one per cause event and audience)")
    dossier_id: DossierId
    channel: DeliveryChannel
    recipient: str = Field(description="The audience: organisation, role, nominee line or client")
    cause_event_id: str
    attempts: int = Field(ge=1, description="Attempts it took, counting interrupted ones")
    after_interruption: bool = Field(
        description="An earlier attempt was interrupted before its outcome was recorded, so the "
        "receiver may have it twice (same delivery id)"
    )
    delivered_at: datetime
    recipient_name: str | None = Field(
        default=None, description="The recipient as people read it: organisation, role or nominee name"
    )


class NotificationDelivered(CloudEvent):
    """An e-mail accepted by the SMTP server, or a webhook answered with 2xx."""

    type: Literal["vn.tdkt.notification.delivered.v1"] = "vn.tdkt.notification.delivered.v1"
    data: NotificationDeliveredData


# --- what each topic carries ----------------------------------------------------------------

IntakeEvent = Annotated[
    DossierSubmitted | DossierAmended | DossierWithdrawalRequested, Field(discriminator="type")
]
ReviewEvent = Annotated[
    ReviewTaskOpened
    | ReviewTaskCompleted
    | ReviewTaskReminded
    | ReviewTaskEscalated
    | PublicCommentOpened
    | ObjectionRecorded
    | NoteShared
    | LevelApproved
    | DossierApproved
    | DossierRejected
    | DossierReturned
    | DossierWithdrawn,
    Field(discriminator="type"),
]
DecisionEvent = Annotated[DecisionIssued | DecisionRevoked, Field(discriminator="type")]
NotificationEvent = Annotated[NotificationSent | NotificationDelivered, Field(discriminator="type")]

ALL_EVENT_TYPES: tuple[type[CloudEvent], ...] = (
    DossierSubmitted,
    DossierAmended,
    DossierWithdrawalRequested,
    ReviewTaskOpened,
    ReviewTaskCompleted,
    ReviewTaskReminded,
    ReviewTaskEscalated,
    PublicCommentOpened,
    ObjectionRecorded,
    NoteShared,
    LevelApproved,
    DossierApproved,
    DossierRejected,
    DossierReturned,
    DossierWithdrawn,
    DecisionIssued,
    DecisionRevoked,
    NotificationSent,
    NotificationDelivered,
)

review_event_adapter: TypeAdapter[ReviewEvent] = TypeAdapter(ReviewEvent)


def event_type_name(event_class: type[CloudEvent]) -> str:
    default = event_class.model_fields["type"].default
    assert isinstance(default, str)
    return default
