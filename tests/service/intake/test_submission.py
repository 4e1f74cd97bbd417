"""Intake in process: a submission over HTTP is stored, announced on the bus and dead-letters nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from contracts.topics import Topic
from servicekit.clock import ManualClock
from services.intake import app as intake
from tests.service.conftest import START, Tokens
from tests.service.harness import InProcess
from tools.demo import demo_dossier


@pytest.fixture
async def service(stack_env: dict[str, str], clock: ManualClock) -> AsyncIterator[InProcess]:
    async with InProcess(*intake.build(clock), clock) as running:
        yield running


async def test_a_submission_is_stored_dated_by_the_clock_and_announced(
    service: InProcess, tokens: Tokens
) -> None:
    response = await service.http.post("/v1/dossiers", json=demo_dossier(2026), headers=tokens.client())
    assert response.status_code == 201, response.text
    dossier = response.json()
    assert dossier["submission_date"] == "2026-03-02"
    assert dossier["submitted_at"].startswith("2026-03-02T02:00:00")
    event = await service.published_event(
        Topic.INTAKE_EVENTS, "vn.tdkt.dossier.submitted.v1", lambda e: e["subject"] == dossier["dossier_id"]
    )
    assert event["time"].startswith(START.strftime("%Y-%m-%dT%H:%M:%S"))


async def test_a_record_that_is_no_event_is_dead_lettered(service: InProcess) -> None:
    await service.deliver_raw(Topic.INTAKE_INBOUND, b"not json")
    (dead,) = service.dead_letters(Topic.INTAKE_INBOUND)
    assert dead["raw"] == "not json"
    assert dead["_headers"]["x-dlq-reason"] == "malformed-record"
