"""The status of a dossier, derived from its history, and what each status allows (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from contracts.dossiers import DossierSubmission
from contracts.views import DossierStatus
from services.intake.errors import AMENDMENT_CHANGES_IDENTITY, DOSSIER_NOT_AMENDABLE, DOSSIER_NOT_WITHDRAWABLE

_STATUS_AFTER_EVENT: dict[str, DossierStatus] = {
    "vn.tdkt.dossier.submitted.v1": DossierStatus.SUBMITTED,
    "vn.tdkt.review.task.opened.v1": DossierStatus.IN_REVIEW,
    "vn.tdkt.dossier.approved.v1": DossierStatus.APPROVED,
    "vn.tdkt.decision.issued.v1": DossierStatus.DECIDED,
    "vn.tdkt.dossier.rejected.v1": DossierStatus.REJECTED,
    "vn.tdkt.dossier.returned.v1": DossierStatus.RETURNED,
    "vn.tdkt.dossier.withdrawn.v1": DossierStatus.WITHDRAWN,
}

# Events of one dossier come from several topics and may be consumed out of order, so the status
# is the furthest one the history proves, not the last one received.
_PROGRESS = [
    DossierStatus.SUBMITTED,
    DossierStatus.IN_REVIEW,
    DossierStatus.APPROVED,
    DossierStatus.RETURNED,
    DossierStatus.REJECTED,
    DossierStatus.WITHDRAWN,
    DossierStatus.DECIDED,
]


AMENDED = "vn.tdkt.dossier.amended.v1"


def status_from_history(event_types: Iterable[str]) -> DossierStatus:
    """``event_types`` in the order the events happened. An amendment (a new version) starts the
    dossier's progress again, so only what happened since the last one counts."""
    since_amendment: list[str] = []
    for event_type in event_types:
        since_amendment = [] if event_type == AMENDED else [*since_amendment, event_type]
    reached = {_STATUS_AFTER_EVENT[t] for t in since_amendment if t in _STATUS_AFTER_EVENT}
    return max(reached, key=_PROGRESS.index, default=DossierStatus.SUBMITTED)


AMENDABLE = frozenset({DossierStatus.SUBMITTED, DossierStatus.RETURNED})
"""A dossier no level has taken up yet, or one a level returned for supplement."""
WITHDRAWABLE = frozenset({DossierStatus.SUBMITTED, DossierStatus.IN_REVIEW, DossierStatus.RETURNED})
"""Until the last level approves: after that the decision is being issued and runs its course."""


def check_amendment(status: str, organisation: str, award_code: str, submission: DossierSubmission) -> None:
    """An amendment (bổ sung) comes while the dossier is open to it and keeps its identity: the
    same submitting organisation and award."""
    if status not in AMENDABLE:
        raise DOSSIER_NOT_AMENDABLE(status=status)
    if (submission.submitting_organisation, submission.award_code) != (organisation, award_code):
        raise AMENDMENT_CHANGES_IDENTITY(organisation=organisation, award_code=award_code)


def check_withdrawal(status: str) -> None:
    if status not in WITHDRAWABLE:
        raise DOSSIER_NOT_WITHDRAWABLE(status=status)
