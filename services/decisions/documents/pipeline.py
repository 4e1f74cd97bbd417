"""A stored decision's documents, model → compose → render → sign: plain values from the stored
rows (``compose``), PDF bytes in the NĐ 30 layout (``decision``, ``certificate``), a PAdES
signature (``signing``). CPU-bound and free of the database: handlers run it in a worker thread,
between the transaction that reads the decision and the one that stores what it returns."""

from __future__ import annotations

from datetime import datetime

from services.decisions.documents import compose
from services.decisions.documents.certificate import render_certificates
from services.decisions.documents.decision import render_decision, render_revocation
from services.decisions.documents.signing import DocumentSigner
from services.decisions.documents.store import DecisionRecord
from services.decisions.models import Decision, DocumentKind


def decision_documents(
    record: DecisionRecord, signer: DocumentSigner, at: datetime
) -> dict[DocumentKind, bytes]:
    """What issuing a numbered decision stores: its signed PDF. Certificates are rendered when
    first asked for (``certificates_pdf``): most are never printed from here, and a decision's
    issuance should not wait for them."""
    decision = record.decision
    if record.revocation is not None and record.original is not None:
        document = compose.revocation_document(decision, record.revocation, record.original, record.lines[0])
        return {DocumentKind.DECISION: _sign(signer, render_revocation(document), decision, at)}
    pdf = render_decision(compose.decision_document(decision, record.lines))
    return {DocumentKind.DECISION: _sign(signer, pdf, decision, at)}


def certificates_pdf(record: DecisionRecord, signer: DocumentSigner, at: datetime) -> bytes:
    """The certificates of the record's lines, one page each, signed."""
    decision = record.decision
    return _sign(signer, render_certificates(compose.certificates(decision, record.lines)), decision, at)


def _sign(signer: DocumentSigner, pdf: bytes, decision: Decision, at: datetime) -> bytes:
    place = compose.issuing_body(decision).place_vi
    return signer.sign(pdf, reason=f"Quyết định số {decision.number}", location=place or "Việt Nam", at=at)
