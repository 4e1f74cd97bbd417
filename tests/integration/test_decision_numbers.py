"""Decision numbers stay gapless and unique when decision-service instances race (issue 5 §2),
on the real PostgreSQL: several engines — as separate instances would have — issue decisions for
one issuer at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from contracts.events import DossierApproved, DossierApprovedData, EntrySummary
from deploy import infra
from servicekit import migrations
from servicekit.db import make_engine, run_in_session
from services.decisions.domain import BatchPeriod, BatchRule
from services.decisions.issuing import close_batches, record_approval
from services.decisions.models import Decision, DecisionEntry

INSTANCES = 3
DECISIONS = 60
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _issued(decision: Decision | None) -> Decision:
    assert decision is not None, "without a batch rule an approval is decided at once"
    return decision


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
            approved_at=NOW,
        ),
    )


async def test_racing_instances_number_gaplessly_per_issuing_organisation(database: str) -> None:
    engines: list[Engine] = [make_engine(database) for _ in range(INSTANCES)]
    today = NOW.date()
    try:

        def issue(n: int) -> Callable[[Session], Decision]:
            approved = _approved("AH-DS-TT" if n % 2 else "AH-TL-HB")
            return lambda session: _issued(record_approval(session, approved, [], {}, today, NOW, "{}"))

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


async def test_racing_instances_close_each_batch_once(database: str) -> None:
    """Approvals gathered for a monthly decision: three instances closing the batches at once give
    one decision per issuer holding every approval, each approval in exactly one decision."""
    engines: list[Engine] = [make_engine(database) for _ in range(INSTANCES)]
    rules = [BatchRule(award_code="CSTDCS", period=BatchPeriod.MONTH)]
    today = NOW.date()
    approvals = [_approved("AH-DS-TT" if n % 2 else "AH-TL-HB") for n in range(20)]
    try:
        for approved in approvals:

            def hold(session: Session, approved: DossierApproved = approved) -> Decision | None:
                return record_approval(session, approved, rules, {}, today, NOW, "{}")

            assert await run_in_session(engines[0], hold) is None, "a batched approval waits for its period"
        closing = [
            run_in_session(engine, lambda session: close_batches(session, {}, today, NOW, due_only=False))
            for engine in engines
        ]
        results = await asyncio.gather(*closing)
        with Session(engines[0]) as session:
            decisions = session.exec(select(Decision)).all()
            lines = session.exec(select(DecisionEntry)).all()
    finally:
        for engine in engines:
            engine.dispose()
    assert sum(len(result) for result in results) == 2
    assert sorted((d.deciding_organisation, d.sequence) for d in decisions) == [
        ("AH-DS-TT", 1),
        ("AH-TL-HB", 1),
    ]
    assert sorted(line.dossier_id for line in lines) == sorted(a.data.dossier_id for a in approvals)
    for decision in decisions:
        numbers = sorted(line.line_number for line in lines if line.decision_id == decision.id)
        assert numbers == list(range(1, 11)), "sổ vàng lines run 1..n within each decision"
