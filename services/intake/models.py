"""Intake's tables and its HTTP views."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contracts.envelope import utc_now
from contracts.events import NomineeKind, ReviewLevel
from services.intake.lifecycle import DossierStatus


class Dossier(SQLModel, table=True):
    __tablename__ = "dossier"

    id: str = Field(primary_key=True, max_length=64)
    version: int = 1
    submitting_organisation: str = Field(index=True, max_length=50)
    award_code: str = Field(max_length=50)
    external_reference: str | None = Field(default=None, max_length=200)
    status: str = Field(default=DossierStatus.SUBMITTED, index=True, max_length=30)
    current_level: str | None = Field(default=None, max_length=30)
    decision_number: str | None = Field(default=None, max_length=100)
    trace_id: str | None = Field(default=None, max_length=32)
    submitted_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class DossierEntry(SQLModel, table=True):
    __tablename__ = "dossier_entry"

    id: str = Field(primary_key=True, max_length=80)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=64)
    position: int
    kind: str = Field(max_length=20)
    full_name: str = Field(max_length=300)
    achievement_summary: str = Field(default="", sa_column=Column(Text, nullable=False))


class DossierHistory(SQLModel, table=True):
    """Every event seen for a dossier, in the order it happened."""

    __tablename__ = "dossier_history"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=64)
    event_id: str = Field(max_length=200)
    source: str = Field(max_length=200)
    type: str = Field(max_length=100)
    occurred_at: datetime
    level: str | None = Field(default=None, max_length=30)
    actor: str | None = Field(default=None, max_length=200)
    summary: str = Field(max_length=500)


class EntryView(BaseModel):
    entry_id: str
    kind: NomineeKind
    full_name: str


class HistoryItem(BaseModel):
    event_id: str
    type: str
    occurred_at: datetime
    level: ReviewLevel | None
    actor: str | None
    summary: str


class DossierView(BaseModel):
    dossier_id: str
    version: int
    submitting_organisation: str
    award_code: str
    external_reference: str | None
    status: DossierStatus
    current_level: ReviewLevel | None
    decision_number: str | None
    trace_id: str | None
    submitted_at: datetime
    updated_at: datetime
    entries: list[EntryView]
    history: list[HistoryItem]
