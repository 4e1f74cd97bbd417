"""From a stored decision to what its documents print (pure)."""

from __future__ import annotations

from contracts.events import DecisionParticulars, DecisionReward, NomineeKind, RevocationGround
from services.decisions.documents.model import (
    AnnexLine,
    Certificate,
    DecisionDocument,
    IssuingBody,
    RevocationDocument,
    Signer,
)
from services.decisions.domain import complete_total
from services.decisions.domain.revocation import GROUNDS_VI
from services.decisions.models import Decision, DecisionEntry, Revocation

REVOCATION_BASES = ("Luật Thi đua, khen thưởng",)


def vnd(amount: int) -> str:
    """Vietnamese grouping: 2.340.000."""
    return f"{amount:,}".replace(",", ".")


def particulars_of(decision: Decision) -> DecisionParticulars | None:
    return DecisionParticulars.model_validate(decision.particulars) if decision.particulars else None


def issuing_body(decision: Decision) -> IssuingBody:
    particulars = particulars_of(decision)
    if particulars is None:  # approved before the particulars travelled with the dossier
        return IssuingBody(
            name_vi=decision.deciding_organisation,
            place_vi="",
            signer_title_vi=decision.deciding_organisation,
        )
    issuer = particulars.issuer
    return IssuingBody(
        name_vi=issuer.name_vi,
        place_vi=issuer.place_vi,
        signer_title_vi=issuer.signer_title_vi,
        parent_name_vi=issuer.parent_name_vi,
    )


def signer(decision: Decision) -> Signer:
    stored = decision.signer or {}
    return Signer(
        capacity_vi=stored.get("capacity_vi"),
        title_vi=stored.get("title_vi") or issuing_body(decision).signer_title_vi,
        full_name=stored.get("full_name") or "",
    )


def annex_line(line: DecisionEntry) -> AnnexLine:
    return AnnexLine(
        line_number=line.line_number,
        nominee_name=line.nominee_name,
        position_title=line.position_title,
        is_collective=line.nominee_kind == NomineeKind.COLLECTIVE,
        amount_vnd=line.amount_vnd,
    )


def _award_name(decision: Decision) -> str:
    particulars = particulars_of(decision)
    return particulars.award_name_vi if particulars else decision.award_code


def reward_sentence(decision: Decision, lines: list[DecisionEntry]) -> str | None:
    """Điều 2's money sentence. A total is printed only when every line's amount is known: where a
    multiple is UNCONFIRMED (DOMAIN.md §2.4) the amount is left to the rules in force, never
    counted as 0. None when no reward is known at all (the renderer's default sentence)."""
    if not decision.reward:
        return None
    reward = DecisionReward.model_validate(decision.reward)
    salary = (
        f"mức lương cơ sở {vnd(reward.base_salary_vnd)} đồng ({reward.base_salary_basis}), "
        "làm tròn lên hàng chục nghìn đồng"
    )
    unknown = sum(1 for line in lines if line.amount_vnd is None)
    if unknown == len(lines):
        return (
            "Mức tiền thưởng kèm theo danh hiệu, hình thức khen thưởng tại Điều 1 thực hiện theo quy định "
            f"hiện hành, tính theo {salary}."
        )
    paid = (
        f"Kèm theo danh hiệu, hình thức khen thưởng tại Điều 1 là tiền thưởng tính theo {salary}, "
        "mức của từng trường hợp tại danh sách kèm theo"
    )
    total = complete_total(line.amount_vnd for line in lines)
    if total is not None:
        return f"{paid}; tổng số tiền thưởng là {vnd(total)} đồng."
    return (
        f"{paid}; mức tiền thưởng của {unknown} trường hợp chưa ghi mức tại danh sách thực hiện theo "
        "quy định hiện hành."
    )


def decision_document(decision: Decision, lines: list[DecisionEntry]) -> DecisionDocument:
    particulars = particulars_of(decision)
    return DecisionDocument(
        number=decision.number,
        issued_on=decision.issued_on,
        issuer=issuing_body(decision),
        signer=signer(decision),
        award_name_vi=_award_name(decision),
        is_title=particulars.award_is_title if particulars else False,
        period_year=particulars.period_year if particulars else None,
        legal_bases=tuple(particulars.legal_basis) if particulars else (),
        proposer_vi=particulars.proposer_name_vi if particulars else "cơ quan, đơn vị trình khen thưởng",
        lines=tuple(annex_line(line) for line in lines),
        reward_basis_vi=reward_sentence(decision, lines),
    )


def certificates(decision: Decision, lines: list[DecisionEntry]) -> list[Certificate]:
    particulars = particulars_of(decision)
    issuer, signed_by = issuing_body(decision), signer(decision)
    return [
        Certificate(
            decision_number=decision.number,
            issued_on=decision.issued_on,
            issuer=issuer,
            signer=signed_by,
            award_name_vi=_award_name(decision),
            is_title=particulars.award_is_title if particulars else False,
            line=annex_line(line),
            achievement_vi=(
                f"Đã có thành tích trong phong trào thi đua năm {particulars.period_year}"
                if particulars and particulars.period_year
                else None
            ),
        )
        for line in lines
        if line.revocation_id is None
    ]


def revocation_document(
    decision: Decision, revocation: Revocation, original: Decision, line: DecisionEntry
) -> RevocationDocument:
    return RevocationDocument(
        number=decision.number,
        issued_on=decision.issued_on,
        issuer=issuing_body(decision),
        signer=signer(decision),
        original_number=original.number,
        original_issued_on=original.issued_on,
        award_name_vi=_award_name(original),
        line=annex_line(line),
        ground_vi=GROUNDS_VI[RevocationGround(revocation.ground)],
        reason=revocation.reason,
        legal_bases=REVOCATION_BASES,
    )
