"""The status of a dossier, derived from its history (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class DossierStatus(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    DECIDED = "decided"
    REJECTED = "rejected"
    RETURNED = "returned"


_STATUS_AFTER_EVENT: dict[str, DossierStatus] = {
    "vn.tdkt.dossier.submitted.v1": DossierStatus.SUBMITTED,
    "vn.tdkt.review.task.opened.v1": DossierStatus.IN_REVIEW,
    "vn.tdkt.dossier.approved.v1": DossierStatus.APPROVED,
    "vn.tdkt.decision.issued.v1": DossierStatus.DECIDED,
    "vn.tdkt.dossier.rejected.v1": DossierStatus.REJECTED,
    "vn.tdkt.dossier.returned.v1": DossierStatus.RETURNED,
}

# Events of one dossier come from several topics and may be consumed out of order, so the status
# is the furthest one the history proves, not the last one received.
_PROGRESS = [
    DossierStatus.SUBMITTED,
    DossierStatus.IN_REVIEW,
    DossierStatus.APPROVED,
    DossierStatus.RETURNED,
    DossierStatus.REJECTED,
    DossierStatus.DECIDED,
]


def status_from_history(event_types: Iterable[str]) -> DossierStatus:
    reached = {_STATUS_AFTER_EVENT[t] for t in event_types if t in _STATUS_AFTER_EVENT}
    return max(reached, key=_PROGRESS.index, default=DossierStatus.SUBMITTED)
