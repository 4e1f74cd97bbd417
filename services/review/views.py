"""Review's HTTP API: the reviewers' task inbox and actions (each action is a Temporal Update),
task assignment within an organisation, and public comment. Reviewers' tokens come from the
identity provider (``servicekit.auth``); the service issues none.

Each endpoint parses, calls one handler (``services.review.handlers``) and returns its view."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Form, Path, Query, Request, UploadFile, status
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials

from contracts.events import ReviewAction
from contracts.text import FreeText
from contracts.workflow import TaskActionResult
from servicekit.auth import STAFF_TOKEN_SCHEME
from servicekit.db import MAX_PAGE_OFFSET
from servicekit.errors import ErrorCode
from servicekit.files import file_response
from servicekit.problems import error_responses
from servicekit.refusals import HUMAN_TEXT, SIGNER_NOT_NAMED, STAFF_AUTHENTICATION
from services.review import examples, handlers
from services.review.authz import REVIEWER_SCOPE, Reviewer, ReviewerRole
from services.review.errors import (
    ASSIGNEE_LACKS_ROLE,
    COMMENT_EMPTY,
    DOSSIER_NOT_FOUND,
    NO_PUBLIC_COMMENT,
    NOTE_FILE_NOT_FOUND,
    NOTE_FILE_TOO_LARGE,
    NOTE_FILE_TYPE_NOT_ALLOWED,
    OTHER_ORGANISATION,
    PUBLIC_COMMENT_CLOSED,
    REVIEW_ENDED,
    REVIEW_NOT_RUNNING,
    ROLE_NOT_PERMITTED,
    SAME_PERSON,
    TASK_ALREADY_CLAIMED,
    TASK_ASSIGNED_TO_ANOTHER,
    TASK_NOT_CLAIMED_BY_YOU,
    TASK_NOT_FOUND,
    TASK_NOT_OPEN,
    TOO_MANY_OBJECTIONS_FROM_ADDRESS,
    TOO_MANY_OBJECTIONS_TO_DOSSIER,
    UNKNOWN_ASSIGNEE,
    UNKNOWN_NOMINEE,
    WORKFLOW_ENGINE_UNAVAILABLE,
    WORKFLOW_REFUSALS,
)
from services.review.handlers import ReviewContext
from services.review.models import (
    AssignBody,
    CommentBody,
    NoteView,
    ObjectionBody,
    ObjectionPage,
    ObjectionView,
    PublicCommentView,
    StaffView,
    TaskActionBody,
    TaskPage,
    TaskQuery,
    TaskView,
)
from services.review.settings import ReviewSettings

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


def client_address(request: Request) -> str:
    """The TCP peer's address: this code never reads ``X-Forwarded-For``, which any client can
    write. uvicorn (``servicekit.service.main``) puts the forwarded address here only when the peer
    is a proxy listed in ``FORWARDED_ALLOW_IPS`` (127.0.0.1 by default); behind any other proxy,
    every client has the proxy's address and shares its allowance — list the proxy there."""
    return request.client.host if request.client else "unknown"


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
    *HUMAN_TEXT,
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
    description="No sign-in: each client address may send a few objections an hour and each "
    "dossier take a bounded number (429 with `Retry-After`; settings "
    "`TDKT_REVIEW_OBJECTIONS_PER_ADDRESS`, `…_PER_DOSSIER`, `TDKT_REVIEW_OBJECTION_WINDOW_SECONDS`).",
    responses=_documented(
        NO_PUBLIC_COMMENT,
        PUBLIC_COMMENT_CLOSED,
        UNKNOWN_NOMINEE,
        TOO_MANY_OBJECTIONS_FROM_ADDRESS,
        TOO_MANY_OBJECTIONS_TO_DOSSIER,
        *HUMAN_TEXT,
        signed_in=False,
    ),
)
async def object_to(
    dossier_id: Annotated[str, Path(max_length=64)],
    body: ObjectionBody,
    ctx: Ctx,
    at: Now,
    address: Annotated[str, Depends(client_address)],
) -> ObjectionView:
    return await handlers.record_objection(ctx, dossier_id, body, at, address)


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


# --- notes: comments and files on a task ------------------------------------------------------

UPLOAD_CHUNK = 1024 * 1024
FILES_PATH = "/tasks/{task_id}/files"


@router.post(
    "/tasks/{task_id}/comments",
    tags=["notes"],
    status_code=status.HTTP_201_CREATED,
    summary="Leave a comment on a task (any officer of its organisation, while the review runs)",
    description="Every organisation reviewing the dossier, now or later, reads it "
    "(`GET /v1/dossiers/{dossier_id}/notes`); `for_submitter` also puts it in the dossier's history "
    "the submitter reads (event `vn.tdkt.review.note.shared.v1`).",
    responses=_documented(
        TASK_NOT_FOUND, COMMENT_EMPTY, WORKFLOW_REFUSALS["dossier-withdrawn"], REVIEW_ENDED, *HUMAN_TEXT
    ),
)
async def add_comment(
    task_id: str, body: CommentBody, ctx: Ctx, reviewer: CurrentReviewer, at: Now
) -> NoteView:
    return await handlers.add_comment(ctx, reviewer, task_id, body, at)


@router.post(
    FILES_PATH,
    tags=["notes"],
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file to a task (an appraisal report, the council's minutes), under the comments' rule",
    responses=_documented(
        TASK_NOT_FOUND,
        WORKFLOW_REFUSALS["dossier-withdrawn"],
        REVIEW_ENDED,
        NOTE_FILE_TOO_LARGE,
        NOTE_FILE_TYPE_NOT_ALLOWED,
        *HUMAN_TEXT,
    ),
)
async def add_file(
    task_id: str,
    file: UploadFile,
    ctx: Ctx,
    reviewer: CurrentReviewer,
    at: Now,
    description: Annotated[FreeText | None, Form(max_length=1000, description="What the file is")] = None,
    for_submitter: Annotated[
        bool, Form(description="The submitter learns of it (name, size, description; not the file)")
    ] = False,
) -> NoteView:
    return await handlers.add_file(
        ctx, reviewer, task_id, _chunks(file), file.filename, description, for_submitter, at
    )


@router.get(
    "/dossiers/{dossier_id}/notes",
    tags=["notes"],
    summary="Every comment and file of every level of the dossier, oldest first",
    description="For the officers of any organisation that has (or had) a task for the dossier.",
    responses=_documented(DOSSIER_NOT_FOUND),
)
async def list_notes(dossier_id: str, ctx: Ctx, reviewer: CurrentReviewer) -> list[NoteView]:
    return await handlers.list_notes(ctx, reviewer, dossier_id)


@router.get(
    "/dossiers/{dossier_id}/objections",
    tags=["public comment"],
    summary="The public's objections to the dossier, oldest first, a page at a time",
    description="For the officers of any organisation that has (or had) a task for the dossier.",
    responses=_documented(DOSSIER_NOT_FOUND),
)
async def list_objections(
    dossier_id: str,
    ctx: Ctx,
    reviewer: CurrentReviewer,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
) -> ObjectionPage:
    return await handlers.list_objections(ctx, reviewer, dossier_id, limit, offset)


@router.get(
    "/dossiers/{dossier_id}/files/{file_id}",
    tags=["notes"],
    summary="A file of the dossier's notes, served inline with its type",
    response_class=FileResponse,
    responses=_documented(DOSSIER_NOT_FOUND, NOTE_FILE_NOT_FOUND),
)
async def download_file(dossier_id: str, file_id: str, ctx: Ctx, reviewer: CurrentReviewer) -> FileResponse:
    found = await handlers.note_file(ctx, reviewer, dossier_id, file_id)
    return file_response(found.path, found.media_type, found.file_name, "inline")


def describe_limits(app: FastAPI, settings: ReviewSettings) -> None:
    """The upload's description names this deployment's accepted types and size limit (settings,
    known when the app is built; FastAPI's way: replace ``app.openapi``)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            generate()["paths"][f"{router.prefix}{FILES_PATH}"]["post"]["description"] = (
                f"Accepted types (judged from the content): {', '.join(settings.note_file_types)}; "
                f"at most {settings.max_note_file_bytes} bytes. Read like the comments: every "
                "organisation reviewing the dossier; `for_submitter` tells the submitter its name, size "
                "and description."
            )
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


async def _chunks(file: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await file.read(UPLOAD_CHUNK):
        yield chunk
