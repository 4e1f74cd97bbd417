"""The export of a dossier's results, from its view (``GET /v1/dossiers/{id}``): a sheet of entries
with their outcome and one of every criterion with its facts and legal basis."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from clients.bulk.layout import (
    CRITERIA_SHEET,
    LIST_SHEET,
)
from clients.bulk.template import (
    BOLD,
    TITLE,
    write_table,
)
from contracts.events import NomineeKind
from contracts.views import DossierView

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
    "withdrawn": "Đã rút",
}
_KIND_VI = {NomineeKind.INDIVIDUAL: "Cá nhân", NomineeKind.COLLECTIVE: "Tập thể"}


def outcome_labels(code: str) -> tuple[str, str]:
    return _OUTCOMES.get(code, (code, code))


def write_dossier(view: DossierView | Mapping[str, Any], path: Path | str) -> None:
    """A dossier as ``GET /v1/dossiers/{id}`` returns it: the entries with their outcome, then
    every criterion of every entry."""
    dossier = view if isinstance(view, DossierView) else DossierView.model_validate(view)
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # a new workbook always has its first sheet
    summary.title = LIST_SHEET
    summary.cell(1, 1, "KẾT QUẢ XÉT ĐIỀU KIỆN KHEN THƯỞNG / ELIGIBILITY RESULTS").font = TITLE
    block = [
        ("Mã hồ sơ / Dossier", dossier.dossier_id),
        ("Hình thức / Award", award_label(dossier)),
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
        summary.cell(offset, 1, label).font = BOLD
        summary.cell(offset, 2, value)
    write_table(
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
                *outcome_labels(entry.eligibility.outcome),
                criteria_codes(entry.eligibility.criteria, "failed"),
                criteria_codes(entry.eligibility.criteria, "manual_review"),
                entry.entry_id,
            )
            for entry in dossier.entries
        ),
    )
    write_table(
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
                *outcome_labels(criterion.outcome),
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


def criteria_codes(criteria: Iterable[Any], outcome: str) -> str | None:
    return ", ".join(c.code for c in criteria if c.outcome == outcome) or None


def award_label(dossier: DossierView) -> str:
    """ "BKTTG — Bằng khen của Thủ tướng Chính phủ": the code and the name intake gives (the code
    alone from an intake that names no award)."""
    return f"{dossier.award_code} — {dossier.award_name_vi}" if dossier.award_name_vi else dossier.award_code
