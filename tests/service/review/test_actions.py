"""A reviewer's actions, in process on the real review workflow: each step's action moves the
review on, and each refusal — the service's own checks and every refusal of the workflow — answers
its status, its code, and messages naming the cause in Vietnamese and English."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from temporalio.service import RetryConfig
from temporalio.testing import WorkflowEnvironment

from contracts.events import ReviewLevel, ReviewStepKind
from contracts.topics import Topic
from contracts.workflow import ReviewState, review_task_id
from servicekit.clock import ManualClock
from servicekit.settings import KitSettings
from servicekit.temporal import connect_temporal
from services.review.workflow_client import ReviewWorkflows
from tests.service.conftest import PAYLOAD_KEYS, Tokens
from tests.service.review.conftest import (
    NOMINEES,
    OTHER,
    UNIT,
    Review,
    act,
    entry,
    open_task,
    review_state,
    running_review,
    start,
    submitted,
    tally,
    task_opened,
    withdrawal_requested,
    workflow_waits_on,
)
from tests.support.binaries import venv_executable


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The problem of a refused action, checked for its status, code and two languages."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert (problem["code"], problem["type"]) == (code, f"urn:tdkt:problem:{code}")
    assert problem["message_vi"] and problem["message_en"] and problem["message_vi"] != problem["message_en"]
    return problem


async def _inbox_task(review: Review, tokens: Tokens, task_id: str) -> dict[str, Any]:
    response = await review.http.get(f"/v1/tasks/{task_id}", headers=tokens.staff(UNIT, "clerk"))
    assert response.status_code == 200, response.text
    task: dict[str, Any] = response.json()
    return task


# --- each step's action -------------------------------------------------------------------------


async def test_a_level_passes_receipt_appraisal_council_and_sign_off(review: Review, tokens: Tokens) -> None:
    dossier_id, receipt = await start(review, tokens, council=True)
    accepted = await act(review, tokens, receipt, "accept", "clerk")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() | {"acted_at": None} == {
        "task_id": receipt["task_id"],
        "action": "accept",
        "level": "unit",
        "next_level": None,
        "acted_at": None,
    }
    shown = await _inbox_task(review, tokens, receipt["task_id"])
    assert (shown["state"], shown["action"], shown["actor"]) == ("completed", "accept", "clerk.1")

    appraisal = await open_task(review, tokens, dossier_id, ReviewStepKind.APPRAISAL)
    assert appraisal["role"] == "officer"
    assert (await act(review, tokens, appraisal, "recommend", "officer")).status_code == 200
    council = await open_task(review, tokens, dossier_id, ReviewStepKind.COUNCIL)
    voted = await act(review, tokens, council, "vote", "council_member", {"tally": tally(dossier_id, 9, 3)})
    assert voted.status_code == 200 and voted.json()["action"] == "record_vote", voted.text
    sign_off = await open_task(review, tokens, dossier_id, ReviewStepKind.SIGN_OFF)
    approved = await act(review, tokens, sign_off, "approve", "leader")
    assert approved.status_code == 200 and approved.json()["action"] == "approve", approved.text

    await review_state(review, dossier_id, ReviewState.AWAITING_DECISION)
    announced = await review.published_event(
        Topic.REVIEW_EVENTS, "vn.tdkt.dossier.approved.v1", lambda e: e["subject"] == dossier_id
    )
    assert [entry["nominee_name"] for entry in announced["data"]["entries"]] == [NOMINEES[0]]
    (struck,) = announced["data"]["struck_entries"]
    assert struck["entry_id"] == entry(dossier_id, 2) and "3/9" in struck["reason"], (
        "below the council's threshold"
    )


async def test_the_officer_who_appraised_does_not_sign_off_the_same_level(
    review: Review, tokens: Tokens
) -> None:
    dossier_id, receipt = await start(review, tokens)
    assert (await act(review, tokens, receipt, "accept", "clerk")).status_code == 200
    both = tokens.staff(
        UNIT, "officer", "leader", subject="pho-hieu-truong", name="Lê Văn Bình", title="Phó Hiệu trưởng"
    )
    appraisal = await open_task(review, tokens, dossier_id, ReviewStepKind.APPRAISAL)
    recommended = await review.http.post(f"/v1/tasks/{appraisal['task_id']}/recommend", json={}, headers=both)
    assert recommended.status_code == 200, recommended.text
    sign_off = await open_task(review, tokens, dossier_id, ReviewStepKind.SIGN_OFF)
    problem = refused(
        await review.http.post(f"/v1/tasks/{sign_off['task_id']}/approve", json={}, headers=both),
        403,
        "same-person",
    )
    assert "'appraisal'" in problem["message_en"] and "'sign_off'" in problem["message_en"]
    assert (await act(review, tokens, sign_off, "approve", "leader")).status_code == 200, (
        "another leader signs"
    )


async def test_an_organisation_that_turns_separation_off_lets_one_person_appraise_and_sign(
    stack_env: dict[str, str],
    task_queue: str,
    clock: ManualClock,
    temporal: WorkflowEnvironment,
    monkeypatch: pytest.MonkeyPatch,
    tokens: Tokens,
) -> None:
    monkeypatch.setenv(
        "TDKT_REVIEW_SEPARATION_OF_DUTIES", "[]"
    )  # the rule is data, the default a product choice
    async with running_review(clock, temporal) as review:
        dossier_id, receipt = await start(review, tokens)
        assert (await act(review, tokens, receipt, "accept", "clerk")).status_code == 200
        both = tokens.staff(
            UNIT, "officer", "leader", subject="hieu-truong", name="Lê Thị Mai", title="Hiệu trưởng"
        )
        for step, action in ((ReviewStepKind.APPRAISAL, "recommend"), (ReviewStepKind.SIGN_OFF, "approve")):
            task = await open_task(review, tokens, dossier_id, step)
            acted = await review.http.post(f"/v1/tasks/{task['task_id']}/{action}", json={}, headers=both)
            assert acted.status_code == 200, acted.text


async def test_who_signs_off_is_a_named_person_whose_name_and_title_the_approval_carries(
    review: Review, tokens: Tokens
) -> None:
    dossier_id, receipt = await start(review, tokens)
    assert (await act(review, tokens, receipt, "accept", "clerk")).status_code == 200
    appraisal = await open_task(review, tokens, dossier_id, ReviewStepKind.APPRAISAL)
    assert (await act(review, tokens, appraisal, "recommend", "officer")).status_code == 200
    sign_off = await open_task(review, tokens, dossier_id, ReviewStepKind.SIGN_OFF)
    url = f"/v1/tasks/{sign_off['task_id']}/approve"
    for name, title, missing in [
        ("", "Hiệu trưởng", "full name"),
        ("Trần Thị Hoa", "", "title"),
        ("", "", "full name and title"),
    ]:
        unnamed = tokens.staff(UNIT, "leader", subject="hieu-truong", name=name, title=title)
        problem = refused(await review.http.post(url, json={}, headers=unnamed), 403, "signer-not-named")
        assert f"signer's {missing} (" in problem["message_en"], problem
    assert (await _inbox_task(review, tokens, sign_off["task_id"]))["state"] == "open", "nothing was done"

    leader = tokens.staff(UNIT, "leader", subject="hieu-truong", name="Trần Thị Hoa", title="Hiệu trưởng")
    assert (await review.http.post(url, json={}, headers=leader)).status_code == 200
    announced = await review.published_event(
        Topic.REVIEW_EVENTS, "vn.tdkt.dossier.approved.v1", lambda e: e["subject"] == dossier_id
    )
    signer = {key: announced["data"][key] for key in ("approved_by", "approved_by_name", "approved_by_title")}
    assert signer == {
        "approved_by": "hieu-truong",
        "approved_by_name": "Trần Thị Hoa",
        "approved_by_title": "Hiệu trưởng",
    }
    completed = await review.published_event(
        Topic.REVIEW_EVENTS,
        "vn.tdkt.review.task.completed.v1",
        lambda e: e["data"]["task_id"] == sign_off["task_id"],
    )
    assert (completed["data"]["actor_name"], completed["data"]["actor_title"]) == (
        "Trần Thị Hoa",
        "Hiệu trưởng",
    )


@pytest.mark.parametrize(
    ("step", "action", "role", "closing"),
    [
        (ReviewStepKind.RECEIPT, "return", "clerk", ("vn.tdkt.dossier.returned.v1", ReviewState.RETURNED)),
        (
            ReviewStepKind.APPRAISAL,
            "reject",
            "officer",
            ("vn.tdkt.dossier.rejected.v1", ReviewState.REJECTED),
        ),
    ],
    ids=["return at receipt", "reject at appraisal"],
)
async def test_a_return_or_a_rejection_ends_the_level_with_its_reason(
    review: Review,
    tokens: Tokens,
    step: ReviewStepKind,
    action: str,
    role: str,
    closing: tuple[str, ReviewState],
) -> None:
    dossier_id, task = await start(review, tokens)
    if step is ReviewStepKind.APPRAISAL:
        assert (await act(review, tokens, task, "accept", "clerk")).status_code == 200
        task = await open_task(review, tokens, dossier_id, step)
    reason = "Thiếu báo cáo thành tích có xác nhận / the certified report of achievements is missing"
    answered = await act(review, tokens, task, action, role, {"comment": reason})
    assert answered.status_code == 200 and answered.json()["action"] == action, answered.text
    event_type, state = closing
    await review_state(review, dossier_id, state)
    closed = await review.published_event(
        Topic.REVIEW_EVENTS, event_type, lambda e: e["subject"] == dossier_id
    )
    assert (closed["data"]["reason"], closed["data"]["actor"]) == (reason, f"{role}.1")


# --- the service's own refusals ------------------------------------------------------------------


async def test_a_rejection_or_return_without_a_reason_is_refused_before_anything_is_read(
    review: Review, tokens: Tokens
) -> None:
    for action, vi, en in [("reject", "không chấp thuận", "reject"), ("return", "trả lại", "return")]:
        answered = await act(review, tokens, {"task_id": "no-such-task"}, action, "leader", {"comment": "  "})
        problem = refused(answered, 422, "reason-required")
        assert problem["message_en"] == f"A reason (comment) is required to {en} a dossier."
        assert problem["message_vi"] == f"Phải nêu lý do (comment) khi {vi} hồ sơ."
        invisible = {"comment": "\u200b\ufeff"}  # shows nothing, though str.strip keeps it
        answered = await act(review, tokens, {"task_id": "no-such-task"}, action, "leader", invisible)
        refused(answered, 422, "reason-required")


async def test_a_struck_entry_whose_reason_reorders_its_text_is_refused(
    review: Review, tokens: Tokens
) -> None:
    struck = {"struck_entries": [{"entry_id": "d.1", "reason": "Chưa đủ \u202eneiked uềiđ"}]}
    answered = await act(review, tokens, {"task_id": "no-such-task"}, "recommend", "officer", struck)
    problem = refused(answered, 422, "text-bidi-control")
    assert "struck_entries[0].reason" in problem["message_vi"]
    assert "struck_entries[0].reason" in problem["message_en"]


async def test_a_task_not_of_the_reviewers_organisation_is_not_found(review: Review, tokens: Tokens) -> None:
    _, task = await start(review, tokens)
    for task_id, organisation in [(task["task_id"], OTHER), ("no-such-task", UNIT)]:
        answered = await act(
            review, tokens, {"task_id": task_id}, "accept", "clerk", organisation=organisation
        )
        problem = refused(answered, 404, "task-not-found")
        assert task_id in problem["message_vi"] and task_id in problem["message_en"]


async def test_a_reviewer_without_the_steps_role_is_refused(review: Review, tokens: Tokens) -> None:
    _, task = await start(review, tokens)
    problem = refused(await act(review, tokens, task, "accept", "officer"), 403, "role-not-permitted")
    assert problem["message_en"] == "This needs the role 'clerk'; your token gives the roles: officer."
    assert "'clerk'" in problem["message_vi"]


async def test_a_task_assigned_to_another_is_theirs_to_complete(review: Review, tokens: Tokens) -> None:
    _, task = await start(review, tokens)
    holder = tokens.staff(UNIT, "clerk", subject="van-thu.2")
    assert (await review.http.post(f"/v1/tasks/{task['task_id']}/claim", headers=holder)).status_code == 200
    problem = refused(await act(review, tokens, task, "accept", "clerk"), 409, "task-assigned-to-another")
    assert "'van-thu.2'" in problem["message_vi"] and "'van-thu.2'" in problem["message_en"]


async def test_a_task_the_inbox_shows_closed_is_not_actionable(review: Review, tokens: Tokens) -> None:
    _, task = await start(review, tokens)
    assert (await act(review, tokens, task, "accept", "clerk")).status_code == 200
    problem = refused(await act(review, tokens, task, "accept", "clerk"), 409, "task-not-actionable")
    assert task["task_id"] in problem["message_en"] and task["task_id"] in problem["message_vi"]


async def test_a_task_whose_review_has_ended_is_refused(review: Review, tokens: Tokens) -> None:
    """The inbox holds a task whose workflow does not exist (any more)."""
    await review.deliver(Topic.REVIEW_EVENTS, task_opened("ended.0.unit.receipt"))
    problem = refused(
        await act(review, tokens, {"task_id": "ended.0.unit.receipt"}, "accept", "clerk"),
        409,
        "review-not-running",
    )
    assert "ended.0.unit.receipt" in problem["message_en"]


async def test_an_engine_that_does_not_answer_is_a_503_to_retry(
    stack_env: dict[str, str],
    task_queue: str,
    clock: ManualClock,
    temporal: WorkflowEnvironment,
    tokens: Tokens,
) -> None:
    gone = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_executable("temporal-test-server")
    )
    away = await connect_temporal(
        KitSettings(temporal_address=gone.client.service_client.config.target_host),
        PAYLOAD_KEYS,
        retry_config=RetryConfig(initial_interval_millis=10, max_interval_millis=20, max_retries=1),
    )
    await gone.shutdown()
    async with running_review(clock, temporal, ReviewWorkflows(KitSettings(), client=away)) as review:
        await review.deliver(Topic.REVIEW_EVENTS, task_opened("away.0.unit.receipt"))
        answered = await act(review, tokens, {"task_id": "away.0.unit.receipt"}, "accept", "clerk")
    problem = refused(answered, 503, "workflow-engine-unavailable")
    assert answered.headers["Retry-After"] == "5"
    assert "thử lại" in problem["message_vi"] and "retry" in problem["message_en"]


# --- the workflow's refusals ---------------------------------------------------------------------


async def test_an_action_the_step_does_not_take_is_refused_naming_both(
    review: Review, tokens: Tokens
) -> None:
    _, task = await start(review, tokens)
    problem = refused(await act(review, tokens, task, "approve", "clerk"), 422, "action-not-of-step")
    assert problem["message_en"] == "approve is not an action of the receipt step; it takes: accept, return."
    assert (
        problem["message_vi"]
        == "Thao tác 'phê duyệt' không thuộc bước tiếp nhận; bước này nhận: tiếp nhận, trả lại."
    )
    assert problem["detail"] == problem["message_en"]


async def test_an_action_on_a_stale_version_is_refused(review: Review, tokens: Tokens) -> None:
    _, task = await start(review, tokens)
    problem = refused(
        await act(review, tokens, task, "accept", "clerk", {"version": 7}), 409, "stale-version"
    )
    assert problem["message_en"].startswith("Version 7 is stale: the dossier is at version 1.")
    assert problem["message_vi"].startswith("Phiên bản 7 của hồ sơ đã cũ: hồ sơ hiện ở phiên bản 1.")


async def test_a_task_the_workflow_is_not_waiting_for_is_not_actionable(
    review: Review, tokens: Tokens
) -> None:
    dossier_id, receipt = await start(review, tokens)
    stray = f"{dossier_id}.0.unit.stray"
    await review.deliver(Topic.REVIEW_EVENTS, task_opened(stray, dossier_id=dossier_id))
    problem = refused(
        await act(review, tokens, {"task_id": stray}, "accept", "clerk"), 409, "task-not-actionable"
    )
    assert stray in problem["message_en"]
    assert (await _inbox_task(review, tokens, receipt["task_id"]))["state"] == "open"


@pytest.mark.parametrize(
    ("seen", "reviewer", "status", "code", "en", "vi"),
    [
        (
            {"organisation": OTHER},
            (OTHER, "clerk"),
            403,
            "organisation-not-reviewing",
            f"At this level the dossier is reviewed by {UNIT}, not {OTHER}.",
            f"Ở cấp này hồ sơ do đơn vị {UNIT} xét duyệt, không phải {OTHER}.",
        ),
        (
            {"role": "leader"},
            (UNIT, "leader"),
            403,
            "role-not-of-step",
            "The receipt step is for the clerk, not the leader.",
            "Bước tiếp nhận do văn thư thực hiện, không phải lãnh đạo.",
        ),
    ],
    ids=["organisation", "role"],
)
async def test_the_workflow_refuses_whom_the_inbox_wrongly_lets_through(
    review: Review,
    tokens: Tokens,
    seen: dict[str, str],
    reviewer: tuple[str, str],
    status: int,
    code: str,
    en: str,
    vi: str,
) -> None:
    """An inbox row that disagrees with the workflow (another organisation, another role) does
    not let an action through: the workflow checks again."""
    dossier_id = f"d-{code}-{uuid.uuid4().hex[:12]}"
    receipt_id = review_task_id(dossier_id, 0, ReviewLevel.UNIT, 1, ReviewStepKind.RECEIPT)
    await review.deliver(Topic.REVIEW_EVENTS, task_opened(receipt_id, **seen))  # type: ignore[arg-type]
    await review.deliver(Topic.INTAKE_EVENTS, submitted(dossier_id))
    await workflow_waits_on(review, dossier_id, receipt_id)
    organisation, role = reviewer
    answered = await act(review, tokens, {"task_id": receipt_id}, "accept", role, organisation=organisation)
    problem = refused(answered, status, code)
    assert (problem["message_en"], problem["message_vi"]) == (en, vi)


async def test_an_action_on_a_dossier_being_withdrawn_is_refused(review: Review, tokens: Tokens) -> None:
    dossier_id, task = await start(review, tokens)
    gate = review.publishing.hold("vn.tdkt.dossier.withdrawn.v1")  # the review ends only after announcing it
    await review.deliver(Topic.INTAKE_EVENTS, withdrawal_requested(dossier_id))
    await review_state(review, dossier_id, ReviewState.WITHDRAWN)
    problem = refused(await act(review, tokens, task, "accept", "clerk"), 409, "dossier-withdrawn")
    assert "withdrawn by its submitter" in problem["message_en"] and "rút lại" in problem["message_vi"]
    gate.set()


async def test_an_appraisal_that_strikes_unknown_or_all_entries_is_refused(
    review: Review, tokens: Tokens
) -> None:
    dossier_id, receipt = await start(review, tokens)
    assert (await act(review, tokens, receipt, "accept", "clerk")).status_code == 200
    appraisal = await open_task(review, tokens, dossier_id, ReviewStepKind.APPRAISAL)

    def striking(*entries: str) -> dict[str, Any]:
        return {"struck_entries": [{"entry_id": entry, "reason": "chưa đủ điều kiện"} for entry in entries]}

    unknown = refused(
        await act(review, tokens, appraisal, "recommend", "officer", striking("x-1")),
        422,
        "entries-not-in-dossier",
    )
    assert unknown["message_en"] == "These entries are not (or no longer) in the dossier: 'x-1'."
    every = refused(
        await act(
            review,
            tokens,
            appraisal,
            "recommend",
            "officer",
            striking(entry(dossier_id, 1), entry(dossier_id, 2)),
        ),
        422,
        "all-entries-struck",
    )
    assert all(name in every["message_vi"] and name in every["message_en"] for name in NOMINEES)


async def test_a_council_vote_is_refused_for_each_fault_of_its_tally(review: Review, tokens: Tokens) -> None:
    dossier_id, receipt = await start(review, tokens, council=True)
    assert (await act(review, tokens, receipt, "accept", "clerk")).status_code == 200
    appraisal = await open_task(review, tokens, dossier_id, ReviewStepKind.APPRAISAL)
    assert (await act(review, tokens, appraisal, "recommend", "officer")).status_code == 200
    council = await open_task(review, tokens, dossier_id, ReviewStepKind.COUNCIL)
    mismatched = tally(dossier_id, 9)
    mismatched["votes"].append({"entry_id": "x-1", "votes_for": 1})
    for body, code, en in [
        ({}, "tally-required", "The council's tally is required."),
        (
            {"tally": mismatched},
            "tally-entries-mismatch",
            f"Missing: {NOMINEES[1]}. Not in the dossier: 'x-1'. Counted twice: —.",
        ),
        (
            {"tally": tally(dossier_id, 9, 9, present=10)},
            "more-present-than-members",
            "More members present (10)",
        ),
        ({"tally": tally(dossier_id, 10, 9)}, "more-votes-than-members", f"(9): {NOMINEES[0]}: 10."),
        (
            {"tally": tally(dossier_id, 9, 9, present=3)},
            "council-quorum-not-met",
            "3 of 9 members present, at least 8 needed (4/5 of the membership)",
        ),
    ]:
        problem = refused(await act(review, tokens, council, "vote", "council_member", body), 422, code)
        assert en in problem["message_en"], (code, problem["message_en"])
    quorum = problem["message_vi"]
    assert "3/9 có mặt, cần ít nhất 8" in quorum and "chưa xác nhận" in quorum
    assert (await _inbox_task(review, tokens, council["task_id"]))["state"] == "open", "nothing was recorded"
