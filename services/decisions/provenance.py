"""Defence in depth on the bus: an approval is numbered only for a dossier whose submission
(``tdkt.intake.events``, which only intake may write) and review (``tdkt.review.events``, before
the approval on the same partition) this service has seen, with the award, the submitting
organisation and the nominees that were submitted. The broker's ACLs already keep anyone but the
review workflow off the review topic; this keeps a forged or mistaken approval from becoming a
numbered, signed decision even if a review principal were misused.

An approval whose review was never seen, or that differs from its submission, is dead-lettered
at once (``approval-unmatched``, with the reason); one whose review was seen but whose submission
has not yet come (intake's topic read by another consumer, which may lag after a restart) waits,
retried in place for a few minutes (``servicekit.kafka.AwaitingRecord``), then is dead-lettered
as ``submission-unseen``."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from contracts.events import DossierApprovedData, DossierSubmittedData
from servicekit.db import insert_on_conflict
from servicekit.kafka import AwaitingRecord
from services.decisions import errors
from services.decisions.models import DossierSeen


def record_submission(session: Session, data: DossierSubmittedData, now: datetime) -> None:
    """A submission or amendment from intake: its award, organisation and nominees."""
    session.execute(
        insert_on_conflict(session)(DossierSeen)
        .values(dossier_id=data.dossier_id, nominees={})
        .on_conflict_do_nothing()
    )
    seen = session.get(DossierSeen, data.dossier_id, with_for_update=True)
    assert seen is not None
    if seen.latest_version is not None and data.version < seen.latest_version:
        seen.nominees = {**{e.entry_id: e.nominee_name for e in data.entries}, **seen.nominees}
        session.add(seen)
        return
    seen.award_code = data.award_code
    seen.submitting_organisation = data.submitting_organisation
    seen.latest_version = data.version
    seen.nominees = {**seen.nominees, **{e.entry_id: e.nominee_name for e in data.entries}}
    seen.submitted_at = seen.submitted_at or now
    session.add(seen)


def record_review(session: Session, dossier_id: str, now: datetime) -> None:
    """A review task of the dossier opened (the workflow's first act at a level, published by the
    worker before any approval of the dossier, on the same partition): its review has begun."""
    session.execute(
        insert_on_conflict(session)(DossierSeen)
        .values(dossier_id=dossier_id, nominees={}, review_seen_at=now)
        .on_conflict_do_nothing()
    )
    seen = session.get(DossierSeen, dossier_id)
    if seen is not None and seen.review_seen_at is None:
        seen.review_seen_at = now
        session.add(seen)


def check_approval(session: Session, data: DossierApprovedData) -> None:
    """Raise unless the approval matches what was seen of its dossier (module docstring)."""
    seen = session.get(DossierSeen, data.dossier_id)
    if seen is None or seen.review_seen_at is None:
        raise errors.APPROVAL_UNMATCHED(dossier_id=data.dossier_id)
    if seen.latest_version is None or data.version > seen.latest_version:
        raise AwaitingRecord(errors.SUBMISSION_UNSEEN(dossier_id=data.dossier_id))
    strangers = [
        entry.nominee_name
        for entry in data.entries
        if seen.nominees.get(entry.entry_id) != entry.nominee_name
    ]
    for field, approved, submitted in (
        ("award_code", data.award_code, seen.award_code),
        ("submitting_organisation", data.submitting_organisation, seen.submitting_organisation),
        ("nominees", ", ".join(strangers), ""),
    ):
        if approved != submitted:
            raise errors.APPROVAL_DIFFERS(
                dossier_id=data.dossier_id, field=field, approved=approved, submitted=submitted or "-"
            )
