"""How the review service answers a reviewer's action when Temporal does not: the client's
errors mapped to problems (a stand-in Temporal client, since only the mapping is under test)."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from contracts.events import ReviewAction
from contracts.workflow import TaskActionRequest
from servicekit.problems import ProblemError
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


async def _act(error: Exception) -> ProblemError:
    workflows = ReviewWorkflows(KitSettings())
    workflows._client = Unanswered(error)  # type: ignore[assignment]
    request = TaskActionRequest(task_id="d-1.0.receipt", action=ReviewAction.ACCEPT, actor="clerk.1")
    with pytest.raises(ProblemError) as raised:
        await workflows.act_on_task("review-d-1", request)
    return raised.value


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
