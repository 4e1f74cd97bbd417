"""Review's use cases: one function per command (a reviewer's, the public's, the development token
issuer's) and per consumed event, each owning its transactions.

Every handler takes the service's :class:`ReviewContext` and plain values — who acts (a
:class:`Reviewer`), ids, bodies, events — and returns the view it answers; it refuses with the
catalogue's errors (``services.review.errors``). The time is an input: the HTTP adapter reads
``runtime.clock`` once per request and passes ``now``; event handlers take the times the events
carry. A handler is the same whether HTTP or Kafka reached it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from contracts.events import (
    DecisionIssued,
    DossierAmended,
    DossierSubmitted,
    DossierWithdrawalRequested,
    ReviewAction,
    ReviewEvent,
)
from contracts.text import is_blank
from contracts.workflow import ReviewRefused, TaskActionRequest, TaskActionResult, require_reason
from servicekit.auth import TokenService
from servicekit.db import run_in_session
from servicekit.errors import DomainError
from servicekit.files import ContentStore, TooLarge, TypeNotAllowed, safe_file_name
from servicekit.ratelimit import SlidingWindow
from servicekit.service import ServiceRuntime
from services.review import authz, notes, service
from services.review.authz import Reviewer, ReviewerRole
from services.review.errors import (
    COMMENT_EMPTY,
    NOTE_FILE_TOO_LARGE,
    NOTE_FILE_TYPE_NOT_ALLOWED,
    TOO_MANY_OBJECTIONS_FROM_ADDRESS,
    TOO_MANY_OBJECTIONS_TO_DOSSIER,
    WorkflowRefused,
)
from services.review.models import (
    CommentBody,
    NoteView,
    ObjectionBody,
    ObjectionPage,
    ObjectionView,
    PublicCommentView,
    ReviewTask,
    StaffView,
    TaskActionBody,
    TaskPage,
    TaskQuery,
    TaskView,
)
from services.review.settings import ReviewSettings
from services.review.workflow_client import ReviewWorkflows


@dataclass(frozen=True)
class ReviewContext:
    """The service's collaborators, built once by ``app.build``."""

    runtime: ServiceRuntime
    settings: ReviewSettings
    workflows: ReviewWorkflows
    tokens: TokenService
    """Checks reviewers' tokens (the identity provider issues them)."""
    store: ContentStore
    """Keeps the bytes of reviewers' files on tasks."""
    objection_limits: ObjectionLimits
    seen: dict[str, tuple[tuple[object, ...], datetime]] = field(default_factory=dict)
    """Who this process recorded in the staff directory, as what and when (``remember``)."""


class ObjectionLimits:
    """How many objections the public may send (``POST /v1/public-comments/{dossier_id}/objections``
    needs no sign-in): per client address, every attempt counts; per dossier, each one recorded.
    In this process's memory (``servicekit.ratelimit``): with several replicas, each counts its own."""

    def __init__(self, settings: ReviewSettings) -> None:
        window = timedelta(seconds=settings.objection_window_seconds)
        self.by_address = SlidingWindow(settings.objections_per_address, window)
        self.by_dossier = SlidingWindow(settings.objections_per_dossier, window)

    def admit(self, address: str, dossier_id: str, now: datetime) -> None:
        """Count the attempt from ``address``, or refuse it; refuse if the dossier had its fill."""
        minutes = int(self.by_address.window.total_seconds()) // 60
        wait = self.by_address.wait(address, now)
        if wait is not None:
            raise _retry_after(
                TOO_MANY_OBJECTIONS_FROM_ADDRESS(limit=self.by_address.limit, minutes=minutes, seconds=wait),
                wait,
            )
        self.by_address.record(address, now)
        wait = self.by_dossier.wait(dossier_id, now)
        if wait is not None:
            raise _retry_after(
                TOO_MANY_OBJECTIONS_TO_DOSSIER(
                    dossier_id=dossier_id, limit=self.by_dossier.limit, minutes=minutes, seconds=wait
                ),
                wait,
            )


def _retry_after(error: DomainError, seconds: int) -> DomainError:
    error.headers["Retry-After"] = str(seconds)
    return error


# --- the staff directory -----------------------------------------------------------------------

SEEN_REFRESH = timedelta(hours=1)
"""How long an unchanged officer's record stands before their next request writes it again."""


async def remember(ctx: ReviewContext, reviewer: Reviewer) -> None:
    """Record the officer as their token names them: written when new or changed, else at most once
    an hour per process, so the directory costs a request nothing most of the time."""
    roles = sorted(role.value for role in reviewer.roles)
    snapshot = (reviewer.organisation, reviewer.name, reviewer.title, tuple(roles))
    now = ctx.runtime.clock.now()
    seen = ctx.seen.get(reviewer.subject)
    if seen is not None and seen[0] == snapshot and now - seen[1] < SEEN_REFRESH:
        return
    await run_in_session(
        ctx.runtime.engine,
        lambda session: service.remember_staff(
            session, reviewer.subject, reviewer.organisation, reviewer.name, reviewer.title, roles, now
        ),
    )
    ctx.seen[reviewer.subject] = (snapshot, now)


async def list_staff(ctx: ReviewContext, reviewer: Reviewer, role: str | None) -> list[StaffView]:
    """The officers of the reviewer's organisation the platform knows, to assign a task to."""
    return await run_in_session(
        ctx.runtime.engine, lambda session: service.staff_of(session, reviewer.organisation, role)
    )


# --- the inbox ---------------------------------------------------------------------------------


async def list_tasks(ctx: ReviewContext, reviewer: Reviewer, query: TaskQuery, now: datetime) -> TaskPage:
    """The reviewer's organisation's tasks, filtered, sorted and paged, with the counts and each
    task's dossier's notes counted (one read-only transaction); asking for another organisation's
    is refused."""
    authz.check_organisation(reviewer, query.organisation)
    own = query.model_copy(update={"organisation": reviewer.organisation})

    def read(session: Session) -> TaskPage:
        page = service.list_tasks(session, own, now)
        notes.count_notes(session, page.items)
        return page

    return await run_in_session(ctx.runtime.engine, read)


async def get_task(ctx: ReviewContext, reviewer: Reviewer, task_id: str, now: datetime) -> TaskView:
    """One task of the reviewer's organisation with the latest of the public's objections to its
    dossier and how many there are, read in one transaction."""

    def read(session: Session) -> TaskView:
        task = authz.visible(reviewer, service.get_task(session, task_id))
        view = service.to_view(task, now)
        shown = service.objection_page(session, task.dossier_id, ctx.settings.task_objections_shown, None)
        view.objections, view.objections_total = shown.items, shown.total
        view.objections_url = f"/v1/dossiers/{task.dossier_id}/objections"
        notes.count_notes(session, [view])
        return view

    return await run_in_session(ctx.runtime.engine, read)


async def act_on_task(
    ctx: ReviewContext, reviewer: Reviewer, task_id: str, action: ReviewAction, body: TaskActionBody
) -> TaskActionResult:
    """A reviewer's action (accept, recommend, vote, approve, reject, return): a Temporal Update on
    the dossier's review, which decides and answers with the refusal's cause if it refuses.

    Two short transactions around the Update, deliberately: the first reads the task to check who
    may act; the Update is the action's point of no return; the second shows the action in the
    inbox at once. None is held open across the engine's round trip (it would hold the task's
    row lock that long); if the second fails, the workflow's ``task.completed`` closes the task."""
    try:
        # the workflow's rule, checked first so that a reason-less action costs no round trip
        require_reason(action, None if is_blank(body.comment) else body.comment)
    except ReviewRefused as refused:
        raise WorkflowRefused(refused) from refused

    def actionable(session: Session) -> ReviewTask:
        task = service.get_task(session, task_id)
        authz.check_can_act(reviewer, task)
        if action is ReviewAction.APPROVE:
            reviewer.check_can_sign()
        service.check_separation(session, task, reviewer.subject, ctx.settings.separation_of_duties)
        return task

    task = await run_in_session(ctx.runtime.engine, actionable)
    request = TaskActionRequest(
        task_id=task_id,
        action=action,
        actor=reviewer.subject,
        actor_name=reviewer.name,
        actor_title=reviewer.title,
        comment=body.comment,
        organisation=reviewer.organisation,
        role=authz.role_of(task).value,
        version=body.version,
        struck_entries=body.struck_entries,
        tally=body.tally,
    )
    result = await ctx.workflows.act_on_task(task.workflow_id, request)
    await run_in_session(
        ctx.runtime.engine, lambda session: service.record_action(session, result, reviewer.subject)
    )
    return result


# --- assignment within the organisation ---------------------------------------------------------


async def _reassign(
    ctx: ReviewContext, reviewer: Reviewer, task_id: str, change: service.Reassignment, now: datetime
) -> TaskView:
    """One transaction: the task read locked (``service.lock_task``), changed, shown."""

    def work(session: Session) -> TaskView:
        task = authz.visible(reviewer, service.get_task(session, task_id, lock=True))
        view = service.to_view(change(session, task), now)
        notes.count_notes(session, [view])
        return view

    return await run_in_session(ctx.runtime.engine, work)


async def claim_task(ctx: ReviewContext, reviewer: Reviewer, task_id: str, now: datetime) -> TaskView:
    """Take a task; only someone who can act on its step may hold it (anyone else would block it)."""

    def claimed(session: Session, task: ReviewTask) -> ReviewTask:
        authz.require_role(reviewer, authz.role_of(task))
        return service.claim(session, task, reviewer.subject)

    return await _reassign(ctx, reviewer, task_id, claimed, now)


async def unclaim_task(ctx: ReviewContext, reviewer: Reviewer, task_id: str, now: datetime) -> TaskView:
    """Release a task the reviewer holds."""
    return await _reassign(
        ctx, reviewer, task_id, lambda session, task: service.unclaim(session, task, reviewer.subject), now
    )


async def delegate_task(
    ctx: ReviewContext, reviewer: Reviewer, task_id: str, assignee: str, now: datetime
) -> TaskView:
    """The holder hands the task to another reviewer of the organisation."""
    return await _reassign(
        ctx,
        reviewer,
        task_id,
        lambda session, task: service.delegate(session, task, reviewer.subject, assignee),
        now,
    )


async def assign_task(
    ctx: ReviewContext, reviewer: Reviewer, task_id: str, assignee: str, now: datetime
) -> TaskView:
    """A leader gives the task to a reviewer of the organisation."""
    authz.require_role(reviewer, ReviewerRole.LEADER)
    return await _reassign(
        ctx,
        reviewer,
        task_id,
        lambda session, task: service.assign(session, task, reviewer.subject, assignee),
        now,
    )


# --- notes: comments and files on a task ------------------------------------------------------


@dataclass(frozen=True)
class NoteFile:
    path: Path
    media_type: str
    file_name: str


async def add_comment(
    ctx: ReviewContext, reviewer: Reviewer, task_id: str, body: CommentBody, now: datetime
) -> NoteView:
    """A reviewer's comment on a task of their organisation while the dossier's review runs (any
    role: the whole organisation works the dossier); announced if marked for the submitter, in
    the same transaction."""
    text = body.text.strip()
    if is_blank(text):
        raise COMMENT_EMPTY()

    def add(session: Session) -> NoteView:
        task = authz.visible(reviewer, service.get_task(session, task_id))
        notes.check_review_runs(session, task)
        return notes.add_note(
            session,
            task,
            reviewer,
            now=now,
            source=ctx.runtime.source,
            for_submitter=body.for_submitter,
            text=text,
        )

    return await ctx.runtime.write(add)


async def add_file(
    ctx: ReviewContext,
    reviewer: Reviewer,
    task_id: str,
    chunks: AsyncIterator[bytes],
    file_name: str | None,
    description: str | None,
    for_submitter: bool,
    now: datetime,
) -> NoteView:
    """A file (an appraisal report, the council's minutes) on a task, under the same rule as a
    comment. The task is checked before the bytes are read, the bytes kept (content-addressed)
    only once their size and type pass, and the row written after, checking the task again."""

    def writable(session: Session) -> None:
        notes.check_review_runs(session, authz.visible(reviewer, service.get_task(session, task_id)))

    await run_in_session(ctx.runtime.engine, writable)
    try:
        stored = await ctx.store.put(chunks)
    except TooLarge as error:
        raise NOTE_FILE_TOO_LARGE(limit=ctx.store.max_bytes) from error
    except TypeNotAllowed as error:
        raise NOTE_FILE_TYPE_NOT_ALLOWED(
            detected=error.detected or "unknown", accepted=", ".join(ctx.settings.note_file_types)
        ) from error
    name = safe_file_name(file_name, "tep-dinh-kem")
    described = None if is_blank(description) else (description or "").strip()

    def add(session: Session) -> NoteView:
        task = authz.visible(reviewer, service.get_task(session, task_id))
        notes.check_review_runs(session, task)
        return notes.add_note(
            session,
            task,
            reviewer,
            now=now,
            source=ctx.runtime.source,
            for_submitter=for_submitter,
            stored=stored,
            file_name=name,
            description=described,
        )

    return await ctx.runtime.write(add)


async def list_notes(ctx: ReviewContext, reviewer: Reviewer, dossier_id: str) -> list[NoteView]:
    """Every comment and file of every level of the dossier, oldest first, for an organisation
    that has or had a task for it."""

    def read(session: Session) -> list[NoteView]:
        notes.check_reader(session, dossier_id, reviewer.organisation)
        return notes.notes_of(session, dossier_id)

    return await run_in_session(ctx.runtime.engine, read)


async def list_objections(
    ctx: ReviewContext, reviewer: Reviewer, dossier_id: str, limit: int, offset: int
) -> ObjectionPage:
    """The public's objections to the dossier, a page at a time, for the organisations that have
    or had a task for it (the notes' rule)."""

    def read(session: Session) -> ObjectionPage:
        notes.check_reader(session, dossier_id, reviewer.organisation)
        return service.objection_page(session, dossier_id, limit, offset)

    return await run_in_session(ctx.runtime.engine, read)


async def note_file(ctx: ReviewContext, reviewer: Reviewer, dossier_id: str, file_id: str) -> NoteFile:
    """Where a file of the dossier's notes is kept, with its type and name, under the notes' rule."""

    def find(session: Session) -> NoteFile:
        notes.check_reader(session, dossier_id, reviewer.organisation)
        note = notes.find_file(session, dossier_id, file_id)
        return NoteFile(ctx.store.path_of(note.sha256 or ""), note.media_type or "", note.file_name or "")

    return await run_in_session(ctx.runtime.engine, find)


# --- public comment ----------------------------------------------------------------------------


async def list_public_comments(ctx: ReviewContext, now: datetime) -> list[PublicCommentView]:
    """The nominees published for comment whose period is open at ``now``."""
    return await run_in_session(
        ctx.runtime.engine, lambda session: service.open_public_comments(session, now)
    )


async def record_objection(
    ctx: ReviewContext, dossier_id: str, body: ObjectionBody, now: datetime, address: str
) -> ObjectionView:
    """A signed objection to a published dossier, kept and announced (``objection.recorded``
    staged in the outbox in the same transaction), within what ``address`` and the dossier may
    send in a while (``ObjectionLimits``)."""
    ctx.objection_limits.admit(address, dossier_id, now)
    objection = await ctx.runtime.write(
        lambda session: service.record_objection(session, dossier_id, body, now, ctx.runtime.source)
    )
    ctx.objection_limits.by_dossier.record(dossier_id, now)
    return objection


# --- consumed events ---------------------------------------------------------------------------
# Each returns only after its effect is durable (the workflow started, the signal accepted, the
# row committed), so the consumer commits the offset only then; each is idempotent.


async def start_review(ctx: ReviewContext, event: DossierSubmitted) -> None:
    """A submitted dossier's review starts (a redelivery finds it started and starts nothing)."""
    await ctx.workflows.start_review(event)


async def amend_review(ctx: ReviewContext, event: DossierAmended) -> None:
    """A returned dossier's new version resumes its review."""
    await ctx.workflows.pass_amendment(event)


async def withdraw_review(ctx: ReviewContext, event: DossierWithdrawalRequested) -> None:
    """The submitter's withdrawal goes to the review, which ends it while still under review."""
    await ctx.workflows.pass_withdrawal(event)


async def keep_inbox(ctx: ReviewContext, event: ReviewEvent) -> None:
    """The workflow's events keep the inbox and the public-comment periods current (one
    transaction; tasks are keyed by id, so a repeat changes nothing)."""
    await run_in_session(ctx.runtime.engine, lambda session: service.apply_review_event(session, event))


async def pass_decision(ctx: ReviewContext, event: DecisionIssued) -> None:
    """The issued decision ends the dossier's review."""
    await ctx.workflows.pass_decision(event)
