"""Reading an import sheet: one entry per nominee row, and an error for every cell that cannot be
read, named by its Excel row and its column's header."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol, TypeVar

from openpyxl import load_workbook
from pydantic import ValidationError

from clients.bulk.layout import (
    AWARD_ITEM,
    BY_KEY,
    COMMENDATION_TYPES,
    COUNT_KEYS,
    DECISION_NUMBER,
    DISCIPLINE_LEVELS,
    FLAG_KEYS,
    FLAGS,
    GUIDE_SHEET,
    HEADER_SEARCH_ROWS,
    INITIATIVE_KINDS,
    ITEM_SEPARATOR,
    KINDS,
    LIST_SHEET,
    NOT_IMPORTED,
    RATING_HEADER,
    RATINGS,
    REVOKED_WORDS,
    SCOPES,
    Vocabulary,
    as_word,
    header_key,
    unaccented,
)
from contracts.dossiers import NomineeSubmission
from contracts.events import NomineeKind
from contracts.nominee import (
    MAX_YEAR,
    MIN_YEAR,
    CommendationType,
    InitiativeKind,
)

_T = TypeVar("_T")
_V = TypeVar("_V")


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
        keys = [header_key(value) for value in values]
        if "full_name" in keys:
            return _layout(number, values, keys)
    name = BY_KEY["full_name"].header_vi
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
        imported = [i for key, i in self.layout.columns.items() if key not in NOT_IMPORTED]
        return all(_cell_text(self.cell(i)) == "" for i in imported + [i for _, i in self.layout.ratings])

    def lookup(self, column: str, text: str, vocabulary: Vocabulary[_V]) -> _V | None:
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
            BY_KEY[key].header_vi,
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
                BY_KEY[key].header_vi,
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
    return [item.strip() for item in ITEM_SEPARATOR.split(text) if item.strip()]


def _read_row(
    number: int, values: Sequence[object], layout: _Layout
) -> tuple[NomineeSubmission | None, list[RowError]]:
    row = _Row(number, values, layout)
    if row.is_empty():
        return None, []
    name = row.text("full_name")
    if not name:
        row.fail(
            BY_KEY["full_name"].header_vi,
            "Thiếu họ và tên hoặc tên tập thể.",
            "The name of the person or collective is missing.",
        )
    kind_text = row.text("kind")
    kind = row.lookup(BY_KEY["kind"].header_vi, kind_text, KINDS) if kind_text else NomineeKind.INDIVIDUAL
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
        "email": row.text("email") or None,
        "achievement_summary": row.text("achievement_summary"),
        "record": record,
    }
    try:
        return NomineeSubmission.model_validate(body), []
    except ValidationError as error:
        for item in error.errors():
            vi, en = (
                _email_messages(body["email"])
                if tuple(item["loc"][:1]) == ("email",)
                else _pydantic_messages(item["type"], item["msg"], item.get("ctx") or {})
            )
            row.fail(_column_of(item["loc"], rating_columns), vi, en)
        return None, row.errors


def _ratings(row: _Row) -> tuple[list[dict[str, Any]], list[str]]:
    """The rating columns' values, and the header each came from (pydantic names them by position)."""
    ratings: list[dict[str, Any]] = []
    columns: list[str] = []
    for year, index in row.layout.ratings:
        text = _cell_text(row.cell(index))
        header = RATING_HEADER.format(year=year)
        if text and (rating := row.lookup(header, text, RATINGS)) is not None:
            ratings.append({"year": year, "rating": rating})
            columns.append(header)
    return ratings, columns


def _awards(row: _Row) -> list[dict[str, Any]]:
    column = BY_KEY["awards"].header_vi
    awards: list[dict[str, Any]] = []
    for item in _items(row.text("awards")):
        match = AWARD_ITEM.match(item)
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
            "award_code": unaccented(match["code"]).upper(),
            "year": row.year(column, match["year"]),
            "commendation_type": CommendationType.MERIT,
        }
        for detail in (d.strip() for d in (match["details"] or "").split(",") if d.strip()):
            if number := DECISION_NUMBER.match(detail):
                award["decision_number"] = number["number"].strip()
            elif as_word(detail) in REVOKED_WORDS:
                award["revoked"] = True
            else:
                award["commendation_type"] = row.lookup(column, detail, COMMENDATION_TYPES)
        awards.append(award)
    return awards


def _initiatives(row: _Row) -> list[dict[str, Any]]:
    column = BY_KEY["initiatives"].header_vi
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
        scope_text, kind = as_word(described), InitiativeKind.INITIATIVE
        for word, member in INITIATIVE_KINDS.items():
            if scope_text.endswith(f"_{word}"):
                scope_text, kind = scope_text.removesuffix(f"_{word}"), member
                break
        initiatives.append(
            {
                "year": row.year(column, year_text),
                "scope": row.lookup(column, scope_text, SCOPES),
                "kind": kind,
                "title": title.strip(),
            }
        )
    return initiatives


def _discipline(row: _Row) -> list[dict[str, Any]]:
    column = BY_KEY["discipline"].header_vi
    records: list[dict[str, Any]] = []
    for item in _items(row.text("discipline")):
        year_text, _, level = item.partition(" ")
        records.append(
            {
                "year": row.year(column, year_text),
                "level": row.lookup(column, level.strip(), DISCIPLINE_LEVELS),
            }
        )
    return records


def _flags(row: _Row) -> dict[str, bool | None]:
    return {
        key: row.lookup(BY_KEY[key].header_vi, text, FLAGS) if (text := row.text(key)) else False
        for key in FLAG_KEYS
    }


def _collective(row: _Row) -> dict[str, Any] | None:
    """The member counts when any is given; a count over the total is reported against its own
    column, which the model's own check could not name."""
    given = [key for key in (*COUNT_KEYS, "women_share") if row.text(key)]
    if not given:
        return None
    stats: dict[str, Any] = {key: row.share(key) if key == "women_share" else row.count(key) for key in given}
    total = stats.get("members_total")
    for key in COUNT_KEYS:
        count = stats.get(key)
        if key != "members_total" and total is not None and count is not None and count > total:
            row.fail(
                BY_KEY[key].header_vi,
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


def _email_messages(text: object) -> tuple[str, str]:
    """pydantic's e-mail message is English only and names the library's rule, not the cell."""
    return (
        f"'{text}' không phải địa chỉ thư điện tử hợp lệ (ví dụ: ten@donvi.gov.vn).",
        f"'{text}' is not a valid e-mail address (e.g. name@unit.gov.vn).",
    )


def _column_of(loc: tuple[int | str, ...], rating_columns: list[str]) -> str | None:
    """The column a pydantic error location comes from: the location names the field, and every
    field comes from the column of the same key (ratings: by position)."""
    match loc:
        case ("record", "ratings" | "collective_rating", int(position), *_):
            return rating_columns[position]
        case ("record", "flags" | "collective", str(key), *_) | ("record", str(key), *_) | (str(key), *_):
            return BY_KEY[key].header_vi if key in BY_KEY else None
    return None
