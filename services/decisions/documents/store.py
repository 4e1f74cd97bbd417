"""The documents' rows: which decisions wait for their PDFs, what a decision's documents are made
from, and the signed files as stored, found again by decision or by hash (``POST /v1/verify``)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from services.decisions import errors, registry
from services.decisions.models import (
    Decision,
    DecisionDocument,
    DecisionEntry,
    DecisionKind,
    DecisionStatus,
    DocumentKind,
    Revocation,
)


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
    decision = registry.decision(session, decision_id)
    revocation = session.get(Revocation, decision.id)
    if revocation is None:
        return DecisionRecord(decision, registry.lines(session, decision.id))
    line = session.get(DecisionEntry, (revocation.decision_id, revocation.line_number))
    return DecisionRecord(
        decision, [line] if line else [], revocation, session.get(Decision, revocation.decision_id)
    )


def new_document(
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


def document_by_hash(session: Session, sha256: str) -> DecisionDocument | None:
    return session.exec(select(DecisionDocument).where(DecisionDocument.sha256 == sha256)).first()


def issued_document(session: Session, decision_id: str, kind: DocumentKind) -> DecisionDocument:
    decision = registry.decision(session, decision_id)
    document = find_document(session, decision_id, kind)
    if document is not None:
        return document
    if decision.status == DecisionStatus.NUMBERED:
        raise errors.DOCUMENT_NOT_READY(number=decision.number)
    raise errors.DOCUMENT_NOT_AVAILABLE(number=decision.number)


# --- certificates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFile:
    """A certificate file asked for: the lines it holds, where it is stored, and the copy stored
    already (None until it is first rendered)."""

    record: DecisionRecord
    kind: DocumentKind
    key: int
    """``DecisionDocument.line_number``: the line of one certificate; for the bundle of every
    standing line, minus the number of lines revoked (so each revocation makes a new bundle)."""
    stored: DecisionDocument | None = None


def certificate_file(session: Session, decision_id: str, line_number: int | None) -> CertificateFile:
    """What a certificate needs: one line's (``line_number``), or every standing line's (None);
    refused before the decision is issued, for a line that is not there or was revoked."""
    record = decision_record(session, decision_id)
    decision = record.decision
    if decision.kind != DecisionKind.AWARD:
        raise errors.NO_CERTIFICATES(number=decision.number)
    if decision.status != DecisionStatus.ISSUED:
        raise errors.DOCUMENT_NOT_READY(number=decision.number)
    if line_number is None:
        standing = [line for line in record.lines if line.revocation_id is None]
        if not standing:
            raise errors.ALL_LINES_REVOKED(number=decision.number)
        revoked = len(record.lines) - len(standing)
        wanted = CertificateFile(DecisionRecord(decision, standing), DocumentKind.CERTIFICATES, -revoked)
    else:
        wanted = CertificateFile(
            DecisionRecord(decision, _line(session, record, line_number)),
            DocumentKind.CERTIFICATE,
            line_number,
        )
    return replace(wanted, stored=find_document(session, decision.id, wanted.kind, wanted.key))


def _line(session: Session, record: DecisionRecord, line_number: int) -> list[DecisionEntry]:
    """The standing line ``line_number`` of the record's decision, alone."""
    number = record.decision.number
    lines = [line for line in record.lines if line.line_number == line_number]
    if not lines:
        raise errors.LINE_NOT_FOUND(number=number, line=line_number)
    revocation_id = lines[0].revocation_id
    if revocation_id is not None:
        revoked_by = registry.decision(session, revocation_id)
        raise errors.LINE_REVOKED(
            line=line_number, number=number, revocation_number=revoked_by.number, detail=revocation_id
        )
    return lines


def store_certificate(
    session: Session, wanted: CertificateFile, content: bytes, now: datetime
) -> DecisionDocument:
    """A certificate file, kept so it is served (and verified) as the same bytes again."""
    decision_id = wanted.record.decision.id
    existing = find_document(session, decision_id, wanted.kind, wanted.key)
    if existing is not None:
        return existing  # another request rendered it first: serve theirs, so one copy verifies
    document = new_document(decision_id, wanted.kind, content, now, wanted.key)
    if wanted.kind == DocumentKind.CERTIFICATES:
        document.lines = [line.line_number for line in wanted.record.lines]
    session.add(document)
    session.flush()
    return document
