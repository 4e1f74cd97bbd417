"""The import sheet's layout: its sheets, its columns (Vietnamese and English headers, help,
width), how headers and words are matched (without regard to case, diacritics or a parenthesised
suffix), and the vocabulary of its coded cells."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from contracts.events import NomineeKind
from contracts.nominee import (
    CollectiveStats,
    CommendationType,
    DisciplineLevel,
    InitiativeKind,
    InitiativeScope,
    PerformanceRating,
    StatusFlags,
)

LIST_SHEET = "Danh sách"
CRITERIA_SHEET = "Tiêu chí"
GUIDE_SHEET = "Hướng dẫn"
HEADER_SEARCH_ROWS = 10
"""The header row is looked for in this many first rows; above it units keep a title block."""

_V = TypeVar("_V")


# --- the sheet's columns ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    """The field the column fills: a NomineeSubmission, NomineeRecord, StatusFlags or
    CollectiveStats field name, so that pydantic's error locations name their column."""
    header_vi: str
    header_en: str
    help_vi: str
    help_en: str
    width: float
    aliases: tuple[str, ...] = ()


_FLAG_HELP = ("Có hoặc Không; để trống là không.", "Có (yes) or Không (no); blank means no.")
_COUNT_HELP = ("Tập thể: số nguyên.", "Collectives: a whole number.")

COLUMNS: tuple[Column, ...] = (
    Column("stt", "STT", "No.", "Số thứ tự; không nhập.", "Row number; not imported.", 6, ("so tt",)),
    Column(
        "full_name",
        "Họ và tên / Tên tập thể",
        "Full name",
        "Bắt buộc: họ tên cá nhân hoặc tên tập thể.",
        "Required: the person's or the collective's name.",
        30,
        ("ho va ten", "ho ten", "ten tap the", "name"),
    ),
    Column(
        "kind",
        "Loại",
        "Kind",
        "Cá nhân hoặc Tập thể; để trống là cá nhân.",
        "Cá nhân (individual) or Tập thể (collective); blank means individual.",
        11,
        ("doi tuong", "type"),
    ),
    Column(
        "position_title",
        "Chức vụ, đơn vị",
        "Position",
        "Chức vụ, đơn vị công tác.",
        "Position and unit.",
        30,
        ("chuc vu", "chuc vu don vi cong tac", "position title"),
    ),
    Column(
        "email",
        "Thư điện tử",
        "E-mail",
        "Không bắt buộc: địa chỉ thư điện tử của người được đề nghị, để nhận thông báo quyết định và "
        "bằng khen, giấy khen điện tử. Tập thể: thư điện tử của đơn vị.",
        "Optional: the nominee's e-mail address, where the decision is announced and the certificate "
        "sent. Collectives: the unit's address.",
        28,
        ("email", "e mail", "dia chi email", "dia chi thu dien tu", "hop thu"),
    ),
    Column(
        "achievement_summary",
        "Tóm tắt thành tích",
        "Achievement summary",
        "Tóm tắt thành tích đề nghị khen thưởng.",
        "Summary of the achievements proposed for the award.",
        40,
        ("thanh tich", "summary"),
    ),
    Column(
        "awards",
        "Danh hiệu, hình thức đã đạt",
        "Awards received",
        "MÃ NĂM, cách nhau bởi dấu ;. Trong ngoặc (nếu có): loại hình (mặc định cong_trang), "
        "số quyết định, 'đã hủy'. Ví dụ: CSTDCS 2022; BANG_KHEN_TINH 2019 (dot_xuat, số 45/QĐ-UBND)",
        "CODE YEAR, separated by ;. In parentheses, optionally: the type of commendation (default "
        "cong_trang), 'số' and the decision number, 'đã hủy' if revoked.",
        36,
        ("danh hieu hinh thuc da dat", "khen thuong da dat", "awards"),
    ),
    Column(
        "initiatives",
        "Sáng kiến",
        "Initiatives",
        "NĂM PHẠM_VI [LOẠI]: tên, cách nhau bởi dấu ;. Phạm vi: co_so, tinh (bộ, ngành, tỉnh), "
        "toan_quoc; loại: sang_kien (mặc định), de_tai, muu_tri. "
        "Ví dụ: 2023 co_so: Tên; 2024 tinh de_tai: Tên",
        "YEAR SCOPE [KIND]: title, separated by ;. Scope: co_so (grassroots), tinh (ministry or "
        "province), toan_quoc (national); kind: sang_kien (initiative, default), de_tai (research), "
        "muu_tri (wartime ingenuity).",
        36,
        ("sang kien de tai", "initiatives"),
    ),
    Column(
        "discipline",
        "Kỷ luật",
        "Discipline",
        "NĂM HÌNH_THỨC, cách nhau bởi dấu ;. Ví dụ: 2021 khien_trach; 2023 canh_cao",
        "YEAR LEVEL, separated by ; (khien_trach, canh_cao, ha_bac_luong, giang_chuc, cach_chuc, "
        "buoc_thoi_viec).",
        18,
        ("ky luat da thi hanh",),
    ),
    Column(
        "under_disciplinary_review", "Đang bị xem xét kỷ luật", "Under disciplinary review", *_FLAG_HELP, 12
    ),
    Column("under_investigation", "Đang bị điều tra", "Under investigation", *_FLAG_HELP, 12),
    Column("under_inspection", "Đang bị thanh tra, kiểm tra", "Under inspection", *_FLAG_HELP, 12),
    Column(
        "complaint_pending",
        "Có đơn thư khiếu nại, tố cáo đang xác minh",
        "Complaint pending",
        *_FLAG_HELP,
        14,
        ("dang bi khieu nai to cao",),
    ),
    Column(
        "press_verification",
        "Có vấn đề báo chí nêu đang xác minh",
        "Press verification",
        *_FLAG_HELP,
        14,
    ),
    Column("members_total", "Tổng số thành viên", "Members total", *_COUNT_HELP, 11, ("tong so",)),
    Column("members_lao_dong_tien_tien", "Số LĐTT", "Members LDTT", *_COUNT_HELP, 9),
    Column("members_completed_tasks", "Số hoàn thành nhiệm vụ", "Members completed tasks", *_COUNT_HELP, 11),
    Column("members_cstdcs", "Số CSTĐCS", "Members CSTDCS", *_COUNT_HELP, 9),
    Column(
        "members_disciplined_warning_or_above",
        "Số bị kỷ luật từ cảnh cáo",
        "Members disciplined",
        "Tập thể: số thành viên bị kỷ luật từ hình thức cảnh cáo trở lên.",
        "Collectives: members disciplined at warning level or above.",
        11,
        ("so bi ky luat tu canh cao tro len",),
    ),
    Column(
        "women_share",
        "Tỷ lệ nữ",
        "Women share",
        "Tập thể: từ 0 đến 1, hoặc phần trăm (45%).",
        "Collectives: between 0 and 1, or a percentage (45%).",
        9,
    ),
    Column("notes", "Ghi chú", "Notes", "Không nhập.", "Not imported.", 20),
)
LEADING_COLUMNS = 6
"""The columns before the rating columns (STT to the achievement summary): who the nominee is."""
BY_KEY = {column.key: column for column in COLUMNS}
FLAG_KEYS = tuple(StatusFlags.model_fields)
COUNT_KEYS = tuple(name for name in CollectiveStats.model_fields if name != "women_share")
NOT_IMPORTED = frozenset({"stt", "notes"})
RATING_HEADER = "Xếp loại {year}"
_RATING_COLUMN = re.compile(r"^(?:xep loai|rating)(?: nam| year)? (\d+)$")


def unaccented(text: str) -> str:
    """Vietnamese without diacritics (đ → d), the way units often type it."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Lower case, no diacritics, words separated by one space: how headers are compared."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", unaccented(text).lower()).split())


def as_word(text: str) -> str:
    """A folded phrase as one vocabulary word: ``Cơ sở`` → ``co_so``."""
    return fold(text).replace(" ", "_")


_HEADER_KEYS = {
    fold(name): column.key
    for column in COLUMNS
    for name in (column.header_vi, column.header_en, column.key, *column.aliases)
}


def header_key(value: object) -> str | None:
    """The column key a header names; ``rating YYYY`` for a rating column (any digits, so that a
    wrong year is reported rather than the column called unknown)."""
    if not isinstance(value, str):
        return None
    folded = fold(re.sub(r"\([^)]*\)", " ", value))
    if rating := _RATING_COLUMN.match(folded):
        return f"rating {rating.group(1)}"
    return _HEADER_KEYS.get(folded)


# --- vocabulary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary(Generic[_V]):
    what_vi: str
    what_en: str
    hint: str
    words: Mapping[str, _V]

    def get(self, text: str) -> _V | None:
        return self.words.get(as_word(text))


def _enum_words(enum: type[Enum], **extra: Any) -> dict[str, Any]:
    """Each member by its value and its lower-case name, plus ``extra`` words."""
    words: dict[str, Any] = {}
    for member in enum:
        words[as_word(str(member.value))] = member
        words[member.name.lower()] = member
    return words | extra


KINDS = Vocabulary[NomineeKind](
    "loại",
    "kind",
    "Cá nhân, Tập thể",
    _enum_words(
        NomineeKind,
        ca_nhan=NomineeKind.INDIVIDUAL,
        cn=NomineeKind.INDIVIDUAL,
        tap_the=NomineeKind.COLLECTIVE,
        tt=NomineeKind.COLLECTIVE,
    ),
)
RATINGS = Vocabulary[PerformanceRating](
    "xếp loại",
    "rating",
    "HTXSNV, HTTNV, HTNV, KHTNV",
    _enum_words(
        PerformanceRating,
        htxsnv=PerformanceRating.EXCELLENT,
        hoan_thanh_xuat_sac_nhiem_vu=PerformanceRating.EXCELLENT,
        hoan_thanh_xuat_sac=PerformanceRating.EXCELLENT,
        httnv=PerformanceRating.GOOD,
        hoan_thanh_tot_nhiem_vu=PerformanceRating.GOOD,
        hoan_thanh_tot=PerformanceRating.GOOD,
        htnv=PerformanceRating.COMPLETED,
        hoan_thanh_nhiem_vu=PerformanceRating.COMPLETED,
        hoan_thanh=PerformanceRating.COMPLETED,
        khtnv=PerformanceRating.NOT_COMPLETED,
        khong_hoan_thanh_nhiem_vu=PerformanceRating.NOT_COMPLETED,
        khong_hoan_thanh=PerformanceRating.NOT_COMPLETED,
    ),
)
RATING_ABBREVIATIONS = {
    PerformanceRating.EXCELLENT: "HTXSNV",
    PerformanceRating.GOOD: "HTTNV",
    PerformanceRating.COMPLETED: "HTNV",
    PerformanceRating.NOT_COMPLETED: "KHTNV",
}
FLAGS = Vocabulary[bool](
    "giá trị có/không",
    "yes/no value",
    "Có, Không",
    {"co": True, "x": True, "yes": True, "true": True, "1": True}
    | {"khong": False, "no": False, "false": False, "0": False},
)
COMMENDATION_TYPES = Vocabulary[CommendationType](
    "loại hình khen thưởng",
    "type of commendation",
    ", ".join(member.value for member in CommendationType),
    _enum_words(CommendationType),
)
SCOPES = Vocabulary[InitiativeScope](
    "phạm vi",
    "scope",
    "co_so, tinh, toan_quoc",
    _enum_words(
        InitiativeScope,
        co_so=InitiativeScope.GRASSROOTS,
        cap_co_so=InitiativeScope.GRASSROOTS,
        tinh=InitiativeScope.MINISTRY_PROVINCE,
        cap_tinh=InitiativeScope.MINISTRY_PROVINCE,
        bo=InitiativeScope.MINISTRY_PROVINCE,
        cap_bo=InitiativeScope.MINISTRY_PROVINCE,
        bo_tinh=InitiativeScope.MINISTRY_PROVINCE,
        bo_nganh_tinh=InitiativeScope.MINISTRY_PROVINCE,
        toan_quoc=InitiativeScope.NATIONAL,
    ),
)
SCOPE_WORDS = {
    InitiativeScope.GRASSROOTS: "co_so",
    InitiativeScope.MINISTRY_PROVINCE: "tinh",
    InitiativeScope.NATIONAL: "toan_quoc",
}
INITIATIVE_KINDS = _enum_words(
    InitiativeKind,
    sang_kien=InitiativeKind.INITIATIVE,
    de_tai=InitiativeKind.RESEARCH,
    muu_tri=InitiativeKind.WARTIME_INGENUITY,
)
INITIATIVE_KIND_WORDS = {InitiativeKind.RESEARCH: "de_tai", InitiativeKind.WARTIME_INGENUITY: "muu_tri"}
DISCIPLINE_LEVELS = Vocabulary[DisciplineLevel](
    "hình thức kỷ luật",
    "disciplinary measure",
    ", ".join(member.value for member in DisciplineLevel),
    _enum_words(DisciplineLevel),
)
ITEM_SEPARATOR = re.compile(r"[;\n]")
AWARD_ITEM = re.compile(r"^(?P<code>[^\s()]+)\s+(?P<year>[^\s()]+)\s*(?:\((?P<details>[^()]*)\))?$")
DECISION_NUMBER = re.compile(r"^(?:số|so|no\.?)\s+(?P<number>.+)$", re.IGNORECASE)
REVOKED_WORDS = frozenset({"da_huy", "huy", "bi_huy", "revoked"})
