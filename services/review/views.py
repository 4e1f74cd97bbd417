"""Review's HTTP API: the reviewers' task inbox and actions (each action is a Temporal Update),
task assignment within an organisation, and public comment. Reviewers' tokens come from the
identity provider (``servicekit.auth``); the service issues none.

Each endpoint parses, calls one handler (``services.review.handlers``) and returns its view."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials

from contracts.events import ReviewAction
from contracts.workflow import TaskActionResult
from servicekit.auth import STAFF_TOKEN_SCHEME
from servicekit.errors import ErrorCode
from servicekit.problems import error_responses
from servicekit.refusals import SIGNER_NOT_NAMED, STAFF_AUTHENTICATION
from services.review import examples, handlers
from services.review.authz import REVIEWER_SCOPE, Reviewer, ReviewerRole
from services.review.errors import (
    ASSIGNEE_LACKS_ROLE,
    NO_PUBLIC_COMMENT,
    OTHER_ORGANISATION,
    PUBLIC_COMMENT_CLOSED,
    REVIEW_NOT_RUNNING,
    ROLE_NOT_PERMITTED,
    SAME_PERSON,
    TASK_ALREADY_CLAIMED,
    TASK_ASSIGNED_TO_ANOTHER,
    TASK_NOT_CLAIMED_BY_YOU,
    TASK_NOT_FOUND,
    TASK_NOT_OPEN,
    UNKNOWN_ASSIGNEE,
    UNKNOWN_NOMINEE,
    WORKFLOW_ENGINE_UNAVAILABLE,
    WORKFLOW_REFUSALS,
)
from services.review.handlers import ReviewContext
from services.review.models import (
    AssignBody,
    ObjectionBody,
    ObjectionView,
    PublicCommentView,
    StaffView,
    TaskActionBody,
    TaskPage,
    TaskQuery,
    TaskView,
)

ACTION_ROUTES: tuple[tuple[str, ReviewAction, str], ...] = (
    ("accept", ReviewAction.ACCEPT, "Receipt (tiếp nhận, clerk): the dossier is complete enough to appraise"),
    (
        "recommend",
        ReviewAction.RECOMMEND,
        "Appraisal (thẩm định, officer): recommend, striking entries with reasons",
    ),
    (
        "vote",
        ReviewAction.RECORD_VOTE,
        "Council (hội đồng, council member): record the vote; entries below the threshold of the council's "
        "total membership are struck",
    ),
    ("approve", ReviewAction.APPROVE, "Sign-off (leader): approve the dossier at this level"),
    ("reject", ReviewAction.REJECT, "Reject the dossier (appraisal or sign-off); a reason is required"),
    ("return", ReviewAction.RETURN, "Return the dossier for supplement (bổ sung); a reason is required"),
)
"""Reviewer actions: each a Temporal Update on the dossier's review; which step takes which action,
and which role, the workflow decides (``contracts.workflow.STEP_ACTIONS``)."""


def _documented(*codes: ErrorCode, signed_in: bool = True) -> dict[int | str, dict[str, Any]]:
    """``error_responses`` with the kit's refusals of a staff token where the operation needs one."""
    return error_responses(*codes, *(STAFF_AUTHENTICATION if signed_in else ()))


# --- dependencies ------------------------------------------------------------------------------


async def context(request: Request) -> ReviewContext:
    ctx: ReviewContext = request.app.state.context
    return ctx


Ctx = Annotated[ReviewContext, Depends(context)]


async def now(ctx: Ctx) -> datetime:
    """The service's clock, read once per request."""
    return ctx.runtime.clock.now()


Now = Annotated[datetime, Depends(now)]


async def current_reviewer(
    request: Request,
    ctx: Ctx,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(STAFF_TOKEN_SCHEME)],
) -> Reviewer:
    """The reviewer the bearer token names (the scheme only declares it in the documents), kept in
    the staff directory as it names them."""
    reviewer = Reviewer.from_principal(ctx.tokens.authenticator(REVIEWER_SCOPE)(request))
    await handlers.remember(ctx, reviewer)
    return reviewer


CurrentReviewer = Annotated[Reviewer, Depends(current_reviewer)]

router = APIRouter(prefix="/v1")

# --- the inbox ---------------------------------------------------------------------------------


@router.get(
    "/tasks",
    tags=["tasks"],
    summary="The reviewer's inbox: their organisation's tasks, filtered, sorted, paginated, with counts",
    responses=_documented(OTHER_ORGANISATION),
)
async def list_tasks(
    query: Annotated[TaskQuery, Query()], ctx: Ctx, reviewer: CurrentReviewer, at: Now
) -> TaskPage:
    return await handlers.list_tasks(ctx, reviewer, query, at)


@router.get(
    "/tasks/{task_id}",
    tags=["tasks"],
    summary="One task, with public objections to its dossier",
    responses=_documented(TASK_NOT_FOUND),
)
async def get_task(task_id: str, ctx: Ctx, reviewer: CurrentReviewer, at: Now) -> TaskView:
    return await handlers.get_task(ctx, reviewer, task_id, at)


# --- actions -----------------------------------------------------------------------------------

ACTION_ERRORS = _documented(
    ROLE_NOT_PERMITTED,
    SIGNER_NOT_NAMED,
    SAME_PERSON,
    TASK_NOT_FOUND,
    TASK_ASSIGNED_TO_ANOTHER,
    REVIEW_NOT_RUNNING,
    WORKFLOW_ENGINE_UNAVAILABLE,
    *WORKFLOW_REFUSALS.values(),
)


def _action_endpoint(action: ReviewAction) -> Callable[..., Awaitable[TaskActionResult]]:
    # the body's examples as a default value: local names cannot be resolved from postponed annotations
    documented = Body(openapi_examples=examples.TASK_ACTIONS[action])

    async def endpoint(
        task_id: str, ctx: Ctx, reviewer: CurrentReviewer, body: TaskActionBody = documented
    ) -> TaskActionResult:
        return await handlers.act_on_task(ctx, reviewer, task_id, action, body)

    return endpoint


for _path, _action, _summary in ACTION_ROUTES:
    router.add_api_route(
        f"/tasks/{{task_id}}/{_path}",
        _action_endpoint(_action),
        methods=["POST"],
        name=f"{_path}_task",
        summary=_summary,
        tags=["tasks"],
        responses=ACTION_ERRORS,
    )

# --- public comment ----------------------------------------------------------------------------


@router.get(
    "/public-comments",
    tags=["public comment"],
    summary="Nominees published for public comment now (lấy ý kiến nhân dân); no sign-in needed",
)
async def public_comments(ctx: Ctx, at: Now) -> list[PublicCommentView]:
    return await handlers.list_public_comments(ctx, at)


@router.post(
    "/public-comments/{dossier_id}/objections",
    tags=["public comment"],
    status_code=201,
    summary="Send an objection about a published dossier (signed with a name and contact)",
    responses=_documented(NO_PUBLIC_COMMENT, PUBLIC_COMMENT_CLOSED, UNKNOWN_NOMINEE, signed_in=False),
)
async def object_to(dossier_id: str, body: ObjectionBody, ctx: Ctx, at: Now) -> ObjectionView:
    return await handlers.record_objection(ctx, dossier_id, body, at)


# --- the staff directory -----------------------------------------------------------------------


@router.get(
    "/staff",
    tags=["assignment"],
    summary="The officers of your organisation the platform knows (to assign a task to), with their roles",
    description="An officer is known from their first signed-in request to this API. `role` keeps those who hold it.",
    responses=_documented(),
)
async def list_staff(
    ctx: Ctx, reviewer: CurrentReviewer, role: Annotated[ReviewerRole | None, Query()] = None
) -> list[StaffView]:
    return await handlers.list_staff(ctx, reviewer, role.value if role else None)


# --- assignment --------------------------------------------------------------------------------


@router.post(
    "/tasks/{task_id}/claim",
    tags=["assignment"],
    summary="Take the task",
    responses=_documented(TASK_NOT_FOUND, ROLE_NOT_PERMITTED, TASK_ALREADY_CLAIMED, TASK_NOT_OPEN),
)
async def claim(task_id: str, ctx: Ctx, reviewer: CurrentReviewer, at: Now) -> TaskView:
    return await handlers.claim_task(ctx, reviewer, task_id, at)


@router.post(
    "/tasks/{task_id}/unclaim",
    tags=["assignment"],
    summary="Release a task you hold",
    responses=_documented(TASK_NOT_FOUND, TASK_NOT_CLAIMED_BY_YOU),
)
async def unclaim(task_id: str, ctx: Ctx, reviewer: CurrentReviewer, at: Now) -> TaskView:
    return await handlers.unclaim_task(ctx, reviewer, task_id, at)


@router.post(
    "/tasks/{task_id}/delegate",
    tags=["assignment"],
    summary="Hand a task you hold to another reviewer of your organisation",
    responses=_documented(
        TASK_NOT_FOUND, TASK_NOT_CLAIMED_BY_YOU, TASK_NOT_OPEN, UNKNOWN_ASSIGNEE, ASSIGNEE_LACKS_ROLE
    ),
)
async def delegate(task_id: str, body: AssignBody, ctx: Ctx, reviewer: CurrentReviewer, at: Now) -> TaskView:
    return await handlers.delegate_task(ctx, reviewer, task_id, body.assignee, at)


@router.post(
    "/tasks/{task_id}/assign",
    tags=["assignment"],
    summary="A leader assigns the task to a reviewer of the organisation",
    responses=_documented(
        TASK_NOT_FOUND, ROLE_NOT_PERMITTED, TASK_NOT_OPEN, UNKNOWN_ASSIGNEE, ASSIGNEE_LACKS_ROLE
    ),
)
async def assign(task_id: str, body: AssignBody, ctx: Ctx, reviewer: CurrentReviewer, at: Now) -> TaskView:
    return await handlers.assign_task(ctx, reviewer, task_id, body.assignee, at)
