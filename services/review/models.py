"""Review's task inbox (a read model kept current from workflow events) and its HTTP views."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import JSON, Column, Index, Text, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import SessionTransaction, declared_attr
from sqlmodel import Field as ColumnField
from sqlmodel import Session, SQLModel

from contracts.events import (
    CouncilTally,
    EntrySummary,
    NoteKind,
    PassedOnLevel,
    ReviewAction,
    ReviewLevel,
    ReviewStepKind,
    StruckEntry,
)
from contracts.text import FreeText, HumanText, PersonName
from servicekit.db import MAX_PAGE_OFFSET


class TaskState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    """The dossier was withdrawn while the task was open."""


class StaffMember(SQLModel, table=True):
    """An officer as their token named them when they last used the review API: the directory a
    leader assigns from (an assignee must be a known member of the organisation, holding the
    step's role). The identity provider stays the source; this is what review has seen of it."""

    __tablename__ = "review_staff_member"

    subject: str = ColumnField(primary_key=True, max_length=200)
    organisation: str = ColumnField(index=True, max_length=50)
    name: str | None = ColumnField(default=None, max_length=200)
    title: str | None = ColumnField(default=None, max_length=200)
    roles: list[str] = ColumnField(default_factory=list, sa_column=Column(JSON, nullable=False))
    last_seen_at: datetime


class StaffView(BaseModel):
    subject: str = Field(description="The login the platform records (assign to it)")
    name: str | None
    title: str | None
    roles: list[str]
    last_seen_at: datetime


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

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:
        # Every UPDATE or DELETE of a task holds only if its state is still the one this session
        # read (``WHERE task_id = … AND state = …``; the application sets the state itself): the
        # tally moves a task's count from the state it read, so a write over a state another
        # transaction changed meanwhile is refused (StaleDataError) instead of counted twice.
        # Code that changes a task reads it with ``lock_task`` so it never meets that refusal.
        state = cls.__table__.c.state  # type: ignore[attr-defined]
        return {"version_id_col": state, "version_id_generator": False}


NO_VALUE = ""
"""A task's absent role or organisation, in the tally (its key columns cannot be null)."""


class TaskTally(SQLModel, table=True):
    """How many tasks of each kind are in each state. The inbox's counts of completed and cancelled
    tasks would otherwise count an organisation's whole history at every look (BENCHMARKS.md);
    kept from what each transaction flushes (:func:`_collect_tally_changes`) and written as it
    commits, so every change of a task made through a session moves its count."""

    __tablename__ = "review_task_tally"

    organisation: str = ColumnField(primary_key=True, max_length=50)
    level: str = ColumnField(primary_key=True, max_length=30)
    role: str = ColumnField(primary_key=True, max_length=30)
    award_code: str = ColumnField(primary_key=True, max_length=50)
    state: str = ColumnField(primary_key=True, max_length=20)
    tasks: int = 0


TallyKey = tuple[str, str, str, str, str]
TALLY_KEY = ("organisation", "level", "role", "award_code", "state")
"""The tally's key columns, in the order of a ``TallyKey``."""


def _tally_key(task: ReviewTask, state: str) -> TallyKey:
    return (task.organisation or NO_VALUE, task.level, task.role or NO_VALUE, task.award_code, state)


_TALLY_CHANGES = "review_task_tally_changes"
_SAVEPOINT_CHANGES = "review_task_tally_savepoints"
"""The changes collected when each open savepoint began: what a rollback to it leaves."""


def _pending(session: Session) -> Counter[TallyKey]:
    changes: Counter[TallyKey] = session.info.setdefault(_TALLY_CHANGES, Counter())
    return changes


@event.listens_for(Session, "before_flush")
def _collect_tally_changes(session: Session, _context: object, _instances: object) -> None:
    changes = _pending(session)
    for task in session.new:
        if isinstance(task, ReviewTask):
            changes[_tally_key(task, task.state)] += 1
    for task in (*session.dirty, *session.deleted):
        if isinstance(task, ReviewTask):
            history = inspect(task).attrs.state.history
            stored = (history.deleted or history.unchanged)[0]
            now = None if task in session.deleted else task.state
            if now != stored:
                changes[_tally_key(task, stored)] -= 1
                if now is not None:
                    changes[_tally_key(task, now)] += 1


@event.listens_for(Session, "after_transaction_create")
def _remember_savepoint(session: Session, transaction: SessionTransaction) -> None:
    # a savepoint begins after the session flushed: what is collected so far stays if it rolls back
    if transaction.nested:
        session.info.setdefault(_SAVEPOINT_CHANGES, {})[transaction] = Counter(_pending(session))


@event.listens_for(Session, "before_commit")
def _write_tally_changes(session: Session) -> None:
    # Written once, at the commit, in one statement whose rows are in key order: transactions lock
    # the tally rows they share in the same order, so two cannot deadlock (a transaction that
    # flushed twice would otherwise lock them flush by flush), and hold them only while committing.
    # Releasing a savepoint writes nothing: its changes wait for the transaction's commit.
    if session.in_nested_transaction():
        return
    session.flush()
    session.info.pop(_SAVEPOINT_CHANGES, None)
    changes: Counter[TallyKey] = session.info.pop(_TALLY_CHANGES, Counter())
    rows = [
        dict(zip(TALLY_KEY, key, strict=True), tasks=delta) for key, delta in sorted(changes.items()) if delta
    ]
    if rows:
        session.execute(_upsert_tally(session.get_bind().dialect.name, rows))


@event.listens_for(Session, "after_rollback")
def _forget_tally_changes(session: Session) -> None:
    # a savepoint's rollback forgets only what was collected since it began; the transaction's, all
    savepoint = session.get_nested_transaction()
    saved = session.info.get(_SAVEPOINT_CHANGES, {}).pop(savepoint, None)
    if savepoint is not None and saved is not None:
        session.info[_TALLY_CHANGES] = saved
    else:
        session.info.pop(_TALLY_CHANGES, None)
        session.info.pop(_SAVEPOINT_CHANGES, None)


def _upsert_tally(dialect: str, rows: list[dict[str, Any]]) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(TaskTally).values(rows)
    return statement.on_conflict_do_update(
        index_elements=list(TALLY_KEY),
        set_={"tasks": TaskTally.tasks + statement.excluded.tasks},
    )


class TaskView(BaseModel):
    task_id: str
    dossier_id: str
    level: PassedOnLevel
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
        default_factory=list,
        description="The latest public objections to this dossier's nominees (at most "
        "TDKT_REVIEW_TASK_OBJECTIONS_SHOWN, 20 by default), oldest first; `objections_url` pages "
        "through them all",
    )
    objections_total: int = Field(default=0, description="How many objections the dossier has received")
    objections_url: str | None = Field(
        default=None,
        description="Where all of them are read a page at a time: /v1/dossiers/{dossier_id}/objections",
    )
    notes_count: int = Field(
        default=0,
        description="Reviewers' comments and files on this dossier, at every level "
        "(GET /v1/dossiers/{dossier_id}/notes)",
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


class ObjectionPage(BaseModel):
    """A page of the public's objections to a dossier, oldest first."""

    items: list[ObjectionView]
    total: int
    limit: int
    offset: int


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

    author_name: PersonName = Field(min_length=1, max_length=200)
    contact: PersonName = Field(min_length=3, max_length=300, description="Address, phone or e-mail")
    entry_id: str | None = Field(default=None, max_length=120, description="The nominee concerned, if one")
    text: HumanText = Field(min_length=1, max_length=10_000)


class StruckEntryBody(StruckEntry):
    """An entry a reviewer strikes, with the reason they type (``contracts.text``)."""

    reason: HumanText = Field(min_length=1, max_length=2000)
    nominee_name: PersonName | None = Field(
        default=None, description="The nominee, as submitted (for people to read)"
    )


class TaskActionBody(BaseModel):
    comment: FreeText | None = Field(
        default=None, max_length=4000, description="The reason; required to reject or return a dossier"
    )
    version: int | None = Field(
        default=None, ge=1, description="The dossier version the reviewer acted on; refused (409) if stale"
    )
    struck_entries: list[StruckEntryBody] = Field(
        default_factory=list, description="Appraisal (recommend): entries taken out, each with the reason"
    )
    tally: CouncilTally | None = Field(default=None, description="Council (vote): the recorded vote")


class AssignBody(BaseModel):
    assignee: str = Field(min_length=1, max_length=200, description="Subject (user id) of a reviewer")


# --- notes: reviewers' comments and files on a task -----------------------------------------------


class ReviewNote(SQLModel, table=True):
    """A comment or a file a reviewer left on a task. It belongs to the dossier: every organisation
    that has (or had) a task for it reads it, so later levels see what earlier ones wrote; only
    one marked ``for_submitter`` leaves review (``note.shared``). Who wrote it is kept as their
    token named them then, with the organisation's name, so the notes read by names."""

    __tablename__ = "review_note"
    __table_args__ = (Index("ix_review_note_dossier", "dossier_id", "created_at"),)

    id: str = ColumnField(primary_key=True, max_length=64)
    dossier_id: str = ColumnField(max_length=64)
    task_id: str = ColumnField(max_length=120)
    level: str = ColumnField(max_length=30)
    step: str | None = ColumnField(default=None, max_length=30)
    organisation: str = ColumnField(max_length=50)
    organisation_name: str | None = ColumnField(default=None, max_length=300)
    author: str = ColumnField(max_length=200)
    author_name: str | None = ColumnField(default=None, max_length=200)
    author_title: str | None = ColumnField(default=None, max_length=200)
    kind: str = ColumnField(max_length=20)
    text: str | None = ColumnField(default=None, sa_column=Column(Text, nullable=True))
    file_name: str | None = ColumnField(default=None, max_length=255)
    media_type: str | None = ColumnField(default=None, max_length=120)
    size_bytes: int | None = None
    sha256: str | None = ColumnField(default=None, max_length=64)
    description: str | None = ColumnField(default=None, max_length=1000)
    for_submitter: bool = False
    created_at: datetime


class OrganisationName(SQLModel, table=True):
    """A reviewing organisation's name as the workflow last announced it with a task (notes show
    who wrote them by name, not by code)."""

    __tablename__ = "review_organisation_name"

    organisation: str = ColumnField(primary_key=True, max_length=50)
    name: str = ColumnField(max_length=300)


class EndOutcome(StrEnum):
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    APPROVED = "approved"


class ReviewEnded(SQLModel, table=True):
    """A dossier whose review is over — withdrawn, rejected, or approved at its last level — as the
    workflow announced it: no comment or file is added to its tasks after that."""

    __tablename__ = "review_ended"

    dossier_id: str = ColumnField(primary_key=True, max_length=64)
    outcome: str = ColumnField(max_length=20)
    ended_at: datetime


class CommentBody(BaseModel):
    text: FreeText = Field(max_length=4000, description="The comment (1–4000 characters)")
    for_submitter: bool = Field(
        default=False, description="Shown to the submitting organisation too (in its dossier's history)"
    )


class NoteFileView(BaseModel):
    file_id: str
    file_name: str
    media_type: str
    size_bytes: int
    sha256: str
    description: str | None
    download: str = Field(description="Where to read it (served inline with its type)")


class NoteView(BaseModel):
    note_id: str
    dossier_id: str
    task_id: str
    kind: NoteKind
    level: PassedOnLevel
    step: ReviewStepKind | None
    organisation: str
    organisation_name: str | None = Field(description="The organisation's name where review knows it")
    author: str = Field(description="The login of the officer who wrote it")
    author_name: str | None
    author_title: str | None
    text: str | None = Field(description="The comment (kind `comment`)")
    file: NoteFileView | None = Field(description="The file (kind `file`)")
    for_submitter: bool
    created_at: datetime
