"""Review's HTTP API: the reviewers' task inbox and actions (each action is a Temporal Update),
task assignment within an organisation, and — for local use only — a development token issuer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from sqlmodel import Session

from contracts.events import ReviewAction
from contracts.workflow import ReviewRefused, TaskActionRequest, TaskActionResult, require_reason
from servicekit.auth import STAFF_SCOPE, STAFF_TOKEN_AUDIENCE, Principal, TokenService
from servicekit.db import run_in_session
from servicekit.problems import ProblemError, problem_responses
from servicekit.service import ServiceRuntime
from services.review import authz, examples, service
from services.review.authz import Reviewer, ReviewerRole
from services.review.models import (
    AssignBody,
    DevTokenRequest,
    ObjectionBody,
    ObjectionView,
    PublicCommentView,
    ReviewTask,
    TaskActionBody,
    TaskPage,
    TaskQuery,
    TaskView,
    TokenResponse,
)
from services.review.workflow_client import ReviewWorkflows, refusal_problem, refusals_by_status

TOKEN_AUDIENCE = STAFF_TOKEN_AUDIENCE
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
REVIEWER_SCOPE = STAFF_SCOPE

ACTION_PROBLEMS: dict[int, list[tuple[str, str]]] = {
    403: [("role-not-permitted", "the reviewer lacks the role the step needs")],
    404: [("task-not-found", "no such task in the reviewer's organisation")],
    409: [
        ("task-assigned-to-another", "the task is assigned to another reviewer"),
        ("review-not-running", "the dossier's review has ended"),
    ],
    422: [("validation-failed", "the body does not match its schema")],
    503: [("workflow-engine-unavailable", "Temporal did not answer; look at the task, then retry")],
}
"""The codes of an action's problems besides the workflow's refusals (``contracts.workflow.REFUSALS``)."""


def _with_codes(
    responses: dict[int | str, dict[str, Any]], others: dict[int, list[tuple[str, str]]]
) -> dict[int | str, dict[str, Any]]:
    """Each status's description lists its codes (the service's and the workflow's refusals)."""
    codes = {status: list(pairs) for status, pairs in others.items()}
    for status, refusals in refusals_by_status().items():
        codes.setdefault(status, []).extend((refusal.code, refusal.meaning) for refusal in refusals)
    for status, pairs in codes.items():
        listed = "; ".join(f"`{code}`: {meaning}" for code, meaning in pairs)
        responses[status]["description"] = f"{HTTPStatus(status).phrase}. Codes: {listed}."
    return responses


def build_router(
    runtime: ServiceRuntime, workflows: ReviewWorkflows, tokens: TokenService, dev_tokens: bool
) -> APIRouter:
    router = APIRouter(prefix="/v1")
    # dependencies as default values: local names cannot be resolved from postponed annotations
    authenticated = Depends(tokens.authenticator(REVIEWER_SCOPE))

    def reviewer_of(principal: Principal = authenticated) -> Reviewer:
        return Reviewer.from_principal(principal)

    current = Depends(reviewer_of)
    errors = problem_responses(401, 403, 404)

    async def visible_task(task_id: str, reviewer: Reviewer) -> ReviewTask:
        task = await run_in_session(runtime.engine, lambda session: service.get_task(session, task_id))
        return authz.visible(reviewer, task)

    @router.get(
        "/tasks",
        tags=["tasks"],
        summary="The reviewer's inbox: their organisation's tasks, filtered, sorted, paginated, with counts",
        responses=problem_responses(401, 403),
    )
    async def list_tasks(query: Annotated[TaskQuery, Query()], reviewer: Reviewer = current) -> TaskPage:
        if query.organisation not in (None, reviewer.organisation):
            raise ProblemError(
                403,
                "other-organisation",
                "Chỉ xem được nhiệm vụ của đơn vị mình.",
                "Reviewers see only their own organisation's tasks.",
            )
        own = query.model_copy(update={"organisation": reviewer.organisation})
        now = runtime.clock.now()
        return await run_in_session(runtime.engine, lambda session: service.list_tasks(session, own, now))

    @router.get(
        "/tasks/{task_id}",
        tags=["tasks"],
        summary="One task, with public objections to its dossier",
        responses=errors,
    )
    async def get_task(task_id: str, reviewer: Reviewer = current) -> TaskView:
        task = await visible_task(task_id, reviewer)
        view = service.to_view(task, runtime.clock.now())
        view.objections = await run_in_session(
            runtime.engine, lambda session: service.objections_for(session, task.dossier_id)
        )
        return view

    async def act(
        task_id: str, action: ReviewAction, body: TaskActionBody, reviewer: Reviewer
    ) -> TaskActionResult:
        try:
            # the workflow's rule, checked first so that a reason-less action costs no round trip
            require_reason(action, body.comment)
            task = await visible_task(task_id, reviewer)
            authz.check_can_act(reviewer, task)
        except ReviewRefused as refused:
            raise refusal_problem(refused) from refused
        request = TaskActionRequest(
            task_id=task_id,
            action=action,
            actor=reviewer.subject,
            comment=body.comment,
            organisation=reviewer.organisation,
            role=authz.role_of(task).value,
            version=body.version,
            struck_entries=body.struck_entries,
            tally=body.tally,
        )
        result = await workflows.act_on_task(task.workflow_id, request)
        await run_in_session(
            runtime.engine, lambda session: service.record_action(session, result, reviewer.subject)
        )
        return result

    action_errors = _with_codes(problem_responses(401, 403, 404, 409, 422, 503), ACTION_PROBLEMS)

    def action_endpoint(action: ReviewAction) -> Callable[..., Awaitable[TaskActionResult]]:
        documented = Body(openapi_examples=examples.TASK_ACTIONS[action])

        async def endpoint(
            task_id: str, body: TaskActionBody = documented, reviewer: Reviewer = current
        ) -> TaskActionResult:
            return await act(task_id, action, body, reviewer)

        return endpoint

    for path, action, summary in ACTION_ROUTES:
        router.add_api_route(
            f"/tasks/{{task_id}}/{path}",
            action_endpoint(action),
            methods=["POST"],
            name=f"{path}_task",
            summary=summary,
            tags=["tasks"],
            responses=action_errors,
        )

    @router.get(
        "/public-comments",
        tags=["public comment"],
        summary="Nominees published for public comment now (lấy ý kiến nhân dân); no sign-in needed",
    )
    async def public_comments() -> list[PublicCommentView]:
        now = runtime.clock.now()
        return await run_in_session(
            runtime.engine, lambda session: service.open_public_comments(session, now)
        )

    @router.post(
        "/public-comments/{dossier_id}/objections",
        tags=["public comment"],
        status_code=201,
        summary="Send an objection about a published dossier (signed with a name and contact)",
        responses=problem_responses(404, 409, 422),
    )
    async def object_to(dossier_id: str, body: ObjectionBody) -> ObjectionView:
        now = runtime.clock.now()
        return await runtime.write(
            lambda session: service.record_objection(session, dossier_id, body, now, runtime.source)
        )

    async def reassign(task_id: str, reviewer: Reviewer, change: service.Reassignment) -> TaskView:
        def work(session: Session) -> TaskView:
            task = authz.visible(reviewer, service.get_task(session, task_id, lock=True))
            return service.to_view(change(session, task), runtime.clock.now())

        return await run_in_session(runtime.engine, work)

    assignment_errors = problem_responses(401, 403, 404, 409)

    @router.post(
        "/tasks/{task_id}/claim", tags=["assignment"], summary="Take the task", responses=assignment_errors
    )
    async def claim(task_id: str, reviewer: Reviewer = current) -> TaskView:
        def claimed(session: Session, task: ReviewTask) -> ReviewTask:
            # only someone who can act on the step may hold it; anyone else would block it
            authz.require_role(reviewer, authz.role_of(task))
            return service.claim(session, task, reviewer.subject)

        return await reassign(task_id, reviewer, claimed)

    @router.post(
        "/tasks/{task_id}/unclaim",
        tags=["assignment"],
        summary="Release a task you hold",
        responses=assignment_errors,
    )
    async def unclaim(task_id: str, reviewer: Reviewer = current) -> TaskView:
        return await reassign(
            task_id, reviewer, lambda session, task: service.unclaim(session, task, reviewer.subject)
        )

    @router.post(
        "/tasks/{task_id}/delegate",
        tags=["assignment"],
        summary="Hand a task you hold to another reviewer of your organisation",
        responses=assignment_errors,
    )
    async def delegate(task_id: str, body: AssignBody, reviewer: Reviewer = current) -> TaskView:
        return await reassign(
            task_id,
            reviewer,
            lambda session, task: service.delegate(session, task, reviewer.subject, body.assignee),
        )

    @router.post(
        "/tasks/{task_id}/assign",
        tags=["assignment"],
        summary="A leader assigns the task to a reviewer of the organisation",
        responses=assignment_errors,
    )
    async def assign(task_id: str, body: AssignBody, reviewer: Reviewer = current) -> TaskView:
        authz.require_role(reviewer, ReviewerRole.LEADER)
        return await reassign(
            task_id,
            reviewer,
            lambda session, task: service.assign(session, task, reviewer.subject, body.assignee),
        )

    if dev_tokens:

        @router.post(
            "/dev/tokens",
            tags=["development"],
            summary="Development token issuer (enabled by TDKT_REVIEW_DEV_TOKENS; never in production)",
        )
        async def issue_dev_token(request: DevTokenRequest) -> TokenResponse:
            roles = [
                ReviewerRole(role).value
                for role in request.roles
                if role in ReviewerRole.__members__.values()
            ]
            if len(roles) != len(request.roles):
                raise ProblemError(
                    422,
                    "unknown-role",
                    f"Vai trò hợp lệ: {', '.join(ReviewerRole)}.",
                    f"Known roles: {', '.join(ReviewerRole)}.",
                )
            token, expires_in = tokens.issue(
                request.subject,
                [REVIEWER_SCOPE],
                {
                    "name": request.name or request.subject,
                    "organisation": request.organisation,
                    "roles": roles,
                },
            )
            return TokenResponse(access_token=token, expires_in=expires_in)

    return router
