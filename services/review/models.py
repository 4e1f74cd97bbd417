"""Review's task inbox (a read model kept current from workflow events) and its HTTP views."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlmodel import Field as ColumnField
from sqlmodel import SQLModel

from contracts.events import ReviewAction, ReviewLevel


class TaskState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"


class ReviewTask(SQLModel, table=True):
    __tablename__ = "review_task"

    task_id: str = ColumnField(primary_key=True, max_length=120)
    dossier_id: str = ColumnField(index=True, max_length=64)
    workflow_id: str = ColumnField(max_length=120)
    level: str = ColumnField(index=True, max_length=30)
    level_index: int
    levels_total: int
    organisation: str | None = ColumnField(default=None, index=True, max_length=50)
    award_code: str = ColumnField(max_length=50)
    submitting_organisation: str = ColumnField(max_length=50)
    state: str = ColumnField(default=TaskState.OPEN, index=True, max_length=20)
    opened_at: datetime
    completed_at: datetime | None = None
    action: str | None = ColumnField(default=None, max_length=20)
    actor: str | None = ColumnField(default=None, max_length=200)


class TaskView(BaseModel):
    task_id: str
    dossier_id: str
    level: ReviewLevel
    level_index: int
    levels_total: int
    organisation: str | None
    award_code: str
    submitting_organisation: str
    state: TaskState
    opened_at: datetime
    completed_at: datetime | None
    action: ReviewAction | None
    actor: str | None


class TaskPage(BaseModel):
    items: list[TaskView]
    total: int
    limit: int
    offset: int


class TaskActionBody(BaseModel):
    actor: str = Field(
        min_length=1, max_length=200, description="Who acts (a user id until issue 4 adds tokens)"
    )
    comment: str | None = Field(default=None, max_length=4000)
