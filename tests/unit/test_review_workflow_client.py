"""How the review service answers a reviewer's action when Temporal does not: the client's
errors mapped to the catalogue's refusals and, at the HTTP edge, to problems (a stand-in Temporal
client, since only the mapping is under test)."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from contracts.events import ReviewAction
from contracts.workflow import (
    ACTION_NOT_OF_STEP,
    COUNCIL_QUORUM_NOT_MET,
    REFUSALS,
    REVIEW_REFUSED,
    Refusal,
    RefusalKind,
    ReviewRefused,
    TaskActionRequest,
)
from servicekit.errors import DomainError
from servicekit.problems import Problem, problem_of
from servicekit.settings import KitSettings
from services.review.workflow_client import ReviewWorkflows


class Unanswered:
    """A workflow handle whose update fails with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_workflow_handle(self, _workflow_id: str) -> Unanswered:
        return self

    async def execute_update(self, *_args: Any, **_kwargs: Any) -> Any:
        raise self.error


@dataclass(frozen=True)
class Answer:
    """What the HTTP edge answers for the refusal: its problem and its headers."""

    problem: Problem
    headers: dict[str, str]


async def _act(error: Exception) -> Answer:
    workflows = ReviewWorkflows(KitSettings(), client=Unanswered(error))  # type: ignore[arg-type]
    request = TaskActionRequest(task_id="d-1.0.receipt", action=ReviewAction.ACCEPT, actor="clerk.1")
    with pytest.raises(DomainError) as raised:
        await workflows.act_on_task("review-d-1", request)
    return Answer(problem_of(raised.value), raised.value.headers)


@pytest.mark.parametrize(
    "error",
    [
        RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b""),
        RPCError("transport error", RPCStatusCode.UNKNOWN, b""),
        # what the client raises for an update when the server's answer is past its deadline
        WorkflowUpdateRPCTimeoutOrCancelledError(),
    ],
    ids=["unavailable", "transport-error", "update-timed-out"],
)
async def test_an_unreachable_engine_is_a_503_to_retry_not_a_500(error: Exception) -> None:
    problem = await _act(error)
    assert (problem.problem.status, problem.problem.code) == (503, "workflow-engine-unavailable")
    assert problem.headers == {"Retry-After": "5"}
    assert problem.problem.message_vi and problem.problem.detail == str(error)


async def test_a_review_that_ended_is_a_409() -> None:
    problem = await _act(RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b""))
    assert (problem.problem.status, problem.problem.code) == (409, "review-not-running")


async def test_any_other_refusal_of_the_engine_is_not_dressed_up() -> None:
    with pytest.raises(RPCError):
        await _act(RPCError("denied", RPCStatusCode.PERMISSION_DENIED, b""))


def _refused_by_validator(refused: ReviewRefused) -> WorkflowUpdateFailedError:
    """What the client raises when the update validator refuses with ``refused``."""
    return WorkflowUpdateFailedError(ApplicationError(str(refused), refused.payload(), type=REVIEW_REFUSED))


def _facts(template: str) -> dict[str, str]:
    return {name: f"<{name}>" for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=list(REFUSALS))
async def test_each_refusal_of_the_workflow_keeps_its_code_status_and_cause(refusal: Refusal) -> None:
    facts = _facts(refusal.message_vi) | _facts(refusal.message_en)
    problem = (await _act(_refused_by_validator(ReviewRefused(refusal, **facts)))).problem
    expected = {RefusalKind.CONFLICT: 409, RefusalKind.INVALID: 422, RefusalKind.FORBIDDEN: 403}[refusal.kind]
    assert (problem.status, problem.code, problem.type) == (
        expected,
        refusal.code,
        f"urn:tdkt:problem:{refusal.code}",
    )
    for message in (problem.message_vi, problem.message_en):
        assert all(value in message for value in facts.values() if value not in ("<rule_status>",)), message
    assert problem.message_vi != problem.message_en


async def test_a_refusal_names_the_action_and_the_step_in_each_language() -> None:
    refused = ReviewRefused(
        ACTION_NOT_OF_STEP, action="approve", step="receipt", allowed=["accept", "return"]
    )
    problem = (await _act(_refused_by_validator(refused))).problem
    assert (problem.status, problem.code) == (422, "action-not-of-step")
    assert problem.message_en == "approve is not an action of the receipt step; it takes: accept, return."
    assert (
        problem.message_vi
        == "Thao tác 'phê duyệt' không thuộc bước tiếp nhận; bước này nhận: tiếp nhận, trả lại."
    )


async def test_a_council_without_quorum_is_told_present_and_required() -> None:
    refused = ReviewRefused(
        COUNCIL_QUORUM_NOT_MET,
        present=3,
        total=9,
        required=8,
        quorum="4/5",
        legal_basis="QĐ 86/2025/QĐ-UBND Bắc Ninh Điều 8 k4b",
        rule_status="unconfirmed",
    )
    problem = (await _act(_refused_by_validator(refused))).problem
    assert (problem.status, problem.code) == (422, "council-quorum-not-met")
    assert "3 of 9 members present, at least 8 needed (4/5 of the membership)" in problem.message_en
    assert "not confirmed as a national rule" in problem.message_en
    assert "3/9 có mặt, cần ít nhất 8" in problem.message_vi and "chưa xác nhận" in problem.message_vi


async def test_a_refusal_this_service_does_not_know_is_the_task_not_awaiting_action() -> None:
    """A worker of an earlier version (during a deployment) refuses with a plain message."""
    legacy = WorkflowUpdateFailedError(ApplicationError("task x is not awaiting action", type="ValueError"))
    problem = (await _act(legacy)).problem
    assert (problem.status, problem.code) == (409, "task-not-actionable")
    assert problem.detail == "task x is not awaiting action" and "d-1.0.receipt" in problem.message_en
