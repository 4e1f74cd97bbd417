"""Idempotent consumers: a processed-event record per (consumer, source, id), written in the same
transaction as the effects of handling the event, so a redelivered event changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel

from contracts.envelope import CloudEvent


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    consumer: str = Field(primary_key=True, max_length=100)
    source: str = Field(primary_key=True, max_length=200)
    event_id: str = Field(primary_key=True, max_length=200)
    processed_at: datetime


def first_delivery(session: Session, consumer: str, event: CloudEvent, now: datetime) -> bool:
    """Record ``event`` as processed by ``consumer`` at ``now``; False when it already was."""
    if session.get(ProcessedEvent, (consumer, event.source, event.id)) is not None:
        return False
    session.add(ProcessedEvent(consumer=consumer, source=event.source, event_id=event.id, processed_at=now))
    session.flush()
    return True
