"""Transactional outbox: an event is stored in the same transaction as the change it announces,
and a relay publishes it afterwards — so a committed change is never left unannounced.

The relay publishes in insertion order, at least once (a crash between publish and marking
re-publishes); consumers de-duplicate on the CloudEvent ``source`` + ``id``. The trace context
of the writing request is stored with the row, so the publish joins the same trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime, timedelta

from faststream.kafka import KafkaBroker
from sqlalchemy import Column, Text
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, delete, select

from contracts.envelope import CloudEvent
from contracts.topics import Topic
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.db import run_in_session
from servicekit.kafka import publish_record
from servicekit.settings import KitSettings
from servicekit.telemetry import continued_trace, trace_carrier

logger = logging.getLogger(__name__)

RELAY_BATCH_SIZE = 100
PRUNE_INTERVAL_SECONDS = 300.0
PRUNE_BATCH_SIZE = 1000


class OutboxRecord(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True, max_length=200)
    topic: str = Field(max_length=200)
    message_key: str = Field(max_length=200)
    value: str = Field(sa_column=Column(Text, nullable=False))
    trace_carrier: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime
    """When it was staged: the event's own ``time``, which the staging service took from its clock."""
    published_at: datetime | None = Field(default=None, index=True)


def add_to_outbox(session: Session, topic: Topic, event: CloudEvent) -> None:
    """Stage ``event`` in the caller's transaction (the topic is resolved when relayed)."""
    session.add(
        OutboxRecord(
            event_id=event.id,
            topic=topic.value,
            message_key=event.subject,
            value=event.model_dump_json(),
            trace_carrier=trace_carrier(),
            created_at=event.time,
        )
    )


class OutboxRelay:
    def __init__(
        self, engine: Engine, broker: KafkaBroker, kit: KitSettings, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._broker = broker
        self._kit = kit
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def notify(self) -> None:
        """Called after a commit that staged events: relay now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.relay_pending()

    async def _run(self) -> None:
        pruned_at = float("-inf")  # prune once at start, then every PRUNE_INTERVAL_SECONDS
        while True:
            try:
                while await self.relay_pending() == RELAY_BATCH_SIZE:
                    pass
                if time.monotonic() - pruned_at >= PRUNE_INTERVAL_SECONDS:
                    retention = timedelta(hours=self._kit.outbox_retention_hours)
                    await prune_published(self._engine, self._clock.now() - retention)
                    pruned_at = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outbox relay failed; retrying at the next poll")
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation that
            # arrives as the wake-up does, and the relay then polled on after stop() (a hang)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._kit.outbox_poll_seconds):
                    await self._wake.wait()
            self._wake.clear()

    async def relay_pending(self) -> int:
        """Publish up to one batch of unpublished events; returns how many were published."""
        records = await run_in_session(self._engine, _pending_batch)
        published: list[int] = []
        now = self._clock.now()
        try:
            for record in records:
                await self._publish(record)
                assert record.id is not None
                published.append(record.id)
        finally:
            if published:
                await run_in_session(self._engine, lambda session: _mark_published(session, published, now))
        return len(published)

    async def _publish(self, record: OutboxRecord) -> None:
        with continued_trace(record.trace_carrier):
            await publish_record(
                self._broker,
                self._kit,
                Topic(record.topic),
                record.message_key.encode(),
                record.value.encode(),
            )


def _pending_batch(session: Session) -> list[OutboxRecord]:
    statement = (
        select(OutboxRecord)
        .where(col(OutboxRecord.published_at).is_(None))
        .order_by(col(OutboxRecord.id))
        .limit(RELAY_BATCH_SIZE)
    )
    return list(session.exec(statement).all())


def _mark_published(session: Session, ids: list[int], now: datetime) -> None:
    for record in session.exec(select(OutboxRecord).where(col(OutboxRecord.id).in_(ids))).all():
        record.published_at = now
        session.add(record)


async def prune_published(engine: Engine, before: datetime) -> int:
    """Delete the events published before ``before``, a batch per transaction (the first prune
    after an upgrade may meet months of them); returns how many."""
    deleted = 0
    while batch := await run_in_session(engine, lambda session: _delete_published(session, before)):
        deleted += batch
    if deleted:
        logger.info("outbox: deleted %d events published before %s", deleted, before.isoformat())
    return deleted


def _delete_published(session: Session, before: datetime) -> int:
    batch = (
        select(OutboxRecord.id)
        .where(col(OutboxRecord.published_at) < before)
        .order_by(col(OutboxRecord.id))
        .limit(PRUNE_BATCH_SIZE)
    )
    ids = list(session.exec(batch).all())
    if ids:
        session.exec(delete(OutboxRecord).where(col(OutboxRecord.id).in_(ids)))
    return len(ids)
