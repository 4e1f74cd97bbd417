"""The law of revocation (hủy bỏ), Luật Thi đua, khen thưởng 2022 Điều 93 (DOMAIN.md §3.7), pure.

- k2: the grounds, points a–d (``RevocationGround``; ``GROUNDS_VI``/``GROUNDS_EN`` word them): a
  request names one, and its type admits no other.
- k8: whoever awarded revokes: a leader of the authority that issued the decision
  (``domain.authority``).
- What is revoked: one line (số sổ vàng) of an issued award decision — not a revocation decision,
  not a decision whose documents are still being signed — and a line once. These follow from a
  revocation being a decision about an award as it was issued; the law does not word them.

The procedure for recovering the items and money (k9, NĐ 152/2025) is UNCONFIRMED in DOMAIN.md
and is not modelled."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from contracts.events import RevocationGround
from services.decisions.domain.authority import Officer, leads

GROUNDS_VI: dict[RevocationGround, str] = {
    RevocationGround.FRAUDULENT_ACHIEVEMENT: "gian dối trong việc kê khai thành tích",
    RevocationGround.FALSE_DOSSIER: "khai báo thông tin sai sự thật hoặc làm giả hồ sơ, giấy tờ",
    RevocationGround.UNLAWFUL_REVIEW: "thẩm định, xét duyệt, đề nghị khen thưởng trái pháp luật",
    RevocationGround.LATER_VIOLATION_FOUND: (
        "có kết luận, quyết định, bản án của cơ quan có thẩm quyền xác định vi phạm trong thời gian "
        "được tính thành tích"
    ),
}
"""Luật Thi đua, khen thưởng 2022 Điều 93 khoản 2, điểm a–d (DOMAIN.md §3.7)."""
GROUNDS_EN: dict[RevocationGround, str] = {
    RevocationGround.FRAUDULENT_ACHIEVEMENT: "fraudulent claims of achievements",
    RevocationGround.FALSE_DOSSIER: "false information or a forged dossier",
    RevocationGround.UNLAWFUL_REVIEW: "an appraisal, review or proposal made contrary to law",
    RevocationGround.LATER_VIOLATION_FOUND: (
        "a later conclusion, decision or judgment showing violations during the period counted"
    ),
}


class RevocationRefused(StrEnum):
    """Why a revocation may not be made, in the order the rules are applied."""

    NOT_ISSUING_AUTHORITY = "not the issuing authority's leader (k8)"
    NOT_REVOCABLE = "not an issued award decision"
    NO_SUCH_LINE = "no such line"
    ALREADY_REVOKED = "the line is already revoked"


@dataclass(frozen=True)
class DecisionOnRecord:
    """What the registry holds of the decision whose line is to be revoked."""

    issuing_organisation: str
    is_award: bool
    """An award decision, not a revocation."""
    is_issued: bool
    """Signed and published, not merely numbered."""


@dataclass(frozen=True)
class LineOnRecord:
    line_number: int
    revoked_by: str | None
    """The revocation decision that revoked it, if one did."""


def revocation_refused(
    officer: Officer, decision: DecisionOnRecord, line: LineOnRecord | None
) -> RevocationRefused | None:
    """The first rule that refuses revoking ``line`` (None: the decision has no such line) of
    ``decision`` by ``officer``; None when the revocation may be made."""
    if not leads(officer, decision.issuing_organisation):
        return RevocationRefused.NOT_ISSUING_AUTHORITY
    if not (decision.is_award and decision.is_issued):
        return RevocationRefused.NOT_REVOCABLE
    if line is None:
        return RevocationRefused.NO_SUCH_LINE
    if line.revoked_by is not None:
        return RevocationRefused.ALREADY_REVOKED
    return None
