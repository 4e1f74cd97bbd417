"""Review's HTTP API: the task inbox and reviewer actions (each action is a Temporal Update)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from contracts.events import ReviewAction
from contracts.workflow import TaskActionRequest, TaskActionResult
from servicekit.db import run_in_session
from servicekit.problems import ProblemError, problem_responses
from servicekit.service import ServiceRuntime
from services.review import service
from services.review.models import TaskActionBody, TaskPage, TaskQuery, TaskView
from services.review.workflow_client import ReviewWorkflows


def build_router(runtime: ServiceRuntime, workflows: ReviewWorkflows) -> APIRouter:
    router = APIRouter(prefix="/v1/tasks", tags=["tasks"])

    @router.get("", summary="The task inbox: filtered, sorted, paginated, with counts")
    async def list_tasks(query: Annotated[TaskQuery, Query()]) -> TaskPage:
        now = datetime.now(UTC)
        return await run_in_session(runtime.engine, lambda session: service.list_tasks(session, query, now))

    @router.get("/{task_id}", summary="One task", responses=problem_responses(404))
    async def get_task(task_id: str) -> TaskView:
        task = await run_in_session(runtime.engine, lambda session: service.get_task(session, task_id))
        return service.to_view(task, datetime.now(UTC))

    async def act(task_id: str, action: ReviewAction, body: TaskActionBody) -> TaskActionResult:
        if action is not ReviewAction.APPROVE and not (body.comment or "").strip():
            raise ProblemError(
                422,
                "reason-required",
                "Phải nêu lý do khi không chấp thuận hoặc trả lại hồ sơ.",
                "A reason (comment) is required to reject or return a dossier.",
            )
        task = await run_in_session(runtime.engine, lambda session: service.get_task(session, task_id))
        request = TaskActionRequest(task_id=task_id, action=action, actor=body.actor, comment=body.comment)
        result = await workflows.act_on_task(task.workflow_id, request)
        await run_in_session(
            runtime.engine, lambda session: service.record_action(session, result, body.actor)
        )
        return result

    action_responses = problem_responses(404, 409, 422)

    @router.post(
        "/{task_id}/approve", summary="Approve the dossier at this level", responses=action_responses
    )
    async def approve(task_id: str, body: TaskActionBody) -> TaskActionResult:
        return await act(task_id, ReviewAction.APPROVE, body)

    @router.post("/{task_id}/reject", summary="Reject the dossier", responses=action_responses)
    async def reject(task_id: str, body: TaskActionBody) -> TaskActionResult:
        return await act(task_id, ReviewAction.REJECT, body)

    @router.post(
        "/{task_id}/return",
        summary="Return the dossier to the submitter for supplement",
        responses=action_responses,
    )
    async def return_for_supplement(task_id: str, body: TaskActionBody) -> TaskActionResult:
        return await act(task_id, ReviewAction.RETURN, body)

    return router
