"""The development token issuer, in process: served only when ``TDKT_REVIEW_DEV_TOKENS=true``; its
tokens open the inbox of the organisation they name, with reviewers' roles only."""

from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment

from servicekit.clock import ManualClock
from tests.service.review.conftest import UNIT, Review, running_review


async def test_the_issuer_gives_a_reviewers_token_when_turned_on(
    stack_env: dict[str, str],
    task_queue: str,
    clock: ManualClock,
    temporal: WorkflowEnvironment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TDKT_REVIEW_DEV_TOKENS", "true")
    async with running_review(clock, temporal) as review:
        issued = await review.http.post(
            "/v1/dev/tokens",
            json={"subject": "van-thu.1", "name": "Lê Thị Văn Thư", "organisation": UNIT, "roles": ["clerk"]},
        )
        assert issued.status_code == 200, issued.text
        assert (issued.json()["token_type"], issued.json()["expires_in"]) == ("Bearer", 3600)
        headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        assert (await review.http.get("/v1/tasks", headers=headers)).status_code == 200

        refused = await review.http.post(
            "/v1/dev/tokens", json={"subject": "x", "organisation": UNIT, "roles": ["clerk", "admin", "root"]}
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "unknown-role")
        assert refused.json()["message_en"] == (
            "Unknown roles: admin, root. Known roles: officer, council_member, leader, clerk."
        )
        assert refused.json()["message_vi"].startswith("Vai trò không hợp lệ: admin, root.")


async def test_the_issuer_is_not_served_by_default(review: Review) -> None:
    response = await review.http.post(
        "/v1/dev/tokens", json={"subject": "x", "organisation": UNIT, "roles": ["leader"]}
    )
    assert (response.status_code, response.json()["code"]) == (404, "not-found")
    assert "/v1/dev/tokens" not in review.app.openapi()["paths"]
