"""Assignment within an organisation, in process: claim (with the step's role), unclaim and
delegate (by the holder), assign (by a leader); each refusal names the task and who holds it."""

from __future__ import annotations

from typing import Any

import httpx

from contracts.events import ReviewAction
from contracts.topics import Topic
from tests.service.conftest import Tokens
from tests.service.review.conftest import OTHER, UNIT, Review, task_opened
from tests.support import events

TASK = "d1.0.unit.receipt"
DONE = "d2.0.unit.receipt"


async def _inbox(review: Review) -> Review:
    for task_id in (TASK, DONE):
        await review.deliver(Topic.REVIEW_EVENTS, task_opened(task_id))
    return review


async def _post(
    review: Review, tokens: Tokens, task_id: str, what: str, who: str, *roles: str, **body: str
) -> httpx.Response:
    headers = tokens.staff(UNIT, *(roles or ("clerk",)), subject=who)
    return await review.http.post(f"/v1/tasks/{task_id}/{what}", json=body or None, headers=headers)


def _refused(response: httpx.Response, status: int, code: str, *named: str) -> dict[str, Any]:
    assert (response.status_code, response.json().get("code")) == (status, code), response.text
    problem: dict[str, Any] = response.json()
    for value in named:
        assert value in problem["message_vi"] and value in problem["message_en"], (value, problem)
    return problem


async def test_a_reviewer_with_the_steps_role_claims_an_open_task(review: Review, tokens: Tokens) -> None:
    await _inbox(review)
    claimed = await _post(review, tokens, TASK, "claim", "van-thu.1")
    assert claimed.status_code == 200 and claimed.json()["assignee"] == "van-thu.1", claimed.text
    again = await _post(review, tokens, TASK, "claim", "van-thu.1")
    assert again.status_code == 200, "claiming what one holds changes nothing"
    _refused(
        await _post(review, tokens, TASK, "claim", "van-thu.2"),
        409,
        "task-already-claimed",
        TASK,
        "'van-thu.1'",
    )
    _refused(
        await _post(review, tokens, TASK, "claim", "can-bo.1", "officer"),
        403,
        "role-not-permitted",
        "'clerk'",
        "officer",
    )
    foreign = tokens.staff(OTHER, "clerk")
    hidden = await review.http.post(f"/v1/tasks/{TASK}/claim", headers=foreign)
    _refused(hidden, 404, "task-not-found", TASK)
    _refused(await _post(review, tokens, "nope", "claim", "van-thu.1"), 404, "task-not-found", "'nope'")


async def test_a_task_no_longer_open_cannot_be_claimed_or_assigned(review: Review, tokens: Tokens) -> None:
    await _inbox(review)
    await review.deliver(Topic.REVIEW_EVENTS, events.task_completed("d2", DONE, ReviewAction.ACCEPT))
    _refused(await _post(review, tokens, DONE, "claim", "van-thu.1"), 409, "task-not-open", DONE)
    assigned = await _post(review, tokens, DONE, "assign", "lanh-dao", "leader", assignee="van-thu.1")
    _refused(assigned, 409, "task-not-open", DONE)


async def test_only_the_holder_releases_or_delegates(review: Review, tokens: Tokens) -> None:
    await _inbox(review)
    _refused(
        await _post(review, tokens, TASK, "unclaim", "van-thu.1"), 409, "task-not-claimed-by-you", TASK, "—"
    )
    assert (await _post(review, tokens, TASK, "claim", "van-thu.1")).status_code == 200
    _refused(
        await _post(review, tokens, TASK, "unclaim", "van-thu.2"), 409, "task-not-claimed-by-you", "van-thu.1"
    )
    _refused(
        await _post(review, tokens, TASK, "delegate", "van-thu.2", assignee="van-thu.2"),
        409,
        "task-not-claimed-by-you",
        "van-thu.1",
    )
    delegated = await _post(review, tokens, TASK, "delegate", "van-thu.1", assignee="van-thu.2")
    assert delegated.status_code == 200 and delegated.json()["assignee"] == "van-thu.2", delegated.text
    released = await _post(review, tokens, TASK, "unclaim", "van-thu.2")
    assert released.status_code == 200 and released.json()["assignee"] is None, released.text


async def test_a_held_task_delegated_after_it_closed_is_refused(review: Review, tokens: Tokens) -> None:
    await _inbox(review)
    assert (await _post(review, tokens, DONE, "claim", "van-thu.1")).status_code == 200
    await review.deliver(Topic.REVIEW_EVENTS, events.task_completed("d2", DONE, ReviewAction.ACCEPT))
    delegated = await _post(review, tokens, DONE, "delegate", "van-thu.1", assignee="van-thu.2")
    _refused(delegated, 409, "task-not-open", DONE)


async def _signed_in(review: Review, tokens: Tokens, organisation: str, who: str, *roles: str) -> None:
    """``who`` uses the API once, which is how the platform comes to know an officer."""
    headers = tokens.staff(organisation, *roles, subject=who, name=f"Cán bộ {who}", title="Chuyên viên")
    assert (await review.http.get("/v1/tasks", headers=headers)).status_code == 200


async def test_a_task_goes_only_to_a_known_officer_of_its_organisation_holding_its_role(
    review: Review, tokens: Tokens
) -> None:
    await _inbox(review)
    await _signed_in(review, tokens, UNIT, "can-bo.1", "officer")
    await _signed_in(review, tokens, OTHER, "van-thu.khac", "clerk")
    await _signed_in(review, tokens, UNIT, "van-thu.3", "clerk")
    for assignee, code, named in [
        ("ghost", "unknown-assignee", ("'ghost'", UNIT)),
        ("van-thu.khac", "unknown-assignee", ("'van-thu.khac'", UNIT)),
        ("can-bo.1", "assignee-lacks-role", ("can-bo.1", "'clerk'", "officer")),
    ]:
        refused = await _post(review, tokens, TASK, "assign", "lanh-dao", "leader", assignee=assignee)
        _refused(refused, 422, code, *named)
    shown = await review.http.get(f"/v1/tasks/{TASK}", headers=tokens.staff(UNIT, "clerk"))
    assert shown.json()["assignee"] is None, "nothing was assigned"

    leader = tokens.staff(UNIT, "leader", subject="lanh-dao")
    staff = (await review.http.get("/v1/staff", headers=leader)).json()
    by_subject = {member["subject"]: member for member in staff}
    assert {"can-bo.1", "van-thu.3", "lanh-dao"} <= set(by_subject) and "van-thu.khac" not in by_subject
    assert (by_subject["van-thu.3"]["name"], by_subject["van-thu.3"]["roles"]) == (
        "Cán bộ van-thu.3",
        ["clerk"],
    )
    clerks = (await review.http.get("/v1/staff", params={"role": "clerk"}, headers=leader)).json()
    assert [member["subject"] for member in clerks] == [f"can-bo.{UNIT}", "van-thu.3"], (
        "who signed in as clerks"
    )
    unknown_role = await review.http.get("/v1/staff", params={"role": "admin"}, headers=leader)
    assert (unknown_role.status_code, unknown_role.json()["code"]) == (422, "validation-failed")
    assert (
        await _post(review, tokens, TASK, "assign", "lanh-dao", "leader", assignee="van-thu.3")
    ).status_code == 200


async def test_only_a_leader_assigns(review: Review, tokens: Tokens) -> None:
    await _inbox(review)
    refused = await _post(review, tokens, TASK, "assign", "van-thu.1", "clerk", assignee="van-thu.1")
    _refused(refused, 403, "role-not-permitted", "'leader'", "clerk")
    ghost = await _post(review, tokens, TASK, "assign", "lanh-dao", "leader", assignee="van-thu.2")
    _refused(ghost, 422, "unknown-assignee", "'van-thu.2'", UNIT)  # never signed in: unknown
    await _signed_in(review, tokens, UNIT, "van-thu.2", "clerk")
    assigned = await _post(review, tokens, TASK, "assign", "lanh-dao", "leader", assignee="van-thu.2")
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "van-thu.2", assigned.text
    reassigned = await _post(review, tokens, TASK, "assign", "lanh-dao", "leader", assignee="van-thu.1")
    assert reassigned.json()["assignee"] == "van-thu.1", "a leader reassigns a held task"
    _refused(
        await _post(review, tokens, "nope", "assign", "lanh-dao", "leader", assignee="x"),
        404,
        "task-not-found",
    )
    invalid = await _post(review, tokens, TASK, "assign", "lanh-dao", "leader", assignee="")
    assert (invalid.status_code, invalid.json()["code"]) == (422, "validation-failed")
