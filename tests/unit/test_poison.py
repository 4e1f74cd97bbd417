"""Poison cannot stall a partition (issue 21 §3): a record whose handler fails the same way every
time is dead-lettered after ``MAX_HANDLER_ATTEMPTS`` with the error, and the partition moves on;
only a transient failure is retried in place for as long as it lasts, and says so in the log."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from contracts.events import ReviewTaskOpenedData
from contracts.topics import DeadLetterHeader
from servicekit import kafka
from servicekit.errors import ErrorCode, Refusal

UNAVAILABLE = ErrorCode("engine-away", Refusal.UNAVAILABLE, "Không có.", "Away.", meaning="m")
REFUSED = ErrorCode("refused", Refusal.INVALID, "Không.", "No.", meaning="m")


@dataclass
class Record:
    topic: str = "t.review.events"
    partition: int = 0
    offset: int = 41
    value: bytes = b"{}"
    key: bytes = b"d-1"


@dataclass
class Message:
    raw_message: Record = field(default_factory=Record)
    headers: dict[str, str] = field(default_factory=dict)
    nacked: int = 0

    async def nack(self) -> None:
        self.nacked += 1


@dataclass
class Broker:
    published: list[tuple[bytes, str, dict[str, str]]] = field(default_factory=list)

    async def publish(self, value: bytes, topic: str, *, key: bytes, headers: dict[str, str]) -> None:
        self.published.append((value, topic, headers))


async def _attempts(
    error: BaseException, times: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[Broker, list[Any], Message]:
    """Deliver one record ``times`` times (as the rewinding consumer would) to a handler that fails
    with ``error``; what was dead-lettered, what committed, and the message."""

    monkeypatch.setattr(kafka, "MAX_RETRY_BACKOFF_SECONDS", 0.0)  # the backoff is not what is tested
    monkeypatch.setattr(kafka, "_retry_attempts", {})
    broker, committed, message = Broker(), [], Message(raw_message=Record(offset=id(error) % 100_000))

    class Handled:
        def handled(self, msg: Any) -> None:
            committed.append(msg)

    middleware = kafka.DeadLetterMiddleware(
        None,
        context=_Context(),
        broker=broker,  # type: ignore[arg-type]
        committer=Handled(),  # type: ignore[arg-type]
    )

    async def failing(_msg: Any) -> None:
        raise error

    for _ in range(times):
        try:
            await middleware.consume_scope(failing, message)  # type: ignore[arg-type]
        except BaseException as raised:  # the record is retried: the consumer rewinds
            assert raised is error
        if committed:
            break
    return broker, committed, message


class _Context:
    def get(self, _name: str) -> Any:
        return None


@pytest.mark.parametrize(
    "error",
    [
        DataError("INSERT …", {}, Exception("value too long for type character varying(64)")),
        IntegrityError("INSERT …", {}, Exception("duplicate key value violates unique constraint")),
        KeyError("organisation"),
    ],
    ids=["too-long-for-its-column", "integrity", "a bug"],
)
async def test_an_error_that_repeats_is_dead_lettered_after_the_bounded_attempts(
    error: BaseException, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker, committed, message = await _attempts(error, kafka.MAX_HANDLER_ATTEMPTS + 3, monkeypatch)
    assert message.nacked == kafka.MAX_HANDLER_ATTEMPTS - 1, "retried in place, then no more"
    ((_, topic, headers),) = broker.published
    assert topic == "t.review.events.dlq" and committed == [message], "dead-lettered, then committed"
    assert headers[DeadLetterHeader.REASON] == "handler-failed"
    detail = json.loads(headers[DeadLetterHeader.ERROR])
    assert (detail["error"], detail["attempts"]) == (type(error).__name__, kafka.MAX_HANDLER_ATTEMPTS)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT 1", {}, Exception("connection refused")),
        ConnectionResetError("the broker went away"),
        TimeoutError(),
        UNAVAILABLE(),
    ],
    ids=["database-away", "connection", "timeout", "engine-unavailable"],
)
async def test_a_transient_failure_is_retried_in_place_and_a_stalled_partition_is_logged(
    error: BaseException, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="servicekit.kafka")
    broker, committed, message = await _attempts(error, kafka.MAX_HANDLER_ATTEMPTS * 2, monkeypatch)
    assert (broker.published, committed) == ([], []), "nothing accepted is lost or skipped"
    assert message.nacked == kafka.MAX_HANDLER_ATTEMPTS * 2
    stalled = [r.getMessage() for r in caplog.records if "partition stalled" in r.getMessage()]
    assert stalled and "t.review.events[0]" in stalled[-1]


async def test_json_nested_past_the_recursion_limit_is_a_malformed_record_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    try:
        json.loads(nested)
    except RecursionError as error:  # what the decoder raises on the attacker's record
        broker, committed, message = await _attempts(error, 1, monkeypatch)
    assert message.nacked == 0 and committed == [message]
    assert broker.published[0][2][DeadLetterHeader.REASON] == "malformed-record"


async def test_a_refusal_is_dead_lettered_at_once_with_its_code(monkeypatch: pytest.MonkeyPatch) -> None:
    broker, committed, message = await _attempts(REFUSED(), 1, monkeypatch)
    assert message.nacked == 0 and committed == [message]
    assert broker.published[0][2][DeadLetterHeader.REASON] == "refused"


def test_an_id_longer_than_its_columns_is_an_invalid_event_not_a_database_error() -> None:
    with pytest.raises(ValueError, match="at most 64 characters"):
        ReviewTaskOpenedData.model_validate(
            {
                "task_id": "t-1",
                "dossier_id": "d" * 65,
                "workflow_id": "w",
                "level": "unit",
                "level_index": 0,
                "levels_total": 1,
                "organisation": "AH",
                "award_code": "BKTTG",
                "submitting_organisation": "AH",
                "opened_at": "2026-03-02T02:00:00Z",
            }
        )


async def test_a_record_awaiting_another_waits_longer_than_a_failure_then_is_dead_lettered_with_its_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An approval whose submission has not come (``AwaitingRecord``) is retried in place past
    ``MAX_HANDLER_ATTEMPTS``, but not for ever: after ``MAX_AWAIT_ATTEMPTS`` it goes to the
    dead-letter topic with the refusal's code."""
    error = kafka.AwaitingRecord(UNAVAILABLE())
    broker, committed, message = await _attempts(error, kafka.MAX_AWAIT_ATTEMPTS + 3, monkeypatch)
    assert kafka.MAX_AWAIT_ATTEMPTS > kafka.MAX_HANDLER_ATTEMPTS
    assert message.nacked == kafka.MAX_AWAIT_ATTEMPTS - 1
    ((_, _, headers),) = broker.published
    assert headers[DeadLetterHeader.REASON] == "engine-away" and committed == [message]


async def test_a_stalled_partition_shows_in_the_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gauge ``tdkt.consumer.stalled_partitions`` counts, per topic, the partitions whose next
    record has failed ``MAX_HANDLER_ATTEMPTS`` times; retries and dead letters are counted too."""
    reader = InMemoryMetricReader()
    monkeypatch.setattr(kafka, "_meter", MeterProvider(metric_readers=[reader]).get_meter("test"))
    meter = kafka._meter
    monkeypatch.setattr(kafka, "RETRIES", meter.create_counter("tdkt.consumer.retries"))
    monkeypatch.setattr(kafka, "DEAD_LETTERS", meter.create_counter("tdkt.consumer.dead_letters"))
    meter.create_observable_gauge("tdkt.consumer.stalled_partitions", callbacks=[kafka._observe_stalled])

    def points() -> dict[str, list[tuple[dict[str, Any], Any]]]:
        data = reader.get_metrics_data()
        assert data is not None
        return {
            metric.name: [
                (dict(point.attributes or {}), getattr(point, "value", None))
                for point in metric.data.data_points
            ]
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
        }

    await _attempts(ConnectionResetError("away"), kafka.MAX_HANDLER_ATTEMPTS, monkeypatch)
    seen = points()
    assert seen["tdkt.consumer.stalled_partitions"] == [({"topic": "t.review.events"}, 1)]
    assert seen["tdkt.consumer.retries"] == [
        ({"topic": "t.review.events", "kind": "transient"}, kafka.MAX_HANDLER_ATTEMPTS)
    ]
    await _attempts(REFUSED(), 1, monkeypatch)
    assert points()["tdkt.consumer.dead_letters"] == [({"topic": "t.review.events", "reason": "refused"}, 1)]
