"""Issuing: approvals become numbered decisions, and numbered decisions become issued ones.

A decision is issued in two transactions: the first takes its number and stores its lines
(``record_approval``, ``close_batches``, ``revocation.revoke``); the second stores the rendered,
signed documents and stages the events (``store_documents``). Rendering and signing run between
them, outside any lock, so a crash in between leaves a ``numbered`` decision that the next sweep
finishes: nothing is lost and no number is taken twice. Each function runs inside the one
transaction its caller (a handler) gives.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from itertools import groupby

from sqlmodel import Session, col, select

from contracts.events import (
    DecisionIssued,
    DecisionIssuedData,
    DecisionRevoked,
    DecisionRevokedData,
    DecisionReward,
    DossierApproved,
    DossierApprovedData,
    EntrySummary,
    NomineeKind,
    RevocationGround,
)
from contracts.names import search_key
from contracts.topics import Topic
from servicekit.outbox import add_to_outbox
from services.decisions.documents.compose import particulars_of
from services.decisions.documents.store import DecisionRecord, decision_record, new_document
from services.decisions.domain import BatchRule, batch_rule_for, batch_window, decision_reward, totalled
from services.decisions.models import (
    Approval,
    Decision,
    DecisionEntry,
    DecisionKind,
    DecisionStatus,
    DocumentKind,
)
from services.decisions.register import numbered, signer_block
from services.decisions.settings import SignerSetting

# --- numbering ---------------------------------------------------------------------------------


def record_approval(
    session: Session,
    approved: DossierApproved,
    rules: list[BatchRule],
    signers: dict[str, SignerSetting],
    today: date,
    now: datetime,
    trace_carrier: str,
) -> Decision | None:
    """Keep the approval once; number its decision at once unless a batch rule gathers it."""
    data = approved.data
    if session.get(Approval, data.dossier_id) is not None:
        return None
    rule = batch_rule_for(rules, data.award_code, data.deciding_organisation)
    window = batch_window(rule.period, today) if rule else None
    approval = Approval(
        dossier_id=data.dossier_id,
        award_code=data.award_code,
        deciding_organisation=data.deciding_organisation,
        submitting_organisation=data.submitting_organisation,
        batch_window=window.key if window else None,
        batch_closes_on=window.closes_on if window else None,
        approved=data.model_dump(mode="json"),
        trace_carrier=trace_carrier,
        received_at=now,
    )
    session.add(approval)
    session.flush()
    if window is not None:
        return None
    return _number_decision(session, [approval], signers, today, now)


def close_batches(
    session: Session,
    signers: dict[str, SignerSetting],
    today: date,
    now: datetime,
    *,
    due_only: bool = True,
    deciding_organisation: str | None = None,
    award_code: str | None = None,
) -> list[Decision]:
    """One decision per award, issuer and period for the approvals waiting in it: those whose
    period has ended, or all of them (``due_only=False``) when a leader issues early."""
    statement = (
        select(Approval)
        .where(col(Approval.decision_id).is_(None), col(Approval.batch_window).is_not(None))
        .order_by(col(Approval.received_at), col(Approval.dossier_id))
        .with_for_update()  # a racing instance waits, then sees the approvals taken
    )
    if due_only:
        statement = statement.where(col(Approval.batch_closes_on) <= today)
    if deciding_organisation is not None:
        statement = statement.where(Approval.deciding_organisation == deciding_organisation)
    if award_code is not None:
        statement = statement.where(Approval.award_code == award_code)
    waiting = session.exec(statement).all()

    def batch_of(approval: Approval) -> tuple[str, str, str]:
        return approval.deciding_organisation, approval.award_code, approval.batch_window or ""

    return [
        _number_decision(session, list(approvals), signers, today, now)
        for _, approvals in groupby(sorted(waiting, key=batch_of), key=batch_of)
    ]


def _number_decision(
    session: Session,
    approvals: list[Approval],
    signers: dict[str, SignerSetting],
    today: date,
    now: datetime,
) -> Decision:
    approved = [DossierApprovedData.model_validate(approval.approved) for approval in approvals]
    first = approved[0]
    lines = [(data.dossier_id, entry) for data in approved for entry in data.entries]
    particulars = first.particulars
    reward = decision_reward(
        first.reward_multiple,
        [entry for _, entry in lines],
        today,
        is_title=particulars.award_is_title if particulars else False,
    )
    decision = numbered(
        session,
        today,
        now,
        DecisionKind.AWARD,
        first.issuer_code,
        first.deciding_organisation,
        first.award_code,
        reward=reward.model_dump(mode="json") if reward else None,
        particulars=particulars.model_dump(mode="json") if particulars else None,
        signer=signer_block(
            signers,
            first.deciding_organisation,
            particulars,
            first.approved_by_name or first.approved_by,
            first.approved_by_title,
        ),
        trace_carrier=approvals[0].trace_carrier,
    )
    rewards = reward.entries if reward else []
    session.add_all(
        DecisionEntry(
            decision_id=decision.id,
            line_number=line_number,
            dossier_id=dossier_id,
            entry_id=entry.entry_id,
            nominee_name=entry.nominee_name,
            nominee_kind=entry.nominee_kind,
            position_title=entry.position_title,
            search_key=search_key(entry.nominee_name),
            amount_vnd=rewards[line_number - 1].amount_vnd if rewards else None,
            combination=rewards[line_number - 1].combination if rewards else None,
        )
        for line_number, (dossier_id, entry) in enumerate(lines, start=1)
    )
    for approval in approvals:
        approval.decision_id = decision.id
        session.add(approval)
    session.flush()
    return decision


# --- issuing: the signed documents and the events ----------------------------------------------


def store_documents(
    session: Session, decision_id: str, documents: dict[DocumentKind, bytes], source: str, now: datetime
) -> bool:
    """Store the signed documents and stage the decision's events, once: False when another
    instance got there first."""
    decision = session.exec(select(Decision).where(Decision.id == decision_id).with_for_update()).one()
    if decision.status != DecisionStatus.NUMBERED:
        return False
    for kind, content in documents.items():
        session.add(new_document(decision.id, kind, content, now))
    main = documents[DocumentKind.DECISION]
    decision.document_sha256 = hashlib.sha256(main).hexdigest()
    decision.status = DecisionStatus.ISSUED
    session.add(decision)
    session.flush()
    record = decision_record(session, decision.id)
    if record.revocation is not None:
        add_to_outbox(session, Topic.DECISION_EVENTS, _revoked_event(record, source, now))
    else:
        for event in _issued_events(session, record, source, now):
            add_to_outbox(session, Topic.DECISION_EVENTS, event)
    return True


def _issued_events(
    session: Session, record: DecisionRecord, source: str, now: datetime
) -> list[DecisionIssued]:
    """One event per dossier the decision answers, carrying that dossier's lines."""
    decision = record.decision
    particulars = particulars_of(decision)
    reward = DecisionReward.model_validate(decision.reward) if decision.reward else None
    approvals = session.exec(
        select(Approval).where(Approval.decision_id == decision.id).order_by(col(Approval.received_at))
    ).all()
    dossier_ids = [approval.dossier_id for approval in approvals]
    events = []
    for approval in approvals:
        own = [line for line in record.lines if line.dossier_id == approval.dossier_id]
        own_ids = {line.entry_id for line in own}
        data = DecisionIssuedData(
            decision_id=decision.id,
            dossier_id=approval.dossier_id,
            number=decision.number,
            sequence=decision.sequence,
            year=decision.year,
            issuer_code=decision.issuer_code,
            deciding_organisation=decision.deciding_organisation,
            submitting_organisation=approval.submitting_organisation,
            issued_on=decision.issued_on,
            award_code=decision.award_code,
            entries=[_entry_summary(line) for line in own],
            reward=totalled(reward, own_ids) if reward else None,
            dossier_ids=dossier_ids,
            entries_total=len(record.lines),
            issuer_name_vi=particulars.issuer.name_vi if particulars else None,
            signer_title_vi=(decision.signer or {}).get("title_vi"),
            signer_name=(decision.signer or {}).get("full_name"),
            document_sha256=decision.document_sha256,
        )
        events.append(DecisionIssued(source=source, subject=approval.dossier_id, time=now, data=data))
    return events


def _entry_summary(line: DecisionEntry) -> EntrySummary:
    return EntrySummary(
        entry_id=line.entry_id,
        nominee_name=line.nominee_name,
        nominee_kind=NomineeKind(line.nominee_kind),
        position_title=line.position_title,
        line_number=line.line_number,
    )


def _revoked_event(record: DecisionRecord, source: str, now: datetime) -> DecisionRevoked:
    decision, revocation, original = record.decision, record.revocation, record.original
    assert revocation is not None and original is not None and record.lines
    line = record.lines[0]
    particulars = particulars_of(original)
    data = DecisionRevokedData(
        revocation_id=decision.id,
        number=decision.number,
        issued_on=decision.issued_on,
        issuer_code=decision.issuer_code,
        deciding_organisation=decision.deciding_organisation,
        original_decision_id=original.id,
        original_number=original.number,
        original_issued_on=original.issued_on,
        dossier_id=line.dossier_id,
        entry_id=line.entry_id,
        line_number=line.line_number,
        nominee_name=line.nominee_name,
        award_code=original.award_code,
        period_year=particulars.period_year if particulars else None,
        ground=RevocationGround(revocation.ground),
        reason=revocation.reason,
        revoked_by=revocation.revoked_by,
        document_sha256=decision.document_sha256,
    )
    return DecisionRevoked(source=source, subject=line.dossier_id, time=now, data=data)
