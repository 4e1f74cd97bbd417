"""Decision numbers stay gapless and unique when decision-service instances race (issue 5 §2),
on the real PostgreSQL: several engines — as separate instances would have — issue decisions for
one issuer at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from contracts.events import DossierApproved, DossierApprovedData, EntrySummary
from deploy import infra
from servicekit import migrations
from servicekit.db import make_engine, run_in_session
from services.decisions.models import Decision
from services.decisions.service import issue_decision

INSTANCES = 3
DECISIONS = 60


@pytest.fixture
def database(infrastructure: None) -> Iterator[str]:
    name = f"tdkt_test_numbers_{uuid.uuid4().hex[:8]}"
    url = infra.ensure_postgres_database(name)
    migrations.upgrade(Path("services/decisions/migrations"), url)
    yield url
    infra.drop_postgres_database(name)


def _approved(issuer: str) -> DossierApproved:
    dossier_id = str(uuid.uuid4())
    return DossierApproved(
        source="/test",
        subject=dossier_id,
        data=DossierApprovedData(
            dossier_id=dossier_id,
            version=1,
            award_code="CSTDCS",
            submitting_organisation="AH-DS-TT-THCS",
            deciding_organisation=issuer,
            issuer_code="UBND",
            entries=[EntrySummary(entry_id=f"{dossier_id}.1", nominee_name="N", nominee_kind="individual")],
            approved_at=datetime.now(UTC),
        ),
    )


async def test_racing_instances_number_gaplessly_per_issuing_organisation(database: str) -> None:
    engines: list[Engine] = [make_engine(database) for _ in range(INSTANCES)]
    today = date(2026, 11, 24)
    try:

        def issue(n: int) -> Callable[[Session], Decision]:
            approved = _approved("AH-DS-TT" if n % 2 else "AH-TL-HB")
            return lambda session: issue_decision(session, approved, "/test", today)

        work = [run_in_session(engines[n % INSTANCES], issue(n)) for n in range(DECISIONS)]
        await asyncio.gather(*work)
        with Session(engines[0]) as session:
            decisions = session.exec(select(Decision)).all()
    finally:
        for engine in engines:
            engine.dispose()
    for organisation in ("AH-DS-TT", "AH-TL-HB"):
        sequences = sorted(d.sequence for d in decisions if d.deciding_organisation == organisation)
        assert sequences == list(range(1, DECISIONS // 2 + 1)), organisation
    # every commune prints "QĐ-UBND", each from its own register
    assert sorted({d.number for d in decisions if d.deciding_organisation == "AH-DS-TT"})[:2] == [
        "01/QĐ-UBND",
        "02/QĐ-UBND",
    ]
