"""Baseline (b): raw aiokafka producing and consuming the very records the pipeline's run put on
its topics (same keys, values and headers), with the producer settings the services use
(idempotent, acks=all) and a consumer group that commits as it goes.

Two passes: a burst of all the records (throughput), and a paced sample at the rate the pipeline
produced them (the latency of one hop when the broker is not the queue).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from servicekit.kafka import client_options, partition_offsets
from servicekit.settings import KitSettings
from tools.bench.measure import percentiles

PACED_SAMPLE = 500
TOPIC_MARK = "bench-raw-"
"""In the names of the topics this baseline creates (they are not the pipeline's)."""


@dataclass(frozen=True)
class Record:
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]


async def end_offsets(kit: KitSettings, topics: list[str]) -> dict[TopicPartition, int]:
    return {tp: end for tp, (_, end) in (await partition_offsets(kit, topics)).items()}


async def records_between(
    kit: KitSettings, start: dict[TopicPartition, int], end: dict[TopicPartition, int]
) -> list[Record]:
    """The records each partition received between two ``end_offsets`` readings."""
    wanted = {tp: (start.get(tp, 0), stop) for tp, stop in end.items() if stop > start.get(tp, 0)}
    records: list[Record] = []
    if not wanted:
        return records
    consumer = AIOKafkaConsumer(**client_options(kit), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(wanted))
        for tp, (first, _) in wanted.items():
            consumer.seek(tp, first)
        remaining = dict(wanted)
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, messages in batches.items():
                for message in messages:
                    if message.offset < remaining[tp][1]:
                        records.append(Record(message.key, message.value or b"", list(message.headers)))
                if messages and messages[-1].offset + 1 >= remaining[tp][1]:
                    del remaining[tp]
    finally:
        await consumer.stop()
    return records


async def measure(
    kit: KitSettings, records: list[Record], topic: str, partitions: int, paced_rate: float
) -> dict[str, Any]:
    admin = AIOKafkaAdminClient(**client_options(kit))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(**client_options(kit), enable_idempotence=True, acks="all")
    consumer = AIOKafkaConsumer(
        topic, **client_options(kit), group_id=f"{topic}.group", auto_offset_reset="earliest"
    )
    await producer.start()
    await consumer.start()
    try:
        await _until_assigned(consumer)
        burst = await _pass(producer, consumer, topic, records, rate=None)
        sample = records[:PACED_SAMPLE]
        paced = await _pass(producer, consumer, topic, sample, rate=paced_rate)
    finally:
        await consumer.stop()
        await producer.stop()
    return {
        "events": len(records),
        "throughput_events_per_s": round(len(records) / burst["seconds"], 1) if burst["seconds"] else None,
        "burst_hop": percentiles(burst["latencies"]),
        "paced_rate_events_per_s": round(paced_rate, 1),
        "paced_hop": percentiles(paced["latencies"]),
    }


async def _until_assigned(consumer: AIOKafkaConsumer) -> None:
    deadline = time.monotonic() + 60
    while not consumer.assignment():
        if time.monotonic() > deadline:
            raise TimeoutError("the baseline consumer was never assigned its partitions")
        await consumer.getmany(timeout_ms=200)


async def _pass(
    producer: AIOKafkaProducer,
    consumer: AIOKafkaConsumer,
    topic: str,
    records: list[Record],
    rate: float | None,
) -> dict[str, Any]:
    """Send ``records`` (all at once, or ``rate`` a second) while consuming them; per record, the
    time from the send call to its arrival at the consumer."""
    sent_at: dict[int, float] = {}
    latencies: list[float] = []
    started = time.time()

    async def produce() -> None:
        sends = []
        for number, record in enumerate(records):
            if rate:
                await asyncio.sleep(max(0.0, started + number / rate - time.time()))
            headers = [*record.headers, ("bench-seq", str(number).encode())]
            sent_at[number] = time.time()
            sends.append(await producer.send(topic, record.value, key=record.key, headers=headers))
        await asyncio.gather(*sends)

    async def consume() -> None:
        while len(latencies) < len(records):
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                arrived = time.time()
                for message in messages:
                    number = int(dict(message.headers)["bench-seq"])
                    latencies.append(arrived - sent_at[number])
            await consumer.commit()

    await asyncio.wait_for(asyncio.gather(produce(), consume()), timeout=600)
    return {"seconds": time.time() - started, "latencies": latencies}
