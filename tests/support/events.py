"""Events as the platform's producers publish them, for the notifications tests to feed in, and a
review workflow's input as the review service starts it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypeVar

from contracts.envelope import CloudEvent
from contracts.events import (
    DecisionIssued,
    DecisionIssuedData,
    DecisionParticulars,
    DecisionRevoked,
    DecisionRevokedData,
    DossierClosedData,
    DossierRejected,
    DossierReturned,
    DossierSubmitted,
    DossierSubmittedData,
    DossierWithdrawn,
    EntrySummary,
    IssuingBody,
    NomineeContact,
    ReviewAction,
    ReviewLevel,
    ReviewStep,
    ReviewStepKind,
    ReviewTaskCompleted,
    ReviewTaskCompletedData,
    ReviewTaskDeadlineData,
    ReviewTaskEscalated,
    ReviewTaskOpened,
    ReviewTaskOpenedData,
    ReviewTaskReminded,
    RevocationGround,
)
from contracts.nominee import CommendationType
from contracts.workflow import STEP_ROLES, ReviewInput

ORGANISATION = "AH-DS-TT"
ORGANISATION_NAME = "Ủy ban nhân dân xã Tân Tiến"
NOMINEES = ("Nguyễn Thị Minh Khai", "Trần Văn Ơn")
AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
AWARD_NAME = "Bằng khen của Thủ tướng Chính phủ"
AWARD_NAME_EN = "Prime Minister's Certificate of Merit"
CHAIN = (
    ReviewStep(
        level=ReviewLevel.UNIT, organisation="AH-DS-TT", organisation_name="Ủy ban nhân dân xã Tân Tiến"
    ),
    ReviewStep(
        level=ReviewLevel.DISTRICT, organisation="AH-DS", organisation_name="Ủy ban nhân dân huyện Đông Sơn"
    ),
    ReviewStep(level=ReviewLevel.PROVINCE, organisation="AH", organisation_name="Ủy ban nhân dân tỉnh An Hà"),
    ReviewStep(level=ReviewLevel.CENTRAL, organisation="TTG", organisation_name="Thủ tướng Chính phủ"),
)
"""The review chain as intake names it (the sample registry's four levels)."""


def particulars(proposer: str = ORGANISATION_NAME) -> DecisionParticulars:
    return DecisionParticulars(
        award_name_vi=AWARD_NAME,
        award_is_title=False,
        commendation_type=CommendationType.MERIT,
        period_year=2026,
        issuer=IssuingBody(
            organisation="TTG", name_vi="Thủ tướng Chính phủ", place_vi="Hà Nội", signer_title_vi="Thủ tướng"
        ),
        proposer_name_vi=proposer,
    )


def _entries(dossier: str, numbered: bool = False) -> list[EntrySummary]:
    return [
        EntrySummary(
            entry_id=f"{dossier}.v1.{n}",
            nominee_name=name,
            nominee_kind="individual",
            line_number=n if numbered else None,
        )
        for n, name in enumerate(NOMINEES, start=1)
    ]


def submitted(
    dossier: str,
    client_id: str | None = "demo-integrator",
    emails: dict[str, str] | None = None,
) -> DossierSubmitted:
    """As intake publishes it: with the names of the submitter, the award and the reviewers."""
    return DossierSubmitted(
        source="/tdkt/intake",
        subject=dossier,
        time=AT,
        data=DossierSubmittedData(
            dossier_id=dossier,
            version=1,
            submitting_organisation=ORGANISATION,
            award_code="BKTTG",
            entries=_entries(dossier),
            review_levels=[step.level for step in CHAIN],
            review_chain=list(CHAIN),
            deciding_organisation="TTG",
            issuer_code="TTg",
            external_reference=f"HS-{dossier}",
            client_id=client_id,
            nominee_contacts=[
                NomineeContact(entry_id=entry, email=email) for entry, email in (emails or {}).items()
            ],
            particulars=particulars(),
            award_name_en=AWARD_NAME_EN,
            submitting_organisation_name=ORGANISATION_NAME,
        ),
    )


def decided(dossier: str) -> DecisionIssued:
    return DecisionIssued(
        source="/tdkt/decisions",
        subject=dossier,
        time=AT,
        data=DecisionIssuedData(
            decision_id="q-1",
            dossier_id=dossier,
            number="07/QĐ-TTg",
            sequence=7,
            year=2026,
            issuer_code="TTg",
            deciding_organisation="TTG",
            submitting_organisation=ORGANISATION,
            issued_on=date(2026, 11, 24),
            award_code="BKTTG",
            entries=_entries(dossier, numbered=True),
            issuer_name_vi="Thủ tướng Chính phủ",
        ),
    )


def revoked(dossier: str) -> DecisionRevoked:
    """The award of the dossier's first nominee (line 1 of ``decided``) revoked."""
    return DecisionRevoked(
        source="/tdkt/decisions",
        subject=dossier,
        time=AT,
        data=DecisionRevokedData(
            revocation_id="r-1",
            number="09/QĐ-TTg",
            issued_on=date(2026, 12, 1),
            issuer_code="TTg",
            deciding_organisation="TTG",
            original_decision_id="q-1",
            original_number="07/QĐ-TTg",
            original_issued_on=date(2026, 11, 24),
            dossier_id=dossier,
            entry_id=f"{dossier}.v1.1",
            line_number=1,
            nominee_name=NOMINEES[0],
            award_code="BKTTG",
            ground=RevocationGround.FALSE_DOSSIER,
            reason="Hồ sơ khai sai",
            revoked_by="can-bo.ttg",
        ),
    )


Closed = TypeVar("Closed", DossierRejected, DossierReturned, DossierWithdrawn)


def closed(kind: type[Closed], dossier: str, reason: str) -> Closed:
    return kind(
        source="/tdkt/worker",
        subject=dossier,
        time=AT,
        data=DossierClosedData(
            dossier_id=dossier,
            submitting_organisation=ORGANISATION,
            level=ReviewLevel.DISTRICT,
            actor="leader.1",
            reason=reason,
            at=AT,
        ),
    )


def task_completed(
    dossier: str, task: str, action: ReviewAction = ReviewAction.APPROVE
) -> ReviewTaskCompleted:
    return ReviewTaskCompleted(
        source="/tdkt/review-workflow",
        subject=dossier,
        time=AT,
        data=ReviewTaskCompletedData(
            task_id=task,
            dossier_id=dossier,
            level=ReviewLevel.UNIT,
            action=action,
            actor="leader.1",
            completed_at=AT,
        ),
    )


def deadline(
    kind: type[ReviewTaskReminded] | type[ReviewTaskEscalated], dossier: str, task: str
) -> CloudEvent:
    return kind(
        source="/tdkt/worker",
        subject=dossier,
        time=AT,
        data=ReviewTaskDeadlineData(
            task_id=task,
            dossier_id=dossier,
            level=ReviewLevel.UNIT,
            organisation=ORGANISATION,
            due_at=datetime(2026, 12, 22, 9, 59, tzinfo=UTC),
            limit_working_days=20,
            legal_basis="product default",
            at=AT,
        ),
    )


def task_opened(
    dossier: str,
    index: int = 1,
    step: ReviewStepKind = ReviewStepKind.RECEIPT,
    *,
    named: bool = True,
    **data: Any,
) -> ReviewTaskOpened:
    """The task of ``CHAIN[index]``'s level at ``step``, for the role that acts there; ``named``:
    with the names the review workflow gives (older events carry none); ``data`` overrides fields."""
    reviewer = CHAIN[index]
    fields: dict[str, Any] = {
        "task_id": f"{dossier}.{index}.{reviewer.level.value}.{step.value}",
        "dossier_id": dossier,
        "workflow_id": f"review-{dossier}",
        "level": reviewer.level,
        "level_index": index,
        "levels_total": len(CHAIN),
        "organisation": reviewer.organisation,
        "step": step,
        "role": STEP_ROLES[step],
        "award_code": "BKTTG",
        "submitting_organisation": ORGANISATION,
        "opened_at": AT,
        "due_at": datetime(2026, 12, 22, 9, 59, tzinfo=UTC),
        "organisation_name": reviewer.organisation_name if named else None,
        "submitting_organisation_name": ORGANISATION_NAME if named else None,
        "award_name": AWARD_NAME if named else None,
        **data,
    }
    return ReviewTaskOpened(
        source="/tdkt/review-workflow", subject=dossier, time=AT, data=ReviewTaskOpenedData(**fields)
    )


def review_input(dossier_id: str, named: bool = False) -> ReviewInput:
    """A one-nominee BKTTG dossier reviewed at all four levels; ``named``: with the names intake
    gives the review chain and the particulars."""
    review = ReviewInput(
        dossier_id=dossier_id,
        version=1,
        award_code="BKTTG",
        submitting_organisation="UBND-X",
        deciding_organisation="TTG",
        issuer_code="TTg",
        entries=[
            EntrySummary(entry_id=f"{dossier_id}.1", nominee_name="Trần Thị B", nominee_kind="individual")
        ],
        review_levels=[ReviewLevel.UNIT, ReviewLevel.DISTRICT, ReviewLevel.PROVINCE, ReviewLevel.CENTRAL],
        submitted_event_id="e-1",
    )
    if not named:
        return review
    return review.model_copy(
        update={
            "review_chain": list(CHAIN),
            "particulars": particulars("Chủ tịch Ủy ban nhân dân tỉnh An Hà"),
            "submitter_name": "Trường Trung học cơ sở Tân Tiến",
        }
    )
