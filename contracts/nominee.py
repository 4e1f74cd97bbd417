"""A nominee's record as an integrating system sends it: the facts the eligibility rules read.

The vocabulary follows Luật Thi đua, khen thưởng 06/2022/QH15 and NĐ 152/2025/NĐ-CP as summarised
in DOMAIN.md §2 and §6.2: yearly performance ratings, earlier awards tagged with their type of
commendation (loại hình khen thưởng, Luật Điều 8: ad-hoc and campaign awards never count toward
merit awards, NĐ 152 Điều 4), initiatives with the scope in which they were recognised, and the
status flags that block a nomination (NĐ 152 Điều 4).

Every year in this module is an *emulation year* (năm thành tích): the calendar year whose work a
rating or an award recognises, not the date its decision was signed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

MIN_YEAR = 1945
MAX_YEAR = 2100
MAX_ITEMS = 100

Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description="Emulation year (năm thành tích)")]


class PerformanceRating(StrEnum):
    """Official yearly rating (kết quả đánh giá, xếp loại mức độ hoàn thành nhiệm vụ)."""

    EXCELLENT = "excellent"
    """Hoàn thành xuất sắc nhiệm vụ (HTXSNV)."""
    GOOD = "good"
    """Hoàn thành tốt nhiệm vụ (HTTNV)."""
    COMPLETED = "completed"
    """Hoàn thành nhiệm vụ (HTNV)."""
    NOT_COMPLETED = "not_completed"
    """Không hoàn thành nhiệm vụ."""

    @property
    def rank(self) -> int:
        """Higher is better, so that "rated at least hoàn thành tốt" is ``rank >= GOOD.rank``."""
        return _RATING_RANK[self]

    def at_least(self, other: PerformanceRating) -> bool:
        return self.rank >= other.rank


_RATING_RANK = {
    PerformanceRating.NOT_COMPLETED: 0,
    PerformanceRating.COMPLETED: 1,
    PerformanceRating.GOOD: 2,
    PerformanceRating.EXCELLENT: 3,
}


class CommendationType(StrEnum):
    """Type of commendation (loại hình khen thưởng), Luật TĐKT 2022 Điều 8."""

    MERIT = "cong_trang"
    """Khen thưởng theo công trạng: the only type that counts toward later merit awards."""
    AD_HOC = "dot_xuat"
    """Khen thưởng đột xuất."""
    CAMPAIGN = "chuyen_de"
    """Khen thưởng theo phong trào thi đua / chuyên đề."""
    LONG_SERVICE = "cong_hien"
    """Khen thưởng quá trình cống hiến."""
    SENIORITY = "nien_han"
    """Khen thưởng theo niên hạn (army and police only)."""
    FOREIGN = "doi_ngoai"
    """Khen thưởng đối ngoại."""


class InitiativeScope(StrEnum):
    """Where an initiative or research work was recognised as effective (phạm vi ảnh hưởng)."""

    GRASSROOTS = "grassroots"
    """Cấp cơ sở."""
    MINISTRY_PROVINCE = "ministry_province"
    """Bộ, ban, ngành, tỉnh."""
    NATIONAL = "national"
    """Toàn quốc."""

    @property
    def rank(self) -> int:
        """Wider is higher: an initiative recognised nationwide also has province-wide effect."""
        return _SCOPE_RANK[self]


_SCOPE_RANK = {
    InitiativeScope.GRASSROOTS: 0,
    InitiativeScope.MINISTRY_PROVINCE: 1,
    InitiativeScope.NATIONAL: 2,
}


class InitiativeKind(StrEnum):
    INITIATIVE = "initiative"
    """Sáng kiến được công nhận."""
    RESEARCH = "research"
    """Đề tài khoa học, đề án khoa học, công trình khoa học và công nghệ đã được nghiệm thu."""
    WARTIME_INGENUITY = "wartime_ingenuity"
    """Mưu trí, sáng tạo trong chiến đấu, phục vụ chiến đấu."""


class DisciplineLevel(StrEnum):
    """Disciplinary measures (hình thức kỷ luật), mildest first.

    DOMAIN.md names only the threshold "cảnh cáo or above" (TTLĐTT, Luật Điều 28); the list is the
    statutory scale for officials so that "or above" has a meaning.
    """

    REPRIMAND = "khien_trach"
    """Khiển trách."""
    WARNING = "canh_cao"
    """Cảnh cáo."""
    SALARY_DEMOTION = "ha_bac_luong"
    """Hạ bậc lương."""
    DEMOTION = "giang_chuc"
    """Giáng chức."""
    DISMISSAL_FROM_POST = "cach_chuc"
    """Cách chức."""
    DISMISSAL = "buoc_thoi_viec"
    """Buộc thôi việc."""

    @property
    def rank(self) -> int:
        return _DISCIPLINE_ORDER.index(self)

    def at_least(self, other: DisciplineLevel) -> bool:
        return self.rank >= other.rank


_DISCIPLINE_ORDER = list(DisciplineLevel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class YearRating(_Strict):
    year: Year
    rating: PerformanceRating = Field(
        description="Rating for the year (mức độ hoàn thành nhiệm vụ): excellent = hoàn thành xuất sắc, "
        "good = hoàn thành tốt, completed = hoàn thành, not_completed = không hoàn thành"
    )


class AwardRecord(_Strict):
    award_code: str = Field(
        min_length=1,
        max_length=50,
        description="Catalogue code of the title or form received (danh hiệu / hình thức), e.g. CSTDCS",
    )
    year: Year
    commendation_type: CommendationType = Field(
        description="Type of commendation (loại hình khen thưởng, Luật Điều 8); only cong_trang "
        "(công trạng) awards count toward later merit awards (NĐ 152/2025 Điều 4)",
    )
    decision_number: str | None = Field(
        default=None,
        max_length=100,
        description="Number of the award decision (số quyết định), e.g. 123/QĐ-UBND",
    )
    revoked: bool = Field(
        default=False,
        description="The decision was revoked (hủy bỏ quyết định, Luật Điều 93); a revoked award never counts",
    )


class Initiative(_Strict):
    year: Year
    scope: InitiativeScope = Field(
        description="Scope in which it was recognised (phạm vi công nhận): grassroots = cơ sở, "
        "ministry_province = bộ/ngành/tỉnh, national = toàn quốc"
    )
    kind: InitiativeKind = Field(
        description="initiative = sáng kiến; research = đề tài/đề án/công trình khoa học đã nghiệm thu; "
        "wartime_ingenuity = mưu trí, sáng tạo trong chiến đấu",
    )
    title: str = Field(min_length=1, max_length=500, description="Tên sáng kiến / đề tài")


class StatusFlags(_Strict):
    """Situations in which a nomination must wait (chưa xem xét khen thưởng), NĐ 152/2025 Điều 4."""

    under_disciplinary_review: bool = Field(default=False, description="Đang bị xem xét kỷ luật")
    under_investigation: bool = Field(default=False, description="Đang bị điều tra")
    under_inspection: bool = Field(default=False, description="Đang bị thanh tra, kiểm tra")
    complaint_pending: bool = Field(
        default=False, description="Có đơn thư khiếu nại, tố cáo đang được xác minh"
    )
    press_verification: bool = Field(
        default=False, description="Có vấn đề báo chí nêu đang được xác minh, làm rõ"
    )

    def raised(self) -> list[str]:
        """Names of the flags that are set, in declaration order."""
        return [name for name in type(self).model_fields if getattr(self, name)]


class DisciplineRecord(_Strict):
    year: Year
    level: DisciplineLevel = Field(description="Hình thức kỷ luật")


class CollectiveStats(_Strict):
    """Member counts of a collective for the proposal year (số liệu tập thể)."""

    members_total: int = Field(ge=1, le=1_000_000, description="Tổng số thành viên")
    members_lao_dong_tien_tien: int = Field(
        ge=0, description="Số thành viên đạt danh hiệu Lao động tiên tiến"
    )
    members_completed_tasks: int = Field(ge=0, description="Số thành viên hoàn thành nhiệm vụ")
    members_cstdcs: int = Field(ge=0, description="Số thành viên đạt danh hiệu Chiến sĩ thi đua cơ sở")
    members_disciplined_warning_or_above: int = Field(
        ge=0, description="Số thành viên bị kỷ luật từ hình thức cảnh cáo trở lên"
    )
    women_share: float | None = Field(
        default=None, ge=0, le=1, description="Tỷ lệ nữ (0–1), used only to break ties (NĐ 152 Điều 4)"
    )

    @model_validator(mode="after")
    def _counts_within_total(self) -> Self:
        for name in (
            "members_lao_dong_tien_tien",
            "members_completed_tasks",
            "members_cstdcs",
            "members_disciplined_warning_or_above",
        ):
            if getattr(self, name) > self.members_total:
                raise ValueError(f"{name} exceeds members_total")
        return self


class NomineeRecord(_Strict):
    """Everything the eligibility rules read about one nominee (hồ sơ thành tích)."""

    ratings: list[YearRating] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Individual yearly ratings, one per year"
    )
    awards: list[AwardRecord] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Titles and forms already received"
    )
    initiatives: list[Initiative] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Sáng kiến, đề tài khoa học, mưu trí sáng tạo"
    )
    flags: StatusFlags = Field(default_factory=StatusFlags, description="Tình trạng chưa xem xét khen thưởng")
    discipline: list[DisciplineRecord] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Kỷ luật đã thi hành"
    )
    collective: CollectiveStats | None = Field(default=None, description="For a collective (tập thể) only")
    collective_rating: list[YearRating] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="The collective's yearly ratings (xếp loại tập thể), one per year",
    )

    @model_validator(mode="after")
    def _one_rating_per_year(self) -> Self:
        for name in ("ratings", "collective_rating"):
            years = [r.year for r in getattr(self, name)]
            if len(years) != len(set(years)):
                raise ValueError(f"{name} has more than one rating for a year")
        return self
