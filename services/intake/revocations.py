"""Awards revoked by their issuer (Luật TĐKT Điều 93, from ``decision.revoked``): recorded against
the decision line and the entry, and looked up when a later submission's records cite them, so
that validation stops counting them (``validation.RevokedTitle``)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from contracts.dossiers import DossierSubmission
from contracts.events import DecisionRevokedData
from contracts.names import search_key
from services.intake.models import DossierEntry, RevokedAward
from services.intake.validation import RevokedTitle


def record(session: Session, dossier_id: str, revoked: DecisionRevokedData) -> None:
    """The revocation (once) and, on the dossier's entry, the number of the decision revoking it."""
    if session.get(RevokedAward, revoked.revocation_id) is None:
        session.add(
            RevokedAward(
                revocation_id=revoked.revocation_id,
                decision_number=revoked.original_number,
                award_code=revoked.award_code,
                period_year=revoked.period_year,
                nominee_key=search_key(revoked.nominee_name),
                revocation_number=revoked.number,
                revoked_on=revoked.issued_on,
                entry_id=revoked.entry_id,
            )
        )
    entry = session.get(DossierEntry, revoked.entry_id)
    if entry is not None and entry.dossier_id == dossier_id:
        entry.revocation_number = revoked.number
        session.add(entry)


def revoked_titles(session: Session, submission: DossierSubmission) -> list[RevokedTitle]:
    """The revocations matching a decision number the submission's records cite."""
    numbers = {
        award.decision_number
        for nominee in submission.entries
        for award in nominee.record.awards
        if award.decision_number is not None
    }
    if not numbers:
        return []
    rows = session.exec(select(RevokedAward).where(col(RevokedAward.decision_number).in_(numbers))).all()
    return [
        RevokedTitle(
            decision_number=row.decision_number,
            award_code=row.award_code,
            year=row.period_year,
            nominee_key=row.nominee_key,
        )
        for row in rows
    ]
