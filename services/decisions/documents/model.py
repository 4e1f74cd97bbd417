"""What a rendered document states, as plain values: the renderer reads nothing else.

The layout rules are NĐ 30/2020/NĐ-CP Phụ lục I and Mẫu 1.2 (DOMAIN.md §4); the certificate's lines
are NĐ 98/2023 Điều 104 (DOMAIN.md §4.3, whether NĐ 152 keeps it is UNCONFIRMED).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class IssuingBody:
    name_vi: str
    """The issuing body as printed (ô 2), e.g. "Ủy ban nhân dân tỉnh An Hà"."""
    place_vi: str
    """Địa danh of ô 4, e.g. "An Hà" in "An Hà, ngày 03 tháng 12 năm 2025"."""
    signer_title_vi: str
    """The deciding officer, e.g. "Chủ tịch Ủy ban nhân dân tỉnh An Hà"."""
    parent_name_vi: str | None = None
    """The parent body printed above the issuing body, when there is one."""


@dataclass(frozen=True)
class Signer:
    capacity_vi: str | None
    """"TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", …; None when the officer signs in their own name."""
    title_vi: str
    """"CHỦ TỊCH", "PHÓ CHỦ TỊCH", …"""
    full_name: str


@dataclass(frozen=True)
class AnnexLine:
    line_number: int
    """Số sổ vàng: the awardee's line within the decision."""
    nominee_name: str
    position_title: str | None
    """Chức vụ, đơn vị công tác (individuals) or the collective's parent unit."""
    is_collective: bool
    amount_vnd: int | None
    """Tiền thưởng; None when the multiple is UNCONFIRMED."""


@dataclass(frozen=True)
class DecisionDocument:
    number: str
    """As printed after "Số:", e.g. "01/QĐ-UBND"."""
    issued_on: date
    issuer: IssuingBody
    signer: Signer
    award_name_vi: str
    """"Chiến sĩ thi đua cơ sở", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", …"""
    is_title: bool
    """A danh hiệu thi đua ("Về việc tặng danh hiệu …") rather than a hình thức ("Về việc tặng …")."""
    period_year: int | None
    """The year the achievement is for, printed after a title's name ("… năm 2025")."""
    legal_bases: tuple[str, ...]
    """The căn cứ lines without "Căn cứ" and the final punctuation, in order."""
    proposer_vi: str
    """"Theo đề nghị của …": who proposed (the submitting organisation, or its reviewing body)."""
    lines: tuple[AnnexLine, ...]
    reward_basis_vi: str | None
    """Điều 2's money sentence, e.g. "… tiền thưởng 1,0 lần mức lương cơ sở …"; None when unknown."""
    recipients: tuple[str, ...] = field(default=("Như Điều 3",))
    """Nơi nhận items before "Lưu: VT, …"."""
    archive_unit: str = "TĐKT"
    """The drafting unit in "Lưu: VT, <unit>."."""


@dataclass(frozen=True)
class Certificate:
    """One Bằng khen / Giấy khen / certificate of a title, A4 landscape."""

    decision_number: str
    issued_on: date
    issuer: IssuingBody
    signer: Signer
    award_name_vi: str
    is_title: bool
    line: AnnexLine
    achievement_vi: str | None
    """"Đã có thành tích xuất sắc …": the achievement as summarised for the certificate."""


@dataclass(frozen=True)
class RevocationDocument:
    """A decision revoking (hủy bỏ) one line of an earlier award decision (Luật TĐKT Điều 93)."""

    number: str
    issued_on: date
    issuer: IssuingBody
    signer: Signer
    original_number: str
    original_issued_on: date
    award_name_vi: str
    line: AnnexLine
    ground_vi: str
    """The legal ground, Điều 93 k2 a–d, as a sentence."""
    reason: str
    legal_bases: tuple[str, ...]
