"""The Excel command line against the real stack: a sheet imported as a dossier, the dossier
exported back to Excel, and a sheet with a bad row refused before anything is submitted."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from clients import bulk
from contracts.dossiers import NomineeSubmission
from contracts.events import NomineeKind
from contracts.nominee import NomineeRecord
from contracts.samples import eligible_record
from tests.integration.conftest import Pipeline
from tools.demo import DEMO_ORGANISATION

YEAR = date.today().year


@pytest.fixture
def cli(pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CLI's connection options for this stack: intake's URL in the environment (as
    ``clients.intake.intake_url`` reads it) and the integrator's credentials in a file."""
    monkeypatch.setenv("TDKT_INTAKE_URL", pipeline.endpoints.intake)
    credentials = tmp_path / "client.json"
    pipeline.credentials.save(credentials)  # its id, its secret at the identity provider, the issuer
    return ["--credentials", str(credentials)]


async def _run(argv: list[str]) -> int:
    """``main`` in this process; on a thread, since it runs its own event loop."""
    return await asyncio.to_thread(bulk.main, argv)


async def _dossiers(pipeline: Pipeline, external_reference: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{pipeline.endpoints.intake}/v1/dossiers",
            params={"external_reference": external_reference},
            headers=await pipeline.integrator_headers(),
        )
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_sheet_is_imported_as_a_dossier_and_exported_back(
    pipeline: Pipeline, cli: list[str], tmp_path: Path
) -> None:
    reference = f"BULK-{uuid.uuid4().hex[:8]}"
    entries = [
        NomineeSubmission(
            full_name="Nguyễn Thị Minh Khai",
            position_title="Giáo viên",
            record=NomineeRecord.model_validate(eligible_record(YEAR)),
        ),
        NomineeSubmission(full_name="Lê Văn Chưa Đủ"),
        NomineeSubmission(kind=NomineeKind.COLLECTIVE, full_name="Tổ Toán – Tin"),
    ]
    bulk.write_sheet(tmp_path / "list.xlsx", entries)

    code = await _run(
        [
            "import",
            str(tmp_path / "list.xlsx"),
            "--organisation",
            DEMO_ORGANISATION,
            "--award",
            "BKTTG",
            "--proposal-year",
            str(YEAR),
            "--external-reference",
            reference,
            *cli,
        ]
    )

    assert code == 0
    [summary] = await _dossiers(pipeline, reference)
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{pipeline.endpoints.intake}/v1/dossiers/{summary['dossier_id']}",
            headers=await pipeline.integrator_headers(),
        )
    view = response.json()
    assert [(e["full_name"], e["eligibility"]["outcome"]) for e in view["entries"]] == [
        ("Nguyễn Thị Minh Khai", "eligible"),
        ("Lê Văn Chưa Đủ", "ineligible"),
        ("Tổ Toán – Tin", "manual_review"),
    ]

    out = tmp_path / "export.xlsx"
    assert await _run(["export", summary["dossier_id"], "-o", str(out), *cli]) == 0

    workbook = load_workbook(out)
    rows = list(workbook[bulk.LIST_SHEET].iter_rows(values_only=True))
    assert rows[1][:2] == ("Mã hồ sơ / Dossier", summary["dossier_id"])
    start = next(i for i, row in enumerate(rows) if row[0] == "STT") + 1
    assert [row[:5] for row in rows[start:]] == [
        (1, "Nguyễn Thị Minh Khai", "Cá nhân", "Đủ điều kiện", "Eligible"),
        (2, "Lê Văn Chưa Đủ", "Cá nhân", "Không đủ điều kiện", "Ineligible"),
        (3, "Tổ Toán – Tin", "Tập thể", "Cần xem xét", "Manual review"),
    ]
    criteria = list(workbook[bulk.CRITERIA_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(criteria) == sum(len(e["eligibility"]["criteria"]) for e in view["entries"])
    assert await _run(["export", "no-such-dossier", "-o", str(tmp_path / "none.xlsx"), *cli]) == 1
    assert not (tmp_path / "none.xlsx").exists()


async def test_a_sheet_with_a_bad_row_submits_nothing(
    pipeline: Pipeline, cli: list[str], tmp_path: Path
) -> None:
    reference = f"BULK-BAD-{uuid.uuid4().hex[:8]}"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Họ và tên / Tên tập thể", "Xếp loại 2024", "Danh hiệu, hình thức đã đạt"])
    sheet.append(["Nguyễn Thị Minh Khai", "HTTNV", "CSTDCS 2024"])
    sheet.append(["Trần Văn Sai", "HTTNV", "CSTDCS năm ngoái"])
    workbook.save(tmp_path / "bad.xlsx")
    assert await _dossiers(pipeline, reference) == []

    code = await _run(
        [
            "import",
            str(tmp_path / "bad.xlsx"),
            "--organisation",
            DEMO_ORGANISATION,
            "--award",
            "BKTTG",
            "--external-reference",
            reference,
            *cli,
        ]
    )

    assert code == 2
    assert await _dossiers(pipeline, reference) == []


async def test_a_refused_dossier_reports_intakes_problem(
    pipeline: Pipeline, cli: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bulk.write_sheet(tmp_path / "list.xlsx", [NomineeSubmission(full_name="Lê Văn Chưa Đủ")])

    code = await _run(
        ["import", str(tmp_path / "list.xlsx"), "--organisation", DEMO_ORGANISATION, "--award", "BKTTG", *cli]
    )

    assert code == 1
    err = capsys.readouterr().err
    assert "all-entries-ineligible" in err
    assert "Không có trường hợp nào" in err and "No entry of the dossier is eligible" in err
    assert "row 4: Lê Văn Chưa Đủ" in err  # named by its Excel row
