"""The review workflow's activities: publishing its events to Kafka, and planning a task's
deadline on the working-day calendar.

Publishing is at least once (the activity is retried until the broker confirms); event ids are
derived from the workflow and the step, not drawn per attempt, so consumers drop repeats. Deadlines
are computed in an activity, not in workflow code, because the calendar is configuration (the
yearly day-off swaps): its answer is recorded in the history, so a later change of configuration
never changes a running review on replay.
"""

from __future__ import annotations

from dataclasses import replace

from faststream.kafka import KafkaBroker
from pydantic import BaseModel
from temporalio import activity

from contracts.events import ReviewEvent
from contracts.topics import Topic
from contracts.workflow import DeadlinePlan, DeadlineRequest
from servicekit.kafka import publish_event
from servicekit.settings import KitSettings
from workflows.review.calendar import CalendarSettings, step_for_level

PUBLISH_REVIEW_EVENT = "publish_review_event"
PLAN_DEADLINE = "plan_deadline"


class PublishReviewEvent(BaseModel):
    event: ReviewEvent


class DeadlinePlanner:
    def __init__(self, settings: CalendarSettings) -> None:
        self._settings = settings
        self._calendar = settings.calendar()

    @activity.defn(name=PLAN_DEADLINE)
    async def plan_deadline(self, request: DeadlineRequest) -> DeadlinePlan:
        limit = self._settings.limit_for(step_for_level(request.level.value, request.award_code))
        if request.working_days is not None:
            limit = replace(limit, working_days=request.working_days)
        return DeadlinePlan(
            step=limit.step,
            limit_working_days=limit.working_days,
            legal_basis=limit.legal_basis,
            confirmed=limit.confirmed,
            due_at=self._calendar.deadline_at(request.opened_at, limit.working_days),
            remind_at=self._calendar.reminder_at(request.opened_at, limit.working_days),
        )


class ReviewActivities:
    def __init__(self, broker: KafkaBroker, kit: KitSettings) -> None:
        self._broker = broker
        self._kit = kit

    @activity.defn(name=PUBLISH_REVIEW_EVENT)
    async def publish_review_event(self, request: PublishReviewEvent) -> None:
        await publish_event(self._broker, self._kit, Topic.REVIEW_EVENTS, request.event)
