"""Intake in process (``tests/service/harness.py``): the service started per test on its own SQLite
file, a second integrator registered beside the demo one, and helpers to submit."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from contracts.events import (
    DossierApproved,
    DossierApprovedData,
    DossierClosedData,
    DossierRejected,
    DossierReturned,
    DossierWithdrawn,
    EntrySummary,
    ReviewLevel,
    ReviewTaskOpened,
    ReviewTaskOpenedData,
    StruckEntry,
)
from servicekit.clock import ManualClock
from services.intake import app as intake
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tools.demo import demo_dossier

OTHER_CLIENT = "other-integrator"
OTHER_ORGANISATIONS = ("BNV", "NO-SUCH-ORG", "AH-DS", "AH-TL-HB-TYT")
"""A ministry, a code in no registry, a district abolished on 01/07/2025, a health station."""
YEAR = 2026
"""The proposal year of the demo dossier at the tests' clock (``START``, March 2026)."""
MEMORY = Path("/dev/shm")
REVIEW_SOURCE = "/tdkt/review-workflow"
Closed = TypeVar("Closed", DossierRejected, DossierReturned, DossierWithdrawn)

Start = Callable[..., AbstractAsyncContextManager[InProcess]]


@pytest.fixture
def intake_env(stack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The shared environment with a second registered client, and the database in memory where
    the machine has a tmpfs (SQLite's DDL and commits on disk are most of a start-up)."""
    clients_file = Path(stack_env["TDKT_INTAKE_CLIENTS_FILE"])
    clients = json.loads(clients_file.read_text())
    clients.append(
        {
            "client_id": OTHER_CLIENT,
            "name": "Hệ thống khác",
            "organisations": list(OTHER_ORGANISATIONS),
        }
    )
    clients_file.write_text(json.dumps(clients))
    data = Path(tempfile.mkdtemp(prefix="intake-", dir=MEMORY if MEMORY.is_dir() else None))
    monkeypatch.setenv("TDKT_DATA_DIR", str(data))
    yield {**stack_env, "TDKT_DATA_DIR": str(data)}
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def start(intake_env: dict[str, str], clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> Start:
    """``async with start(TDKT_INTAKE_…="…") as service``: intake built with these settings too."""

    @contextlib.asynccontextmanager
    async def started(**settings: str) -> AsyncIterator[InProcess]:
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        async with InProcess(*intake.build(clock), clock) as running:
            yield running

    return started


@pytest.fixture
async def service(start: Start) -> AsyncIterator[InProcess]:
    async with start() as running:
        yield running


def dossier(**changes: Any) -> dict[str, Any]:
    """The demo's dossier (one eligible teacher of AH-DS-TT-THCS, BKTTG) with ``changes``."""
    return {**demo_dossier(YEAR), **changes}


def ineligible_entry(name: str = "Lê Văn Chưa Đủ") -> dict[str, Any]:
    return {"kind": "individual", "full_name": name, "record": {}}


async def submitted(
    service: InProcess, tokens: Tokens, body: dict[str, Any] | None = None, client: str | None = None
) -> dict[str, Any]:
    """A dossier accepted over HTTP (201), as intake answers it."""
    headers = tokens.client(client) if client else tokens.client()
    response = await service.http.post("/v1/dossiers", json=body or dossier(), headers=headers)
    assert response.status_code == 201, response.text
    view: dict[str, Any] = response.json()
    return view


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The problem+json body of a refusal, after checking its status, code and both messages."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["code"] == code, problem
    assert problem["type"] == f"urn:tdkt:problem:{code}"
    assert problem["message_vi"] and problem["message_en"], problem
    return problem


# --- what the other services publish about a dossier ----------------------------------------------


def opened(view: dict[str, Any], at: datetime, level: str = "unit") -> ReviewTaskOpened:
    """The review of ``view``'s dossier opened at ``level``, as the workflow announces it."""
    step = next(step for step in view["review_chain"] if step["level"] == level)
    return ReviewTaskOpened(
        source=REVIEW_SOURCE,
        subject=view["dossier_id"],
        time=at,
        data=ReviewTaskOpenedData(
            task_id=f"{view['dossier_id']}-{level}",
            dossier_id=view["dossier_id"],
            workflow_id=f"review-{view['dossier_id']}",
            level=ReviewLevel(level),
            level_index=[s["level"] for s in view["review_chain"]].index(level),
            levels_total=len(view["review_chain"]),
            organisation=step["organisation"],
            award_code=view["award_code"],
            submitting_organisation=view["submitting_organisation"],
            opened_at=at,
        ),
    )


def approved(view: dict[str, Any], at: datetime, struck: tuple[StruckEntry, ...] = ()) -> DossierApproved:
    entries = [
        EntrySummary(entry_id=entry["entry_id"], nominee_name=entry["full_name"], nominee_kind=entry["kind"])
        for entry in view["entries"]
    ]
    return DossierApproved(
        source=REVIEW_SOURCE,
        subject=view["dossier_id"],
        time=at,
        data=DossierApprovedData(
            dossier_id=view["dossier_id"],
            version=view["version"],
            award_code=view["award_code"],
            submitting_organisation=view["submitting_organisation"],
            deciding_organisation="TTG",
            issuer_code="TTg",
            entries=entries,
            approved_at=at,
            struck_entries=list(struck),
        ),
    )


def closed(
    kind: type[Closed], view: dict[str, Any], at: datetime, reason: str = "Thiếu minh chứng"
) -> Closed:
    return kind(
        source=REVIEW_SOURCE,
        subject=view["dossier_id"],
        time=at,
        data=DossierClosedData(
            dossier_id=view["dossier_id"],
            submitting_organisation=view["submitting_organisation"],
            level=ReviewLevel.UNIT,
            actor="lanh-dao.truong",
            reason=reason,
            at=at,
        ),
    )
