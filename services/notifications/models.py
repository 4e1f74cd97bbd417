"""Notifications' tables and HTTP views."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contracts.envelope import utc_now


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("cause_source", "cause_event_id", "recipient", "channel"),)

    id: str = Field(primary_key=True, max_length=64)
    dossier_id: str = Field(index=True, max_length=64)
    recipient: str = Field(index=True, max_length=200)
    channel: str = Field(default="in_app", max_length=20)
    cause_source: str = Field(max_length=200)
    cause_event_id: str = Field(max_length=200)
    subject: str = Field(max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)


class NotificationView(BaseModel):
    notification_id: str
    dossier_id: str
    recipient: str
    channel: str
    subject: str
    body: str
    created_at: datetime
