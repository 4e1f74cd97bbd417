"""Decisions' use cases; each runs inside one transaction given by the caller.

A decision is issued in two transactions: the first takes its number and stores its lines
(``record_approval``, ``close_batches``, ``revoke``); the second stores the rendered, signed
documents and stages the events (``store_documents``). Rendering and signing run between them,
outside any lock, so a crash in between leaves a ``numbered`` decision that the next sweep
finishes: nothing is lost and no number is taken twice.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import func, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from contracts.events import (
    DecisionIssued,
    DecisionIssuedData,
    DecisionParticulars,
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
from servicekit.auth import Staff
from servicekit.outbox import add_to_outbox
from servicekit.problems import ProblemError
from services.decisions.documents.compose import particulars_of
from services.decisions.domain import (
    BatchRule,
    batch_rule_for,
    batch_window,
    decision_reward,
    format_decision_number,
    totalled,
)
from services.decisions.models import (
    Approval,
    Decision,
    DecisionDocument,
    DecisionEntry,
    DecisionEntryView,
    DecisionKind,
    DecisionQuery,
    DecisionRegister,
    DecisionStatus,
    DecisionView,
    DocumentKind,
    EntryPage,
    Revocation,
    RevocationRequest,
    RevokedLine,
)
from services.decisions.settings import SignerSetting

# --- issuing ---------------------------------------------------------------------------------


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
    period has ended, or all of them (``due_only=False``) when an officer issues early."""
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
    decision = _numbered(
        session,
        today,
        now,
        DecisionKind.AWARD,
        first.issuer_code,
        first.deciding_organisation,
        first.award_code,
        reward=reward.model_dump(mode="json") if reward else None,
        particulars=particulars.model_dump(mode="json") if particulars else None,
        signer=_signer(signers, first.deciding_organisation, particulars, first.approved_by),
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


def issue_batches_now(
    session: Session,
    officer: Staff,
    signers: dict[str, SignerSetting],
    today: date,
    now: datetime,
    award_code: str | None = None,
) -> list[Decision]:
    """A leader closes their organisation's batches before the period ends."""
    if LEADER_ROLE not in officer.roles:
        raise ProblemError(
            403,
            "leader-required",
            "Chỉ lãnh đạo cơ quan mới ban hành quyết định.",
            "Only a leader of the organisation issues its decisions.",
        )
    return close_batches(
        session,
        signers,
        today,
        now,
        due_only=False,
        deciding_organisation=officer.organisation,
        award_code=award_code,
    )


def _numbered(
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
    """A decision dated ``today`` with the next number of its issuer's register for the year:
    awards and revocations share the register."""
    sequence = _next_sequence(session, deciding_organisation, today.year)
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


def _signer(
    signers: dict[str, SignerSetting],
    organisation: str,
    particulars: DecisionParticulars | None,
    name: str | None,
) -> dict[str, str | None]:
    configured = signers.get(organisation)
    if configured is not None:
        return configured.model_dump()
    title = particulars.issuer.signer_title_vi if particulars else organisation
    return SignerSetting(capacity_vi=None, title_vi=title, full_name=name or "").model_dump()


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


# --- documents -------------------------------------------------------------------------------


def numbered_decisions(session: Session, limit: int = 20) -> list[str]:
    """Decisions whose documents are still to be rendered, oldest first."""
    statement = (
        select(Decision.id)
        .where(Decision.status == DecisionStatus.NUMBERED)
        .order_by(col(Decision.created_at))
        .limit(limit)
    )
    return list(session.exec(statement).all())


@dataclass(frozen=True)
class DecisionRecord:
    """A decision with its lines (and, for a revocation, what it revokes), read for rendering."""

    decision: Decision
    lines: list[DecisionEntry]
    revocation: Revocation | None = None
    original: Decision | None = None


def decision_record(session: Session, decision_id: str) -> DecisionRecord:
    decision = _decision(session, decision_id)
    revocation = session.get(Revocation, decision.id)
    if revocation is None:
        return DecisionRecord(decision, _lines(session, decision.id))
    line = session.get(DecisionEntry, (revocation.decision_id, revocation.line_number))
    return DecisionRecord(
        decision, [line] if line else [], revocation, session.get(Decision, revocation.decision_id)
    )


def store_documents(
    session: Session, decision_id: str, documents: dict[DocumentKind, bytes], source: str, now: datetime
) -> bool:
    """Store the signed documents and stage the decision's events, once: False when another
    instance got there first."""
    decision = session.exec(select(Decision).where(Decision.id == decision_id).with_for_update()).one()
    if decision.status != DecisionStatus.NUMBERED:
        return False
    for kind, content in documents.items():
        session.add(_document(decision.id, kind, content, now))
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


def store_certificate(
    session: Session, wanted: CertificateFile, content: bytes, now: datetime
) -> DecisionDocument:
    """A certificate file, kept so it is served (and verified) as the same bytes again."""
    decision_id = wanted.record.decision.id
    existing = find_document(session, decision_id, wanted.kind, wanted.key)
    if existing is not None:
        return existing  # another request rendered it first: serve theirs, so one copy verifies
    document = _document(decision_id, wanted.kind, content, now, wanted.key)
    if wanted.kind == DocumentKind.CERTIFICATES:
        document.lines = [line.line_number for line in wanted.record.lines]
    session.add(document)
    session.flush()
    return document


def _document(
    decision_id: str, kind: DocumentKind, content: bytes, now: datetime, line_number: int = 0
) -> DecisionDocument:
    return DecisionDocument(
        id=str(uuid.uuid4()),
        decision_id=decision_id,
        kind=kind,
        line_number=line_number,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_at=now,
    )


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


# --- revocation ------------------------------------------------------------------------------

LEADER_ROLE = "leader"
"""Only a leader issues or revokes an organisation's decisions."""


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
    """Number a revocation decision for one line (Luật TĐKT 2022 Điều 93): only the authority
    that issued the award may (k8), on one of the grounds of k2."""
    original = _decision(session, decision_id)
    if original.deciding_organisation != officer.organisation or LEADER_ROLE not in officer.roles:
        raise ProblemError(
            403,
            "not-issuing-authority",
            "Chỉ lãnh đạo cơ quan đã ban hành quyết định khen thưởng mới được hủy bỏ quyết định "
            "(Luật Thi đua, khen thưởng Điều 93 khoản 8).",
            "Only a leader of the authority that issued the award may revoke it (Luật TĐKT Điều 93 k8).",
        )
    if original.kind != DecisionKind.AWARD or original.status != DecisionStatus.ISSUED:
        raise ProblemError(
            409,
            "decision-not-revocable",
            "Chỉ hủy bỏ được quyết định khen thưởng đã ban hành.",
            "Only an issued award decision can be revoked.",
        )
    line = session.exec(
        select(DecisionEntry)
        .where(DecisionEntry.decision_id == decision_id, DecisionEntry.line_number == request.line_number)
        .with_for_update()
    ).first()
    if line is None:
        raise ProblemError(
            404,
            "line-not-found",
            f"Quyết định {original.number} không có số sổ vàng {request.line_number}.",
            f"Decision {original.number} has no line {request.line_number}.",
        )
    if line.revocation_id is not None:
        raise ProblemError(
            409,
            "already-revoked",
            f"Số sổ vàng {line.line_number} của quyết định {original.number} đã bị hủy bỏ.",
            f"Line {line.line_number} of decision {original.number} is already revoked.",
            detail=line.revocation_id,
        )
    revocation = _numbered(
        session,
        today,
        now,
        DecisionKind.REVOCATION,
        original.issuer_code,
        original.deciding_organisation,
        original.award_code,
        particulars=original.particulars,
        signer=_signer(signers, original.deciding_organisation, particulars_of(original), officer.name),
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


# --- registry --------------------------------------------------------------------------------


def _decision(session: Session, decision_id: str) -> Decision:
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise ProblemError(
            404,
            "decision-not-found",
            f"Không tìm thấy quyết định '{decision_id}'.",
            f"No decision with id '{decision_id}'.",
        )
    return decision


def _lines(session: Session, decision_id: str, page: EntryPage | None = None) -> list[DecisionEntry]:
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
    dossier_ids: defaultdict[str | None, list[str]] = defaultdict(list)
    answered = (
        select(Approval.decision_id, Approval.dossier_id)
        .where(col(Approval.decision_id).in_(ids))
        .order_by(col(Approval.received_at))
    )
    for decision_id, dossier_id in session.exec(answered).all():
        dossier_ids[decision_id].append(dossier_id)
    counted = (
        select(DecisionEntry.decision_id, func.count())
        .where(col(DecisionEntry.decision_id).in_(ids))
        .group_by(col(DecisionEntry.decision_id))
    )
    totals: dict[str, int] = {decision_id: total for decision_id, total in session.exec(counted).all()}
    revoked_lines = [(revocation.decision_id, revocation.line_number) for revocation in revocations.values()]
    revoked_dossiers = (
        {
            (line.decision_id, line.line_number): line.dossier_id
            for line in session.exec(
                select(DecisionEntry).where(
                    tuple_(col(DecisionEntry.decision_id), col(DecisionEntry.line_number)).in_(revoked_lines)
                )
            ).all()
        }
        if revoked_lines
        else {}
    )
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


def get_decision(session: Session, decision_id: str) -> DecisionView:
    return decision_view(session, _decision(session, decision_id))


def decision_entries(session: Session, decision_id: str, page: EntryPage) -> list[DecisionEntryView]:
    _decision(session, decision_id)
    return [
        DecisionEntryView.model_validate(line, from_attributes=True)
        for line in _lines(session, decision_id, page)
    ]


def find_document(
    session: Session, decision_id: str, kind: DocumentKind, line_number: int = 0
) -> DecisionDocument | None:
    return session.exec(
        select(DecisionDocument).where(
            DecisionDocument.decision_id == decision_id,
            DecisionDocument.kind == kind,
            DecisionDocument.line_number == line_number,
        )
    ).first()


def issued_document(session: Session, decision_id: str, kind: DocumentKind) -> DecisionDocument:
    decision = _decision(session, decision_id)
    document = find_document(session, decision_id, kind)
    if document is not None:
        return document
    if decision.status == DecisionStatus.NUMBERED:
        raise _not_ready(decision)
    raise ProblemError(
        404,
        "document-not-available",
        f"Quyết định {decision.number} được ban hành trước khi hệ thống lập văn bản điện tử.",
        f"Decision {decision.number} was issued before this registry kept its documents.",
    )


@dataclass(frozen=True)
class CertificateFile:
    """A certificate file asked for: the lines it holds, and where it is stored."""

    record: DecisionRecord
    kind: DocumentKind
    key: int
    """``DecisionDocument.line_number``: the line of one certificate; for the bundle of every
    standing line, minus the number of lines revoked (so each revocation makes a new bundle)."""


def certificate_file(session: Session, decision_id: str, line_number: int | None) -> CertificateFile:
    """What a certificate needs: one line's (``line_number``), or every standing line's (None);
    refused before the decision is issued, for a line that is not there or was revoked."""
    record = decision_record(session, decision_id)
    decision = record.decision
    if decision.kind != DecisionKind.AWARD:
        raise ProblemError(
            404,
            "no-certificates",
            "Quyết định hủy bỏ không có giấy chứng nhận.",
            "A revocation decision has no certificates.",
        )
    if decision.status != DecisionStatus.ISSUED:
        raise _not_ready(decision)
    if line_number is None:
        standing = [line for line in record.lines if line.revocation_id is None]
        if not standing:
            raise ProblemError(
                410,
                "all-lines-revoked",
                f"Mọi khen thưởng của Quyết định {decision.number} đã bị hủy bỏ.",
                f"Every award of decision {decision.number} was revoked.",
            )
        revoked = len(record.lines) - len(standing)
        return CertificateFile(DecisionRecord(decision, standing), DocumentKind.CERTIFICATES, -revoked)
    lines = [line for line in record.lines if line.line_number == line_number]
    if not lines:
        raise ProblemError(
            404,
            "line-not-found",
            f"Quyết định {decision.number} không có số sổ vàng {line_number}.",
            f"Decision {decision.number} has no line {line_number}.",
        )
    if lines[0].revocation_id is not None:
        raise ProblemError(
            410,
            "line-revoked",
            f"Khen thưởng tại số sổ vàng {line_number} đã bị hủy bỏ.",
            f"The award of line {line_number} was revoked.",
            detail=lines[0].revocation_id,
        )
    return CertificateFile(DecisionRecord(decision, lines), DocumentKind.CERTIFICATE, line_number)


def _not_ready(decision: Decision) -> ProblemError:
    return ProblemError(
        409,
        "document-not-ready",
        f"Văn bản của quyết định {decision.number} đang được lập và ký số; vui lòng thử lại sau ít giây.",
        f"The documents of decision {decision.number} are being rendered and signed; retry in a few seconds.",
    )


def document_by_hash(session: Session, sha256: str) -> DecisionDocument | None:
    return session.exec(select(DecisionDocument).where(DecisionDocument.sha256 == sha256)).first()


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
