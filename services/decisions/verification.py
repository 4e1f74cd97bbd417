"""What ``POST /v1/verify`` answers about a PDF: is it authentic (our signature, intact, covering
the whole file, and byte for byte a document this registry served: ``documents/signing.py`` and
the stored hashes), and is it still valid — does any award it attests stand revoked (hủy bỏ,
Luật TĐKT 2022 Điều 93)? A revoked award's certificate stays authentic, yet no longer valid.

Every problem carries its code (stable, for integrators) and what it means in Vietnamese and
English, for the citizen holding the paper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from contracts.events import RevocationGround
from services.decisions import registry
from services.decisions.documents.signing import Verification
from services.decisions.documents.store import document_by_hash
from services.decisions.domain.revocation import GROUNDS_EN, GROUNDS_VI
from services.decisions.models import (
    Decision,
    DecisionDocument,
    DecisionEntry,
    DecisionKind,
    DecisionView,
    DocumentKind,
    Revocation,
    RevocationNotice,
    VerificationProblem,
    VerificationView,
)

SIGNATURE_PROBLEMS: dict[str, tuple[str, str]] = {
    "not-a-pdf": ("Tệp không phải là tệp PDF đọc được.", "The file is not a readable PDF."),
    "unsigned": ("Tệp PDF không có chữ ký số.", "The PDF carries no digital signature."),
    "malformed-signature": (
        "Chữ ký số trong tệp bị hỏng hoặc không đọc được.",
        "The PDF's digital signature is damaged or cannot be read.",
    ),
    "altered": (
        "Nội dung tệp đã bị thay đổi sau khi ký: chữ ký số không còn khớp với nội dung.",
        "The content was changed after signing: the signature no longer matches it.",
    ),
    "content-after-signature": (
        "Tệp có nội dung được thêm vào sau chữ ký số.",
        "Content was added to the file after it was signed.",
    ),
    "untrusted-signer": (
        "Chữ ký số không phải của hệ thống này: chứng thư số ký không thuộc chuỗi tin cậy của hệ thống.",
        "The signature is not this registry's: the signing certificate does not chain to its trust roots.",
    ),
    "unknown-document": (
        "Tệp không phải là văn bản do hệ thống này phát hành (không có văn bản nào trùng khớp từng byte).",
        "The file is not, byte for byte, a document this registry issued.",
    ),
}
"""The signature's and the registry's problems; the revocation problems are worded per document."""

REVOKED = "revoked"
PARTLY_REVOKED = "partly-revoked"
LISTED = 5
"""Revocations named in a problem's message; ``revocations`` lists them all."""


@dataclass(frozen=True)
class Holding:
    """What the registry holds about a file it served."""

    decision: DecisionView
    kind: DocumentKind
    line_number: int | None
    """The line of one certificate."""
    attested: int
    """How many awards (lines) the document attests: none for a revocation decision."""
    revocations: list[RevocationNotice]
    """The revoked ones among them."""


def holding(session: Session, sha256: str) -> Holding | None:
    """The stored document with this hash, its decision, and the revoked awards it attests."""
    stored = document_by_hash(session, sha256)
    if stored is None:
        return None
    decision = registry.get_decision(session, stored.decision_id)
    lines = _attested_lines(session, stored, decision.kind)
    return Holding(
        decision=decision,
        kind=DocumentKind(stored.kind),
        line_number=stored.line_number if stored.kind == DocumentKind.CERTIFICATE else None,
        attested=len(lines),
        revocations=_notices(session, [line for line in lines if line.revocation_id is not None]),
    )


def _attested_lines(
    session: Session, stored: DecisionDocument, decision_kind: DecisionKind
) -> list[DecisionEntry]:
    """The decision attests all its lines, a certificate its line, a bundle the lines it holds."""
    if decision_kind != DecisionKind.AWARD:
        return []  # a revocation decision attests no award
    statement = select(DecisionEntry).where(DecisionEntry.decision_id == stored.decision_id)
    if stored.kind == DocumentKind.CERTIFICATE:
        statement = statement.where(DecisionEntry.line_number == stored.line_number)
    elif stored.kind == DocumentKind.CERTIFICATES and stored.lines is not None:
        statement = statement.where(col(DecisionEntry.line_number).in_(stored.lines))
    return list(session.exec(statement.order_by(col(DecisionEntry.line_number))).all())


def _notices(session: Session, revoked: list[DecisionEntry]) -> list[RevocationNotice]:
    ids = [line.revocation_id for line in revoked]
    revocations = {r.id: r for r in session.exec(select(Revocation).where(col(Revocation.id).in_(ids))).all()}
    decisions = {d.id: d for d in session.exec(select(Decision).where(col(Decision.id).in_(ids))).all()}
    notices = []
    for line in revoked:
        revocation, decision = revocations[line.revocation_id or ""], decisions[line.revocation_id or ""]
        ground = RevocationGround(revocation.ground)
        notices.append(
            RevocationNotice(
                line_number=line.line_number,
                nominee_name=line.nominee_name,
                revocation_decision_id=decision.id,
                revocation_number=decision.number,
                revocation_issued_on=decision.issued_on,
                ground=ground,
                ground_vi=GROUNDS_VI[ground],
                ground_en=GROUNDS_EN[ground],
                reason=revocation.reason,
            )
        )
    return notices


def verdict(result: Verification, held: Holding | None) -> VerificationView:
    """The answer: the signature's findings, then whether the registry served this file, then
    whether the awards it attests stand."""
    codes = [*result.problems, *([] if held else ["unknown-document"])]
    details = [VerificationProblem(code=code, **_messages(*SIGNATURE_PROBLEMS[code])) for code in codes]
    authentic = result.valid and held is not None
    revocations = held.revocations if held else []
    revoked = held is not None and bool(revocations) and len(revocations) == held.attested
    if held is not None and revocations:
        details.append(_revocation_problem(held, revoked=revoked, authentic=authentic))
    return VerificationView(
        valid=authentic and not revocations,
        authentic=authentic,
        signed=result.signed,
        intact=result.intact,
        covers_whole_file=result.covers_whole_file,
        trusted=result.trusted,
        known=held is not None,
        revoked=revoked,
        revocations=revocations,
        problems=[problem.code for problem in details],
        problem_details=details,
        document_sha256=result.document_sha256,
        signer_subject=result.signer_subject,
        signed_at=result.signed_at,
        decision=held.decision if held else None,
        document_kind=held.kind if held else None,
        line_number=held.line_number if held else None,
    )


def _messages(vi: str, en: str) -> dict[str, str]:
    return {"message_vi": vi, "message_en": en}


def _revocation_problem(held: Holding, *, revoked: bool, authentic: bool) -> VerificationProblem:
    """``revoked``: every award the document attests; otherwise some (named, up to ``LISTED``)."""
    number, issued_on = held.decision.number, _day(held.decision.issued_on)
    named = held.revocations[:LISTED]
    more = len(held.revocations) - len(named)
    items_vi = "; ".join(map(_item_vi, named)) + (f"; và {more} trường hợp khác" if more else "")
    items_en = "; ".join(map(_item_en, named)) + (f"; and {more} more" if more else "")
    if not revoked:
        return VerificationProblem(
            code=PARTLY_REVOKED,
            **_closing(
                authentic,
                f"Một phần khen thưởng tại Quyết định số {number} ngày {issued_on} đã bị hủy bỏ: {items_vi}.",
                "không còn giá trị đối với các trường hợp này; các khen thưởng khác vẫn giữ nguyên giá trị.",
                f"Some awards of decision {number} of {issued_on} were revoked: {items_en}.",
                "no longer valid for these lines; its other awards stand.",
            ),
        )
    if held.kind == DocumentKind.DECISION:
        subject_vi = f"Quyết định số {number} ngày {issued_on} đã bị hủy bỏ"
        subject_en = f"Decision {number} of {issued_on} was revoked"
    else:
        subject_vi = (
            f"Khen thưởng mà văn bản này chứng nhận (Quyết định số {number} ngày {issued_on}) đã bị hủy bỏ"
        )
        subject_en = f"The award this document certifies (decision {number} of {issued_on}) was revoked"
    return VerificationProblem(
        code=REVOKED,
        **_closing(
            authentic,
            f"{subject_vi}: {items_vi}.",
            "không còn giá trị khen thưởng.",
            f"{subject_en}: {items_en}.",
            "no longer valid as a commendation.",
        ),
    )


def _closing(
    authentic: bool, facts_vi: str, verdict_vi: str, facts_en: str, verdict_en: str
) -> dict[str, str]:
    """The facts, then what they make of the document: vouched for only when it is authentic (a
    file that is ours byte for byte may still fail verification, e.g. after the signing CA changed)."""
    if authentic:
        return _messages(
            f"{facts_vi} Văn bản đúng là bản do hệ thống ký số, chưa bị sửa đổi, nhưng {verdict_vi}",
            f"{facts_en} The document is authentic (signed by this registry, unaltered) but {verdict_en}",
        )
    return _messages(f"{facts_vi} Văn bản {verdict_vi}", f"{facts_en} The document is {verdict_en}")


def _item_vi(notice: RevocationNotice) -> str:
    return (
        f"số sổ vàng {notice.line_number} ({notice.nominee_name}) bị hủy bỏ theo Quyết định số "
        f"{notice.revocation_number} ngày {_day(notice.revocation_issued_on)}, lý do: {notice.ground_vi} "
        f"(Luật Thi đua, khen thưởng Điều 93 khoản 2 điểm {notice.ground.value})"
    )


def _item_en(notice: RevocationNotice) -> str:
    return (
        f"line {notice.line_number} ({notice.nominee_name}) revoked by decision {notice.revocation_number} "
        f"of {_day(notice.revocation_issued_on)} for {notice.ground_en} (Luật TĐKT 2022 Article 93(2)"
        f"({notice.ground.value}))"
    )


def _day(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
