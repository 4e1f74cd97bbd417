"""Graceful shutdown against the real broker and Temporal server: a stopping consumer finishes the
record in hand and commits it before leaving its group (the next owner starts after it, no
replay, no gap); a worker told to stop (SIGTERM) lets the activity under way finish and report
once, instead of abandoning it to a timeout and a retry."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from opentelemetry.sdk.trace import TracerProvider
from temporalio.api.enums.v1 import EventType, PendingActivityState

from contracts.envelope import kafka_headers
from contracts.topics import Topic, topic_name
from contracts.workflow import REVIEW_WORKFLOW, review_workflow_id
from deploy import apps, infra
from deploy.infra import kafka_access
from servicekit.kafka import (
    OffsetCommitter,
    client_options,
    consumer_options,
    drain_consumers,
    ensure_topics,
    make_broker,
    partition_offsets,
)
from servicekit.payloads import KEYS_FILE_VARIABLE, ensure_keyring, read_keyring
from servicekit.settings import KitSettings
from servicekit.temporal import connect_temporal
from tests.support import events
from tools.waiting import eventually
from workflows.review.activities import PUBLISH_REVIEW_EVENT

CONSUMER = "drain-test"


def _kit(prefix: str) -> KitSettings:
    bus = apps.bus_environment()
    return KitSettings(
        kafka_bootstrap_servers=bus["TDKT_KAFKA_BOOTSTRAP_SERVERS"],
        kafka_credentials_file=bus["TDKT_KAFKA_CREDENTIALS_FILE"],
        temporal_address=infra.temporal_address(),
        topic_prefix=prefix,
        temporal_task_queue=f"{prefix}review",
    )


class HeldHandler:
    """Records the events it handles; holds each one until ``release`` is set."""

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, body: dict[str, Any]) -> None:
        self.holding.set()
        await self.release.wait()
        self.handled.append(body["id"])


async def _publish_same_dossier(kit: KitSettings, count: int) -> list[str]:
    """``count`` events of one dossier (one key, so one partition, in order); returns their ids."""
    dossier = f"d-{uuid.uuid4().hex[:8]}"
    published = [events.submitted(dossier) for _ in range(count)]
    producer = AIOKafkaProducer(**client_options(kit))
    await producer.start()
    try:
        for event in published:
            await producer.send_and_wait(
                topic_name(Topic.INTAKE_EVENTS, kit.topic_prefix),
                event.to_kafka_value(),
                key=event.kafka_key,
                headers=[(k, v.encode()) for k, v in kafka_headers().items()],
            )
    finally:
        await producer.stop()
    return [event.id for event in published]


async def _committed(kit: KitSettings, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(**client_options(kit))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


@pytest.fixture
async def consumer_kit(infrastructure: None) -> KitSettings:
    kit = _kit(f"test-{uuid.uuid4().hex[:8]}.")
    await ensure_topics(kit)
    return kit


async def test_a_stopping_consumer_finishes_the_record_in_hand_and_commits_it(
    consumer_kit: KitSettings,
) -> None:
    kit = consumer_kit
    first, second, third = await _publish_same_dossier(kit, 3)
    committer = OffsetCommitter(interval=3600)  # only the drain may commit here
    broker = make_broker(kit, CONSUMER, TracerProvider(), committer)
    held = HeldHandler()
    broker.subscriber(
        topic_name(Topic.INTAKE_EVENTS, kit.topic_prefix),
        **consumer_options(kit, CONSUMER, Topic.INTAKE_EVENTS),
    )(held)
    await broker.start()
    try:
        await eventually(lambda: held.holding.is_set() or None, timeout=30, what="the first record in hand")
        draining = asyncio.create_task(drain_consumers(broker, committer, timeout=30))
        await eventually(
            lambda: not any(subscriber.running for subscriber in broker.subscribers) or None,
            timeout=10,
            what="the consumer told to stop",
        )
        held.release.set()  # the handler finishes only now, while the consumer is stopping
        await asyncio.wait_for(draining, timeout=30)
        group = consumer_options(kit, CONSUMER, Topic.INTAKE_EVENTS)["group_id"]
        committed = await _committed(kit, group)
    finally:
        await broker.stop()
    assert held.handled == [first]  # the record in hand finished; nothing new was taken
    assert list(committed.values()) == [1]  # and committed before the group was left

    successor = HeldHandler()
    successor.release.set()
    broker = make_broker(kit, CONSUMER, TracerProvider())
    broker.subscriber(
        topic_name(Topic.INTAKE_EVENTS, kit.topic_prefix),
        **consumer_options(kit, CONSUMER, Topic.INTAKE_EVENTS),
    )(successor)
    await broker.start()
    try:
        await eventually(lambda: len(successor.handled) >= 2 or None, timeout=30, what="the rest handled")
    finally:
        await broker.stop()
    assert successor.handled == [second, third]  # no replay of the first, no gap


@pytest.fixture
async def worker(infrastructure: None, tmp_path: Path) -> AsyncIterator[tuple[apps.AppProcess, KitSettings]]:
    """A worker process whose Kafka topics do not exist yet: its first publication waits for them."""
    kit = _kit(f"test-{uuid.uuid4().hex[:8]}.")
    spec = next(spec for spec in apps.APPS if spec.name == "worker")
    await asyncio.to_thread(kafka_access.apply_access, kit.topic_prefix)
    env = {
        **os.environ,
        **apps.bus_environment(),
        "TDKT_TEMPORAL_ADDRESS": kit.temporal_address,
        "TDKT_TOPIC_PREFIX": kit.topic_prefix,
        "TDKT_TEMPORAL_TASK_QUEUE": kit.temporal_task_queue,
        "TDKT_DATA_DIR": str(tmp_path / "data"),
        KEYS_FILE_VARIABLE: str(tmp_path / "payload-keys.json"),
        spec.port_variable: str(apps.free_port()),
    }
    ensure_keyring(tmp_path / "payload-keys.json")
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    process = apps.AppProcess(spec, env, tmp_path)
    await asyncio.to_thread(process.ensure_up)
    yield process, kit
    await asyncio.to_thread(process.ensure_down)
    await asyncio.to_thread(kafka_access.revoke_access, kit.topic_prefix)


async def _records(kit: KitSettings, topic: Topic) -> list[bytes]:
    """Every record ``topic`` holds now."""
    name = topic_name(topic, kit.topic_prefix)
    ends = {tp: end for tp, (_, end) in (await partition_offsets(kit, [name])).items()}
    consumer = AIOKafkaConsumer(**client_options(kit), enable_auto_commit=False, group_id=None)
    await consumer.start()
    values: list[bytes] = []
    try:
        consumer.assign(list(ends))
        await consumer.seek_to_beginning()

        async def all_read() -> bool:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                values.extend(record.value for record in records)
            positions = {tp: await consumer.position(tp) for tp in ends}
            return all(positions[tp] >= end for tp, end in ends.items())

        await eventually(all_read, timeout=30, what=f"{name} read to its end")
    finally:
        await consumer.stop()
    return values


async def test_a_worker_told_to_stop_lets_the_activity_under_way_finish(
    worker: tuple[apps.AppProcess, KitSettings],
) -> None:
    process, kit = worker
    client = await connect_temporal(kit, read_keyring(Path(process.env[KEYS_FILE_VARIABLE])))
    dossier = f"d-{uuid.uuid4().hex[:8]}"
    handle = await client.start_workflow(
        REVIEW_WORKFLOW,
        events.review_input(dossier),
        id=review_workflow_id(dossier),
        task_queue=kit.temporal_task_queue,
    )
    try:

        async def publishing() -> bool:
            pending = (await handle.describe()).raw_description.pending_activities
            return any(
                activity.activity_type.name == PUBLISH_REVIEW_EVENT
                and activity.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
                for activity in pending
            )

        await eventually(publishing, timeout=30, what="the first publication under way")
        stopping = asyncio.create_task(asyncio.to_thread(process.ensure_down))  # SIGTERM, then wait
        await eventually(lambda: not process.probe()[0] or None, timeout=10, what="the worker told to stop")
        await ensure_topics(kit)  # the publication under way can complete only now
        await asyncio.wait_for(stopping, timeout=60)

        history = [event async for event in handle.fetch_history_events()]
        kinds = [event.event_type for event in history]
        assert EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED in kinds, process.log_file.read_text()[-3000:]
        assert EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT not in kinds
        assert EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED not in kinds
        started = [
            event.activity_task_started_event_attributes.attempt
            for event in history
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        ]
        assert started[-1] == 1  # finished at its first attempt, by the stopping worker
        assert len(await _records(kit, Topic.REVIEW_EVENTS)) == 1  # published once
        assert "worker stopped" in process.log_file.read_text()  # on its own, not killed
    finally:
        await handle.terminate("test over")
