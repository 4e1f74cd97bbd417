"""Review's adapter to Temporal: start a dossier's review, act on its task, pass its decision.
The engine's answers become the catalogue's refusals (``services.review.errors``)."""

from __future__ import annotations

import contextlib

from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, FailureError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from contracts.events import DecisionIssued, DossierAmended, DossierSubmitted, DossierWithdrawalRequested
from contracts.workflow import (
    ACT_ON_TASK_UPDATE,
    DECISION_ISSUED_SIGNAL,
    DOSSIER_AMENDED_SIGNAL,
    REVIEW_REFUSED,
    REVIEW_WORKFLOW,
    TASK_NOT_ACTIONABLE,
    WITHDRAW_SIGNAL,
    AmendmentSignal,
    DecisionIssuedSignal,
    ReviewInput,
    ReviewRefused,
    ReviewState,
    TaskActionRequest,
    TaskActionResult,
    WithdrawalSignal,
    review_workflow_id,
)
from servicekit.errors import DomainError
from servicekit.settings import KitSettings
from servicekit.temporal import (
    SEARCH_DOSSIER_ID,
    SEARCH_ORGANISATION,
    SEARCH_STATE,
    connect_temporal,
    engine_answers,
)
from services.review.errors import REVIEW_NOT_RUNNING, WorkflowRefused, engine_unavailable

ENGINE_AWAY = frozenset({RPCStatusCode.UNAVAILABLE, RPCStatusCode.UNKNOWN})
"""How the client reports a Temporal server it could not reach (``UNKNOWN`` is its "transport
error"); one that did not answer in time is a ``WorkflowUpdateRPCTimeoutOrCancelledError``, which
the client raises for an update instead of ``DEADLINE_EXCEEDED``. Either way the reviewer is told
to retry, not shown a 500."""


def refused_by_workflow(error: WorkflowUpdateFailedError, task_id: str) -> DomainError:
    """The refusal the update validator raised. A failure without one (a worker of an earlier
    version during a deployment) is told as the task no longer awaiting action, its message the
    problem's detail."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.type == REVIEW_REFUSED and cause.details:
        refused = ReviewRefused.from_payload(cause.details[0])
        if refused is not None:
            return WorkflowRefused(refused)
    detail = cause.message if isinstance(cause, FailureError) else str(cause)
    return WorkflowRefused(ReviewRefused(TASK_NOT_ACTIONABLE, task_id=task_id), detail)


class ReviewWorkflows:
    def __init__(self, kit: KitSettings, client: Client | None = None) -> None:
        """``client``: one already connected (tests give a time-skipping server's), else
        :meth:`connect` makes one from ``kit`` when the service starts."""
        self._kit = kit
        self._client = client

    async def connect(self) -> None:
        if self._client is None:
            self._client = await connect_temporal(self._kit)

    @property
    def client(self) -> Client:
        assert self._client is not None, "connect() first"
        return self._client

    async def reachable(self) -> bool:
        """Whether the workflow engine answers now (``/health/ready``)."""
        return await engine_answers(self.client)

    async def start_review(self, event: DossierSubmitted) -> None:
        """Idempotent: a redelivered event finds the running (or finished) review and starts nothing."""
        data = event.data
        review = ReviewInput(
            dossier_id=data.dossier_id,
            version=data.version,
            award_code=data.award_code,
            submitting_organisation=data.submitting_organisation,
            deciding_organisation=data.deciding_organisation,
            issuer_code=data.issuer_code,
            entries=data.entries,
            review_levels=data.review_levels,
            review_chain=data.review_chain,
            council=data.council,
            reward_multiple=data.reward_multiple,
            particulars=data.particulars,
            submitter_name=data.submitting_organisation_name,
            public_comment=data.public_comment,
            submitted_event_id=event.id,
        )
        # REJECT_DUPLICATE: a late redelivery after the review closed must not review again.
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await self.client.start_workflow(
                REVIEW_WORKFLOW,
                review,
                id=review_workflow_id(data.dossier_id),
                task_queue=self._kit.temporal_task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(SEARCH_DOSSIER_ID, data.dossier_id),
                        SearchAttributePair(SEARCH_ORGANISATION, data.submitting_organisation),
                        SearchAttributePair(SEARCH_STATE, ReviewState.IN_REVIEW.value),
                    ]
                ),
            )

    async def act_on_task(self, workflow_id: str, request: TaskActionRequest) -> TaskActionResult:
        handle = self.client.get_workflow_handle(workflow_id)
        try:
            result: TaskActionResult = await handle.execute_update(
                ACT_ON_TASK_UPDATE, request, result_type=TaskActionResult
            )
            return result
        except WorkflowUpdateFailedError as error:
            raise refused_by_workflow(error, request.task_id) from error
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise REVIEW_NOT_RUNNING(task_id=request.task_id, detail=error.message) from error
            if error.status in ENGINE_AWAY:
                raise engine_unavailable(error.message) from error
            raise
        except WorkflowUpdateRPCTimeoutOrCancelledError as error:
            raise engine_unavailable(str(error)) from error

    async def pass_decision(self, event: DecisionIssued) -> None:
        signal = DecisionIssuedSignal(
            decision_id=event.data.decision_id, number=event.data.number, event_id=event.id
        )
        await self._signal(event.data.dossier_id, DECISION_ISSUED_SIGNAL, signal)

    async def pass_amendment(self, event: DossierAmended) -> None:
        signal = AmendmentSignal(version=event.data.version, entries=event.data.entries, event_id=event.id)
        await self._signal(event.data.dossier_id, DOSSIER_AMENDED_SIGNAL, signal)

    async def pass_withdrawal(self, event: DossierWithdrawalRequested) -> None:
        data = event.data
        signal = WithdrawalSignal(requested_by=data.requested_by, reason=data.reason, event_id=event.id)
        await self._signal(data.dossier_id, WITHDRAW_SIGNAL, signal)

    async def _signal(self, dossier_id: str, name: str, signal: BaseModel) -> None:
        """A review that has already closed ignores what comes after (a late redelivery)."""
        try:
            await self.client.get_workflow_handle(review_workflow_id(dossier_id)).signal(name, signal)
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
