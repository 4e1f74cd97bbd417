"""Review's read-model use cases; each runs inside one transaction given by the caller."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from contracts.events import ReviewEvent, ReviewTaskCompleted, ReviewTaskOpened
from contracts.workflow import TaskActionResult
from servicekit.problems import ProblemError
from services.review.models import ReviewTask, TaskPage, TaskState, TaskView


def apply_review_event(session: Session, event: ReviewEvent) -> None:
    """Keep the inbox current; events are idempotent by nature (keyed by task id)."""
    match event:
        case ReviewTaskOpened(data=data):
            if session.get(ReviewTask, data.task_id) is None:
                session.add(
                    ReviewTask(
                        task_id=data.task_id,
                        dossier_id=data.dossier_id,
                        workflow_id=data.workflow_id,
                        level=data.level,
                        level_index=data.level_index,
                        levels_total=data.levels_total,
                        organisation=data.organisation,
                        award_code=data.award_code,
                        submitting_organisation=data.submitting_organisation,
                        opened_at=data.opened_at,
                    )
                )
        case ReviewTaskCompleted(data=data):
            task = session.get(ReviewTask, data.task_id)
            if task is not None:
                _complete(session, task, data.action, data.actor, data.completed_at)


def record_action(session: Session, result: TaskActionResult, actor: str) -> None:
    """Show an accepted action at once, before the workflow's event arrives."""
    task = session.get(ReviewTask, result.task_id)
    if task is not None:
        _complete(session, task, result.action, actor, result.acted_at)


def _complete(session: Session, task: ReviewTask, action: str, actor: str, at: object) -> None:
    if task.state == TaskState.COMPLETED:
        return
    task.state = TaskState.COMPLETED
    task.action = action
    task.actor = actor
    task.completed_at = at  # type: ignore[assignment]
    session.add(task)


def get_task(session: Session, task_id: str) -> ReviewTask:
    task = session.get(ReviewTask, task_id)
    if task is None:
        raise ProblemError(
            404,
            "task-not-found",
            f"Không tìm thấy nhiệm vụ xét duyệt '{task_id}'.",
            f"No review task with id '{task_id}'.",
        )
    return task


def list_tasks(
    session: Session,
    *,
    state: TaskState | None,
    level: str | None,
    organisation: str | None,
    dossier_id: str | None,
    limit: int,
    offset: int,
) -> TaskPage:
    conditions = []
    if state is not None:
        conditions.append(col(ReviewTask.state) == state)
    if level is not None:
        conditions.append(col(ReviewTask.level) == level)
    if organisation is not None:
        conditions.append(col(ReviewTask.organisation) == organisation)
    if dossier_id is not None:
        conditions.append(col(ReviewTask.dossier_id) == dossier_id)
    total = session.exec(select(func.count()).select_from(ReviewTask).where(*conditions)).one()
    rows = session.exec(
        select(ReviewTask)
        .where(*conditions)
        .order_by(col(ReviewTask.opened_at), col(ReviewTask.task_id))
        .limit(limit)
        .offset(offset)
    ).all()
    return TaskPage(items=[to_view(row) for row in rows], total=total, limit=limit, offset=offset)


def to_view(task: ReviewTask) -> TaskView:
    return TaskView.model_validate(task, from_attributes=True)
