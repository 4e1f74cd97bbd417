"""Review's database operations, which the handlers compose (the inbox read model, assignment,
public comment); each runs inside the transaction its handler opened."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, not_
from sqlmodel import Session, col, select

from contracts.events import (
    DossierApproved,
    DossierRejected,
    DossierWithdrawn,
    ObjectionRecorded,
    ObjectionRecordedData,
    PublicCommentOpened,
    ReviewAction,
    ReviewEvent,
    ReviewTaskCompleted,
    ReviewTaskOpened,
)
from contracts.topics import Topic
from contracts.workflow import TaskActionResult
from servicekit.db import insert_on_conflict
from servicekit.outbox import add_to_outbox
from services.review.errors import (
    ASSIGNEE_LACKS_ROLE,
    NO_PUBLIC_COMMENT,
    NOBODY,
    PUBLIC_COMMENT_CLOSED,
    SAME_PERSON,
    TASK_ALREADY_CLAIMED,
    TASK_NOT_CLAIMED_BY_YOU,
    TASK_NOT_FOUND,
    TASK_NOT_OPEN,
    UNKNOWN_ASSIGNEE,
    UNKNOWN_NOMINEE,
    VIETNAM_TIME,
)
from services.review.models import (
    NO_VALUE,
    EndOutcome,
    Objection,
    ObjectionBody,
    ObjectionPage,
    ObjectionView,
    OrganisationName,
    PublicCommentPeriod,
    PublicCommentView,
    ReviewEnded,
    ReviewTask,
    StaffMember,
    StaffView,
    TaskCounts,
    TaskPage,
    TaskQuery,
    TaskSort,
    TaskState,
    TaskTally,
    TaskView,
)
from services.review.settings import SeparationOfDuties


def apply_review_event(session: Session, event: ReviewEvent) -> None:
    """Keep the inbox current; events are idempotent by nature (keyed by task id)."""
    match event:
        case ReviewTaskOpened(data=data):
            _remember_name(session, data.organisation, data.organisation_name)
            if session.get(ReviewTask, data.task_id) is None:
                session.add(
                    ReviewTask(
                        task_id=data.task_id,
                        dossier_id=data.dossier_id,
                        workflow_id=data.workflow_id,
                        level=data.level,
                        level_index=data.level_index,
                        levels_total=data.levels_total,
                        version=data.version or 1,
                        step=data.step,
                        role=data.role,
                        organisation=data.organisation,
                        award_code=data.award_code,
                        submitting_organisation=data.submitting_organisation,
                        opened_at=data.opened_at,
                        due_at=data.due_at,
                    )
                )
        case ReviewTaskCompleted(data=data):
            task = lock_task(session, data.task_id)
            if task is not None:
                _complete(session, task, data.action, data.actor, data.completed_at)
        case PublicCommentOpened(data=data):
            if session.get(PublicCommentPeriod, (data.dossier_id, data.level)) is None:
                session.add(
                    PublicCommentPeriod(
                        dossier_id=data.dossier_id,
                        level=data.level,
                        organisation=data.organisation,
                        award_code=data.award_code,
                        nominees=[nominee.model_dump(mode="json") for nominee in data.nominees],
                        opened_at=data.opened_at,
                        closes_at=data.closes_at,
                        legal_basis=data.legal_basis,
                    )
                )
        case DossierWithdrawn(data=data):
            open_tasks = (
                select(ReviewTask)
                .where(ReviewTask.dossier_id == data.dossier_id, ReviewTask.state == TaskState.OPEN)
                .order_by(col(ReviewTask.task_id))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            for task in session.exec(open_tasks).all():
                _complete(session, task, ReviewAction.WITHDRAWN, data.actor, data.at, TaskState.CANCELLED)
    _record_end(session, event)


def _remember_name(session: Session, organisation: str | None, name: str | None) -> None:
    if organisation and name:
        known = session.get(OrganisationName, organisation)
        if known is None:
            session.add(OrganisationName(organisation=organisation, name=name))
        elif known.name != name:
            known.name = name
            session.add(known)


def _record_end(session: Session, event: ReviewEvent) -> None:
    """The dossier's review is over: its tasks take no more notes (the first outcome stands)."""
    match event:
        case DossierWithdrawn(data=data):
            ended = (data.dossier_id, EndOutcome.WITHDRAWN, data.at)
        case DossierRejected(data=data):
            ended = (data.dossier_id, EndOutcome.REJECTED, data.at)
        case DossierApproved(data=data):
            ended = (data.dossier_id, EndOutcome.APPROVED, data.approved_at)
        case _:
            return
    dossier_id, outcome, at = ended
    if session.get(ReviewEnded, dossier_id) is None:
        session.add(ReviewEnded(dossier_id=dossier_id, outcome=outcome, ended_at=at))


def record_action(session: Session, result: TaskActionResult, actor: str) -> None:
    """Show an accepted action at once, before the workflow's event arrives (whichever of the two
    comes second finds the task closed and changes nothing)."""
    task = lock_task(session, result.task_id)
    if task is not None:
        _complete(session, task, result.action, actor, result.acted_at)


def lock_task(session: Session, task_id: str) -> ReviewTask | None:
    """The task as it is now, locked until the transaction ends, for code that changes it: the HTTP
    action and the task.completed consumer may close the same task at once, and the second must
    see the first's commit — on PostgreSQL it waits for it (``SELECT … FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE`` already queues writers). Without the lock each would read it open and the
    tally would count it closed twice (issue 18)."""
    held = session.identity_map.get(session.identity_key(ReviewTask, (task_id,)))
    if isinstance(held, ReviewTask):  # read earlier in this transaction: read it again, locked
        session.refresh(held, with_for_update=True)
        return held
    return session.get(ReviewTask, task_id, with_for_update=True)


def _complete(
    session: Session,
    task: ReviewTask,
    action: str,
    actor: str,
    at: object,
    state: TaskState = TaskState.COMPLETED,
) -> None:
    if task.state != TaskState.OPEN:
        return
    task.state = state
    task.action = action
    task.actor = actor
    task.completed_at = at  # type: ignore[assignment]
    session.add(task)


Reassignment = Callable[[Session, ReviewTask], ReviewTask]


def claim(session: Session, task: ReviewTask, reviewer: str) -> ReviewTask:
    if task.assignee not in (None, reviewer):
        raise TASK_ALREADY_CLAIMED(task_id=task.task_id, assignee=task.assignee)
    return _assign(session, task, reviewer, by=reviewer)


def unclaim(session: Session, task: ReviewTask, reviewer: str) -> ReviewTask:
    _check_holder(task, reviewer)
    task.assignee = None
    task.assigned_by = reviewer
    session.add(task)
    return task


def delegate(session: Session, task: ReviewTask, reviewer: str, assignee: str) -> ReviewTask:
    """The holder of a task hands it to another reviewer of the same organisation."""
    _check_holder(task, reviewer)
    return _assign(session, task, assignee, by=reviewer)


def assign(session: Session, task: ReviewTask, leader: str, assignee: str) -> ReviewTask:
    return _assign(session, task, assignee, by=leader)


def _check_assignee(session: Session, task: ReviewTask, assignee: str) -> None:
    """A known officer of the task's organisation who holds the step's role (else the task would
    wait for someone who cannot, or does not, exist)."""
    member = session.get(StaffMember, assignee)
    organisation = task.organisation or ""
    if member is None or member.organisation != organisation:
        raise UNKNOWN_ASSIGNEE(assignee=assignee, organisation=organisation)
    if task.role and task.role not in member.roles:
        raise ASSIGNEE_LACKS_ROLE(assignee=assignee, role=task.role, roles=", ".join(member.roles) or NOBODY)


def check_separation(session: Session, task: ReviewTask, actor: str, rules: list[SeparationOfDuties]) -> None:
    """Refuse ``actor`` a step whose earlier counterpart at the same level they completed."""
    for rule in rules:
        if task.step != rule.then.value or (rule.levels is not None and task.level not in rule.levels):
            continue
        earlier = session.exec(
            select(ReviewTask.actor).where(
                ReviewTask.dossier_id == task.dossier_id,
                ReviewTask.level == task.level,
                ReviewTask.step == rule.first.value,
                ReviewTask.state == TaskState.COMPLETED,
            )
        ).all()
        if actor in earlier:
            raise SAME_PERSON(first=rule.first.value, then=rule.then.value)


def remember_staff(
    session: Session,
    subject: str,
    organisation: str,
    name: str | None,
    title: str | None,
    roles: list[str],
    now: datetime,
) -> None:
    """The officer as their token names them now (the directory assignments are checked against);
    an upsert, so two first requests of one officer at once both succeed."""
    values = {
        "subject": subject,
        "organisation": organisation,
        "name": name,
        "title": title,
        "roles": sorted(roles),
        "last_seen_at": now,
    }
    statement = insert_on_conflict(session)(StaffMember).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["subject"], set_={key: value for key, value in values.items() if key != "subject"}
        )
    )


def staff_of(session: Session, organisation: str, role: str | None) -> list[StaffView]:
    members = session.exec(
        select(StaffMember).where(StaffMember.organisation == organisation).order_by(col(StaffMember.subject))
    ).all()
    return [
        StaffView(subject=m.subject, name=m.name, title=m.title, roles=m.roles, last_seen_at=m.last_seen_at)
        for m in members
        if role is None or role in m.roles
    ]


def _check_holder(task: ReviewTask, reviewer: str) -> None:
    if task.assignee != reviewer:
        raise TASK_NOT_CLAIMED_BY_YOU(task_id=task.task_id, holder=task.assignee or NOBODY)


def _assign(session: Session, task: ReviewTask, assignee: str, *, by: str) -> ReviewTask:
    if task.state != TaskState.OPEN:
        raise TASK_NOT_OPEN(task_id=task.task_id)
    _check_assignee(session, task, assignee)
    task.assignee = assignee
    task.assigned_by = by
    session.add(task)
    return task


def get_task(session: Session, task_id: str, *, lock: bool = False) -> ReviewTask:
    """The task; ``lock`` for a transaction that changes it (:func:`lock_task`)."""
    task = lock_task(session, task_id) if lock else session.get(ReviewTask, task_id)
    if task is None:
        raise TASK_NOT_FOUND(task_id=task_id)
    return task


_ORDER = {
    TaskSort.OPENED: (col(ReviewTask.opened_at).asc(),),
    TaskSort.OPENED_DESC: (col(ReviewTask.opened_at).desc(),),
    TaskSort.DUE: (col(ReviewTask.due_at).asc().nulls_last(), col(ReviewTask.opened_at).asc()),
    TaskSort.DUE_DESC: (col(ReviewTask.due_at).desc().nulls_last(), col(ReviewTask.opened_at).asc()),
    TaskSort.LEVEL: (col(ReviewTask.level_index).asc(), col(ReviewTask.opened_at).asc()),
}


def _overdue(now: datetime) -> ColumnElement[bool]:
    # "is not null" keeps the negation two-valued: a task with no due date is simply not overdue
    return and_(
        col(ReviewTask.state) == TaskState.OPEN,
        col(ReviewTask.due_at).is_not(None),
        col(ReviewTask.due_at) < now,
    )


def list_tasks(session: Session, query: TaskQuery, now: datetime) -> TaskPage:
    common: list[ColumnElement[bool]] = []
    for column, value in (
        (ReviewTask.level, query.level),
        (ReviewTask.role, query.role),
        (ReviewTask.organisation, query.organisation),
        (ReviewTask.award_code, query.award_code),
        (ReviewTask.dossier_id, query.dossier_id),
    ):
        if value is not None:
            common.append(col(column) == value)
    if query.due_before is not None:
        common.append(col(ReviewTask.due_at) < query.due_before)
    narrowed = list(common)
    if query.state is not None:
        narrowed.append(col(ReviewTask.state) == query.state)
    if query.overdue is not None:
        narrowed.append(_overdue(now) if query.overdue else not_(_overdue(now)))
    tallied = _tally_answers(query)
    by_state = _tallied_counts(session, query) if tallied else _live_counts(session, common)
    if tallied and query.overdue is None:
        total = by_state.get(query.state, 0) if query.state is not None else sum(by_state.values())
    else:
        total = session.exec(select(func.count()).select_from(ReviewTask).where(*narrowed)).one()
    rows = session.exec(
        select(ReviewTask)
        .where(*narrowed)
        .order_by(*_ORDER[query.sort], col(ReviewTask.task_id))
        .limit(query.limit)
        .offset(query.offset)
    ).all()
    overdue = session.exec(select(func.count()).select_from(ReviewTask).where(*common, _overdue(now))).one()
    return TaskPage(
        items=[to_view(row, now) for row in rows],
        total=total,
        limit=query.limit,
        offset=query.offset,
        counts=TaskCounts(
            open=by_state.get(TaskState.OPEN, 0),
            completed=by_state.get(TaskState.COMPLETED, 0),
            cancelled=by_state.get(TaskState.CANCELLED, 0),
            overdue=overdue,
        ),
    )


def _tally_answers(query: TaskQuery) -> bool:
    """Whether the tally can count for ``query``: it knows tasks by organisation, level, role and
    award only, and holds an absent role or organisation as ``NO_VALUE``."""
    tallied = (query.organisation, query.level, query.role, query.award_code)
    return query.dossier_id is None and query.due_before is None and NO_VALUE not in tallied


def _tallied_counts(session: Session, query: TaskQuery) -> dict[str, int]:
    filters = [
        col(column) == value
        for column, value in (
            (TaskTally.organisation, query.organisation),
            (TaskTally.level, query.level),
            (TaskTally.role, query.role),
            (TaskTally.award_code, query.award_code),
        )
        if value is not None
    ]
    statement = (
        select(TaskTally.state, func.sum(TaskTally.tasks)).where(*filters).group_by(col(TaskTally.state))
    )
    return {state: int(tasks) for state, tasks in session.exec(statement).all()}


def _live_counts(session: Session, common: list[ColumnElement[bool]]) -> dict[str, int]:
    statement = select(ReviewTask.state, func.count()).where(*common).group_by(col(ReviewTask.state))
    return dict(session.exec(statement).all())


def open_public_comments(session: Session, now: datetime) -> list[PublicCommentView]:
    periods = session.exec(
        select(PublicCommentPeriod)
        .where(col(PublicCommentPeriod.closes_at) > now)
        .order_by(col(PublicCommentPeriod.closes_at))
    ).all()
    return [PublicCommentView.model_validate(period, from_attributes=True) for period in periods]


def record_objection(
    session: Session, dossier_id: str, body: ObjectionBody, now: datetime, source: str
) -> ObjectionView:
    """A public objection to a published nominee, kept for the council and announced."""
    periods = session.exec(
        select(PublicCommentPeriod).where(PublicCommentPeriod.dossier_id == dossier_id)
    ).all()
    if not periods:
        raise NO_PUBLIC_COMMENT(dossier_id=dossier_id)
    closed_at = max(period.closes_at for period in periods)
    if closed_at <= now:
        raise PUBLIC_COMMENT_CLOSED(dossier_id=dossier_id, closed_at=closed_at.astimezone(VIETNAM_TIME))
    nominees = {nominee["entry_id"] for period in periods for nominee in period.nominees}
    if body.entry_id is not None and body.entry_id not in nominees:
        raise UNKNOWN_NOMINEE(entry_id=body.entry_id, dossier_id=dossier_id)
    objection = Objection(
        id=str(uuid.uuid4()),
        dossier_id=dossier_id,
        entry_id=body.entry_id,
        author_name=body.author_name,
        contact=body.contact,
        text=body.text,
        received_at=now,
    )
    session.add(objection)
    add_to_outbox(
        session,
        Topic.REVIEW_EVENTS,
        ObjectionRecorded(
            source=source,
            subject=dossier_id,
            time=now,
            data=ObjectionRecordedData(
                objection_id=objection.id,
                dossier_id=dossier_id,
                entry_id=body.entry_id,
                author_name=body.author_name,
                text=body.text,
                received_at=now,
            ),
        ),
    )
    return _objection_view(objection)


def objection_page(session: Session, dossier_id: str, limit: int, offset: int | None) -> ObjectionPage:
    """The dossier's objections from ``offset``, oldest first; ``offset=None``: the latest ``limit``."""
    where = Objection.dossier_id == dossier_id
    total = session.exec(select(func.count()).select_from(Objection).where(where)).one()
    if offset is None:
        offset = max(0, total - limit)
    rows = session.exec(
        select(Objection)
        .where(where)
        .order_by(col(Objection.received_at), col(Objection.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return ObjectionPage(
        items=[_objection_view(row) for row in rows], total=total, limit=limit, offset=offset
    )


def _objection_view(objection: Objection) -> ObjectionView:
    return ObjectionView(
        objection_id=objection.id,
        entry_id=objection.entry_id,
        author_name=objection.author_name,
        text=objection.text,
        received_at=objection.received_at,
    )


def to_view(task: ReviewTask, now: datetime) -> TaskView:
    view = TaskView.model_validate(task, from_attributes=True)
    view.overdue = task.state == TaskState.OPEN and task.due_at is not None and task.due_at < now
    return view
