"""Idempotent consumers: a processed-event record per (consumer, source, id), written in the same
transaction as the effects of handling the event, so a redelivered event changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel

from contracts.envelope import CloudEvent, utc_now


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    consumer: str = Field(primary_key=True, max_length=100)
    source: str = Field(primary_key=True, max_length=200)
    event_id: str = Field(primary_key=True, max_length=200)
    processed_at: datetime = Field(default_factory=utc_now)


def first_delivery(session: Session, consumer: str, event: CloudEvent) -> bool:
    """Record ``event`` as processed by ``consumer``; False when it already was."""
    if session.get(ProcessedEvent, (consumer, event.source, event.id)) is not None:
        return False
    session.add(ProcessedEvent(consumer=consumer, source=event.source, event_id=event.id))
    session.flush()
    return True
