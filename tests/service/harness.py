"""In-process service tests: a service's real app and runtime on SQLite, with FastStream's in-memory
``TestKafkaBroker`` for the bus and a ``ManualClock`` for the time — no Kafka, Temporal, PostgreSQL
or other process.

``InProcess`` starts the app's lifespan (migrations, consumers, outbox relay, the service's own
start-up hooks), answers HTTP through ``httpx.ASGITransport``, delivers events to the service's
consumers as the broker would, and records every event the service publishes, by topic.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Self

import httpx
from fastapi import FastAPI
from faststream.kafka import KafkaMessage, TestKafkaBroker

from contracts.envelope import CloudEvent, kafka_headers
from contracts.topics import Topic, dead_letter_topic, topic_name
from servicekit.clock import ManualClock
from servicekit.service import ServiceRuntime
from tools.waiting import eventually

RECORDER_GROUP = "tests.recorder"


class InProcess:
    """One service, started in this event loop; use as ``async with InProcess(*build(clock), clock)``."""

    def __init__(self, app: FastAPI, runtime: ServiceRuntime, clock: ManualClock) -> None:
        self.app = app
        self.runtime = runtime
        self.clock = clock
        self.published: dict[str, list[dict[str, Any]]] = defaultdict(list)
        """Every record the service wrote, by topic name (dead-letter topics too), as JSON."""
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{runtime.name}.test"
        )
        self._stack = contextlib.AsyncExitStack()
        self._recorded: set[str] = set()

    def _record(self, name: str) -> None:
        if name in self._recorded:
            return
        self._recorded.add(name)

        async def keep(body: Any, message: KafkaMessage) -> None:
            try:
                record: dict[str, Any] = json.loads(message.body)
            except ValueError:
                record = {"raw": message.body.decode(errors="replace")}
            record["_headers"] = dict(message.headers)
            self.published[name].append(record)

        self.runtime.broker.subscriber(name, group_id=RECORDER_GROUP, decoder=_raw)(keep)

    async def __aenter__(self) -> Self:
        prefix = self.runtime.kit.topic_prefix
        for topic in Topic:
            self._record(topic_name(topic, prefix))
            self._record(dead_letter_topic(topic_name(topic, prefix)))
        await self._stack.enter_async_context(TestKafkaBroker(self.runtime.broker))
        await self._stack.enter_async_context(self.app.router.lifespan_context(self.app))
        await self._stack.enter_async_context(self.http)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    def topic(self, topic: Topic) -> str:
        return topic_name(topic, self.runtime.kit.topic_prefix)

    async def deliver(self, topic: Topic, event: CloudEvent) -> None:
        """Hand ``event`` to the service's consumers of ``topic``, as the broker would."""
        await self.runtime.broker.publish(
            event.to_kafka_value(), self.topic(topic), key=event.kafka_key, headers=kafka_headers()
        )

    async def deliver_raw(self, topic: Topic, value: bytes, key: bytes = b"k") -> None:
        """A record that may not even be a CloudEvent (to see it dead-lettered)."""
        await self.runtime.broker.publish(value, self.topic(topic), key=key, headers=kafka_headers())

    def events(self, topic: Topic, event_type: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.published[self.topic(topic)] if event_type in (None, e.get("type"))]

    def dead_letters(self, topic: Topic) -> list[dict[str, Any]]:
        return self.published[dead_letter_topic(self.topic(topic))]

    async def published_event(
        self, topic: Topic, event_type: str, where: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> dict[str, Any]:
        """The first ``event_type`` event the service published on ``topic`` that ``where`` accepts
        (the outbox relays after the commit, so this waits for it)."""

        def found() -> dict[str, Any] | None:
            return next((e for e in self.events(topic, event_type) if where(e)), None)

        event: dict[str, Any] = await eventually(found, timeout=10, what=f"{event_type} on {topic.value}")
        return event

    async def relayed(self) -> None:
        """Wait until the outbox holds nothing unpublished."""
        relay = self.runtime.relay

        async def empty() -> bool:
            return await relay.relay_pending() == 0

        await eventually(empty, timeout=10, what="the outbox relayed")


async def _raw(message: Any, original_decoder: Any) -> Any:
    return message.body
