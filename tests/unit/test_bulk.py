"""The Excel import and export of dossiers: the sheet round trip, an error for every kind of bad
cell with its row and column, and the export's two sheets. Pure: no HTTP (the CLI cases stop
before submitting)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from openpyxl import Workbook, load_workbook

from clients import bulk
from clients.bulk import read_sheet, write_dossier, write_sheet, write_template
from contracts.dossiers import DossierSubmission, NomineeSubmission
from contracts.events import NomineeKind
from contracts.nominee import (
    AwardRecord,
    CollectiveStats,
    CommendationType,
    DisciplineLevel,
    DisciplineRecord,
    Initiative,
    InitiativeKind,
    InitiativeScope,
    NomineeRecord,
    PerformanceRating,
    StatusFlags,
    YearRating,
)
from contracts.samples import eligible_record
from contracts.views import DossierStatus, DossierView, EntryView
from servicekit.clock import ManualClock
from services.intake.clients import RegisteredClient
from services.intake.domain.catalogue import default_catalogue
from services.intake.domain.organisations import default_registry
from services.intake.queries import award_name
from services.intake.validation import DossierValidator
from tools.demo import DEMO_ORGANISATION

T = TypeVar("T")
NAME = "Họ và tên / Tên tập thể"
AWARDS = "Danh hiệu, hình thức đã đạt"


def _every_column_kind() -> list[NomineeSubmission]:
    """An individual using every record field, a collective with ratings in a year the first has
    none, and a name-only row."""
    teacher = NomineeSubmission(
        kind=NomineeKind.INDIVIDUAL,
        full_name="Nguyễn Thị Minh Khai",
        position_title="Giáo viên Trường THCS Tân Tiến",
        email="minhkhai@example.vn",
        achievement_summary="Ba năm liền dẫn đầu tổ.\nHai sáng kiến cấp cơ sở.",
        record=NomineeRecord(
            ratings=[
                YearRating(year=2020, rating=PerformanceRating.EXCELLENT),
                YearRating(year=2021, rating=PerformanceRating.GOOD),
                YearRating(year=2022, rating=PerformanceRating.COMPLETED),
                YearRating(year=2023, rating=PerformanceRating.NOT_COMPLETED),
            ],
            awards=[
                AwardRecord(award_code="CSTDCS", year=2021, commendation_type=CommendationType.MERIT),
                AwardRecord(
                    award_code="BANG_KHEN_TINH",
                    year=2019,
                    commendation_type=CommendationType.AD_HOC,
                    decision_number="45/QĐ-UBND",
                ),
                AwardRecord(
                    award_code="GIAY_KHEN",
                    year=2020,
                    commendation_type=CommendationType.CAMPAIGN,
                    revoked=True,
                ),
            ],
            initiatives=[
                Initiative(
                    year=2021,
                    scope=InitiativeScope.GRASSROOTS,
                    kind=InitiativeKind.INITIATIVE,
                    title="Sổ tay: ôn tập",
                ),
                Initiative(
                    year=2022,
                    scope=InitiativeScope.MINISTRY_PROVINCE,
                    kind=InitiativeKind.RESEARCH,
                    title="Dạy học theo dự án",
                ),
                Initiative(
                    year=2023,
                    scope=InitiativeScope.NATIONAL,
                    kind=InitiativeKind.WARTIME_INGENUITY,
                    title="Cầu phao",
                ),
            ],
            flags=StatusFlags(
                under_disciplinary_review=True,
                under_investigation=True,
                under_inspection=True,
                complaint_pending=True,
                press_verification=True,
            ),
            discipline=[
                DisciplineRecord(year=2018, level=DisciplineLevel.REPRIMAND),
                DisciplineRecord(year=2019, level=DisciplineLevel.DISMISSAL),
            ],
        ),
    )
    team = NomineeSubmission(
        kind=NomineeKind.COLLECTIVE,
        full_name="Tổ Toán – Tin",
        record=NomineeRecord(
            collective_rating=[
                YearRating(year=2022, rating=PerformanceRating.EXCELLENT),
                YearRating(year=2024, rating=PerformanceRating.GOOD),
            ],
            awards=[AwardRecord(award_code="TTLDXS", year=2022, commendation_type=CommendationType.MERIT)],
            collective=CollectiveStats(
                members_total=12,
                members_lao_dong_tien_tien=11,
                members_completed_tasks=12,
                members_cstdcs=3,
                members_disciplined_warning_or_above=0,
                women_share=0.45,
            ),
        ),
    )
    return [teacher, team, NomineeSubmission(full_name="Lê Văn Tám")]


def _raw_sheet(path: Path, rows: Iterable[Iterable[object]]) -> Path:
    """A sheet as a unit might type it, written without this module's writer."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_a_written_sheet_reads_back_as_the_same_entries(tmp_path: Path) -> None:
    entries = _every_column_kind()
    write_sheet(tmp_path / "list.xlsx", entries)

    result = read_sheet(tmp_path / "list.xlsx")

    assert result.errors == []
    assert result.entries == entries
    assert result.rows == [4, 5, 6]  # below the title, the hint and the header row
    assert [entry.email for entry in result.entries] == ["minhkhai@example.vn", None, None]


def test_the_nominees_e_mail_is_read_under_any_of_its_headers_and_a_bad_one_is_named(tmp_path: Path) -> None:
    for header in ("Thư điện tử", "E-mail (thư điện tử)", "email", "Địa chỉ email"):
        path = _raw_sheet(tmp_path / "email.xlsx", [[NAME, header], ["Trần Văn An", " an.tv@example.vn "]])
        result = read_sheet(path)
        assert result.errors == [], header
        assert [entry.email for entry in result.entries] == ["an.tv@example.vn"], header
    path = _raw_sheet(tmp_path / "bad-email.xlsx", [[NAME, "Thư điện tử"], ["Trần Văn An", "an.tv@"]])
    [error] = read_sheet(path).errors
    assert (error.row, error.column) == (2, "Thư điện tử")
    assert "'an.tv@' is not a valid e-mail address" in error.message_en
    assert "thư điện tử" in error.message_vi


def test_the_template_holds_an_importable_example_and_a_guide_to_every_column(tmp_path: Path) -> None:
    write_template(tmp_path / "template.xlsx", 2026)

    result = read_sheet(tmp_path / "template.xlsx")
    assert result.errors == []
    assert result.entries == [bulk.example_entry(2026)]
    assert result.entries[0].email == "minhkhai@example.vn"  # the example shows where certificates go
    workbook = load_workbook(tmp_path / "template.xlsx")
    headers = next(workbook[bulk.LIST_SHEET].iter_rows(min_row=3, max_row=3, values_only=True))
    assert "Thư điện tử\n(E-mail)" in headers
    assert workbook.sheetnames == [bulk.LIST_SHEET, bulk.GUIDE_SHEET]
    guide = [row[0] for row in workbook[bulk.GUIDE_SHEET].iter_rows(values_only=True)]
    assert {column.header_vi for column in bulk.COLUMNS} | {"Xếp loại <năm>"} <= set(guide)
    assert workbook[bulk.LIST_SHEET].freeze_panes == "C4"


def test_headers_and_vocabulary_are_read_whatever_the_case_diacritics_or_language(tmp_path: Path) -> None:
    path = _raw_sheet(
        tmp_path / "loose.xlsx",
        [
            ["DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM 2024"],
            [],
            [
                "stt",
                "FULL NAME",
                "Kind",
                "Chuc vu, don vi (Position)",
                "Xep loai nam 2022",
                "Rating 2023",
                "danh hieu, hinh thuc da dat",
                "Sáng kiến",
                "Ky luat",
                "Dang bi dieu tra",
                "Tổng số thành viên",
                "Số LĐTT",
                "So hoan thanh nhiem vu",
                "Số CSTĐCS",
                "Members disciplined",
                "Tỷ lệ nữ",
                "Ghi chú",
            ],
            [
                1,
                "Phạm Văn Đồng",
                "cá nhân",
                "Hiệu trưởng",
                "Hoàn thành xuất sắc nhiệm vụ",
                "hoan thanh tot",
                "CSTĐCS 2022 (Đột xuất, Số 12/QĐ-UBND, Đã hủy)\ncstdcs 2023",
                "2023 Cơ sở Đề tài: Phòng học số",
                "2021 Cảnh cáo",
                "x",
                None,
                None,
                None,
                None,
                None,
                None,
                "chuyển công tác",
            ],
            [2],  # numbered in advance, nothing else: not a nominee
            [],
            [
                3,
                "Tổ Ngữ văn",
                "TẬP THỂ",
                None,
                "HTXSNV",
                None,
                None,
                None,
                None,
                "không",
                12.0,
                10,
                12,
                2,
                0,
                "45%",
            ],
            [],
            [],
        ],
    )

    result = read_sheet(path)

    assert result.errors == []
    assert result.rows == [4, 7]
    assert result.entries == [
        NomineeSubmission(
            full_name="Phạm Văn Đồng",
            position_title="Hiệu trưởng",
            record=NomineeRecord(
                ratings=[
                    YearRating(year=2022, rating=PerformanceRating.EXCELLENT),
                    YearRating(year=2023, rating=PerformanceRating.GOOD),
                ],
                awards=[
                    AwardRecord(
                        award_code="CSTDCS",
                        year=2022,
                        commendation_type=CommendationType.AD_HOC,
                        decision_number="12/QĐ-UBND",
                        revoked=True,
                    ),
                    AwardRecord(award_code="CSTDCS", year=2023, commendation_type=CommendationType.MERIT),
                ],
                initiatives=[
                    Initiative(
                        year=2023,
                        scope=InitiativeScope.GRASSROOTS,
                        kind=InitiativeKind.RESEARCH,
                        title="Phòng học số",
                    )
                ],
                discipline=[DisciplineRecord(year=2021, level=DisciplineLevel.WARNING)],
                flags=StatusFlags(under_investigation=True),
            ),
        ),
        NomineeSubmission(
            kind=NomineeKind.COLLECTIVE,
            full_name="Tổ Ngữ văn",
            record=NomineeRecord(
                collective_rating=[YearRating(year=2022, rating=PerformanceRating.EXCELLENT)],
                collective=CollectiveStats(
                    members_total=12,
                    members_lao_dong_tien_tien=10,
                    members_completed_tasks=12,
                    members_cstdcs=2,
                    members_disciplined_warning_or_above=0,
                    women_share=0.45,
                ),
            ),
        ),
    ]


COUNTS = {
    "Tổng số thành viên": 10,
    "Số LĐTT": 9,
    "Số hoàn thành nhiệm vụ": 10,
    "Số CSTĐCS": 2,
    "Số bị kỷ luật từ cảnh cáo": 0,
}
ERROR_SHEET_HEADERS = [
    "STT",
    NAME,
    "Loại",
    "Xếp loại 2022",
    AWARDS,
    "Sáng kiến",
    "Kỷ luật",
    "Đang bị điều tra",
    *COUNTS,
    "Tỷ lệ nữ",
]


@pytest.mark.parametrize(
    ("cells", "column", "message_en"),
    [
        ({NAME: None, "Loại": "Cá nhân"}, NAME, "name of the person or collective is missing"),
        ({NAME: "A" * 301}, NAME, "Longer than 300 characters"),
        ({"Loại": "Nhóm"}, "Loại", "Unknown kind 'Nhóm'"),
        ({"Xếp loại 2022": "Tốt lắm"}, "Xếp loại 2022", "Unknown rating 'Tốt lắm'"),
        ({AWARDS: "CSTDCS"}, AWARDS, "Cannot read 'CSTDCS'"),
        ({AWARDS: "CSTDCS 2022; LDTT 1900"}, AWARDS, "'1900' is not a valid year"),
        ({AWARDS: "CSTDCS 2022 (thưởng nóng)"}, AWARDS, "Unknown type of commendation 'thưởng nóng'"),
        ({AWARDS: f"{'X' * 51} 2022"}, AWARDS, "Longer than 50 characters"),
        ({"Sáng kiến": "2023 co_so"}, "Sáng kiến", "Cannot read '2023 co_so'"),
        ({"Sáng kiến": "2023 huyện: Đề án"}, "Sáng kiến", "Unknown scope 'huyen'"),
        ({"Sáng kiến": "2O23 co_so: Đề án"}, "Sáng kiến", "'2O23' is not a valid year"),
        ({"Kỷ luật": "2021 phê bình"}, "Kỷ luật", "Unknown disciplinary measure 'phê bình'"),
        ({"Đang bị điều tra": "có lẽ"}, "Đang bị điều tra", "Unknown yes/no value 'có lẽ'"),
        ({**COUNTS, "Tổng số thành viên": "mười"}, "Tổng số thành viên", "'mười' is not a whole number"),
        ({**COUNTS, "Số CSTĐCS": 11}, "Số CSTĐCS", "11 is more than the total number of members (10)"),
        ({**COUNTS, "Tổng số thành viên": None}, "Tổng số thành viên", "A value is required"),
        ({**COUNTS, "Tỷ lệ nữ": 1.5}, "Tỷ lệ nữ", "Must be at most 1"),
        ({**COUNTS, "Tỷ lệ nữ": "nhiều"}, "Tỷ lệ nữ", "'nhiều' is not a share"),
    ],
)
def test_a_bad_cell_is_an_error_on_its_row_and_column(
    tmp_path: Path, cells: Mapping[str, object], column: str, message_en: str
) -> None:
    good = {NAME: "Trần Văn An", "Xếp loại 2022": "HTTNV"}
    bad = {**good, "Loại": "Tập thể" if "Tổng số thành viên" in cells else None, **cells}
    path = _raw_sheet(
        tmp_path / "bad.xlsx",
        [
            ERROR_SHEET_HEADERS,
            *([row.get(header) for header in ERROR_SHEET_HEADERS] for row in (good, bad, good)),
        ],
    )

    result = read_sheet(path)

    assert [(error.row, error.column) for error in result.errors] == [(3, column)]
    assert message_en in result.errors[0].message_en
    assert result.errors[0].message_vi
    assert result.rows == [2, 4]  # the bad row gives no entry; the others do
    assert [entry.full_name for entry in result.entries] == ["Trần Văn An", "Trần Văn An"]


@pytest.mark.parametrize(
    ("headers", "column", "message_en"),
    [
        ([NAME, "Điểm thưởng"], "Điểm thưởng", "not part of the sheet layout"),
        ([NAME, "Loại", "Kind"], "Kind", "appears twice"),
        ([NAME, "Xếp loại 1800"], "Xếp loại 1800", "'1800' is not a valid year"),
        (["STT", "Tên đơn vị"], None, "No header row"),
    ],
)
def test_a_bad_header_refuses_the_whole_sheet(
    tmp_path: Path, headers: list[str], column: str | None, message_en: str
) -> None:
    path = _raw_sheet(tmp_path / "header.xlsx", [headers, ["Trần Văn An"]])

    result = read_sheet(path)

    assert [(error.row, error.column) for error in result.errors] == [(1, column)]
    assert message_en in result.errors[0].message_en
    assert result.entries == []


def test_the_progress_wrapper_sees_every_data_row(tmp_path: Path) -> None:
    write_sheet(tmp_path / "list.xlsx", _every_column_kind())
    seen: list[int] = []
    totals: list[int] = []

    def progress(rows: Iterable[T], total: int) -> Iterable[T]:
        totals.append(total)
        for row in rows:
            seen.append(1)
            yield row

    result = read_sheet(tmp_path / "list.xlsx", progress=progress)

    assert totals == [3]
    assert len(seen) == 3
    assert len(result.entries) == 3


def test_an_entry_the_layout_cannot_hold_is_refused_rather_than_written_wrong(tmp_path: Path) -> None:
    title_with_separator = NomineeSubmission(
        full_name="Trần Văn An",
        record=NomineeRecord(
            initiatives=[
                Initiative(
                    year=2023, scope=InitiativeScope.GRASSROOTS, kind=InitiativeKind.INITIATIVE, title="A; B"
                )
            ]
        ),
    )
    person_with_team_rating = NomineeSubmission(
        full_name="Trần Văn An",
        record=NomineeRecord(collective_rating=[YearRating(year=2023, rating=PerformanceRating.GOOD)]),
    )
    for entry in (title_with_separator, person_with_team_rating):
        with pytest.raises(ValueError):
            write_sheet(tmp_path / "refused.xlsx", [entry])


# --- the export -------------------------------------------------------------------------------


def _dossier_view() -> DossierView:
    """A dossier as intake would return it, with the eligibility the real validator gives: one
    eligible teacher, one with no record, and a collective (manual review for BKTTG)."""
    year = 2025
    submission = DossierSubmission(
        submitting_organisation=DEMO_ORGANISATION,
        award_code="BKTTG",
        external_reference="EXPORT-1",
        proposal_year=year,
        entries=[
            NomineeSubmission(
                full_name="Nguyễn Thị Minh Khai", record=NomineeRecord.model_validate(eligible_record(year))
            ),
            NomineeSubmission(full_name="Lê Văn Chưa Đủ"),
            NomineeSubmission(kind=NomineeKind.COLLECTIVE, full_name="Tổ Toán"),
        ],
    )
    client = RegisteredClient(
        client_id="test", secret_sha256="0" * 64, organisations=frozenset({DEMO_ORGANISATION})
    )
    validator = DossierValidator(default_catalogue(), default_registry())
    validated = validator.validate(submission, client, date(2025, 11, 3))
    now = datetime(2025, 11, 3, 8, 30, tzinfo=UTC)
    return DossierView(
        dossier_id="DS-2025-000042",
        version=2,
        submitting_organisation=DEMO_ORGANISATION,
        award_code="BKTTG",
        award_name_vi=award_name(default_catalogue(), validated.rule_set_id, "BKTTG"),
        external_reference="EXPORT-1",
        status=DossierStatus.IN_REVIEW,
        decision_number=None,
        submitted_at=now,
        updated_at=now,
        submission_date=validated.submission_date,
        proposal_year=validated.proposal_year,
        rule_set_id=validated.rule_set_id,
        review_chain=validated.review_chain,
        current_level=None,
        trace_id=None,
        entries=[
            EntryView(
                entry_id=f"DS-2025-000042.v2.{position}",
                position=position,
                kind=entry.nominee.kind,
                full_name=entry.nominee.full_name,
                eligibility=entry.eligibility,
            )
            for position, entry in enumerate(validated.entries, start=1)
        ],
        attachments=[],
        history=[],
    )


def _table(rows: list[tuple[Any, ...]], first_header: str) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    start = next(i for i, row in enumerate(rows) if row[0] == first_header)
    return rows[start], rows[start + 1 :]


def test_the_export_lists_entries_with_outcomes_and_every_criterion(tmp_path: Path) -> None:
    view = _dossier_view()
    write_dossier(view, tmp_path / "export.xlsx")

    workbook = load_workbook(tmp_path / "export.xlsx")
    assert workbook.sheetnames == [bulk.LIST_SHEET, bulk.CRITERIA_SHEET]
    summary = workbook[bulk.LIST_SHEET]
    cells = list(summary.iter_rows(values_only=True))
    block = {row[0]: row[1] for row in cells[1:9]}
    assert block["Mã hồ sơ / Dossier"] == "DS-2025-000042"
    assert block["Hình thức / Award"] == "BKTTG — Bằng khen của Thủ tướng Chính phủ"
    assert block["Đơn vị trình / Organisation"] == DEMO_ORGANISATION
    assert block["Trạng thái / Status"] == "Đang xét duyệt / in_review"
    assert block["Bộ quy định / Rule set"] == "ND152-2025"
    assert block["Phiên bản / Version"] == 2
    header, entries = _table(cells, "STT")
    assert summary.freeze_panes == f"A{cells.index(header) + 2}"
    assert summary.cell(cells.index(header) + 1, 1).font.b
    failed = {
        e.full_name: ", ".join(c.code for c in e.eligibility.criteria if c.outcome == "failed") or None
        for e in view.entries
    }
    assert [row[:6] for row in entries] == [
        (1, "Nguyễn Thị Minh Khai", "Cá nhân", "Đủ điều kiện", "Eligible", None),
        (2, "Lê Văn Chưa Đủ", "Cá nhân", "Không đủ điều kiện", "Ineligible", failed["Lê Văn Chưa Đủ"]),
        (3, "Tổ Toán", "Tập thể", "Cần xem xét", "Manual review", None),
    ]
    assert failed["Lê Văn Chưa Đủ"]

    criteria = workbook[bulk.CRITERIA_SHEET]
    assert criteria.freeze_panes == "A2"
    rows = list(criteria.iter_rows(min_row=2, values_only=True))
    expected = [(e, c) for e in view.entries for c in e.eligibility.criteria]
    assert len(rows) == len(expected)
    assert {c.outcome for _, c in expected} == {"passed", "failed", "manual_review"}
    labels = {
        "passed": ("Đạt", "Passed"),
        "failed": ("Không đạt", "Failed"),
        "manual_review": ("Cần xem xét", "Manual review"),
    }
    for row, (entry, criterion) in zip(rows, expected, strict=True):
        assert row[:3] == (entry.position, entry.full_name, criterion.code)
        assert json.loads(str(row[5])) == criterion.facts
        assert row[3:5] == labels[criterion.outcome]
        assert row[6:] == (criterion.legal_basis, criterion.message_vi, criterion.message_en)


def test_the_export_takes_the_json_view_as_well(tmp_path: Path) -> None:
    view = _dossier_view()
    write_dossier(view, tmp_path / "model.xlsx")
    write_dossier(view.model_dump(mode="json"), tmp_path / "json.xlsx")

    def values(path: Path) -> list[list[tuple[Any, ...]]]:
        workbook = load_workbook(path)
        return [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]

    assert values(tmp_path / "json.xlsx") == values(tmp_path / "model.xlsx")


# --- the command line, up to the point it would submit ----------------------------------------


def test_import_with_a_bad_row_prints_the_errors_and_exits_2_without_submitting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "TDKT_INTAKE_URL", "http://127.0.0.1:9"
    )  # nothing listens: a request would fail with 1
    path = _raw_sheet(tmp_path / "bad.xlsx", [[NAME, "Xếp loại 2022"], ["Trần Văn An", "Tốt lắm"]])

    code = bulk.main(["import", str(path), "--organisation", DEMO_ORGANISATION, "--award", "BKTTG"])

    assert code == 2
    err = capsys.readouterr().err
    assert "Xếp loại 2022" in err and "Unknown rating 'Tốt lắm'" in err and "Không hiểu xếp loại" in err
    assert "nothing was submitted" in err


def test_import_dry_run_reads_the_sheet_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_sheet(tmp_path / "list.xlsx", _every_column_kind())

    code = bulk.main(
        [
            "import",
            str(tmp_path / "list.xlsx"),
            "--organisation",
            DEMO_ORGANISATION,
            "--award",
            "BKTTG",
            "--dry-run",
        ]
    )

    assert code == 0
    assert "3 entries read; not submitted" in capsys.readouterr().out


def test_import_of_a_sheet_without_nominees_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_sheet(tmp_path / "empty.xlsx", [])

    code = bulk.main(["import", str(tmp_path / "empty.xlsx"), "--organisation", "X", "--award", "BKTTG"])

    assert code == 2
    assert "entries" in capsys.readouterr().err


def test_import_without_readable_credentials_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_sheet(tmp_path / "list.xlsx", _every_column_kind())

    code = bulk.main(
        [
            "import",
            str(tmp_path / "list.xlsx"),
            "--organisation",
            DEMO_ORGANISATION,
            "--award",
            "BKTTG",
            "--credentials",
            str(tmp_path / "missing.json"),
        ]
    )

    assert code == 1
    assert "cannot read the client credentials" in capsys.readouterr().err


def test_template_command_writes_an_importable_sheet(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 12, 31, 18, 0, tzinfo=UTC))  # already 2027 in Vietnam
    assert bulk.main(["template", "-o", str(tmp_path / "t.xlsx")], clock) == 0
    assert read_sheet(tmp_path / "t.xlsx") == bulk.SheetResult([bulk.example_entry(2027)], [], [4])
