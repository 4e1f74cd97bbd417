"""The review workflow: one task per review level, in order; each level's reviewer approves,
rejects or returns the dossier through an Update; after the last level it announces the approval
and waits for the decision. It decides only — every effect is an activity."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts.envelope import CloudEvent, EventData
    from contracts.events import (
        CouncilQuorum,
        CouncilTally,
        DossierApproved,
        DossierApprovedData,
        DossierClosedData,
        DossierRejected,
        DossierReturned,
        DossierWithdrawn,
        EntrySummary,
        LevelApproved,
        LevelApprovedData,
        PublicCommentOpened,
        PublicCommentOpenedData,
        ReviewAction,
        ReviewLevel,
        ReviewStepKind,
        ReviewTaskCompleted,
        ReviewTaskCompletedData,
        ReviewTaskDeadlineData,
        ReviewTaskEscalated,
        ReviewTaskOpened,
        ReviewTaskOpenedData,
        ReviewTaskReminded,
        StruckEntry,
    )
    from contracts.workflow import (
        ACT_ON_TASK_UPDATE,
        ACTION_NOT_OF_STEP,
        ALL_ENTRIES_STRUCK,
        COUNCIL_QUORUM_NOT_MET,
        DECISION_ISSUED_SIGNAL,
        DOSSIER_AMENDED_SIGNAL,
        DOSSIER_WITHDRAWN,
        ENTRIES_NOT_IN_DOSSIER,
        MORE_PRESENT_THAN_MEMBERS,
        MORE_VOTES_THAN_MEMBERS,
        ORGANISATION_NOT_REVIEWING,
        REVIEW_REFUSED,
        REVIEW_WORKFLOW,
        REVIEWER_ACTIONS,
        ROLE_NOT_OF_STEP,
        STALE_VERSION,
        STATUS_QUERY,
        STEP_ACTIONS,
        STEP_ROLES,
        TALLY_ENTRIES_MISMATCH,
        TALLY_REQUIRED,
        TASK_NOT_ACTIONABLE,
        WITHDRAW_SIGNAL,
        AmendmentSignal,
        DeadlinePlan,
        DeadlineRequest,
        DecisionIssuedSignal,
        ReviewInput,
        ReviewRefused,
        ReviewState,
        ReviewStatus,
        TaskActionRequest,
        TaskActionResult,
        WithdrawalSignal,
        require_reason,
        review_task_id,
    )
    from servicekit.temporal import SEARCH_DOSSIER_ID, SEARCH_LEVEL, SEARCH_ORGANISATION, SEARCH_STATE
    from workflows.review.activities import PLAN_DEADLINE, PUBLISH_REVIEW_EVENT, PublishReviewEvent

EVENT_SOURCE = "/tdkt/review-workflow"

STEPS_PATCH = "steps-per-level"
"""Reviews started with one task per level keep it (replayed histories)."""
LEGACY_ACTIONS = frozenset({ReviewAction.APPROVE, ReviewAction.REJECT, ReviewAction.RETURN})
RESUBMISSION_PATCH = "resume-after-return"
"""Reviews returned before resubmission existed ended at the return (replayed histories)."""
DEADLINES_PATCH = "task-deadlines"
"""Reviews started before deadlines existed keep running without them (replayed histories)."""
QUORUM_PATCH = "council-quorum"
"""A council vote is refused without its quorum; councils that met before keep their vote."""

HISTORY_EVENT_LIMIT = 2_000
"""Events after which a resubmitted review continues as a new run (Temporal's own limit is 51,200)."""

PUBLISH_TIMEOUT = timedelta(seconds=30)
PLAN_TIMEOUT = timedelta(seconds=10)
# The broker may be down for a while; keep trying (with capped backoff) rather than lose an event.
PUBLISH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(seconds=30)
)


@workflow.defn(name=REVIEW_WORKFLOW)
class ReviewWorkflow:
    def __init__(self) -> None:
        self._dossier_id = ""
        self._state = ReviewState.IN_REVIEW
        self._levels: list[ReviewLevel] = []
        self._review: ReviewInput | None = None
        self._open_task: tuple[str, int, ReviewLevel, ReviewStepKind | None] | None = None
        self._struck: dict[str, StruckEntry] = {}
        self._deadline_events: set[str] = set()
        self._action: TaskActionRequest | None = None
        self._decision: DecisionIssuedSignal | None = None
        self._amendment: AmendmentSignal | None = None
        self._withdrawal: WithdrawalSignal | None = None
        self._approved_by: str | None = None
        self._signer: tuple[str | None, str | None] = (None, None)
        """The full name and title of the leader whose sign-off approved the last level."""
        self._quorum_required = False

    @workflow.run
    async def run(self, review: ReviewInput) -> ReviewStatus:
        self._dossier_id = review.dossier_id
        self._review = review
        self._levels = levels = review.review_levels
        index = review.resume_at_level
        while index < len(levels):
            level = levels[index]
            action = await self._level(review, index, level)
            if action is None:
                await self._end_withdrawn(review, index, level)
                return self.status()
            if action.action is ReviewAction.APPROVE:
                self._approved_by = action.actor
                self._signer = (action.actor_name, action.actor_title)
                next_level = levels[index + 1] if index + 1 < len(levels) else None
                await self._emit(
                    LevelApproved,
                    self._step_event_id(review, index, "approved"),
                    LevelApprovedData(
                        dossier_id=review.dossier_id,
                        level=level,
                        next_level=next_level,
                        approved_by=action.actor,
                        approved_at=workflow.now(),
                        approved_by_name=action.actor_name,
                        approved_by_title=action.actor_title,
                    ),
                )
                index += 1
                continue
            await self._close(review, index, level, action)
            if action.action is ReviewAction.REJECT or not workflow.patched(RESUBMISSION_PATCH):
                return self.status()
            await workflow.wait_condition(lambda: self._amendment is not None or self._withdrawal is not None)
            if self._amendment is None:
                await self._end_withdrawn(review, index, level)
                return self.status()
            review = self._review = review.model_copy(
                update={"version": self._amendment.version, "entries": self._amendment.entries}
            )
            self._amendment = None
            self._struck.clear()  # the new version's entries are judged afresh
            if self._history_too_long(review):
                # a long review (many returns) starts a fresh run where it stands, keeping its history bounded
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(review.model_copy(update={"resume_at_level": index}))

        self._show(ReviewState.AWAITING_DECISION, None, review.deciding_organisation)
        await self._emit(
            DossierApproved,
            self._event_id("approved"),
            DossierApprovedData(
                dossier_id=review.dossier_id,
                version=review.version,
                award_code=review.award_code,
                submitting_organisation=review.submitting_organisation,
                deciding_organisation=review.deciding_organisation,
                issuer_code=review.issuer_code,
                entries=self._remaining(review),
                approved_at=workflow.now(),
                struck_entries=review.named(list(self._struck.values())),
                reward_multiple=review.reward_multiple,
                particulars=review.particulars,
                approved_by=self._approved_by,
                approved_by_name=self._signer[0],
                approved_by_title=self._signer[1],
            ),
        )
        await workflow.wait_condition(lambda: self._decision is not None)
        self._show(ReviewState.DECIDED, None, review.deciding_organisation)
        return self.status()

    async def _level(self, review: ReviewInput, index: int, level: ReviewLevel) -> TaskActionRequest | None:
        """Run one level's steps; returns the action that ends the level (an approval at sign-off,
        a rejection or a return), or None when the dossier is withdrawn first."""
        self._show(ReviewState.IN_REVIEW, level, review.organisation_at(index))
        if not workflow.patched(STEPS_PATCH):
            deadline = await self._plan_deadline(review, level) if workflow.patched(DEADLINES_PATCH) else None
            return await self._task(review, index, level, None, deadline)
        deadline = await self._plan_deadline(review, level)
        for step in self._steps(review, level):
            if step is ReviewStepKind.PUBLIC_COMMENT:
                if not await self._public_comment(review, index, level):
                    return None
                continue
            if step is ReviewStepKind.COUNCIL:
                self._quorum_required = workflow.patched(QUORUM_PATCH)
            action = await self._task(review, index, level, step, deadline)
            if action is None or action.action in (ReviewAction.REJECT, ReviewAction.RETURN):
                return action
            for entry in action.struck_entries:
                self._struck[entry.entry_id] = entry.model_copy(update={"level": level})
            if action.tally is not None:
                self._strike_failed_votes(review, level, action.tally)
                if not self._remaining(review):
                    return action.model_copy(
                        update={
                            "action": ReviewAction.REJECT,
                            "comment": "Không trường hợp nào đạt tỷ lệ phiếu của Hội đồng / "
                            "no entry reached the council's threshold",
                        }
                    )
        return action

    @staticmethod
    def _steps(review: ReviewInput, level: ReviewLevel) -> list[ReviewStepKind]:
        steps = [ReviewStepKind.RECEIPT, ReviewStepKind.APPRAISAL]
        if any(period.before_level is level for period in review.public_comment):
            steps.append(ReviewStepKind.PUBLIC_COMMENT)
        if review.council is not None and review.council.level is level:
            steps.append(ReviewStepKind.COUNCIL)
        steps.append(ReviewStepKind.SIGN_OFF)
        return steps

    def _remaining(self, review: ReviewInput) -> list[EntrySummary]:
        return [entry for entry in review.entries_for_decision() if entry.entry_id not in self._struck]

    def _strike_failed_votes(self, review: ReviewInput, level: ReviewLevel, tally: CouncilTally) -> None:
        council = review.council
        assert council is not None
        for vote in tally.votes:
            # exact arithmetic on the council's TOTAL membership (NĐ 98/2023 Điều 30 k7)
            if (
                vote.votes_for * council.threshold_denominator
                < tally.members_total * council.threshold_numerator
            ):
                self._struck[vote.entry_id] = StruckEntry(
                    entry_id=vote.entry_id,
                    level=level,
                    reason=(
                        f"Hội đồng: {vote.votes_for}/{tally.members_total} phiếu, dưới ngưỡng "
                        f"{council.threshold_numerator}/{council.threshold_denominator} tổng số thành viên / "
                        f"council: {vote.votes_for} of {tally.members_total} members, below the threshold"
                    ),
                )

    async def _public_comment(self, review: ReviewInput, index: int, level: ReviewLevel) -> bool:
        """Publish the nominees and wait out the period; False when the dossier is withdrawn."""
        period = next(period for period in review.public_comment if period.before_level is level)
        window = await self._plan_deadline(review, level, period.working_days)
        await self._emit(
            PublicCommentOpened,
            self._step_event_id(review, index, "public_comment"),
            PublicCommentOpenedData(
                dossier_id=review.dossier_id,
                level=level,
                organisation=review.organisation_at(index),
                award_code=review.award_code,
                nominees=self._remaining(review),
                opened_at=workflow.now(),
                closes_at=window.due_at,
                working_days=period.working_days,
                legal_basis=period.legal_basis,
            ),
        )
        try:
            await workflow.wait_condition(
                lambda: self._withdrawal is not None, timeout=window.due_at - workflow.now()
            )
        except TimeoutError:
            return True
        return False

    async def _task(
        self,
        review: ReviewInput,
        index: int,
        level: ReviewLevel,
        step: ReviewStepKind | None,
        deadline: DeadlinePlan | None,
    ) -> TaskActionRequest | None:
        """Open one task and wait for its action; None when the dossier is withdrawn first."""
        task_id = review_task_id(review.dossier_id, index, level, review.version, step)
        prefix = "" if step is None else f"{step.value}."
        self._open_task = (task_id, index, level, step)
        await self._emit(
            ReviewTaskOpened,
            self._step_event_id(review, index, f"{prefix}opened"),
            ReviewTaskOpenedData(
                task_id=task_id,
                dossier_id=review.dossier_id,
                workflow_id=workflow.info().workflow_id,
                level=level,
                level_index=index,
                levels_total=len(review.review_levels),
                organisation=review.organisation_at(index),
                award_code=review.award_code,
                submitting_organisation=review.submitting_organisation,
                opened_at=workflow.now(),
                due_at=deadline.due_at if deadline else None,
                version=review.version,
                step=step,
                role=STEP_ROLES.get(step) if step else None,
                organisation_name=review.organisation_name_at(index),
                submitting_organisation_name=review.submitting_organisation_name,
                award_name=review.award_name,
            ),
        )
        await self._await_action(review, index, level, deadline)
        action = self._action
        if action is None:
            return None  # withdrawn: _end_withdrawn closes the open task
        self._action = None
        self._open_task = None
        await self._emit(
            ReviewTaskCompleted,
            self._step_event_id(review, index, f"{prefix}completed"),
            ReviewTaskCompletedData(
                task_id=task_id,
                dossier_id=review.dossier_id,
                level=level,
                action=action.action,
                actor=action.actor,
                comment=action.comment,
                completed_at=workflow.now(),
                actor_name=action.actor_name,
                actor_title=action.actor_title,
                organisation=action.organisation,
                role=action.role,
                version=review.version,
                step=step,
                struck_entries=review.named(action.struck_entries),
                tally=action.tally,
                submitting_organisation=review.submitting_organisation,
            ),
        )
        return action

    @staticmethod
    def _history_too_long(review: ReviewInput) -> bool:
        info = workflow.info()
        limit = review.history_event_limit or HISTORY_EVENT_LIMIT
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > limit

    def _acted_or_withdrawn(self) -> bool:
        return self._action is not None or self._withdrawal is not None

    async def _end_withdrawn(self, review: ReviewInput, index: int, level: ReviewLevel) -> None:
        withdrawal = self._withdrawal
        assert withdrawal is not None
        self._open_task = None
        self._show(ReviewState.WITHDRAWN, level, review.organisation_at(index))
        await self._emit(
            DossierWithdrawn,
            self._event_id("withdrawn"),
            DossierClosedData(
                dossier_id=review.dossier_id,
                submitting_organisation=review.submitting_organisation,
                level=level,
                actor=withdrawal.requested_by,
                reason=withdrawal.reason,
                at=workflow.now(),
            ),
        )

    async def _plan_deadline(
        self, review: ReviewInput, level: ReviewLevel, working_days: int | None = None
    ) -> DeadlinePlan:
        plan: DeadlinePlan = await workflow.execute_activity(
            PLAN_DEADLINE,
            DeadlineRequest(
                opened_at=workflow.now(), level=level, award_code=review.award_code, working_days=working_days
            ),
            result_type=DeadlinePlan,
            start_to_close_timeout=PLAN_TIMEOUT,
            retry_policy=PUBLISH_RETRY,
        )
        return plan

    async def _await_action(
        self, review: ReviewInput, index: int, level: ReviewLevel, deadline: DeadlinePlan | None
    ) -> None:
        """Wait for the reviewer; on the way, remind at 75% of the limit and escalate to the
        organisation's leader when the task is overdue (each once)."""
        if deadline is not None:
            for moment, kind, event_type in (
                (deadline.remind_at, "reminded", ReviewTaskReminded),
                (deadline.due_at, "escalated", ReviewTaskEscalated),
            ):
                waiting = moment - workflow.now()
                if waiting > timedelta(0):
                    try:
                        await workflow.wait_condition(self._acted_or_withdrawn, timeout=waiting)
                        return
                    except TimeoutError:
                        pass
                if self._acted_or_withdrawn():
                    return
                event_id = self._step_event_id(review, index, kind)
                if event_id in self._deadline_events:
                    continue  # a later step of the same level: already sent for this level
                self._deadline_events.add(event_id)
                await self._emit(
                    event_type,
                    event_id,
                    ReviewTaskDeadlineData(
                        task_id=self._open_task[0] if self._open_task else "",
                        dossier_id=review.dossier_id,
                        level=level,
                        organisation=review.organisation_at(index),
                        due_at=deadline.due_at,
                        limit_working_days=deadline.limit_working_days,
                        legal_basis=deadline.legal_basis,
                        at=workflow.now(),
                        role=STEP_ROLES.get(self._open_task[3])
                        if self._open_task and self._open_task[3]
                        else None,
                        organisation_name=review.organisation_name_at(index),
                        submitting_organisation_name=review.submitting_organisation_name,
                        award_name=review.award_name,
                    ),
                )
        await workflow.wait_condition(self._acted_or_withdrawn)

    async def _close(
        self, review: ReviewInput, index: int, level: ReviewLevel, action: TaskActionRequest
    ) -> None:
        data = DossierClosedData(
            dossier_id=review.dossier_id,
            submitting_organisation=review.submitting_organisation,
            level=level,
            actor=action.actor,
            reason=action.comment or "",
            at=workflow.now(),
            actor_name=action.actor_name,
            actor_title=action.actor_title,
        )
        if action.action is ReviewAction.REJECT:
            self._show(ReviewState.REJECTED, level, review.organisation_at(index))
            await self._emit(DossierRejected, self._step_event_id(review, index, "rejected"), data)
        else:
            self._show(ReviewState.RETURNED, level, review.organisation_at(index))
            await self._emit(DossierReturned, self._step_event_id(review, index, "returned"), data)

    async def _emit(self, event_type: type[CloudEvent], event_id: str, data: EventData) -> None:
        """Publish one of this review's events: its source, subject and time are the workflow's."""
        fields = {"id": event_id, "source": EVENT_SOURCE, "subject": self._dossier_id, "time": workflow.now()}
        await self._publish(event_type.model_validate({**fields, "data": data}))

    async def _publish(self, event: CloudEvent) -> None:
        await workflow.execute_activity(
            PUBLISH_REVIEW_EVENT,
            PublishReviewEvent(event=event),
            start_to_close_timeout=PUBLISH_TIMEOUT,
            retry_policy=PUBLISH_RETRY,
        )

    def _organisation_at(self, index: int) -> str | None:
        return self._review.organisation_at(index) if self._review is not None else None

    def _show(self, state: ReviewState, level: ReviewLevel | None, organisation: str | None) -> None:
        """Keep the operators' search attributes current. Reviews started without them (by the
        first version of the review service, or in tests) are left as they are."""
        self._state = state
        if workflow.info().typed_search_attributes.get(SEARCH_DOSSIER_ID) is None:
            return
        workflow.upsert_search_attributes(
            [
                SEARCH_STATE.value_set(state.value),
                SEARCH_LEVEL.value_set(level.value) if level else SEARCH_LEVEL.value_unset(),
                SEARCH_ORGANISATION.value_set(organisation)
                if organisation
                else SEARCH_ORGANISATION.value_unset(),
            ]
        )

    def _step_event_id(self, review: ReviewInput, index: int, step: str) -> str:
        """Ids of a level's events; a level reviewed again after an amendment names the version."""
        return self._event_id(
            f"{index}.{step}" if review.version == 1 else f"{index}.v{review.version}.{step}"
        )

    def _event_id(self, step: str) -> str:
        return f"{workflow.info().workflow_id}.{step}"

    @workflow.update(name=ACT_ON_TASK_UPDATE)
    def act_on_task(self, request: TaskActionRequest) -> TaskActionResult:
        assert self._open_task is not None
        task_id, index, level, _step = self._open_task
        self._action = request
        approved = request.action is ReviewAction.APPROVE
        return TaskActionResult(
            task_id=task_id,
            action=request.action,
            level=level,
            next_level=self._levels[index + 1] if approved and index + 1 < len(self._levels) else None,
            acted_at=workflow.now(),
        )

    @act_on_task.validator
    def validate_act_on_task(self, request: TaskActionRequest) -> None:
        """Refuse (nothing is written to history) with the cause's code and facts, which the
        review service turns into its problem (``contracts.workflow.REFUSALS``)."""
        try:
            self._check_turn(request)
            self._check_step(request)
            self._check_entries(request)
        except ReviewRefused as refused:
            raise ApplicationError(
                str(refused), refused.payload(), type=REVIEW_REFUSED, non_retryable=True
            ) from None

    def _check_turn(self, request: TaskActionRequest) -> None:
        """Whether the task is the one waiting, for this organisation, on this version."""
        if self._withdrawal is not None:  # the review is ending: say why, not only that the task closed
            raise ReviewRefused(DOSSIER_WITHDRAWN)
        if self._open_task is None or self._open_task[0] != request.task_id or self._action is not None:
            raise ReviewRefused(TASK_NOT_ACTIONABLE, task_id=request.task_id)
        acting = self._organisation_at(self._open_task[1])
        if request.organisation is not None and acting is not None and request.organisation != acting:
            raise ReviewRefused(
                ORGANISATION_NOT_REVIEWING, reviewing=acting, organisation=request.organisation
            )
        current = self._review.version if self._review else None
        if request.version is not None and request.version != current:
            raise ReviewRefused(STALE_VERSION, version=request.version, current=current or 0)

    def _check_step(self, request: TaskActionRequest) -> None:
        """Whether the open step takes this action, from this role, with a reason where one is due."""
        assert self._open_task is not None
        require_reason(request.action, request.comment)
        step = self._open_task[3]
        allowed = STEP_ACTIONS[step] if step else LEGACY_ACTIONS
        if request.action not in allowed:
            raise ReviewRefused(
                ACTION_NOT_OF_STEP,
                action=request.action.value,
                step=(
                    step or ReviewStepKind.SIGN_OFF
                ).value,  # a review's one task per level was its sign-off
                allowed=[action.value for action in REVIEWER_ACTIONS if action in allowed],
            )
        if step is not None and request.role is not None and request.role != STEP_ROLES[step]:
            raise ReviewRefused(
                ROLE_NOT_OF_STEP, step=step.value, required=STEP_ROLES[step], role=request.role
            )

    def _check_entries(self, request: TaskActionRequest) -> None:
        """Whether an appraisal's strikes and a council's tally fit the entries still in the dossier."""
        assert self._review is not None
        remaining = [entry.entry_id for entry in self._remaining(self._review)]
        if request.action is ReviewAction.RECOMMEND:
            struck = [entry.entry_id for entry in request.struck_entries]
            if unknown := [entry for entry in struck if entry not in remaining]:
                raise ReviewRefused(ENTRIES_NOT_IN_DOSSIER, entries=self._names(unknown))
            if set(struck) == set(remaining):
                raise ReviewRefused(ALL_ENTRIES_STRUCK, entries=self._names(remaining))
        if request.action is ReviewAction.RECORD_VOTE:
            self._check_tally(request.tally, remaining)

    def _check_tally(self, tally: CouncilTally | None, remaining: list[str]) -> None:
        if tally is None:
            raise ReviewRefused(TALLY_REQUIRED)
        counted = [vote.entry_id for vote in tally.votes]
        if sorted(counted) != sorted(remaining):
            raise ReviewRefused(
                TALLY_ENTRIES_MISMATCH,
                missing=self._names([entry for entry in remaining if entry not in counted]),
                extra=self._names([entry for entry in dict.fromkeys(counted) if entry not in remaining]),
                repeated=self._names([entry for entry in dict.fromkeys(counted) if counted.count(entry) > 1]),
            )
        if tally.members_present > tally.members_total:
            raise ReviewRefused(
                MORE_PRESENT_THAN_MEMBERS, present=tally.members_present, total=tally.members_total
            )
        if over := [vote for vote in tally.votes if vote.votes_for > tally.members_total]:
            entries = [f"{self._names([vote.entry_id])[0]}: {vote.votes_for}" for vote in over]
            raise ReviewRefused(MORE_VOTES_THAN_MEMBERS, total=tally.members_total, entries=entries)
        council = self._review.council if self._review else None
        if self._quorum_required and council is not None:
            self._check_quorum(council.quorum, tally)

    @staticmethod
    def _check_quorum(quorum: CouncilQuorum, tally: CouncilTally) -> None:
        """Quorum counts members present (DOMAIN.md §3.3): written votes of absent members count
        toward the threshold, not toward the quorum."""
        if tally.members_present * quorum.denominator < tally.members_total * quorum.numerator:
            raise ReviewRefused(
                COUNCIL_QUORUM_NOT_MET,
                present=tally.members_present,
                total=tally.members_total,
                required=-(-tally.members_total * quorum.numerator // quorum.denominator),
                quorum=f"{quorum.numerator}/{quorum.denominator}",
                legal_basis=quorum.legal_basis,
                rule_status="confirmed" if quorum.confirmed else "unconfirmed",
            )

    def _names(self, entry_ids: list[str]) -> list[str]:
        """Entries by their nominees' names where the dossier has them, else by their ids."""
        names = {entry.entry_id: entry.nominee_name for entry in self._review.entries} if self._review else {}
        return [names.get(entry_id, f"'{entry_id}'") for entry_id in entry_ids]

    @workflow.signal(name=DOSSIER_AMENDED_SIGNAL)
    def dossier_amended(self, signal: AmendmentSignal) -> None:
        """Only a returned dossier resumes; an amendment at any other moment changes nothing here."""
        current = self._review.version if self._review else 0
        if self._state is ReviewState.RETURNED and signal.version > current:
            self._amendment = signal

    @workflow.signal(name=WITHDRAW_SIGNAL)
    def withdraw(self, signal: WithdrawalSignal) -> None:
        """Before the approval is announced the submitter may withdraw; after it, the decision runs."""
        if self._withdrawal is None and self._state in (ReviewState.IN_REVIEW, ReviewState.RETURNED):
            self._withdrawal = signal

    @workflow.signal(name=DECISION_ISSUED_SIGNAL)
    def decision_issued(self, signal: DecisionIssuedSignal) -> None:
        if self._decision is None:
            self._decision = signal

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> ReviewStatus:
        return ReviewStatus(
            dossier_id=self._dossier_id,
            state=self._state,
            current_task_id=self._open_task[0] if self._open_task else None,
            current_level=self._open_task[2] if self._open_task else None,
            decision_number=self._decision.number if self._decision else None,
        )
