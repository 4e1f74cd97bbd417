"""Writing an import sheet: the template with its example row and guide, or any entries in the
layout ``reading.read_sheet`` reads back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from clients.bulk.layout import (
    BY_KEY,
    COLUMNS,
    FLAG_KEYS,
    FLAGS,
    GUIDE_SHEET,
    INITIATIVE_KIND_WORDS,
    KINDS,
    LEADING_COLUMNS,
    LIST_SHEET,
    RATING_ABBREVIATIONS,
    RATING_HEADER,
    RATINGS,
    SCOPE_WORDS,
)
from contracts.dossiers import MAX_ENTRIES_PER_DOSSIER, NomineeSubmission
from contracts.events import NomineeKind
from contracts.nominee import (
    AwardRecord,
    CommendationType,
    NomineeRecord,
    YearRating,
)
from contracts.samples import eligible_record

CellValue = str | int | float | None
"""What the tool writes into a cell."""

BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
TITLE = Font(bold=True, size=14)
_LIST_TITLE = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG / NOMINATION LIST"
_LIST_HINT = f"Mỗi dòng một trường hợp; xem trang '{GUIDE_SHEET}'. / One nominee per row; see the '{GUIDE_SHEET}' sheet."
_LIST_HEADER_ROW = 3


def example_entry(proposal_year: int) -> NomineeSubmission:
    """The template's example row: the demo's teacher who meets Bằng khen của Thủ tướng, with the
    e-mail address her certificate is sent to."""
    return NomineeSubmission(
        kind=NomineeKind.INDIVIDUAL,
        full_name="Nguyễn Thị Minh Khai",
        position_title="Giáo viên Trường Trung học cơ sở Tân Tiến",
        email="minhkhai@example.vn",
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
    keys = [
        *[c.key for c in COLUMNS[:LEADING_COLUMNS]],
        *[f"rating {y}" for y in years],
        *[c.key for c in COLUMNS[LEADING_COLUMNS:]],
    ]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = LIST_SHEET
    sheet.cell(1, 1, _LIST_TITLE).font = TITLE
    sheet.cell(2, 1, _LIST_HINT).font = Font(italic=True)
    for index, key in enumerate(keys, start=1):
        vi, en, width = _header_of(key)
        cell = sheet.cell(_LIST_HEADER_ROW, index, f"{vi}\n({en})")
        cell.font, cell.fill, cell.alignment = BOLD, _HEADER_FILL, _WRAP
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
        return RATING_HEADER.format(year=year), f"Rating {year}", 12
    column = BY_KEY[key]
    return column.header_vi, column.header_en, column.width


def _add_choices(sheet: Worksheet, keys: list[str]) -> None:
    """Drop-down lists for the coded columns; other spellings stay allowed (no error alert),
    since the reader accepts the words in full too."""
    choices = {"kind": KINDS.hint, **dict.fromkeys(FLAG_KEYS, FLAGS.hint)}
    last_row = _LIST_HEADER_ROW + MAX_ENTRIES_PER_DOSSIER
    for index, key in enumerate(keys, start=1):
        hint = RATINGS.hint if key.startswith("rating ") else choices.get(key)
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


def _entry_cells(position: int, entry: NomineeSubmission) -> dict[str, CellValue]:
    record = entry.record
    cells: dict[str, CellValue] = {
        "stt": position,
        "full_name": entry.full_name,
        "kind": "Tập thể" if entry.kind is NomineeKind.COLLECTIVE else "Cá nhân",
        "position_title": entry.position_title,
        "email": entry.email,
        "achievement_summary": entry.achievement_summary or None,
        "awards": "; ".join(_award_text(award) for award in record.awards) or None,
        "initiatives": "; ".join(
            f"{item.year} {SCOPE_WORDS[item.scope]}"
            + (f" {INITIATIVE_KIND_WORDS[item.kind]}" if item.kind in INITIATIVE_KIND_WORDS else "")
            + f": {_plain(item.title)}"
            for item in record.initiatives
        )
        or None,
        "discipline": "; ".join(f"{item.year} {item.level.value}" for item in record.discipline) or None,
    }
    for rating in _own_ratings(entry):
        cells[f"rating {rating.year}"] = RATING_ABBREVIATIONS[rating.rating]
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
        *((c.header_vi, c.header_en, c.help_vi, c.help_en) for c in COLUMNS[:LEADING_COLUMNS]),
        ratings,
        *((c.header_vi, c.header_en, c.help_vi, c.help_en) for c in COLUMNS[LEADING_COLUMNS:]),
    ]
    write_table(
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


def write_table(
    sheet: Worksheet, header_row: int, headers: list[tuple[str, float]], rows: Iterable[Sequence[CellValue]]
) -> None:
    """A table with bold headers frozen above its rows."""
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(header_row, index, header)
        cell.font, cell.fill, cell.alignment = BOLD, _HEADER_FILL, _WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    for offset, values in enumerate(rows, start=header_row + 1):
        for index, value in enumerate(values, start=1):
            sheet.cell(offset, index, value).alignment = _WRAP
    sheet.freeze_panes = f"A{header_row + 1}"
