"""Intake records review events whose level this build does not know, instead of dead-lettering them:
it only passes the level on (into the dossier's history)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from contracts.events import ReviewTaskOpenedData
from contracts.topics import Topic
from servicekit.clock import ManualClock
from services.intake import app as intake
from tests.service.conftest import START, Tokens
from tests.service.harness import InProcess
from tests.support import events
from tools.demo import demo_dossier


@pytest.fixture
async def service(stack_env: dict[str, str], clock: ManualClock) -> AsyncIterator[InProcess]:
    async with InProcess(*intake.build(clock), clock) as running:
        yield running


def test_a_level_this_build_does_not_know_is_kept_as_its_code() -> None:
    data = ReviewTaskOpenedData.model_validate(
        {
            "task_id": "t",
            "dossier_id": "d",
            "workflow_id": "w",
            "level": "ward",
            "level_index": 1,
            "levels_total": 5,
            "award_code": "BKTTG",
            "submitting_organisation": "AH-DS-TT-THCS",
            "opened_at": START.isoformat(),
        }
    )
    assert data.level == "ward" and data.model_dump(mode="json")["level"] == "ward"
    assert ReviewTaskOpenedData.model_validate({**data.model_dump(), "level": "district"}).level == "district"
    with pytest.raises(ValueError):
        ReviewTaskOpenedData.model_validate({**data.model_dump(), "level": ""})


async def test_a_review_event_with_an_unknown_level_reaches_the_history(
    service: InProcess, tokens: Tokens
) -> None:
    response = await service.http.post("/v1/dossiers", json=demo_dossier(2026), headers=tokens.client())
    dossier_id = response.json()["dossier_id"]
    opened = events.task_opened(
        dossier_id,
        task_id=f"{dossier_id}.1.ward.receipt",
        level="ward",
        levels_total=5,
        submitting_organisation="AH-DS-TT-THCS",
    )
    await service.deliver(Topic.REVIEW_EVENTS, opened)
    assert service.dead_letters(Topic.REVIEW_EVENTS) == []
    history = (await service.http.get(f"/v1/dossiers/{dossier_id}", headers=tokens.client())).json()[
        "history"
    ]
    assert history[-1]["level"] == "ward" and "ward" in history[-1]["summary"]
