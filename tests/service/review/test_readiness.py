"""``/health/ready`` reflects every dependency (issue 21 §5): it said ready while Kafka was down,
since FastStream's ping answers False rather than raising; review also needs the workflow engine."""

from __future__ import annotations

import asyncio

import pytest

from servicekit.probe import serve_health
from tests.service.review.conftest import Review


async def _answers(value: bool) -> bool:
    return value


async def test_ready_when_the_database_kafka_and_temporal_answer(review: Review) -> None:
    response = await review.http.get("/health/ready")
    assert response.status_code == 200, response.text


async def test_not_ready_while_kafka_does_not_answer(review: Review, monkeypatch: pytest.MonkeyPatch) -> None:
    async def ping(timeout: float | None = None) -> bool:
        return False  # what FastStream answers with the broker away

    monkeypatch.setattr(review.runtime.broker, "ping", ping)
    response = await review.http.get("/health/ready")
    assert response.status_code == 503
    problem = response.json()
    assert problem["code"] == "not-ready" and "kafka does not answer" in problem["detail"]


async def test_not_ready_while_the_workflow_engine_does_not_answer(review: Review) -> None:
    async def away() -> bool:
        raise ConnectionRefusedError("temporal at 127.0.0.1:7233")

    review.runtime.readiness["temporal"] = away
    response = await review.http.get("/health/ready")
    assert response.status_code == 503
    assert "temporal: ConnectionRefusedError" in response.json()["detail"]


async def _status(port: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    writer.close()
    return status


async def test_the_workers_probe_asks_its_dependencies_and_a_failing_check_is_not_ready() -> None:
    answers: dict[str, bool | Exception] = {"now": True}

    async def ready() -> bool:
        answer = answers["now"]
        if isinstance(answer, Exception):
            raise answer
        return answer

    server = await serve_health("127.0.0.1", 0, ready)
    port = server.sockets[0].getsockname()[1]
    try:
        assert await _status(port) == 200
        answers["now"] = False
        assert await _status(port) == 503
        answers["now"] = ConnectionError("kafka away")
        assert await _status(port) == 503
    finally:
        server.close()
