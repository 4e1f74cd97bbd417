"""The offset committer: what a consumer handled is committed soon after, in one request per
consumer, never past a record not yet handled, and kept for a later attempt when a commit fails
(for the partitions the consumer still owns)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from aiokafka import TopicPartition

from servicekit.kafka import OffsetCommitter


@dataclass
class RecordingConsumer:
    """Stands in for an aiokafka consumer: records commits; fails the first ``failures``."""

    owned: set[TopicPartition]
    failures: int = 0
    commits: list[dict[TopicPartition, int]] = field(default_factory=list)

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the group is rebalancing")
        self.commits.append(dict(offsets))

    def assignment(self) -> set[TopicPartition]:
        return self.owned

    def __hash__(self) -> int:
        return id(self)


def _message(consumer: Any, partition: int, offset: int) -> Any:
    record = SimpleNamespace(topic="t", partition=partition, offset=offset)
    return SimpleNamespace(raw_message=record, consumer=consumer)


P0, P1 = TopicPartition("t", 0), TopicPartition("t", 1)


async def test_handled_records_are_committed_together_after_the_interval() -> None:
    consumer = RecordingConsumer(owned={P0, P1})
    committer = OffsetCommitter(interval=0.01)
    for offset in range(5):
        committer.handled(_message(consumer, 0, offset))
    committer.handled(_message(consumer, 1, 7))
    assert consumer.commits == []  # not one request per record
    await asyncio.sleep(0.05)
    assert consumer.commits == [{P0: 5, P1: 8}]  # the offset after the last handled record


async def test_a_failed_commit_is_retried_for_the_partitions_still_owned() -> None:
    consumer = RecordingConsumer(owned={P0}, failures=1)
    committer = OffsetCommitter(interval=0.01)
    committer.handled(_message(consumer, 0, 3))
    committer.handled(_message(consumer, 1, 9))  # P1 went to another member in the rebalance
    await asyncio.sleep(0.08)
    assert consumer.commits == [{P0: 4}]


async def test_flush_commits_at_once_and_records_without_a_broker_consumer_are_ignored() -> None:
    consumer = RecordingConsumer(owned={P0})
    committer = OffsetCommitter(interval=60)
    committer.handled(_message(consumer, 0, 0))
    committer.handled(_message(None, 0, 1))
    await committer.flush()
    assert consumer.commits == [{P0: 1}]
