"""The outbox keeps published events for its retention only; unpublished ones stay, however old.
Its relay stops when asked, even when woken at that moment."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from faststream.kafka import KafkaBroker
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from servicekit import outbox
from servicekit.db import make_engine
from servicekit.outbox import OutboxRecord, OutboxRelay, prune_published
from servicekit.settings import KitSettings
from tools.waiting import eventually

NOW = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    OutboxRecord.__table__.create(engine)  # type: ignore[attr-defined]
    yield engine
    engine.dispose()


def _record(number: int, created: datetime, published: datetime | None) -> OutboxRecord:
    return OutboxRecord(
        event_id=f"e{number}",
        topic="tdkt.intake.events",
        message_key="d1",
        value="{}",
        created_at=created,
        published_at=published,
    )


async def test_only_events_published_before_the_cut_off_are_deleted(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "PRUNE_BATCH_SIZE", 2)  # several batches
    old, recent = NOW - timedelta(days=8), NOW - timedelta(hours=1)
    with Session(engine) as session:
        session.add_all([_record(n, old, old) for n in range(5)])  # published long ago
        session.add(_record(5, old, None))  # never published: kept whatever its age
        session.add(_record(6, old, recent))  # published lately
        session.commit()

    assert await prune_published(engine, NOW - timedelta(days=7)) == 5
    assert await prune_published(engine, NOW - timedelta(days=7)) == 0
    with Session(engine) as session:
        kept = session.exec(select(OutboxRecord.event_id).order_by(col(OutboxRecord.id))).all()
    assert kept == ["e5", "e6"]


async def test_a_relay_woken_as_it_is_stopped_stops(engine: Engine) -> None:
    """Python 3.11's ``asyncio.wait_for`` returned the wake-up and swallowed the cancellation, so
    the relay polled on and a service's shutdown (an in-process test's teardown) waited for ever."""
    relay = OutboxRelay(engine, KafkaBroker(), KitSettings(outbox_poll_seconds=60))
    relay.start()
    task = relay._task
    assert task is not None
    await eventually(lambda: bool(getattr(relay._wake, "_waiters", None)), timeout=5, what="the relay waits")
    relay.notify()  # the wake-up and the cancellation arrive together
    await asyncio.wait_for(relay.stop(), timeout=5)
    assert task.done()
