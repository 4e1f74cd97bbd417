"""Review's task inbox (a read model kept current from workflow events) and its HTTP views."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field as ColumnField
from sqlmodel import SQLModel

from contracts.events import (
    CouncilTally,
    EntrySummary,
    ReviewAction,
    ReviewLevel,
    ReviewStepKind,
    StruckEntry,
)
from servicekit.db import MAX_PAGE_OFFSET


class TaskState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    """The dossier was withdrawn while the task was open."""


class ReviewTask(SQLModel, table=True):
    __tablename__ = "review_task"
    # The inbox's usual questions — "open tasks of my organisation, by due date or age" — answered
    # from an index even with hundreds of thousands of closed tasks beside them.
    __table_args__ = (
        Index("ix_review_task_inbox", "organisation", "state", "opened_at"),
        Index("ix_review_task_due", "state", "due_at"),
    )

    task_id: str = ColumnField(primary_key=True, max_length=120)
    dossier_id: str = ColumnField(index=True, max_length=64)
    workflow_id: str = ColumnField(max_length=120)
    level: str = ColumnField(index=True, max_length=30)
    level_index: int
    levels_total: int
    version: int = 1
    step: str | None = ColumnField(default=None, max_length=30)
    role: str | None = ColumnField(default=None, index=True, max_length=30)
    organisation: str | None = ColumnField(default=None, index=True, max_length=50)
    award_code: str = ColumnField(max_length=50)
    submitting_organisation: str = ColumnField(max_length=50)
    state: str = ColumnField(default=TaskState.OPEN, index=True, max_length=20)
    opened_at: datetime
    due_at: datetime | None = None
    """The statutory (or configured) deadline of the step, when one applies."""
    completed_at: datetime | None = None
    action: str | None = ColumnField(default=None, max_length=20)
    actor: str | None = ColumnField(default=None, max_length=200)
    assignee: str | None = ColumnField(default=None, index=True, max_length=200)
    assigned_by: str | None = ColumnField(default=None, max_length=200)


class TaskView(BaseModel):
    task_id: str
    dossier_id: str
    level: ReviewLevel
    level_index: int
    levels_total: int
    version: int
    step: ReviewStepKind | None
    role: str | None
    organisation: str | None
    award_code: str
    submitting_organisation: str
    state: TaskState
    opened_at: datetime
    due_at: datetime | None
    overdue: bool = False
    completed_at: datetime | None
    action: ReviewAction | None
    actor: str | None
    assignee: str | None
    objections: list[ObjectionView] = Field(
        default_factory=list, description="Public objections to this dossier's nominees, for the council"
    )


class TaskSort(StrEnum):
    OPENED = "opened_at"
    OPENED_DESC = "-opened_at"
    DUE = "due_at"
    DUE_DESC = "-due_at"
    LEVEL = "level"


class TaskQuery(BaseModel):
    """The inbox's filters, order and page (query parameters of ``GET /v1/tasks``)."""

    state: TaskState | None = None
    level: ReviewLevel | None = None
    role: str | None = Field(default=None, max_length=30, description="The reviewer role a task needs")
    organisation: str | None = Field(default=None, max_length=50)
    award_code: str | None = Field(default=None, max_length=50)
    dossier_id: str | None = Field(default=None, max_length=64)
    due_before: datetime | None = None
    overdue: bool | None = Field(default=None, description="Only open tasks past their due time (or not)")
    sort: TaskSort = TaskSort.OPENED
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=MAX_PAGE_OFFSET)


class TaskCounts(BaseModel):
    """Counts for the query's filters, whatever its ``state`` and ``overdue`` filters."""

    open: int
    completed: int
    cancelled: int = 0
    overdue: int


class TaskPage(BaseModel):
    items: list[TaskView]
    total: int
    limit: int
    offset: int
    counts: TaskCounts


class PublicCommentPeriod(SQLModel, table=True):
    """Nominees published for public comment (lấy ý kiến) before a council meets."""

    __tablename__ = "public_comment_period"

    dossier_id: str = ColumnField(primary_key=True, max_length=64)
    level: str = ColumnField(primary_key=True, max_length=30)
    organisation: str | None = ColumnField(default=None, max_length=50)
    award_code: str = ColumnField(max_length=50)
    nominees: list[dict[str, str]] = ColumnField(default_factory=list, sa_column=Column(JSON, nullable=False))
    opened_at: datetime
    closes_at: datetime = ColumnField(index=True)
    legal_basis: str = ColumnField(max_length=500)


class Objection(SQLModel, table=True):
    __tablename__ = "objection"

    id: str = ColumnField(primary_key=True, max_length=64)
    dossier_id: str = ColumnField(index=True, max_length=64)
    entry_id: str | None = ColumnField(default=None, max_length=120)
    author_name: str = ColumnField(max_length=200)
    contact: str = ColumnField(max_length=300)
    text: str = ColumnField(sa_column=Column(Text, nullable=False))
    received_at: datetime


class ObjectionView(BaseModel):
    objection_id: str
    entry_id: str | None
    author_name: str
    text: str
    received_at: datetime


class PublicCommentView(BaseModel):
    dossier_id: str
    level: ReviewLevel
    organisation: str | None
    award_code: str
    nominees: list[EntrySummary]
    opened_at: datetime
    closes_at: datetime
    legal_basis: str


class ObjectionBody(BaseModel):
    """Comments must be signed with a name and contact details (DOMAIN.md §3.4)."""

    author_name: str = Field(min_length=1, max_length=200)
    contact: str = Field(min_length=3, max_length=300, description="Address, phone or e-mail")
    entry_id: str | None = Field(default=None, max_length=120, description="The nominee concerned, if one")
    text: str = Field(min_length=1, max_length=10_000)


class TaskActionBody(BaseModel):
    comment: str | None = Field(
        default=None, max_length=4000, description="The reason; required to reject or return a dossier"
    )
    version: int | None = Field(
        default=None, ge=1, description="The dossier version the reviewer acted on; refused (409) if stale"
    )
    struck_entries: list[StruckEntry] = Field(
        default_factory=list, description="Appraisal (recommend): entries taken out, each with the reason"
    )
    tally: CouncilTally | None = Field(default=None, description="Council (vote): the recorded vote")


class AssignBody(BaseModel):
    assignee: str = Field(min_length=1, max_length=200, description="Subject (user id) of a reviewer")


class DevTokenRequest(BaseModel):
    """What the development token issuer puts in a reviewer's token."""

    subject: str = Field(min_length=1, max_length=200)
    name: str = Field(default="", max_length=200)
    organisation: str = Field(min_length=1, max_length=50)
    roles: list[str] = Field(min_length=1, max_length=4)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
