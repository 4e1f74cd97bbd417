"""The review workflow's I/O: publishing its events to Kafka.

Publishing is at least once (the activity is retried until the broker confirms); event ids are
derived from the workflow and the step, not drawn per attempt, so consumers drop repeats.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from pydantic import BaseModel
from temporalio import activity

from contracts.events import ReviewEvent
from contracts.topics import Topic
from servicekit.kafka import publish_event
from servicekit.settings import KitSettings

PUBLISH_REVIEW_EVENT = "publish_review_event"


class PublishReviewEvent(BaseModel):
    event: ReviewEvent


class ReviewActivities:
    def __init__(self, broker: KafkaBroker, kit: KitSettings) -> None:
        self._broker = broker
        self._kit = kit

    @activity.defn(name=PUBLISH_REVIEW_EVENT)
    async def publish_review_event(self, request: PublishReviewEvent) -> None:
        await publish_event(self._broker, self._kit, Topic.REVIEW_EVENTS, request.event)
