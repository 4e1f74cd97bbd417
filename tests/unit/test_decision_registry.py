"""The decisions registry on its own SQLite database (the service's migrations): what the issued
event says about money (issue 18). Documents are stand-in bytes: rendering and signing are
tested in tests/unit/test_decision_render.py and test_decision_signing.py."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from contracts.events import (
    DecisionIssued,
    DossierApproved,
    DossierApprovedData,
    EntrySummary,
    NomineeKind,
    RewardMultiple,
)
from servicekit import migrations
from servicekit.db import make_engine
from servicekit.outbox import OutboxRecord
from services.decisions import service
from services.decisions.domain import BatchPeriod, BatchRule
from services.decisions.models import Decision, DocumentKind

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
ISSUER = "AH"
T = TypeVar("T")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'decisions.db'}"
    migrations.upgrade(Path("services") / "decisions" / "migrations", url)
    return make_engine(url)


def write(engine: Engine, work: Callable[[Session], T]) -> T:
    with Session(engine, expire_on_commit=False) as session:
        result = work(session)
        session.commit()
        return result


def approval(dossier_id: str, kinds: list[NomineeKind], multiple: RewardMultiple | None) -> DossierApproved:
    names = ("Nguyễn Thị Minh Khai", "Lê Văn Tám", "Tổ Toán - Tin", "Võ Thị Sáu")
    data = DossierApprovedData(
        dossier_id=dossier_id,
        version=1,
        award_code="BKCT_TINH",
        submitting_organisation="AH-DS-TT-THCS",
        deciding_organisation=ISSUER,
        issuer_code="UBND",
        entries=[
            EntrySummary(entry_id=f"{dossier_id}-{index}", nominee_name=names[index], nominee_kind=kind)
            for index, kind in enumerate(kinds)
        ],
        approved_at=NOW,
        reward_multiple=multiple,
    )
    return DossierApproved(source="test", subject=dossier_id, data=data)


def issue(engine: Engine, approved: DossierApproved) -> Decision:
    """Number the decision, then store its (stand-in) document and stage its events."""
    decision = write(engine, lambda s: service.record_approval(s, approved, [], {}, TODAY, NOW, "{}"))
    assert decision is not None
    document = {DocumentKind.DECISION: f"%PDF decision {decision.id}".encode()}
    write(engine, lambda s: service.store_documents(s, decision.id, document, "test", NOW))
    return reread(engine, decision)


def reread(engine: Engine, decision: Decision) -> Decision:
    stored = write(engine, lambda s: s.get(Decision, decision.id))
    assert stored is not None
    return stored


def issued_event(engine: Engine, dossier_id: str) -> DecisionIssued:
    records = write(engine, lambda s: s.exec(select(OutboxRecord)).all())
    [value] = [record.value for record in records if record.message_key == dossier_id]
    return DecisionIssued.model_validate_json(value)


BKCT = RewardMultiple(individual=None, collective=Decimal("3"), legal_basis="NĐ 152/2025 Điều 49–54")
"""Bằng khen of a province: 3 × base salary for a collective; the individual multiple UNCONFIRMED."""


@pytest.mark.parametrize(
    ("kinds", "known_sum", "complete"),
    [
        ([NomineeKind.INDIVIDUAL] * 3, 0, None),
        ([NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE], 7_020_000, None),
        ([NomineeKind.COLLECTIVE, NomineeKind.COLLECTIVE], 14_040_000, 14_040_000),
    ],
    ids=["no amount known", "some known", "all known"],
)
def test_the_issued_event_gives_a_total_only_when_every_amount_is_known(
    engine: Engine, kinds: list[NomineeKind], known_sum: int, complete: int | None
) -> None:
    decision = issue(engine, approval("hs-1", kinds, BKCT))
    reward = issued_event(engine, "hs-1").data.reward
    assert reward is not None
    assert reward.complete_total_vnd == complete, "an unknown amount is never counted as 0"
    assert reward.total_vnd == known_sum, "v1's field keeps its meaning: the sum of the known amounts"
    view = write(engine, lambda s: service.get_decision(s, decision.id))
    assert view.reward is not None and view.reward.complete_total_vnd == complete


def test_one_dossier_of_a_batched_decision_is_totalled_over_its_own_lines(engine: Engine) -> None:
    approvals = [
        approval("hs-a", [NomineeKind.COLLECTIVE], BKCT),
        approval("hs-b", [NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE], BKCT),
    ]
    rule = [BatchRule(award_code="BKCT_TINH", period=BatchPeriod.MONTH)]
    for approved in approvals:
        write(
            engine,
            functools.partial(
                service.record_approval,
                approved=approved,
                rules=rule,
                signers={},
                today=TODAY,
                now=NOW,
                trace_carrier="{}",
            ),
        )
    [decision] = write(engine, lambda s: service.close_batches(s, {}, TODAY, NOW, due_only=False))
    write(
        engine,
        lambda s: service.store_documents(s, decision.id, {DocumentKind.DECISION: b"%PDF b"}, "t", NOW),
    )
    own_a, own_b = (issued_event(engine, d).data.reward for d in ("hs-a", "hs-b"))
    assert own_a is not None and own_b is not None
    assert (own_a.complete_total_vnd, own_b.complete_total_vnd) == (7_020_000, None)
