"""Who among the staff may read a dossier (issue 20: reviewers judge what they can read).

A dossier is read by the staff of the organisation that submitted it, and by the staff of each
organisation on its review chain once the review has reached that organisation's level (a task
was opened there): a province officer reads a school's dossier from the moment it waits at the
province, not while it is still at the commune. Anyone else is answered as if the dossier did not
exist (``dossier-not-found``), so that ids cannot be probed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from contracts.events import ReviewTaskOpened
from services.intake.errors import DOSSIER_NOT_FOUND
from services.intake.models import Dossier, DossierHistory

OPENED = ReviewTaskOpened.model_fields["type"].default


def reached_organisations(
    review_chain: list[dict[str, str]], opened_levels: Iterable[str | None]
) -> set[str]:
    """The organisations of the chain whose level the review has reached."""
    reached = {level for level in opened_levels if level}
    return {step["organisation"] for step in review_chain if step.get("level") in reached}


def may_read(dossier: Dossier, organisation: str, opened_levels: Iterable[str | None]) -> bool:
    if organisation == dossier.submitting_organisation:
        return True
    return organisation in reached_organisations(dossier.review_chain, opened_levels)


def readable_dossier(session: Session, dossier_id: str, organisation: str) -> Dossier:
    """The dossier, if staff of ``organisation`` may read it; else ``dossier-not-found``."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is not None:
        opened = session.exec(
            select(DossierHistory.level).where(
                DossierHistory.dossier_id == dossier_id, DossierHistory.type == OPENED
            )
        ).all()
        if may_read(dossier, organisation, opened):
            return dossier
    raise DOSSIER_NOT_FOUND(dossier_id=dossier_id)
