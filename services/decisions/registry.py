"""The registry's reads: a decision (or the refusal that names the missing id), its lines, the
views of a page of decisions, and the search."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, tuple_
from sqlmodel import Session, col, select

from contracts.events import DecisionReward
from contracts.names import search_key
from services.decisions import errors
from services.decisions.domain import totalled
from services.decisions.models import (
    Approval,
    Decision,
    DecisionEntry,
    DecisionEntryView,
    DecisionQuery,
    DecisionView,
    EntryPage,
    Revocation,
    RevokedLine,
)


def decision(session: Session, decision_id: str) -> Decision:
    found = session.get(Decision, decision_id)
    if found is None:
        raise errors.DECISION_NOT_FOUND(decision_id=decision_id)
    return found


def lines(session: Session, decision_id: str, page: EntryPage | None = None) -> list[DecisionEntry]:
    statement = (
        select(DecisionEntry)
        .where(DecisionEntry.decision_id == decision_id)
        .order_by(col(DecisionEntry.line_number))
    )
    if page is not None:
        statement = statement.limit(page.limit).offset(page.offset)
    return list(session.exec(statement).all())


def decision_view(session: Session, decision: Decision) -> DecisionView:
    return decision_views(session, [decision])[0]


def decision_views(session: Session, decisions: Sequence[Decision]) -> list[DecisionView]:
    """Views of a page of decisions in four queries, whatever the page's length."""
    ids = [decision.id for decision in decisions]
    revocations = {
        revocation.id: revocation
        for revocation in session.exec(select(Revocation).where(col(Revocation.id).in_(ids))).all()
    }
    dossier_ids = _dossiers_answered(session, ids)
    counted = (
        select(DecisionEntry.decision_id, func.count())
        .where(col(DecisionEntry.decision_id).in_(ids))
        .group_by(col(DecisionEntry.decision_id))
    )
    totals: dict[str, int] = {decision_id: total for decision_id, total in session.exec(counted).all()}
    revoked_dossiers = _revoked_dossiers(session, list(revocations.values()))
    views = []
    for decision in decisions:
        revocation = revocations.get(decision.id)
        if revocation is None:
            dossiers, total = dossier_ids[decision.id], totals.get(decision.id, 0)
        else:
            revoked = revoked_dossiers.get((revocation.decision_id, revocation.line_number))
            dossiers, total = ([revoked] if revoked else []), 1
        views.append(
            DecisionView(
                decision_id=decision.id,
                kind=decision.kind,
                status=decision.status,
                number=decision.number,
                sequence=decision.sequence,
                year=decision.year,
                issuer_code=decision.issuer_code,
                deciding_organisation=decision.deciding_organisation,
                award_code=decision.award_code,
                issued_on=decision.issued_on,
                dossier_ids=dossiers,
                entries_total=total,
                reward=totalled(DecisionReward.model_validate(decision.reward)) if decision.reward else None,
                document_sha256=decision.document_sha256,
                revokes=RevokedLine.model_validate(revocation, from_attributes=True) if revocation else None,
            )
        )
    return views


def _dossiers_answered(session: Session, ids: list[str]) -> defaultdict[str | None, list[str]]:
    dossier_ids: defaultdict[str | None, list[str]] = defaultdict(list)
    answered = (
        select(Approval.decision_id, Approval.dossier_id)
        .where(col(Approval.decision_id).in_(ids))
        .order_by(col(Approval.received_at))
    )
    for decision_id, dossier_id in session.exec(answered).all():
        dossier_ids[decision_id].append(dossier_id)
    return dossier_ids


def _revoked_dossiers(session: Session, revocations: list[Revocation]) -> dict[tuple[str, int], str]:
    """The dossier of each line the ``revocations`` revoke, by (decision, line)."""
    revoked_lines = [(revocation.decision_id, revocation.line_number) for revocation in revocations]
    if not revoked_lines:
        return {}
    statement = select(DecisionEntry).where(
        tuple_(col(DecisionEntry.decision_id), col(DecisionEntry.line_number)).in_(revoked_lines)
    )
    return {(line.decision_id, line.line_number): line.dossier_id for line in session.exec(statement).all()}


def get_decision(session: Session, decision_id: str) -> DecisionView:
    return decision_view(session, decision(session, decision_id))


def decision_entries(session: Session, decision_id: str, page: EntryPage) -> list[DecisionEntryView]:
    decision(session, decision_id)
    return [
        DecisionEntryView.model_validate(line, from_attributes=True)
        for line in lines(session, decision_id, page)
    ]


def find_decisions(session: Session, query: DecisionQuery) -> list[DecisionView]:
    statement = select(Decision)
    for column, value in (
        (Decision.number, query.number),
        (Decision.deciding_organisation, query.issuer),
        (Decision.year, query.year),
        (Decision.award_code, query.award_code),
    ):
        if value is not None:
            statement = statement.where(col(column) == value)
    if query.dossier_id is not None:
        answered = select(Approval.decision_id).where(Approval.dossier_id == query.dossier_id)
        revoking = select(DecisionEntry.revocation_id).where(DecisionEntry.dossier_id == query.dossier_id)
        statement = statement.where(col(Decision.id).in_(answered) | col(Decision.id).in_(revoking))
    if query.nominee is not None:
        named = select(DecisionEntry.decision_id).where(
            col(DecisionEntry.search_key).contains(search_key(query.nominee))
        )
        statement = statement.where(col(Decision.id).in_(named))
    statement = statement.order_by(col(Decision.issued_on).desc(), col(Decision.sequence).desc())
    return decision_views(session, session.exec(statement.limit(query.limit).offset(query.offset)).all())
