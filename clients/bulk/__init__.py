"""Bulk intake with Excel: a dossier's nominees imported from the list units already keep (danh sách
đề nghị khen thưởng), and a dossier's entries and eligibility results exported for the reviewers.

Usage::

    python -m clients.bulk template -o danh-sach.xlsx
    python -m clients.bulk import danh-sach.xlsx --organisation AH-DS-TT-THCS --award BKTTG \\
        [--proposal-year 2026] [--external-reference REF] [--idempotency-key KEY] [--dry-run] \\
        [--credentials FILE]
    python -m clients.bulk export DOSSIER_ID -o ket-qua.xlsx [--credentials FILE]

``import`` exits 2 when a row cannot be read (nothing is submitted), 1 when intake refuses the
dossier, 0 otherwise. Intake's address comes from ``TDKT_INTAKE_URL`` or the running stack's port,
the client credentials from ``--credentials`` or ``TDKT_DEMO_CLIENT_FILE`` (the environment, then
the stack's record: ``clients.intake``).

A client of intake's HTTP API, with ``contracts`` as its only vocabulary (the dossier it sends,
``contracts.dossiers``; the view it reads, ``contracts.views``): ``layout`` (the sheet's columns
and words), ``reading`` (a sheet to entries, or errors by row and column), ``template`` (entries
to a sheet; the template), ``results`` (a dossier's results to a workbook), ``api`` (the calls to
intake), ``cli`` (the command line).

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
Thư điện tử (E-mail)                           email                        optional; where the
                                                                            certificate is sent
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

from clients.bulk.cli import main
from clients.bulk.layout import COLUMNS, CRITERIA_SHEET, GUIDE_SHEET, LIST_SHEET
from clients.bulk.reading import RowError, SheetResult, read_sheet
from clients.bulk.results import write_dossier
from clients.bulk.template import example_entry, write_sheet, write_template

__all__ = [
    "COLUMNS",
    "CRITERIA_SHEET",
    "GUIDE_SHEET",
    "LIST_SHEET",
    "RowError",
    "SheetResult",
    "example_entry",
    "main",
    "read_sheet",
    "write_dossier",
    "write_sheet",
    "write_template",
]
