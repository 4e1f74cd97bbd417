"""Replay dead letters: put the records of a dead-letter topic back on the topic they came from,
once the cause is fixed (a consumer deployed that understands them, a field corrected upstream).

    python -m servicekit.replay tdkt.review.events.dlq [--reason invalid-event] [--dry-run]

Every consumer group that refused a record wrote its own copy to the dead-letter topic; a record
is replayed once however many copies there are (the consumers that had handled it already
recognise the event and skip it). The replay keeps the key and headers, adds
``x-replayed-from: <dlq>/<partition>/<offset>``, reads up to the end the topic had when it
started, and then commits its own consumer group's offsets (``tdkt-replay.<dlq>``), so a second
run replays only what has come since (a record refused again included). A run limited to one
``--reason`` commits nothing, so the records it skipped are still there for the next.
A dry run lists what would be replayed and commits nothing.

The broker and the topic prefix are those of the stack the command runs beside
(``servicekit.settings.for_command``: ``TDKT_KAFKA_BOOTSTRAP_SERVERS`` or ``TDKT_KAFKA_PORT``, then
the stack's record); the topic is named without the prefix, as in ``contracts.topics``, or with it.
Exit status 2 when the broker cannot be reached or has no such topic.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import KafkaError

from contracts.topics import DEAD_LETTER_SUFFIX, DeadLetterHeader
from servicekit.commands import Refused, refuse
from servicekit.kafka import client_options, partition_offsets
from servicekit.settings import KitSettings, describe_resolution, for_command

REPLAYED_FROM_HEADER = "x-replayed-from"
IDLE_MS = 2000


@dataclass(frozen=True)
class Replayed:
    original_topic: str
    original_partition: int
    original_offset: int
    reason: str
    dead_letter: str
    """``<dlq>/<partition>/<offset>`` of the copy replayed."""


def resolve_topic(kit: KitSettings, dead_letter_topic: str) -> str:
    """The broker-side name: the environment's prefix added unless the name carries it."""
    if kit.topic_prefix and not dead_letter_topic.startswith(kit.topic_prefix):
        return f"{kit.topic_prefix}{dead_letter_topic}"
    return dead_letter_topic


def _headers(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {name: value.decode(errors="replace") for name, value in record.headers}


def _to_replay(
    record: ConsumerRecord[bytes, bytes], seen: set[tuple[str, str, str]], reason: str | None
) -> tuple[str, str, str] | None:
    """Where ``record`` came from, if it is to go back there: dead-lettered from somewhere, not
    already replayed in this run, and (when a reason is asked for) for that reason."""
    headers = _headers(record)
    original = (
        headers.get(DeadLetterHeader.ORIGINAL_TOPIC, ""),
        headers.get(DeadLetterHeader.ORIGINAL_PARTITION, ""),
        headers.get(DeadLetterHeader.ORIGINAL_OFFSET, ""),
    )
    if not original[0] or original in seen:
        return None
    if reason is not None and headers.get(DeadLetterHeader.REASON) != reason:
        return None
    seen.add(original)
    return original


async def _send_back(
    producer: AIOKafkaProducer, record: ConsumerRecord[bytes, bytes], topic: str, source: str
) -> None:
    kept = [(k, v) for k, v in record.headers if not k.startswith("x-dlq-")]
    await producer.send_and_wait(
        topic, record.value, key=record.key, headers=[*kept, (REPLAYED_FROM_HEADER, source.encode())]
    )


def _replayed(record: ConsumerRecord[bytes, bytes], original: tuple[str, str, str], source: str) -> Replayed:
    return Replayed(
        original_topic=original[0],
        original_partition=int(original[1] or -1),
        original_offset=int(original[2] or -1),
        reason=_headers(record).get(DeadLetterHeader.REASON, ""),
        dead_letter=source,
    )


async def replay(
    kit: KitSettings, dead_letter_topic: str, *, reason: str | None = None, dry_run: bool = False
) -> list[Replayed]:
    if not dead_letter_topic.endswith(DEAD_LETTER_SUFFIX):
        raise ValueError(f"{dead_letter_topic} is not a dead-letter topic (…{DEAD_LETTER_SUFFIX})")
    # Up to the end as it is now: a replayed record that is refused again comes back to the
    # dead-letter topic, and must wait for the next run rather than loop.
    ends = {
        partition: end for partition, (_, end) in (await partition_offsets(kit, [dead_letter_topic])).items()
    }
    if not ends:
        raise Refused(
            f"Không có chủ đề {dead_letter_topic} trên Kafka ({kit.kafka_bootstrap_servers}).",
            f"There is no topic {dead_letter_topic} on Kafka at {kit.kafka_bootstrap_servers}.",
            describe_resolution(),
        )
    consumer = AIOKafkaConsumer(
        **client_options(kit),
        group_id=f"tdkt-replay.{dead_letter_topic}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(**client_options(kit), enable_idempotence=True)
    await consumer.start()
    await producer.start()
    replayed: list[Replayed] = []
    seen: set[tuple[str, str, str]] = set()
    try:
        partitions = sorted(ends, key=lambda partition: partition.partition)
        consumer.assign(partitions)
        while [partition for partition in partitions if await consumer.position(partition) < ends[partition]]:
            batches = await consumer.getmany(*partitions, timeout_ms=IDLE_MS)
            for partition, records in batches.items():
                for record in records:
                    if record.offset >= ends[partition]:
                        break
                    original = _to_replay(record, seen, reason)
                    if original is None:
                        continue
                    source = f"{record.topic}/{record.partition}/{record.offset}"
                    if not dry_run:
                        await _send_back(producer, record, original[0], source)
                    replayed.append(_replayed(record, original, source))
        if not dry_run and reason is None and partitions:
            # with a reason, the records skipped must stay for a later run: nothing is committed
            await consumer.commit(ends)
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m servicekit.replay", description=__doc__)
    parser.add_argument(
        "dead_letter_topic", help="e.g. tdkt.review.events.dlq (with the environment's prefix)"
    )
    parser.add_argument("--reason", help="only records dead-lettered for this reason, e.g. invalid-event")
    parser.add_argument("--dry-run", action="store_true", help="list, publish nothing, commit nothing")
    args = parser.parse_args(argv)
    kit = for_command(KitSettings)
    topic = resolve_topic(kit, args.dead_letter_topic)
    try:
        done = asyncio.run(replay(kit, topic, reason=args.reason, dry_run=args.dry_run))
    except ValueError as error:
        parser.error(str(error))
    except KafkaError as error:
        return refuse(
            Refused(
                f"Không kết nối được Kafka ({kit.kafka_bootstrap_servers}).",
                f"Cannot reach Kafka at {kit.kafka_bootstrap_servers}: {error}",
                describe_resolution(),
            )
        )
    except Refused as error:
        return refuse(error)
    verb = "would replay" if args.dry_run else "replayed"
    for item in done:
        print(
            f"{verb} {item.original_topic}[{item.original_partition}]@{item.original_offset} "
            f"({item.reason}) from {item.dead_letter}"
        )
    print(f"{len(done)} record(s) {verb}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
