"""The numbering register (sổ): one gapless sequence per issuing organisation and year, and the
numbered decision that takes its next position, dated and with its signer. Awards and revocations
share the register."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from contracts.events import DecisionParticulars
from servicekit.db import insert_on_conflict
from services.decisions.domain import format_decision_number
from services.decisions.models import Decision, DecisionKind, DecisionRegister
from services.decisions.settings import SignerSetting


def numbered(
    session: Session,
    today: date,
    now: datetime,
    kind: DecisionKind,
    issuer_code: str,
    deciding_organisation: str,
    award_code: str,
    *,
    particulars: dict[str, Any] | None,
    signer: dict[str, str | None],
    trace_carrier: str,
    reward: dict[str, Any] | None = None,
) -> Decision:
    """A decision dated ``today`` with the next number of its issuer's register for the year."""
    sequence = next_sequence(session, deciding_organisation, today.year)
    decision = Decision(
        id=str(uuid.uuid4()),
        kind=kind,
        number=format_decision_number(sequence, issuer_code),
        sequence=sequence,
        year=today.year,
        issued_on=today,
        issuer_code=issuer_code,
        deciding_organisation=deciding_organisation,
        award_code=award_code,
        reward=reward,
        particulars=particulars,
        signer=signer,
        trace_carrier=trace_carrier,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    return decision


def signer_block(
    signers: dict[str, SignerSetting],
    organisation: str,
    particulars: DecisionParticulars | None,
    name: str | None,
    title: str | None = None,
) -> dict[str, str | None]:
    """Who signs for ``organisation``: the person who signed off (``name`` and ``title``, from their
    identity), in the capacity configured for the organisation (``TDKT_DECISIONS_SIGNERS``, e.g.
    "KT. CHỦ TỊCH"); where the identity lacks them, the configured signer, else the organisation's
    signer title (events from before identities carried names)."""
    configured = signers.get(organisation)
    default_title = particulars.issuer.signer_title_vi if particulars else organisation
    return SignerSetting(
        capacity_vi=configured.capacity_vi if configured else None,
        title_vi=title or (configured.title_vi if configured else default_title),
        full_name=name or (configured.full_name if configured else ""),
    ).model_dump()


def next_sequence(session: Session, organisation_code: str, year: int) -> int:
    """Gapless and unique across racing instances: the register row is created if missing without
    a race (``INSERT … ON CONFLICT DO NOTHING``), then locked (PostgreSQL ``FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers) for the rest of the transaction that stores the
    decision, so a number is taken only by a decision that is committed with it."""
    session.execute(
        insert_on_conflict(session)(DecisionRegister)
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
