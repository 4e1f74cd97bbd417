"""Kafka: the broker factory, consumer defaults, dead-lettering and topic creation.

Consumers commit offsets only after their handler finished — not one commit per record, which
costs a round trip to the group coordinator and a write on the broker each time, but what has
been processed, a few times a second (:class:`OffsetCommitter`); a crash or a rebalance replays
at most that fraction of a second, which the consumers drop as repeats. A record
that can never be processed (not JSON, not a valid event of a known type, or refused by the
handler with :class:`PoisonEvent`) goes to ``<topic>.dlq`` with the reason in headers and is then
committed. Any other error is retried in place with backoff, so nothing accepted is lost and one
dossier's events keep their order — but only a *transient* one forever (:func:`is_transient`: the
database or broker unreachable, a timeout, a dependency answering "unavailable"); an error that
fails the same way every time (a value too long for its column, an integrity violation, a bug)
would hold every record behind it on the partition, so after ``MAX_HANDLER_ATTEMPTS`` it is
dead-lettered as ``handler-failed`` with the error, and a partition held by a transient failure
says so in the log (``partition stalled``) at every retry past that count and in the metric
``tdkt.consumer.stalled_partitions`` (with ``tdkt.consumer.retries`` and
``tdkt.consumer.dead_letters``, exported over OTLP with the traces).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream._internal.endpoint.subscriber.utils import MultiLock
from faststream._internal.middlewares import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram512
from faststream.specification import AsyncAPI
from opentelemetry import metrics
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from contracts.envelope import CloudEvent, kafka_headers
from contracts.topics import (
    DeadLetterHeader,
    Topic,
    all_topic_names,
    dead_letter_topic,
    topic_name,
)
from servicekit.errors import DomainError, Refusal
from servicekit.settings import KitSettings

logger = logging.getLogger(__name__)

MAX_RETRY_BACKOFF_SECONDS = 30.0
MAX_HANDLER_ATTEMPTS = 5
"""Attempts of a record whose handler fails with an error that is not transient, before the record
is dead-lettered (a race lost to another instance succeeds on its second attempt)."""
COMMIT_INTERVAL_SECONDS = 0.2
DRAIN_TIMEOUT_SECONDS = 8.0
"""How long a stopping process lets the records in hand finish. With uvicorn's 10 s for open HTTP
requests it fits the 20 s a process manager gives before SIGKILL when the handlers finish; a
handler stuck past it (the broker's own stop waits for it as long again, after the stop hooks)
may meet the SIGKILL, and its record is then replayed by the next owner, as after any crash."""
_ERROR_DETAIL_LIMIT = 2000


class PoisonEvent(Exception):
    """Raised by a handler for an event that is well-formed but can never be processed."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class AwaitingRecord(Exception):
    """Raised by a handler whose record needs another one, from another topic, that has not come
    yet: retried in place like a transient failure, but only ``MAX_AWAIT_ATTEMPTS`` times (a few
    minutes), then dead-lettered with ``error``'s code — a record that never comes cannot hold
    the partition for ever."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error))
        self.error = error


MAX_AWAIT_ATTEMPTS = 12
"""0.2 s doubling to 30 s between attempts: about three minutes of waiting."""


class OffsetCommitter:
    """Commits, per consumer and partition, the offset after the last record handled — at most
    ``interval`` seconds after it was handled. Handling is in order within a partition (one
    record at a time per subscriber), so a committed offset never passes an unhandled record."""

    def __init__(self, interval: float = COMMIT_INTERVAL_SECONDS) -> None:
        self._interval = interval
        self._pending: dict[AIOKafkaConsumer, dict[TopicPartition, int]] = {}
        self._task: asyncio.Task[None] | None = None

    def handled(self, message: StreamMessage[Any]) -> None:
        record, consumer = message.raw_message, getattr(message, "consumer", None)
        if not hasattr(consumer, "assignment"):
            return  # FastStream's in-memory test broker: nothing to commit
        self._pending.setdefault(consumer, {})[TopicPartition(record.topic, record.partition)] = (
            record.offset + 1
        )
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._commit_soon(), name="offset-commit")

    async def _commit_soon(self) -> None:
        await asyncio.sleep(self._interval)
        await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, {}
        for consumer, offsets in pending.items():
            try:
                await consumer.commit(offsets)
            except Exception as error:  # a rebalance under way, the coordinator moving: try again
                try:
                    owned = consumer.assignment()
                except Exception:  # the consumer stopped: its partitions are another's now
                    owned = set()
                kept = {tp: offset for tp, offset in offsets.items() if tp in owned}
                logger.info("offset commit deferred (%s); %d partition(s) kept", error, len(kept))
                for tp, offset in kept.items():
                    self._pending.setdefault(consumer, {}).setdefault(tp, offset)
        if self._pending and (
            self._task is None or self._task.done() or self._task is asyncio.current_task()
        ):
            self._task = asyncio.create_task(self._commit_soon(), name="offset-commit")


@dataclass(frozen=True)
class BusCredentials:
    username: str
    password: str = field(repr=False)
    mechanism: str = "SCRAM-SHA-512"


MECHANISMS = ("SCRAM-SHA-512", "PLAIN")


def bus_credentials(kit: KitSettings) -> BusCredentials | None:
    """The process's identity on the bus, from ``kit.kafka_credentials_file`` (None when unset);
    a file that cannot be read or does not say who the process is stops it here, naming the file."""
    path = kit.kafka_credentials_file
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        credentials = BusCredentials(
            str(data["username"]), str(data["password"]), str(data.get("mechanism", MECHANISMS[0]))
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RuntimeError(
            f"cannot read the Kafka credentials in {path} (TDKT_KAFKA_CREDENTIALS_FILE): {error}"
        ) from error
    if credentials.mechanism not in MECHANISMS:
        raise RuntimeError(
            f"{path}: mechanism {credentials.mechanism!r} is not one of {', '.join(MECHANISMS)}"
        )
    return credentials


def client_options(kit: KitSettings) -> dict[str, Any]:
    """Keyword arguments of any aiokafka client (producer, consumer, admin) of this process:
    the bootstrap servers and, when it has one, its SASL identity."""
    options: dict[str, Any] = {"bootstrap_servers": kit.kafka_bootstrap_servers}
    credentials = bus_credentials(kit)
    if credentials is not None:
        options.update(
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism=credentials.mechanism,
            sasl_plain_username=credentials.username,
            sasl_plain_password=credentials.password,
        )
    return options


def broker_security(kit: KitSettings) -> BaseSecurity | None:
    """The same identity for FastStream's broker."""
    credentials = bus_credentials(kit)
    if credentials is None:
        return None
    if credentials.mechanism == "PLAIN":
        return SASLPlaintext(username=credentials.username, password=credentials.password)
    return SASLScram512(username=credentials.username, password=credentials.password)


def make_broker(
    kit: KitSettings,
    service_name: str,
    tracer_provider: TracerProvider,
    committer: OffsetCommitter | None = None,
) -> KafkaBroker:
    """The broker of a process; its consumers' offsets go through ``committer`` (give one to flush
    it before the broker stops)."""
    broker = KafkaBroker(
        kit.kafka_bootstrap_servers,
        security=broker_security(kit),
        client_id=service_name,
        enable_idempotence=True,
        ack_policy=AckPolicy.MANUAL,
        graceful_timeout=DRAIN_TIMEOUT_SECONDS,
        middlewares=(KafkaTelemetryMiddleware(tracer_provider=tracer_provider),),
    )
    broker.add_middleware(DeadLetterMiddleware.factory(broker, committer or OffsetCommitter()))
    return broker


async def drain_consumers(
    broker: KafkaBroker, committer: OffsetCommitter, timeout: float = DRAIN_TIMEOUT_SECONDS
) -> None:
    """Stop taking records, let the ones being handled finish (up to ``timeout``), then commit
    them while the consumers still own their partitions. ``broker.stop()`` would wait for the
    handlers too, but leaves the groups at once after, so what they finished meanwhile would be
    replayed by the next owner; a record left unfinished at the deadline is replayed as before."""
    subscribers = broker.subscribers
    for subscriber in subscribers:
        subscriber.running = False  # the consume loop takes no further record
    await asyncio.gather(
        *(
            subscriber.lock.wait_release(timeout)
            for subscriber in subscribers
            if isinstance(subscriber.lock, MultiLock)
        )
    )
    await committer.flush()


def consumer_options(kit: KitSettings, service_name: str, topic: Topic) -> dict[str, Any]:
    """Subscriber keyword arguments every consumer uses: one consumer group per service and topic
    (so one slow topic never stalls another's rebalance), offsets committed after handling."""
    return {
        "group_id": f"{kit.topic_prefix}{service_name}.{topic.value}",
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.MANUAL,  # committed by DeadLetterMiddleware's OffsetCommitter
        "decoder": decode_cloudevent,
    }


async def decode_cloudevent(message: StreamMessage[Any], original_decoder: Any) -> Any:
    """Structured-mode CloudEvents carry JSON under their own media type; FastStream would pass
    the bytes through untouched, so decode them here (a JSON error becomes a dead letter)."""
    if message.content_type and message.content_type.startswith("application/cloudevents+json"):
        return json.loads(message.body)
    return await original_decoder(message)


def declare_publication(
    broker: KafkaBroker, kit: KitSettings, topic: Topic, schema: Any, description: str
) -> None:
    """Document in the service's AsyncAPI that it publishes ``schema`` to ``topic``."""
    broker.publisher(
        topic_name(topic, kit.topic_prefix),
        title=f"{topic.value}:publish",
        description=description,
        schema=schema,
        headers=kafka_headers(),
    )


async def publish_event(broker: KafkaBroker, kit: KitSettings, topic: Topic, event: CloudEvent) -> None:
    await publish_record(broker, kit, topic, event.kafka_key, event.to_kafka_value())


async def publish_record(
    broker: KafkaBroker, kit: KitSettings, topic: Topic, key: bytes, value: bytes
) -> None:
    """A structured-mode CloudEvent already serialised (as the outbox keeps it)."""
    await broker.publish(value, topic_name(topic, kit.topic_prefix), key=key, headers=kafka_headers())


_retry_attempts: dict[tuple[str, int, int], int] = {}
"""Failed attempts per record position, kept across redeliveries to grow the backoff."""

_meter = metrics.get_meter("tdkt.kafka")
RETRIES = _meter.create_counter(
    "tdkt.consumer.retries",
    unit="{attempt}",
    description="Failed attempts at a record, retried in place (by topic and error kind)",
)
DEAD_LETTERS = _meter.create_counter(
    "tdkt.consumer.dead_letters",
    unit="{record}",
    description="Records diverted to their topic's dead-letter twin (by topic and reason)",
)


def stalled_partitions() -> dict[tuple[str, int], int]:
    """Partitions held by a record that has failed ``MAX_HANDLER_ATTEMPTS`` times or more (a
    transient failure that lasts, or a record awaiting another): ``{(topic, partition): attempts}``."""
    stalled: dict[tuple[str, int], int] = {}
    for (topic, partition, _), attempts in list(_retry_attempts.items()):
        if attempts >= MAX_HANDLER_ATTEMPTS:
            stalled[(topic, partition)] = max(attempts, stalled.get((topic, partition), 0))
    return stalled


def _observe_stalled(_options: metrics.CallbackOptions) -> Iterable[metrics.Observation]:
    counts: dict[str, int] = {}
    for topic, _ in stalled_partitions():
        counts[topic] = counts.get(topic, 0) + 1
    return [metrics.Observation(count, {"topic": topic}) for topic, count in counts.items()]


STALLED = _meter.create_observable_gauge(
    "tdkt.consumer.stalled_partitions",
    callbacks=[_observe_stalled],
    unit="{partition}",
    description="Partitions whose next record has failed MAX_HANDLER_ATTEMPTS times or more (by topic)",
)


class DeadLetterMiddleware(BaseMiddleware):
    """Diverts poison records to the dead-letter topic; backs off and rewinds before an in-place
    retry; hands every record done with (handled or dead-lettered) to the offset committer."""

    def __init__(self, msg: Any, /, *, context: Any, broker: KafkaBroker, committer: OffsetCommitter) -> None:
        super().__init__(msg, context=context)
        self.broker = broker
        self.committer = committer

    @classmethod
    def factory(cls, broker: KafkaBroker, committer: OffsetCommitter) -> Any:
        def build(msg: Any, /, *, context: Any) -> DeadLetterMiddleware:
            return cls(msg, context=context, broker=broker, committer=committer)

        return build

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        record = msg.raw_message
        position = (record.topic, record.partition, record.offset)
        try:
            try:
                result = await call_next(msg)
            except (ValidationError, json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
                await self._dead_letter(msg, _invalid_reason(error), str(error))
                result = None
            except PoisonEvent as error:
                await self._dead_letter(msg, error.reason, str(error))
                result = None
            except DomainError as error:
                if error.kind is Refusal.UNAVAILABLE:
                    raise  # a dependency away: retried in place like any failure
                await self._dead_letter(msg, error.code, _refusal_detail(error))
                result = None
        except Exception as error:  # the handler failed, or dead-lettering did (the broker away)
            attempt = _retry_attempts.get(position, 0) + 1
            _retry_attempts[position] = attempt
            if await self._gave_up(msg, error, attempt):
                _retry_attempts.pop(position, None)
                self.committer.handled(msg)
                return None
            delay = min(MAX_RETRY_BACKOFF_SECONDS, 0.2 * 2 ** (attempt - 1))
            kind = (
                "awaiting"
                if isinstance(error, AwaitingRecord)
                else "transient"
                if is_transient(error)
                else "error"
            )
            RETRIES.add(1, {"topic": record.topic, "kind": kind})
            _log_retry(record, error, attempt, delay)
            await asyncio.sleep(delay)
            await msg.nack()  # rewind: the record is fetched and handled again, never skipped
            raise
        _retry_attempts.pop(position, None)
        self.committer.handled(msg)
        return result

    async def _gave_up(self, msg: StreamMessage[Any], error: Exception, attempt: int) -> bool:
        """Dead-letter a record that failed ``attempt`` times, if that is enough: an error that
        is not transient ``MAX_HANDLER_ATTEMPTS`` times, an awaited record ``MAX_AWAIT_ATTEMPTS``."""
        if isinstance(error, AwaitingRecord):
            if attempt < MAX_AWAIT_ATTEMPTS:
                return False
            reason, detail = error.error.code, _refusal_detail(error.error)
        elif is_transient(error) or attempt < MAX_HANDLER_ATTEMPTS:
            return False
        else:
            reason, detail = "handler-failed", _failure_detail(error, attempt)
        try:
            await self._dead_letter(msg, reason, detail)
        except Exception:
            logger.exception("dead-lettering %s[%d]@%d failed; retrying", *_where(msg))
            return False
        return True

    async def _dead_letter(self, msg: StreamMessage[Any], reason: str, detail: str) -> None:
        record = msg.raw_message
        subscriber = self.context.get("handler_")
        group = str(getattr(subscriber, "group_id", "") or "")
        headers = dict(msg.headers)
        headers.update(
            {
                DeadLetterHeader.REASON: reason,
                DeadLetterHeader.ERROR: detail[:_ERROR_DETAIL_LIMIT],
                DeadLetterHeader.ORIGINAL_TOPIC: record.topic,
                DeadLetterHeader.ORIGINAL_PARTITION: str(record.partition),
                DeadLetterHeader.ORIGINAL_OFFSET: str(record.offset),
                DeadLetterHeader.CONSUMER_GROUP: group,
            }
        )
        logger.warning("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason)
        DEAD_LETTERS.add(1, {"topic": record.topic, "reason": reason})
        await self.broker.publish(
            record.value or b"",
            dead_letter_topic(record.topic),
            key=record.key,
            headers={str(k): str(v) for k, v in headers.items()},
        )


def _where(msg: StreamMessage[Any]) -> tuple[str, int, int]:
    record = msg.raw_message
    return record.topic, record.partition, record.offset


def _log_retry(record: Any, error: Exception, attempt: int, delay: float) -> None:
    position = (record.topic, record.partition, record.offset)
    if isinstance(error, AwaitingRecord):
        logger.info("%s waits (attempt %d, again in %.1fs): %s", position, attempt, delay, error)
    else:
        logger.exception("handling %s failed (attempt %d); retrying in %.1fs", position, attempt, delay)
    if attempt >= MAX_HANDLER_ATTEMPTS:
        logger.error(
            "partition stalled: %s[%d] holds at offset %d, failing for %d attempts (%s)",
            record.topic,
            record.partition,
            record.offset,
            attempt,
            type(error).__name__,
        )


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed: a dependency away or slow (the database's connection,
    the broker, the workflow engine, a timeout) — unlike a value the database refuses, an integrity
    violation or a bug, which fail the same way every time."""
    if isinstance(error, DomainError):
        return error.kind is Refusal.UNAVAILABLE
    if isinstance(error, AwaitingRecord):
        return True
    if isinstance(error, OperationalError | DisconnectionError | PoolTimeout):
        return True
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    if isinstance(error, ConnectionError | TimeoutError | OSError):
        return True
    module = type(error).__module__
    return module.startswith(("aiokafka", "temporalio", "httpx", "aiosmtplib"))


def _failure_detail(error: BaseException, attempts: int) -> str:
    return json.dumps(
        {"error": type(error).__name__, "message": str(error)[:_ERROR_DETAIL_LIMIT], "attempts": attempts},
        ensure_ascii=False,
    )


def _refusal_detail(error: DomainError) -> str:
    """A catalogue refusal as the dead-letter record's error header: its messages in both languages."""
    return json.dumps(
        {
            "code": error.code,
            "message_vi": error.message_vi,
            "message_en": error.message_en,
            "detail": error.detail,
            "errors": error.errors,
        },
        ensure_ascii=False,
    )


def _invalid_reason(error: Exception) -> str:
    if isinstance(error, ValidationError) and any(
        item["type"] == "union_tag_invalid" for item in error.errors()
    ):
        return "unknown-event-type"
    if isinstance(error, ValidationError):
        return "invalid-event"
    return "malformed-record"


async def ensure_topics(kit: KitSettings) -> list[str]:
    """Create every topic the system uses (idempotent); returns the ones it created."""
    admin = AIOKafkaAdminClient(**client_options(kit))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [name for name in all_topic_names(kit.topic_prefix) if name not in existing]
        if wanted:
            await admin.create_topics(
                [NewTopic(name, num_partitions=kit.kafka_partitions, replication_factor=1) for name in wanted]
            )
        return wanted
    finally:
        await admin.close()


async def partition_offsets(kit: KitSettings, topics: Sequence[str]) -> dict[TopicPartition, tuple[int, int]]:
    """(first, next) offset of every partition of ``topics``, from the cluster's metadata — a
    consumer's own metadata knows only the topics it subscribed to, so it would find none."""
    if not topics:
        return {}
    admin = AIOKafkaAdminClient(**client_options(kit))
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    partitions = [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]
    if not partitions:  # none of the topics exists
        return {}
    consumer = AIOKafkaConsumer(**client_options(kit))
    await consumer.start()
    try:
        starts = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return {partition: (starts[partition], ends[partition]) for partition in partitions}


def asyncapi_document(broker: KafkaBroker, title: str, description: str) -> dict[str, Any]:
    spec = AsyncAPI(broker, title=title, version="1.0.0", description=description, schema_version="3.0.0")
    document: dict[str, Any] = json.loads(spec.to_specification().to_json())
    return document
