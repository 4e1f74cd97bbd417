"""Reviewers' notes on a task — comments and files — as rows: who may add and read them, the
dossier's notes in order, and the ``note.shared`` announcement of one marked for the submitter
(staged in the same transaction). The bytes of a file are ``servicekit.files.ContentStore``'s."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from contracts.events import NoteKind, NoteShared, NoteSharedData, SharedFile
from contracts.topics import Topic
from contracts.workflow import DOSSIER_WITHDRAWN, ReviewRefused
from servicekit.files import StoredFile
from servicekit.outbox import add_to_outbox
from services.review.authz import Reviewer
from services.review.errors import DOSSIER_NOT_FOUND, NOTE_FILE_NOT_FOUND, REVIEW_ENDED, WorkflowRefused
from services.review.models import (
    EndOutcome,
    NoteFileView,
    NoteView,
    OrganisationName,
    ReviewEnded,
    ReviewNote,
    ReviewTask,
    TaskState,
    TaskView,
)


def check_review_runs(session: Session, task: ReviewTask) -> None:
    """Notes are part of the review: a task cancelled by a withdrawal, or a dossier whose review
    the workflow announced over, takes none."""
    ended = session.get(ReviewEnded, task.dossier_id)
    if task.state == TaskState.CANCELLED or (ended is not None and ended.outcome == EndOutcome.WITHDRAWN):
        # the workflow's own refusal of an action on a withdrawn dossier: one code for both
        raise WorkflowRefused(ReviewRefused(DOSSIER_WITHDRAWN))
    if ended is not None:
        raise REVIEW_ENDED(dossier_id=task.dossier_id)


def add_note(
    session: Session,
    task: ReviewTask,
    reviewer: Reviewer,
    *,
    now: datetime,
    source: str,
    for_submitter: bool,
    text: str | None = None,
    stored: StoredFile | None = None,
    file_name: str | None = None,
    description: str | None = None,
) -> NoteView:
    """Keep a comment (``text``) or a file (``stored``, named ``file_name``) on ``task`` by
    ``reviewer``, as their token names them; one marked ``for_submitter`` is announced."""
    note = ReviewNote(
        id=str(uuid.uuid4()),
        dossier_id=task.dossier_id,
        task_id=task.task_id,
        level=task.level,
        step=task.step,
        organisation=reviewer.organisation,
        organisation_name=_name_of(session, reviewer.organisation),
        author=reviewer.subject,
        author_name=reviewer.name,
        author_title=reviewer.title,
        kind=NoteKind.FILE if stored else NoteKind.COMMENT,
        text=text,
        file_name=file_name if stored else None,
        media_type=stored.media_type if stored else None,
        size_bytes=stored.size_bytes if stored else None,
        sha256=stored.sha256 if stored else None,
        description=description,
        for_submitter=for_submitter,
        created_at=now,
    )
    session.add(note)
    if for_submitter:
        add_to_outbox(session, Topic.REVIEW_EVENTS, _shared(note, source))
    return _view(note)


def _name_of(session: Session, organisation: str) -> str | None:
    known = session.get(OrganisationName, organisation)
    return known.name if known else None


def _shared(note: ReviewNote, source: str) -> NoteShared:
    """What the submitter learns: the text, or the file's name, size and description — never its bytes."""
    file = (
        SharedFile(
            file_name=note.file_name or "",
            size_bytes=note.size_bytes or 0,
            media_type=note.media_type or "",
            description=note.description,
        )
        if note.kind == NoteKind.FILE
        else None
    )
    return NoteShared(
        id=f"note-{note.id}",
        source=source,
        subject=note.dossier_id,
        time=note.created_at,
        data=NoteSharedData(
            note_id=note.id,
            dossier_id=note.dossier_id,
            level=note.level,
            step=note.step,
            kind=NoteKind(note.kind),
            author=note.author,
            author_name=note.author_name,
            author_title=note.author_title,
            organisation=note.organisation,
            organisation_name=note.organisation_name,
            text=note.text,
            file=file,
            shared_at=note.created_at,
        ),
    )


def check_reader(session: Session, dossier_id: str, organisation: str) -> None:
    """The dossier's notes are for the organisations that have or had a task for it (so a later
    level reads what earlier ones wrote); to anyone else the dossier is missing."""
    reviewed = session.exec(
        select(ReviewTask.task_id)
        .where(ReviewTask.dossier_id == dossier_id, ReviewTask.organisation == organisation)
        .limit(1)
    ).first()
    if reviewed is None:
        raise DOSSIER_NOT_FOUND(dossier_id=dossier_id)


def notes_of(session: Session, dossier_id: str) -> list[NoteView]:
    rows = session.exec(
        select(ReviewNote)
        .where(ReviewNote.dossier_id == dossier_id)
        .order_by(col(ReviewNote.created_at), col(ReviewNote.id))
    ).all()
    return [_view(row) for row in rows]


def find_file(session: Session, dossier_id: str, file_id: str) -> ReviewNote:
    note = session.get(ReviewNote, file_id)
    if note is None or note.dossier_id != dossier_id or note.kind != NoteKind.FILE or not note.sha256:
        raise NOTE_FILE_NOT_FOUND(dossier_id=dossier_id, file_id=file_id)
    return note


def count_notes(session: Session, views: Iterable[TaskView]) -> None:
    """Fill in each task view's ``notes_count``: one grouped count for the page's dossiers."""
    shown = list(views)
    dossiers = {view.dossier_id for view in shown}
    if not dossiers:
        return
    counts = dict(
        session.exec(
            select(ReviewNote.dossier_id, func.count())
            .where(col(ReviewNote.dossier_id).in_(dossiers))
            .group_by(col(ReviewNote.dossier_id))
        ).all()
    )
    for view in shown:
        view.notes_count = counts.get(view.dossier_id, 0)


def _view(note: ReviewNote) -> NoteView:
    file = None
    if note.kind == NoteKind.FILE:
        file = NoteFileView(
            file_id=note.id,
            file_name=note.file_name or "",
            media_type=note.media_type or "",
            size_bytes=note.size_bytes or 0,
            sha256=note.sha256 or "",
            description=note.description,
            download=f"/v1/dossiers/{note.dossier_id}/files/{note.id}",
        )
    return NoteView(
        note_id=note.id,
        dossier_id=note.dossier_id,
        task_id=note.task_id,
        kind=NoteKind(note.kind),
        level=note.level,
        step=note.step,
        organisation=note.organisation,
        organisation_name=note.organisation_name,
        author=note.author,
        author_name=note.author_name,
        author_title=note.author_title,
        text=note.text,
        file=file,
        for_submitter=note.for_submitter,
        created_at=note.created_at,
    )
