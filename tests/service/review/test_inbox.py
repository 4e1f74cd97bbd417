"""The reviewer's inbox over HTTP, in process: the organisation's tasks as the workflow's events
left them, filtered, sorted and paged, with counts equal to a full count and overdue by the
service's clock; one task with its objections; another organisation's tasks refused or hidden."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from contracts.events import DossierWithdrawn, ReviewAction, ReviewLevel, ReviewStepKind
from contracts.topics import Topic
from tests.service.conftest import START, Tokens
from tests.service.review.conftest import OTHER, UNIT, Review, task_opened
from tests.support import events

HOUR = timedelta(hours=1)
TASKS: list[dict[str, Any]] = [
    {"role": "clerk", "opened_at": START - 5 * HOUR, "due_at": START + HOUR},  # overdue in two hours
    {"role": "officer", "step": ReviewStepKind.APPRAISAL, "award_code": "CSTDCS", "due_at": START - HOUR},
    {"role": "leader", "step": ReviewStepKind.SIGN_OFF, "level": ReviewLevel.DISTRICT, "due_at": None},
    {"role": "clerk", "due_at": START + timedelta(days=5)},  # completed below
    {"role": "clerk", "due_at": START - 2 * HOUR},  # cancelled below: closed, so never overdue
    {"organisation": OTHER, "due_at": START - timedelta(days=1)},  # another organisation's
]
IDS = [f"d{n}.0.unit.task" for n in range(len(TASKS))]


@pytest.fixture
async def inbox(review: Review) -> Review:
    for n, (task_id, fields) in enumerate(zip(IDS, TASKS, strict=True)):
        await review.deliver(
            Topic.REVIEW_EVENTS,
            task_opened(task_id, **{"opened_at": START - (5 - n) * HOUR, **fields}),
        )
    await review.deliver(Topic.REVIEW_EVENTS, events.task_completed("d3", IDS[3], ReviewAction.ACCEPT))
    await review.deliver(Topic.REVIEW_EVENTS, events.closed(DossierWithdrawn, "d4", "rút hồ sơ"))
    return review


async def _page(service: Review, tokens: Tokens, organisation: str = UNIT, **params: Any) -> dict[str, Any]:
    response = await service.http.get("/v1/tasks", params=params, headers=tokens.staff(organisation, "clerk"))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _ids(page: dict[str, Any]) -> list[str]:
    return [item["task_id"].split(".")[0] for item in page["items"]]


async def test_the_inbox_holds_the_organisations_tasks_with_their_counts(
    inbox: Review, tokens: Tokens
) -> None:
    page = await _page(inbox, tokens)
    assert _ids(page) == ["d0", "d1", "d2", "d3", "d4"] and page["total"] == 5
    assert page["counts"] == {"open": 3, "completed": 1, "cancelled": 1, "overdue": 1}
    assert [item["state"] for item in page["items"]] == ["open", "open", "open", "completed", "cancelled"]
    assert page["items"][4]["action"] == "withdrawn"
    assert _ids(await _page(inbox, tokens, OTHER)) == ["d5"], "another organisation sees only its own"


FILTERED: list[tuple[dict[str, Any], list[str]]] = [
    ({"state": "open"}, ["d0", "d1", "d2"]),
    ({"state": "cancelled"}, ["d4"]),
    ({"level": "district"}, ["d2"]),
    ({"role": "clerk"}, ["d0", "d3", "d4"]),
    ({"award_code": "CSTDCS"}, ["d1"]),
    ({"dossier_id": "d3"}, ["d3"]),
    ({"due_before": START.isoformat()}, ["d1", "d4"]),
    ({"overdue": "true"}, ["d1"]),
    ({"overdue": "false"}, ["d0", "d2", "d3", "d4"]),
    ({"sort": "-opened_at"}, ["d4", "d3", "d2", "d1", "d0"]),
    ({"sort": "due_at"}, ["d4", "d1", "d0", "d3", "d2"]),  # no due date last
    ({"sort": "-due_at"}, ["d3", "d0", "d1", "d4", "d2"]),
    ({"sort": "level"}, ["d0", "d1", "d3", "d4", "d2"]),
    ({"limit": 2, "offset": 1}, ["d1", "d2"]),
    ({"limit": 2, "offset": 4}, ["d4"]),
    ({"organisation": UNIT, "state": "open", "sort": "-due_at", "limit": 2}, ["d0", "d1"]),
]
"""Each query and the dossiers of the tasks it answers, in order (one inbox for all: a read)."""


async def test_filters_sorting_and_paging(inbox: Review, tokens: Tokens) -> None:
    for params, expected in FILTERED:
        assert _ids(await _page(inbox, tokens, **params)) == expected, params


async def test_the_counts_equal_a_full_count_of_the_tasks(inbox: Review, tokens: Tokens) -> None:
    for filters in (
        {},
        {"role": "clerk"},
        {"level": "unit"},
        {"award_code": "BKTTG"},
        {"dossier_id": "d1"},  # the tally cannot answer these two: the tasks are counted
        {"due_before": START.isoformat()},
    ):
        page = await _page(inbox, tokens, **filters, state="open", limit=1)
        everything = await _page(inbox, tokens, **filters, limit=200)
        counted = Counter(item["state"] for item in everything["items"])
        assert {state: page["counts"][state] for state in ("open", "completed", "cancelled")} == {
            state: counted.get(state, 0) for state in ("open", "completed", "cancelled")
        }, filters
        assert page["counts"]["overdue"] == sum(item["overdue"] for item in everything["items"]), filters
        assert page["total"] == counted["open"] and everything["total"] == len(everything["items"]), filters


async def test_overdue_follows_the_services_clock(inbox: Review, tokens: Tokens) -> None:
    inbox.clock.advance(2 * HOUR)
    page = await _page(inbox, tokens, overdue="true")
    assert _ids(page) == ["d0", "d1"] and page["counts"]["overdue"] == 2
    assert all(item["overdue"] for item in page["items"])
    inbox.clock.advance(timedelta(days=10))
    assert (await _page(inbox, tokens))["counts"]["overdue"] == 2, "closed tasks are never overdue"


async def test_another_organisations_inbox_is_refused(inbox: Review, tokens: Tokens) -> None:
    response = await inbox.http.get(
        "/v1/tasks", params={"organisation": OTHER}, headers=tokens.staff(UNIT, "clerk")
    )
    assert response.status_code == 403 and response.json()["code"] == "other-organisation"
    problem = response.json()
    assert UNIT in problem["message_vi"] and OTHER in problem["message_vi"]
    assert (
        problem["message_en"]
        == f"Reviewers see only their own organisation's tasks ({UNIT}), not those of {OTHER}."
    )
    assert _ids(await _page(inbox, tokens, organisation=UNIT)) == _ids(await _page(inbox, tokens))


async def test_a_bad_query_is_refused_naming_the_parameter(inbox: Review, tokens: Tokens) -> None:
    cases: list[tuple[dict[str, str | int], str]] = [
        ({"limit": 0}, "limit"),
        ({"sort": "name"}, "sort"),
        ({"state": "lost"}, "state"),
    ]
    for params, where in cases:
        response = await inbox.http.get("/v1/tasks", params=params, headers=tokens.staff(UNIT, "clerk"))
        assert response.status_code == 422 and response.json()["code"] == "validation-failed", params
        assert [error["loc"][-1] for error in response.json()["errors"]] == [where]


async def test_the_inbox_needs_a_reviewers_token(inbox: Review, tokens: Tokens) -> None:
    anonymous = await inbox.http.get("/v1/tasks")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "missing-token"
    foreign = await inbox.http.get("/v1/tasks", headers=tokens.client())
    assert foreign.status_code == 401 and foreign.json()["code"] == "invalid-token"


async def test_one_task_is_shown_to_its_organisation_only(inbox: Review, tokens: Tokens) -> None:
    inbox.clock.advance(2 * HOUR)
    shown = await inbox.http.get(f"/v1/tasks/{IDS[0]}", headers=tokens.staff(UNIT, "officer"))
    assert shown.status_code == 200, shown.text
    assert shown.json() | {"opened_at": None, "due_at": None} == {
        "task_id": IDS[0],
        "dossier_id": "d0",
        "level": "unit",
        "level_index": 0,
        "levels_total": 4,
        "version": 1,
        "step": "receipt",
        "role": "clerk",
        "organisation": UNIT,
        "award_code": "BKTTG",
        "submitting_organisation": "AH-DS-TT-THCS",
        "state": "open",
        "opened_at": None,
        "due_at": None,
        "overdue": True,
        "completed_at": None,
        "action": None,
        "actor": None,
        "assignee": None,
        "objections": [],
        "objections_total": 0,
        "objections_url": "/v1/dossiers/d0/objections",
        "notes_count": 0,
    }
    for task_id, organisation in [(IDS[5], UNIT), (IDS[0], OTHER), ("nope", UNIT)]:
        hidden = await inbox.http.get(f"/v1/tasks/{task_id}", headers=tokens.staff(organisation, "clerk"))
        assert hidden.status_code == 404 and hidden.json()["code"] == "task-not-found", hidden.text
        assert f"'{task_id}'" in hidden.json()["message_vi"] and f"'{task_id}'" in hidden.json()["message_en"]
