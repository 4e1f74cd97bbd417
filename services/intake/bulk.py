"""Bulk intake with Excel: a dossier's nominees imported from the list units already keep (danh sách
đề nghị khen thưởng), and a dossier's entries and eligibility results exported for the reviewers.

Usage::

    python -m services.intake.bulk template -o danh-sach.xlsx
    python -m services.intake.bulk import danh-sach.xlsx --organisation AH-DS-TT-THCS --award BKTTG \\
        [--proposal-year 2026] [--external-reference REF] [--idempotency-key KEY] [--dry-run] \\
        [--credentials FILE]
    python -m services.intake.bulk export DOSSIER_ID -o ket-qua.xlsx [--credentials FILE]

``import`` exits 2 when a row cannot be read (nothing is submitted), 1 when intake refuses the
dossier, 0 otherwise. Intake's address comes from ``TDKT_INTAKE_URL`` or the running stack's port
(``services.intake.client.intake_url``), the client credentials from ``--credentials`` or
``TDKT_DEMO_CLIENT_FILE`` (the environment, then the stack's record, ``servicekit.settings``).

**The import sheet** (trang "Danh sách", or the first sheet). The header row is the first of the
first ten rows that has the name column; rows above it are a free title block. Below it, one row
per nominee (một dòng một trường hợp); empty rows are skipped. Headers are matched without regard
to case, diacritics or a parenthesised suffix, so ``Xep loai 2022``, ``XẾP LOẠI 2022 (Rating 2022)``
and ``Rating 2022`` are the same column; the English name is accepted for every column.

=============================================  ===========================  ==========================
Cột (Column)                                   Field                        Value
=============================================  ===========================  ==========================
STT (No.)                                      —                            not imported
Họ và tên / Tên tập thể (Full name)            full_name                    required
Loại (Kind)                                    kind                         Cá nhân | Tập thể;
                                                                            blank: cá nhân
Chức vụ, đơn vị (Position)                     position_title
Tóm tắt thành tích (Achievement summary)       achievement_summary
Xếp loại <năm> (Rating <year>), one a year     record.ratings (tập thể:     HTXSNV | HTTNV | HTNV |
                                               record.collective_rating)    KHTNV, or in full
Danh hiệu, hình thức đã đạt (Awards received)  record.awards                ``CSTDCS 2022; BANG_KHEN_
                                                                            TINH 2019 (dot_xuat)``
Sáng kiến (Initiatives)                        record.initiatives           ``2023 co_so: Tên``
Kỷ luật (Discipline)                           record.discipline            ``2021 khien_trach``
Đang bị xem xét kỷ luật; Đang bị điều tra;     record.flags                 Có | Không;
Đang bị thanh tra, kiểm tra; Có đơn thư khiếu                               blank: không
nại, tố cáo đang xác minh; Có vấn đề báo chí
nêu đang xác minh (one column each)
Tổng số thành viên; Số LĐTT; Số hoàn thành     record.collective            whole numbers
nhiệm vụ; Số CSTĐCS; Số bị kỷ luật từ cảnh cáo
Tỷ lệ nữ (Women share)                         record.collective            0–1, or a percentage
Ghi chú (Notes)                                —                            not imported
=============================================  ===========================  ==========================

List cells hold items separated by ``;`` or line breaks. An award is ``CODE YEAR`` with optional
details in parentheses: its type of commendation (default ``cong_trang``), ``số <decision
number>`` and ``đã hủy`` for a revoked decision. An initiative is ``YEAR SCOPE [KIND]: title`` with
scope ``co_so`` / ``tinh`` (bộ, ngành, tỉnh) / ``toan_quoc`` and kind ``sang_kien`` (default) /
``de_tai`` / ``muu_tri``. Vocabulary is matched like headers: ``cơ sở``, ``Đột xuất`` and
``cảnh cáo`` are read as ``co_so``, ``dot_xuat`` and ``canh_cao``.

**The export** has a sheet "Danh sách" (the dossier's header block, then one row per entry with its
outcome) and a sheet "Tiêu chí" (one row per entry and criterion, with facts and legal basis).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import Any, Generic, Protocol, TextIO, TypeVar
from zoneinfo import ZoneInfo

import httpx
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError
from tqdm import tqdm

from contracts.dossiers import MAX_ENTRIES_PER_DOSSIER, DossierSubmission, NomineeSubmission
from contracts.events import NomineeKind
from contracts.nominee import (
    MAX_YEAR,
    MIN_YEAR,
    AwardRecord,
    CollectiveStats,
    CommendationType,
    DisciplineLevel,
    InitiativeKind,
    InitiativeScope,
    NomineeRecord,
    PerformanceRating,
    StatusFlags,
    YearRating,
)
from contracts.samples import eligible_record
from contracts.views import DossierView
from servicekit.clock import SYSTEM_CLOCK, Clock, local_date
from services.intake.client import ClientCredentials, access_token, intake_url
from services.intake.domain.catalogue import default_catalogue
from services.intake.domain.errors import UnknownRuleSet

LIST_SHEET = "Danh sách"
CRITERIA_SHEET = "Tiêu chí"
GUIDE_SHEET = "Hướng dẫn"
HEADER_SEARCH_ROWS = 10
"""The header row is looked for in this many first rows; above it units keep a title block."""
HTTP_TIMEOUT = 60.0
"""Seconds for one request: validating 500 entries is quick, storing them less so on a busy server."""

_T = TypeVar("_T")
_V = TypeVar("_V")
_Value = str | int | float | None
"""What this module writes into a cell."""


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
_BY_KEY = {column.key: column for column in COLUMNS}
_FLAG_KEYS = tuple(StatusFlags.model_fields)
_COUNT_KEYS = tuple(name for name in CollectiveStats.model_fields if name != "women_share")
_NOT_IMPORTED = frozenset({"stt", "notes"})
_RATING_HEADER = "Xếp loại {year}"
_RATING_COLUMN = re.compile(r"^(?:xep loai|rating)(?: nam| year)? (\d+)$")


def _ascii(text: str) -> str:
    """Vietnamese without diacritics (đ → d), the way units often type it."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _fold(text: str) -> str:
    """Lower case, no diacritics, words separated by one space: how headers are compared."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", _ascii(text).lower()).split())


def _word(text: str) -> str:
    """A folded phrase as one vocabulary word: ``Cơ sở`` → ``co_so``."""
    return _fold(text).replace(" ", "_")


_HEADER_KEYS = {
    _fold(name): column.key
    for column in COLUMNS
    for name in (column.header_vi, column.header_en, column.key, *column.aliases)
}


def _header_key(value: object) -> str | None:
    """The column key a header names; ``rating YYYY`` for a rating column (any digits, so that a
    wrong year is reported rather than the column called unknown)."""
    if not isinstance(value, str):
        return None
    folded = _fold(re.sub(r"\([^)]*\)", " ", value))
    if rating := _RATING_COLUMN.match(folded):
        return f"rating {rating.group(1)}"
    return _HEADER_KEYS.get(folded)


# --- vocabulary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vocabulary(Generic[_V]):
    what_vi: str
    what_en: str
    hint: str
    words: Mapping[str, _V]

    def get(self, text: str) -> _V | None:
        return self.words.get(_word(text))


def _enum_words(enum: type[Enum], **extra: Any) -> dict[str, Any]:
    """Each member by its value and its lower-case name, plus ``extra`` words."""
    words: dict[str, Any] = {}
    for member in enum:
        words[_word(str(member.value))] = member
        words[member.name.lower()] = member
    return words | extra


_KINDS = _Vocabulary[NomineeKind](
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
_RATINGS = _Vocabulary[PerformanceRating](
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
_RATING_ABBREVIATIONS = {
    PerformanceRating.EXCELLENT: "HTXSNV",
    PerformanceRating.GOOD: "HTTNV",
    PerformanceRating.COMPLETED: "HTNV",
    PerformanceRating.NOT_COMPLETED: "KHTNV",
}
_FLAGS = _Vocabulary[bool](
    "giá trị có/không",
    "yes/no value",
    "Có, Không",
    {"co": True, "x": True, "yes": True, "true": True, "1": True}
    | {"khong": False, "no": False, "false": False, "0": False},
)
_COMMENDATION_TYPES = _Vocabulary[CommendationType](
    "loại hình khen thưởng",
    "type of commendation",
    ", ".join(member.value for member in CommendationType),
    _enum_words(CommendationType),
)
_SCOPES = _Vocabulary[InitiativeScope](
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
_SCOPE_WORDS = {
    InitiativeScope.GRASSROOTS: "co_so",
    InitiativeScope.MINISTRY_PROVINCE: "tinh",
    InitiativeScope.NATIONAL: "toan_quoc",
}
_INITIATIVE_KINDS = _enum_words(
    InitiativeKind,
    sang_kien=InitiativeKind.INITIATIVE,
    de_tai=InitiativeKind.RESEARCH,
    muu_tri=InitiativeKind.WARTIME_INGENUITY,
)
_INITIATIVE_KIND_WORDS = {InitiativeKind.RESEARCH: "de_tai", InitiativeKind.WARTIME_INGENUITY: "muu_tri"}
_DISCIPLINE_LEVELS = _Vocabulary[DisciplineLevel](
    "hình thức kỷ luật",
    "disciplinary measure",
    ", ".join(member.value for member in DisciplineLevel),
    _enum_words(DisciplineLevel),
)
_ITEM_SEPARATOR = re.compile(r"[;\n]")
_AWARD_ITEM = re.compile(r"^(?P<code>[^\s()]+)\s+(?P<year>[^\s()]+)\s*(?:\((?P<details>[^()]*)\))?$")
_DECISION_NUMBER = re.compile(r"^(?:số|so|no\.?)\s+(?P<number>.+)$", re.IGNORECASE)
_REVOKED = frozenset({"da_huy", "huy", "bi_huy", "revoked"})


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    """The Excel row number, as the spreadsheet shows it."""
    column: str | None
    """The column's Vietnamese header (``Xếp loại 2022``), or the header as written when the
    header itself is wrong; ``None`` for the row as a whole."""
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class SheetResult:
    entries: list[NomineeSubmission]
    errors: list[RowError]
    rows: list[int] = field(default_factory=list)
    """The Excel row of each entry, so that results can be reported against the sheet."""


class Progress(Protocol):
    """Wraps the data rows as they are read, e.g. in a tqdm bar of ``total`` rows."""

    def __call__(self, rows: Iterable[_T], total: int) -> Iterable[_T]: ...


@dataclass(frozen=True)
class _Layout:
    header_row: int
    columns: dict[str, int]
    """Column key → index in the row."""
    ratings: list[tuple[int, int]]
    """(year, index) of each rating column, in sheet order."""


def read_sheet(path: Path | str, progress: Progress | None = None) -> SheetResult:
    """The entries of an import sheet, and an error for every cell that cannot be read. A row with
    an error gives no entry."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook[LIST_SHEET] if LIST_SHEET in workbook.sheetnames else workbook.worksheets[0]
        # From A1 whatever the sheet's recorded dimensions, so that positions are Excel's numbers.
        rows = iter(sheet.iter_rows(min_row=1, min_col=1, values_only=True))
        layout, errors = _find_layout(rows)
        if layout is None or errors:
            return SheetResult([], errors)
        numbered: Iterable[tuple[int, Sequence[object]]] = enumerate(rows, start=layout.header_row + 1)
        if progress is not None:
            numbered = progress(numbered, max((sheet.max_row or 0) - layout.header_row, 0))
        entries: list[NomineeSubmission] = []
        entry_rows: list[int] = []
        for number, values in numbered:
            entry, row_errors = _read_row(number, values, layout)
            errors.extend(row_errors)
            if entry is not None:
                entries.append(entry)
                entry_rows.append(number)
        return SheetResult(entries, errors, entry_rows)
    finally:
        workbook.close()


def _find_layout(rows: Iterator[Sequence[object]]) -> tuple[_Layout | None, list[RowError]]:
    for number, values in enumerate(islice(rows, HEADER_SEARCH_ROWS), start=1):
        keys = [_header_key(value) for value in values]
        if "full_name" in keys:
            return _layout(number, values, keys)
    name = _BY_KEY["full_name"].header_vi
    return None, [
        RowError(
            1,
            None,
            f"Không tìm thấy dòng tiêu đề có cột '{name}' trong {HEADER_SEARCH_ROWS} dòng đầu.",
            f"No header row with a '{name}' column in the first {HEADER_SEARCH_ROWS} rows.",
        )
    ]


def _layout(number: int, values: Sequence[object], keys: list[str | None]) -> tuple[_Layout, list[RowError]]:
    columns: dict[str, int] = {}
    ratings: list[tuple[int, int]] = []
    errors: list[RowError] = []
    seen: set[str] = set()

    def fail(header: str, vi: str, en: str) -> None:
        errors.append(RowError(number, header, vi, en))

    for index, (value, key) in enumerate(zip(values, keys, strict=True)):
        header = " ".join(str(value).split()) if value is not None else ""
        if not header:
            continue
        if key is None:
            fail(
                header,
                f"Cột '{header}' không có trong mẫu danh sách (xem trang '{GUIDE_SHEET}').",
                f"Column '{header}' is not part of the sheet layout (see the '{GUIDE_SHEET}' sheet).",
            )
        elif key in seen:
            fail(header, f"Cột '{header}' bị lặp lại.", f"Column '{header}' appears twice.")
        elif key.startswith("rating "):
            year = int(key.removeprefix("rating "))
            if MIN_YEAR <= year <= MAX_YEAR:
                ratings.append((year, index))
            else:
                fail(header, *_bad_year_messages(str(year)))
        else:
            columns[key] = index
        seen.add(key or "")
    return _Layout(number, columns, ratings), errors


def _bad_year_messages(text: str) -> tuple[str, str]:
    return (
        f"Năm '{text}' không hợp lệ (từ {MIN_YEAR} đến {MAX_YEAR}).",
        f"'{text}' is not a valid year ({MIN_YEAR} to {MAX_YEAR}).",
    )


class _Row:
    """One data row being read: its cells by column key, and the errors found so far."""

    def __init__(self, number: int, values: Sequence[object], layout: _Layout) -> None:
        self.number = number
        self.values = values
        self.layout = layout
        self.errors: list[RowError] = []

    def cell(self, index: int | None) -> object:
        return self.values[index] if index is not None and index < len(self.values) else None

    def text(self, key: str) -> str:
        return _cell_text(self.cell(self.layout.columns.get(key)))

    def fail(self, column: str | None, vi: str, en: str) -> None:
        self.errors.append(RowError(self.number, column, vi, en))

    def is_empty(self) -> bool:
        imported = [i for key, i in self.layout.columns.items() if key not in _NOT_IMPORTED]
        return all(_cell_text(self.cell(i)) == "" for i in imported + [i for _, i in self.layout.ratings])

    def lookup(self, column: str, text: str, vocabulary: _Vocabulary[_V]) -> _V | None:
        found = vocabulary.get(text)
        if found is None:
            self.fail(
                column,
                f"Không hiểu {vocabulary.what_vi} '{text}'; dùng: {vocabulary.hint}.",
                f"Unknown {vocabulary.what_en} '{text}'; use: {vocabulary.hint}.",
            )
        return found

    def year(self, column: str, text: str) -> int | None:
        if text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR:
            return int(text)
        self.fail(column, *_bad_year_messages(text))
        return None

    def count(self, key: str) -> int | None:
        value = self.cell(self.layout.columns.get(key))
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = _cell_text(value)
        if text.isdigit():
            return int(text)
        self.fail(
            _BY_KEY[key].header_vi,
            f"'{text}' không phải số nguyên không âm.",
            f"'{text}' is not a whole number.",
        )
        return None

    def share(self, key: str) -> float | None:
        value = self.cell(self.layout.columns.get(key))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        text = _cell_text(value)
        try:
            return float(text.removesuffix("%").replace(",", ".")) / (100 if text.endswith("%") else 1)
        except ValueError:
            self.fail(
                _BY_KEY[key].header_vi,
                f"'{text}' không phải tỷ lệ (từ 0 đến 1, hoặc phần trăm).",
                f"'{text}' is not a share (0 to 1, or a percentage).",
            )
            return None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number may come back from Excel as a float: 2023.0 is the year 2023
    return str(value).strip()


def _items(text: str) -> list[str]:
    return [item.strip() for item in _ITEM_SEPARATOR.split(text) if item.strip()]


def _read_row(
    number: int, values: Sequence[object], layout: _Layout
) -> tuple[NomineeSubmission | None, list[RowError]]:
    row = _Row(number, values, layout)
    if row.is_empty():
        return None, []
    name = row.text("full_name")
    if not name:
        row.fail(
            _BY_KEY["full_name"].header_vi,
            "Thiếu họ và tên hoặc tên tập thể.",
            "The name of the person or collective is missing.",
        )
    kind_text = row.text("kind")
    kind = row.lookup(_BY_KEY["kind"].header_vi, kind_text, _KINDS) if kind_text else NomineeKind.INDIVIDUAL
    ratings, rating_columns = _ratings(row)
    record: dict[str, Any] = {
        "collective_rating" if kind is NomineeKind.COLLECTIVE else "ratings": ratings,
        "awards": _awards(row),
        "initiatives": _initiatives(row),
        "discipline": _discipline(row),
        "flags": _flags(row),
    }
    if (collective := _collective(row)) is not None:
        record["collective"] = collective
    if row.errors:
        return None, row.errors
    body = {
        "kind": kind,
        "full_name": name,
        "position_title": row.text("position_title") or None,
        "achievement_summary": row.text("achievement_summary"),
        "record": record,
    }
    try:
        return NomineeSubmission.model_validate(body), []
    except ValidationError as error:
        for item in error.errors():
            vi, en = _pydantic_messages(item["type"], item["msg"], item.get("ctx") or {})
            row.fail(_column_of(item["loc"], rating_columns), vi, en)
        return None, row.errors


def _ratings(row: _Row) -> tuple[list[dict[str, Any]], list[str]]:
    """The rating columns' values, and the header each came from (pydantic names them by position)."""
    ratings: list[dict[str, Any]] = []
    columns: list[str] = []
    for year, index in row.layout.ratings:
        text = _cell_text(row.cell(index))
        header = _RATING_HEADER.format(year=year)
        if text and (rating := row.lookup(header, text, _RATINGS)) is not None:
            ratings.append({"year": year, "rating": rating})
            columns.append(header)
    return ratings, columns


def _awards(row: _Row) -> list[dict[str, Any]]:
    column = _BY_KEY["awards"].header_vi
    awards: list[dict[str, Any]] = []
    for item in _items(row.text("awards")):
        match = _AWARD_ITEM.match(item)
        if match is None:
            row.fail(
                column,
                f"Không đọc được '{item}': cần dạng 'MÃ NĂM (chi tiết)', ví dụ 'CSTDCS 2023' "
                "hoặc 'BANG_KHEN_TINH 2019 (dot_xuat)'.",
                f"Cannot read '{item}': expected 'CODE YEAR (details)', e.g. 'CSTDCS 2023' "
                "or 'BANG_KHEN_TINH 2019 (dot_xuat)'.",
            )
            continue
        award: dict[str, Any] = {
            "award_code": _ascii(match["code"]).upper(),
            "year": row.year(column, match["year"]),
            "commendation_type": CommendationType.MERIT,
        }
        for detail in (d.strip() for d in (match["details"] or "").split(",") if d.strip()):
            if number := _DECISION_NUMBER.match(detail):
                award["decision_number"] = number["number"].strip()
            elif _word(detail) in _REVOKED:
                award["revoked"] = True
            else:
                award["commendation_type"] = row.lookup(column, detail, _COMMENDATION_TYPES)
        awards.append(award)
    return awards


def _initiatives(row: _Row) -> list[dict[str, Any]]:
    column = _BY_KEY["initiatives"].header_vi
    initiatives: list[dict[str, Any]] = []
    for item in _items(row.text("initiatives")):
        head, _, title = item.partition(":")
        year_text, _, described = head.strip().partition(" ")
        if not title.strip() or not described.strip():
            row.fail(
                column,
                f"Không đọc được '{item}': cần dạng 'NĂM PHẠM_VI [LOẠI]: tên', ví dụ '2023 co_so: Tên'.",
                f"Cannot read '{item}': expected 'YEAR SCOPE [KIND]: title', e.g. '2023 co_so: Title'.",
            )
            continue
        scope_text, kind = _word(described), InitiativeKind.INITIATIVE
        for word, member in _INITIATIVE_KINDS.items():
            if scope_text.endswith(f"_{word}"):
                scope_text, kind = scope_text.removesuffix(f"_{word}"), member
                break
        initiatives.append(
            {
                "year": row.year(column, year_text),
                "scope": row.lookup(column, scope_text, _SCOPES),
                "kind": kind,
                "title": title.strip(),
            }
        )
    return initiatives


def _discipline(row: _Row) -> list[dict[str, Any]]:
    column = _BY_KEY["discipline"].header_vi
    records: list[dict[str, Any]] = []
    for item in _items(row.text("discipline")):
        year_text, _, level = item.partition(" ")
        records.append(
            {
                "year": row.year(column, year_text),
                "level": row.lookup(column, level.strip(), _DISCIPLINE_LEVELS),
            }
        )
    return records


def _flags(row: _Row) -> dict[str, bool | None]:
    return {
        key: row.lookup(_BY_KEY[key].header_vi, text, _FLAGS) if (text := row.text(key)) else False
        for key in _FLAG_KEYS
    }


def _collective(row: _Row) -> dict[str, Any] | None:
    """The member counts when any is given; a count over the total is reported against its own
    column, which the model's own check could not name."""
    given = [key for key in (*_COUNT_KEYS, "women_share") if row.text(key)]
    if not given:
        return None
    stats: dict[str, Any] = {key: row.share(key) if key == "women_share" else row.count(key) for key in given}
    total = stats.get("members_total")
    for key in _COUNT_KEYS:
        count = stats.get(key)
        if key != "members_total" and total is not None and count is not None and count > total:
            row.fail(
                _BY_KEY[key].header_vi,
                f"{count} lớn hơn tổng số thành viên ({total}).",
                f"{count} is more than the total number of members ({total}).",
            )
    return stats


_PYDANTIC_MESSAGES = {
    "missing": ("Thiếu giá trị.", "A value is required."),
    "string_too_short": ("Không được để trống.", "Must not be empty."),
    "string_too_long": ("Dài quá {max_length} ký tự.", "Longer than {max_length} characters."),
    "too_long": ("Nhiều quá {max_length} mục.", "More than {max_length} items."),
    "greater_than_equal": ("Phải từ {ge} trở lên.", "Must be at least {ge}."),
    "less_than_equal": ("Không được lớn hơn {le}.", "Must be at most {le}."),
}


def _pydantic_messages(kind: str, message: str, context: Mapping[str, Any]) -> tuple[str, str]:
    vi, en = _PYDANTIC_MESSAGES.get(kind, (f"Giá trị không hợp lệ: {message}", message))
    return vi.format(**context), en.format(**context)


def _column_of(loc: tuple[int | str, ...], rating_columns: list[str]) -> str | None:
    """The column a pydantic error location comes from: the location names the field, and every
    field comes from the column of the same key (ratings: by position)."""
    match loc:
        case ("record", "ratings" | "collective_rating", int(position), *_):
            return rating_columns[position]
        case ("record", "flags" | "collective", str(key), *_) | ("record", str(key), *_) | (str(key), *_):
            return _BY_KEY[key].header_vi if key in _BY_KEY else None
    return None


# --- writing the import sheet -----------------------------------------------------------------

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TITLE = Font(bold=True, size=14)
_LIST_TITLE = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG / NOMINATION LIST"
_LIST_HINT = f"Mỗi dòng một trường hợp; xem trang '{GUIDE_SHEET}'. / One nominee per row; see the '{GUIDE_SHEET}' sheet."
_LIST_HEADER_ROW = 3


def example_entry(proposal_year: int) -> NomineeSubmission:
    """The template's example row: the demo's teacher who meets Bằng khen của Thủ tướng."""
    return NomineeSubmission(
        kind=NomineeKind.INDIVIDUAL,
        full_name="Nguyễn Thị Minh Khai",
        position_title="Giáo viên Trường Trung học cơ sở Tân Tiến",
        achievement_summary="Hoàn thành tốt nhiệm vụ 7 năm liên tục, 3 lần Chiến sĩ thi đua cơ sở.",
        record=NomineeRecord.model_validate(eligible_record(proposal_year)),
    )


def write_template(path: Path | str, proposal_year: int) -> None:
    """An import sheet with its headers, one example row (proposed in ``proposal_year``) and the guide."""
    write_sheet(path, [example_entry(proposal_year)])


def write_sheet(path: Path | str, entries: Sequence[NomineeSubmission]) -> None:
    """Entries in the import layout: ``read_sheet`` gives them back. Raises ``ValueError`` for an
    entry the layout cannot hold (a separator inside an item, ratings of the other kind)."""
    years = sorted({rating.year for entry in entries for rating in _own_ratings(entry)})
    keys = [*[c.key for c in COLUMNS[:5]], *[f"rating {y}" for y in years], *[c.key for c in COLUMNS[5:]]]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = LIST_SHEET
    sheet.cell(1, 1, _LIST_TITLE).font = _TITLE
    sheet.cell(2, 1, _LIST_HINT).font = Font(italic=True)
    for index, key in enumerate(keys, start=1):
        vi, en, width = _header_of(key)
        cell = sheet.cell(_LIST_HEADER_ROW, index, f"{vi}\n({en})")
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    for position, entry in enumerate(entries, start=1):
        cells = _entry_cells(position, entry)
        for index, key in enumerate(keys, start=1):
            sheet.cell(_LIST_HEADER_ROW + position, index, cells.get(key)).alignment = _WRAP
    _add_choices(sheet, keys)
    sheet.freeze_panes = f"C{_LIST_HEADER_ROW + 1}"  # the header, and the STT and name columns
    _write_guide(workbook.create_sheet(GUIDE_SHEET))
    workbook.save(path)


def _header_of(key: str) -> tuple[str, str, float]:
    if key.startswith("rating "):
        year = key.removeprefix("rating ")
        return _RATING_HEADER.format(year=year), f"Rating {year}", 12
    column = _BY_KEY[key]
    return column.header_vi, column.header_en, column.width


def _add_choices(sheet: Worksheet, keys: list[str]) -> None:
    """Drop-down lists for the coded columns; other spellings stay allowed (no error alert),
    since the reader accepts the words in full too."""
    choices = {"kind": _KINDS.hint, **dict.fromkeys(_FLAG_KEYS, _FLAGS.hint)}
    last_row = _LIST_HEADER_ROW + MAX_ENTRIES_PER_DOSSIER
    for index, key in enumerate(keys, start=1):
        hint = _RATINGS.hint if key.startswith("rating ") else choices.get(key)
        if hint is not None:
            validation = DataValidation(
                type="list", formula1=f'"{hint.replace(", ", ",")}"', showErrorMessage=False
            )
            letter = get_column_letter(index)
            validation.add(f"{letter}{_LIST_HEADER_ROW + 1}:{letter}{last_row}")
            sheet.add_data_validation(validation)


def _own_ratings(entry: NomineeSubmission) -> list[YearRating]:
    """The ratings the year columns hold: the person's, or the collective's."""
    record = entry.record
    own, other = (
        (record.collective_rating, record.ratings)
        if entry.kind is NomineeKind.COLLECTIVE
        else (record.ratings, record.collective_rating)
    )
    if other:
        raise ValueError(f"{entry.full_name}: the sheet holds only the {entry.kind.value}'s own ratings")
    return own


_DETAIL_SEPARATORS = ";\n(),"
_CODE_SEPARATORS = ";\n() "


def _plain(text: str, separators: str = ";\n") -> str:
    if any(char in text for char in separators):
        raise ValueError(f"{text!r} contains one of the sheet's separators {separators!r}")
    return text


def _entry_cells(position: int, entry: NomineeSubmission) -> dict[str, _Value]:
    record = entry.record
    cells: dict[str, _Value] = {
        "stt": position,
        "full_name": entry.full_name,
        "kind": "Tập thể" if entry.kind is NomineeKind.COLLECTIVE else "Cá nhân",
        "position_title": entry.position_title,
        "achievement_summary": entry.achievement_summary or None,
        "awards": "; ".join(_award_text(award) for award in record.awards) or None,
        "initiatives": "; ".join(
            f"{item.year} {_SCOPE_WORDS[item.scope]}"
            + (f" {_INITIATIVE_KIND_WORDS[item.kind]}" if item.kind in _INITIATIVE_KIND_WORDS else "")
            + f": {_plain(item.title)}"
            for item in record.initiatives
        )
        or None,
        "discipline": "; ".join(f"{item.year} {item.level.value}" for item in record.discipline) or None,
    }
    for rating in _own_ratings(entry):
        cells[f"rating {rating.year}"] = _RATING_ABBREVIATIONS[rating.rating]
    for key in record.flags.raised():
        cells[key] = "Có"
    if record.collective is not None:
        cells |= record.collective.model_dump(exclude_none=True)
    return cells


def _award_text(award: AwardRecord) -> str:
    details = [
        *([award.commendation_type.value] if award.commendation_type is not CommendationType.MERIT else []),
        *([f"số {_plain(award.decision_number, _DETAIL_SEPARATORS)}"] if award.decision_number else []),
        *(["đã hủy"] if award.revoked else []),
    ]
    text = f"{_plain(award.award_code, _CODE_SEPARATORS)} {award.year}"
    return f"{text} ({', '.join(details)})" if details else text


def _write_guide(sheet: Worksheet) -> None:
    ratings = (
        "Xếp loại <năm>",
        "Rating <year>",
        "Một cột cho mỗi năm, ví dụ 'Xếp loại 2024': HTXSNV, HTTNV, HTNV hoặc KHTNV (hoặc viết đầy đủ); "
        "với tập thể là xếp loại của tập thể.",
        "One column per year, e.g. 'Xếp loại 2024': HTXSNV (excellent), HTTNV (good), HTNV "
        "(completed), KHTNV (not completed), or the words in full; a collective's own rating.",
    )
    rows = [
        *((c.header_vi, c.header_en, c.help_vi, c.help_en) for c in COLUMNS[:5]),
        ratings,
        *((c.header_vi, c.header_en, c.help_vi, c.help_en) for c in COLUMNS[5:]),
    ]
    _write_table(
        sheet,
        1,
        [("Cột", 30), ("Column", 24), ("Cách ghi", 70), ("How to fill it in", 70)],
        rows,
    )
    notes = [
        "Dòng tiêu đề là dòng đầu tiên (trong 10 dòng đầu) có cột 'Họ và tên / Tên tập thể'; "
        "dòng trống được bỏ qua.",
        "The header row is the first of the first 10 rows with the name column; empty rows are skipped.",
        "Tiêu đề cột không phân biệt chữ hoa, dấu, hay phần trong ngoặc; chấp nhận tên tiếng Anh.",
        "Headers ignore case, diacritics and a parenthesised suffix; the English names are accepted too.",
    ]
    for offset, note in enumerate(notes, start=len(rows) + 3):
        sheet.cell(offset, 1, note).font = Font(italic=True)


def _write_table(
    sheet: Worksheet, header_row: int, headers: list[tuple[str, float]], rows: Iterable[Sequence[_Value]]
) -> None:
    """A table with bold headers frozen above its rows."""
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(header_row, index, header)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    for offset, values in enumerate(rows, start=header_row + 1):
        for index, value in enumerate(values, start=1):
            sheet.cell(offset, index, value).alignment = _WRAP
    sheet.freeze_panes = f"A{header_row + 1}"


# --- the export -------------------------------------------------------------------------------

_OUTCOMES = {
    "eligible": ("Đủ điều kiện", "Eligible"),
    "ineligible": ("Không đủ điều kiện", "Ineligible"),
    "manual_review": ("Cần xem xét", "Manual review"),
    "passed": ("Đạt", "Passed"),
    "failed": ("Không đạt", "Failed"),
}
_STATUSES_VI = {
    "submitted": "Đã tiếp nhận",
    "in_review": "Đang xét duyệt",
    "approved": "Đã thông qua",
    "decided": "Đã có quyết định",
    "rejected": "Không được chấp thuận",
    "returned": "Trả lại để bổ sung",
}
_KIND_VI = {NomineeKind.INDIVIDUAL: "Cá nhân", NomineeKind.COLLECTIVE: "Tập thể"}


def _outcome(code: str) -> tuple[str, str]:
    return _OUTCOMES.get(code, (code, code))


def write_dossier(view: DossierView | Mapping[str, Any], path: Path | str) -> None:
    """A dossier as ``GET /v1/dossiers/{id}`` returns it: the entries with their outcome, then
    every criterion of every entry."""
    dossier = view if isinstance(view, DossierView) else DossierView.model_validate(view)
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # a new workbook always has its first sheet
    summary.title = LIST_SHEET
    summary.cell(1, 1, "KẾT QUẢ XÉT ĐIỀU KIỆN KHEN THƯỞNG / ELIGIBILITY RESULTS").font = _TITLE
    block = [
        ("Mã hồ sơ / Dossier", dossier.dossier_id),
        ("Hình thức / Award", _award_label(dossier.award_code, dossier.rule_set_id)),
        ("Đơn vị trình / Organisation", dossier.submitting_organisation),
        ("Số hiệu của đơn vị / External reference", dossier.external_reference),
        ("Năm đề nghị / Proposal year", dossier.proposal_year),
        (
            "Trạng thái / Status",
            f"{_STATUSES_VI.get(dossier.status, dossier.status)} / {dossier.status.value}",
        ),
        ("Bộ quy định / Rule set", dossier.rule_set_id),
        ("Phiên bản / Version", dossier.version),
    ]
    for offset, (label, value) in enumerate(block, start=2):
        summary.cell(offset, 1, label).font = _BOLD
        summary.cell(offset, 2, value)
    _write_table(
        summary,
        len(block) + 3,
        [
            ("STT", 6),
            ("Họ và tên / Tên tập thể", 32),
            ("Loại / Kind", 11),
            ("Kết quả", 18),
            ("Outcome", 14),
            ("Tiêu chí không đạt / Failed criteria", 30),
            ("Tiêu chí cần xem xét / For manual review", 30),
            ("Mã trường hợp / Entry id", 30),
        ],
        (
            (
                entry.position,
                entry.full_name,
                _KIND_VI[entry.kind],
                *_outcome(entry.eligibility.outcome),
                _codes(entry.eligibility.criteria, "failed"),
                _codes(entry.eligibility.criteria, "manual_review"),
                entry.entry_id,
            )
            for entry in dossier.entries
        ),
    )
    _write_table(
        workbook.create_sheet(CRITERIA_SHEET),
        1,
        [
            ("STT", 6),
            ("Họ và tên / Tên tập thể", 28),
            ("Tiêu chí / Criterion", 26),
            ("Kết quả", 14),
            ("Outcome", 14),
            ("Dữ kiện / Facts (JSON)", 40),
            ("Căn cứ / Legal basis", 30),
            ("Nội dung", 60),
            ("Message", 60),
        ],
        (
            (
                entry.position,
                entry.full_name,
                criterion.code,
                *_outcome(criterion.outcome),
                json.dumps(criterion.facts, ensure_ascii=False, sort_keys=True),
                criterion.legal_basis,
                criterion.message_vi,
                criterion.message_en,
            )
            for entry in dossier.entries
            for criterion in entry.eligibility.criteria
        ),
    )
    workbook.save(path)


def _codes(criteria: Iterable[Any], outcome: str) -> str | None:
    return ", ".join(c.code for c in criteria if c.outcome == outcome) or None


def _award_label(code: str, rule_set_id: str) -> str:
    try:
        award = default_catalogue().rule_set(rule_set_id).award(code)
    except UnknownRuleSet:  # a rule set newer than this tool's catalogue: the code alone still says it
        award = None
    return f"{code} — {award.name_vi}" if award is not None else code


# --- the command line -------------------------------------------------------------------------


def _bar(rows: Iterable[_T], total: int) -> Iterable[_T]:
    return tqdm(rows, total=total, desc="Đọc danh sách / reading", unit=" dòng")


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], file: TextIO) -> None:
    texts = [[("" if value is None else str(value)) for value in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in texts)]) for i, h in enumerate(headers)]
    for row in [list(headers), *texts]:
        print(
            "  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip(), file=file
        )


def _print_problem(response: httpx.Response, rows: Sequence[int] = ()) -> None:
    """A problem response; with the import's ``rows``, entries are named by their Excel row."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        print(f"HTTP {response.status_code}: {response.text[:500]}", file=sys.stderr)
        return
    problem = response.json()
    print(f"HTTP {response.status_code} {problem.get('code')}", file=sys.stderr)
    print(f"  {problem.get('message_vi')}", file=sys.stderr)
    print(f"  {problem.get('message_en')}", file=sys.stderr)
    if problem.get("detail"):
        print(f"  {problem['detail']}", file=sys.stderr)
    for error in problem.get("errors") or []:
        if "failed" in error:  # all-entries-ineligible: each entry with the criteria it failed
            entry = error["entry"]
            where = f"dòng / row {rows[entry - 1]}" if rows else f"trường hợp / entry {entry}"
            print(f"  - {where}: {error['full_name']}", file=sys.stderr)
            for criterion in error["failed"]:
                print(f"      {criterion['code']}: {criterion['message_vi']}", file=sys.stderr)
                print(f"      {' ' * len(criterion['code'])}  {criterion['message_en']}", file=sys.stderr)
        else:
            print(f"  - {json.dumps(error, ensure_ascii=False)}", file=sys.stderr)


async def _request(credentials: ClientCredentials, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One authenticated call to intake; a refused token comes back as the token endpoint's
    response, so that it is reported like any other problem."""
    intake = intake_url()
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        try:
            token = await access_token(http, intake, credentials)
        except httpx.HTTPStatusError as error:
            return error.response
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return await http.request(method, f"{intake}{path}", headers=headers, **kwargs)


def _call(args: argparse.Namespace, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
    """The response, or ``None`` after reporting why there is none."""
    try:
        credentials = ClientCredentials.load(args.credentials)
    except (OSError, ValueError, KeyError) as error:
        print(
            f"Không đọc được thông tin xác thực / cannot read the client credentials: {error}",
            file=sys.stderr,
        )
        return None
    try:
        return asyncio.run(_request(credentials, method, path, **kwargs))
    except httpx.HTTPError as error:
        print(f"Không kết nối được / cannot reach intake: {error!r}", file=sys.stderr)
        return None


def _import(args: argparse.Namespace) -> int:
    try:
        sheet = read_sheet(args.file, progress=_bar)
    except (OSError, zipfile.BadZipFile, InvalidFileException) as error:
        print(f"Không mở được tệp / cannot open {args.file}: {error}", file=sys.stderr)
        return 2
    if sheet.errors:
        _print_table(
            ["Dòng/Row", "Cột/Column", "Lỗi / Error"],
            [
                line
                for e in sheet.errors
                for line in ((e.row, e.column, e.message_vi), (None, None, e.message_en))
            ],
            sys.stderr,
        )
        rows = len({e.row for e in sheet.errors})
        print(
            f"\nSố dòng có lỗi / rows with errors: {rows}. Chưa gửi hồ sơ / nothing was submitted.",
            file=sys.stderr,
        )
        return 2
    try:
        submission = DossierSubmission(
            submitting_organisation=args.organisation,
            award_code=args.award,
            external_reference=args.external_reference,
            proposal_year=args.proposal_year,
            entries=sheet.entries,
        )
    except ValidationError as error:  # no entries, too many, or a bad option: nothing to send
        for item in error.errors():
            print(f"{'.'.join(map(str, item['loc']))}: {item['msg']}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(
            f"{len(sheet.entries)} trường hợp đọc được; không gửi (--dry-run). / "
            f"{len(sheet.entries)} entries read; not submitted."
        )
        return 0
    headers = {"Idempotency-Key": args.idempotency_key} if args.idempotency_key else {}
    response = _call(args, "POST", "/v1/dossiers", json=submission.model_dump(mode="json"), headers=headers)
    if response is None:
        return 1
    if not response.is_success:
        _print_problem(response, sheet.rows)
        return 1
    view = DossierView.model_validate(response.json())
    print(f"Hồ sơ / dossier: {view.dossier_id} ({view.status.value}, v{view.version}, {view.rule_set_id})")
    _print_table(
        ["Dòng/Row", "Họ và tên / Name", "Kết quả", "Outcome", "Không đạt / Failed"],
        [
            (
                row,
                entry.full_name,
                *_outcome(entry.eligibility.outcome),
                _codes(entry.eligibility.criteria, "failed"),
            )
            for row, entry in zip(sheet.rows, view.entries, strict=True)
        ],
        sys.stdout,
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    response = _call(args, "GET", f"/v1/dossiers/{args.dossier_id}")
    if response is None:
        return 1
    if not response.is_success:
        _print_problem(response)
        return 1
    view = DossierView.model_validate(response.json())
    write_dossier(view, args.output)
    print(f"{args.output}: {len(view.entries)} trường hợp / entries")
    return 0


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _template(args: argparse.Namespace) -> int:
    write_template(args.output, local_date(args.clock, VIETNAM).year)
    print(args.output)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.intake.bulk",
        description="Nhập / xuất hồ sơ đề nghị khen thưởng bằng Excel — dossiers from and to Excel.",
    )
    commands = parser.add_subparsers(required=True)
    credentials = argparse.ArgumentParser(add_help=False)
    credentials.add_argument(
        "--credentials",
        type=Path,
        help="JSON file with client_id and client_secret (default: TDKT_DEMO_CLIENT_FILE or .stack/secrets)",
    )

    importing = commands.add_parser("import", parents=[credentials], help="submit a dossier from a sheet")
    importing.add_argument("file", type=Path)
    importing.add_argument("--organisation", required=True, help="submitting organisation code")
    importing.add_argument("--award", required=True, help="award catalogue code, e.g. BKTTG")
    importing.add_argument("--proposal-year", type=int)
    importing.add_argument("--external-reference")
    importing.add_argument("--idempotency-key")
    importing.add_argument("--dry-run", action="store_true", help="only read and check the sheet")
    importing.set_defaults(run=_import)

    exporting = commands.add_parser("export", parents=[credentials], help="write a dossier's results")
    exporting.add_argument("dossier_id")
    exporting.add_argument("-o", "--output", type=Path, required=True)
    exporting.set_defaults(run=_export)

    template = commands.add_parser("template", help="write an empty sheet with an example row")
    template.add_argument("-o", "--output", type=Path, required=True)
    template.set_defaults(run=_template)
    return parser


def main(argv: Sequence[str] | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
    args = _parser().parse_args(argv)
    args.clock = clock
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
