"""Revoking one line of an award decision (hủy bỏ, Luật TĐKT 2022 Điều 93): the rows around the
law. Which revocations the law allows is decided by ``domain.revocation``; here the decision and
its line are read (the line locked, so two revocations of it cannot both pass), and the
revocation decision is numbered in the issuer's register. Runs in its caller's transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from servicekit.auth import Staff
from servicekit.errors import DomainError
from services.decisions import errors, registry
from services.decisions.documents.compose import issuing_body, particulars_of
from services.decisions.domain.revocation import (
    DecisionOnRecord,
    LineOnRecord,
    RevocationRefused,
    revocation_refused,
)
from services.decisions.models import (
    Decision,
    DecisionEntry,
    DecisionKind,
    DecisionStatus,
    Revocation,
    RevocationRequest,
)
from services.decisions.register import numbered, signer_block
from services.decisions.settings import SignerSetting


def revoke(
    session: Session,
    decision_id: str,
    request: RevocationRequest,
    officer: Staff,
    signers: dict[str, SignerSetting],
    today: date,
    now: datetime,
    trace_carrier: str,
) -> Decision:
    """Number a revocation decision for one line, when the law allows it."""
    original = registry.decision(session, decision_id)
    line = session.exec(
        select(DecisionEntry)
        .where(DecisionEntry.decision_id == decision_id, DecisionEntry.line_number == request.line_number)
        .with_for_update()
    ).first()
    on_record = DecisionOnRecord(
        issuing_organisation=original.deciding_organisation,
        is_award=original.kind == DecisionKind.AWARD,
        is_issued=original.status == DecisionStatus.ISSUED,
    )
    refused = revocation_refused(
        officer, on_record, LineOnRecord(line.line_number, line.revocation_id) if line else None
    )
    if refused is not None:
        raise _refusal(session, refused, original, request.line_number, line.revocation_id if line else None)
    assert line is not None
    revocation = numbered(
        session,
        today,
        now,
        DecisionKind.REVOCATION,
        original.issuer_code,
        original.deciding_organisation,
        original.award_code,
        particulars=original.particulars,
        signer=signer_block(
            signers, original.deciding_organisation, particulars_of(original), officer.name, officer.title
        ),
        trace_carrier=trace_carrier,
    )
    session.add(
        Revocation(
            id=revocation.id,
            decision_id=original.id,
            line_number=line.line_number,
            ground=request.ground,
            reason=request.reason,
            revoked_by=officer.subject,
        )
    )
    line.revocation_id = revocation.id
    session.add(line)
    session.flush()
    return revocation


def _refusal(
    session: Session,
    refused: RevocationRefused,
    original: Decision,
    line_number: int,
    revoked_by: str | None,
) -> DomainError:
    """The catalogue's refusal for the rule that refused, naming the decision and the line."""
    number = original.number
    if refused is RevocationRefused.NOT_ISSUING_AUTHORITY:
        return errors.NOT_ISSUING_AUTHORITY(issuer=issuing_body(original).name_vi, number=number)
    if refused is RevocationRefused.NOT_REVOCABLE:
        return errors.DECISION_NOT_REVOCABLE(number=number)
    if refused is RevocationRefused.NO_SUCH_LINE:
        return errors.LINE_NOT_FOUND(number=number, line=line_number)
    assert revoked_by is not None  # ALREADY_REVOKED: the line names its revocation
    revocation_number = registry.decision(session, revoked_by).number
    return errors.ALREADY_REVOKED(
        line=line_number, number=number, revocation_number=revocation_number, detail=revoked_by
    )
