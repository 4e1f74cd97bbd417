"""Decisions' use cases; each runs inside one transaction given by the caller."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from contracts.events import (
    DecisionIssued,
    DecisionIssuedData,
    DossierApproved,
)
from contracts.topics import Topic
from servicekit.outbox import add_to_outbox
from servicekit.problems import ProblemError
from services.decisions.domain import decision_reward, format_decision_number, search_key
from services.decisions.models import Decision, DecisionNominee, DecisionQuery, DecisionRegister, DecisionView


def issue_decision(session: Session, approved: DossierApproved, source: str, today: date) -> Decision:
    """Issue the decision for an approved dossier once; a repeat returns the first one."""
    data = approved.data
    existing = session.exec(select(Decision).where(Decision.dossier_id == data.dossier_id)).first()
    if existing is not None:
        return existing
    sequence = _next_sequence(session, data.deciding_organisation, today.year)
    decision = Decision(
        id=str(uuid.uuid4()),
        dossier_id=data.dossier_id,
        number=format_decision_number(sequence, data.issuer_code),
        sequence=sequence,
        year=today.year,
        issuer_code=data.issuer_code,
        deciding_organisation=data.deciding_organisation,
        submitting_organisation=data.submitting_organisation,
        award_code=data.award_code,
        issued_on=today,
        entries=[entry.model_dump(mode="json") for entry in data.entries],
    )
    reward = decision_reward(data.reward_multiple, data.entries, today)
    decision.reward = reward.model_dump(mode="json") if reward else None
    session.add(decision)
    session.flush()
    session.add_all(
        DecisionNominee(
            decision_id=decision.id, entry_id=entry.entry_id, nominee_name=search_key(entry.nominee_name)
        )
        for entry in data.entries
    )
    add_to_outbox(
        session,
        Topic.DECISION_EVENTS,
        DecisionIssued(
            source=source,
            subject=data.dossier_id,
            data=DecisionIssuedData.model_validate(decision_view(decision).model_dump()),
        ),
    )
    return decision


def _next_sequence(session: Session, organisation_code: str, year: int) -> int:
    """Gapless and unique across racing instances: the register row is created if missing without
    a race (``INSERT … ON CONFLICT DO NOTHING``), then locked (PostgreSQL ``FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers) for the rest of the transaction that stores the
    decision, so a number is taken only by a decision that is committed with it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(DecisionRegister)
        .values(organisation_code=organisation_code, year=year, last_sequence=0)
        .on_conflict_do_nothing()
    )
    statement = (
        select(DecisionRegister)
        .where(DecisionRegister.organisation_code == organisation_code, DecisionRegister.year == year)
        .with_for_update()
    )
    register = session.exec(statement).one()
    register.last_sequence += 1
    session.add(register)
    session.flush()
    return register.last_sequence


def decision_view(decision: Decision) -> DecisionView:
    return DecisionView.model_validate({**decision.model_dump(), "decision_id": decision.id})


def get_decision(session: Session, decision_id: str) -> DecisionView:
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise ProblemError(
            404,
            "decision-not-found",
            f"Không tìm thấy quyết định '{decision_id}'.",
            f"No decision with id '{decision_id}'.",
        )
    return decision_view(decision)


def find_decisions(session: Session, query: DecisionQuery) -> list[DecisionView]:
    statement = select(Decision)
    for column, value in (
        (Decision.dossier_id, query.dossier_id),
        (Decision.number, query.number),
        (Decision.deciding_organisation, query.issuer),
        (Decision.year, query.year),
        (Decision.award_code, query.award_code),
    ):
        if value is not None:
            statement = statement.where(col(column) == value)
    if query.nominee is not None:
        named = select(DecisionNominee.decision_id).where(
            col(DecisionNominee.nominee_name).contains(search_key(query.nominee))
        )
        statement = statement.where(col(Decision.id).in_(named))
    statement = statement.order_by(col(Decision.issued_on).desc(), col(Decision.sequence).desc())
    return [
        decision_view(row) for row in session.exec(statement.limit(query.limit).offset(query.offset)).all()
    ]
