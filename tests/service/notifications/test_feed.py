"""The feed (``GET /v1/feed``, ``POST /v1/feed/read``; ``handlers/feed.py``): an officer reads the
organisation's and their roles' notices, with read marks of their own."""

from __future__ import annotations

from datetime import timedelta

from contracts.events import DossierRejected, ReviewStepKind
from contracts.topics import Topic
from tests.service.conftest import Tokens
from tests.service.notifications.conftest import Notifications
from tests.support import events


async def _three_notices(notifier: Notifications) -> None:
    """The organisation's receipt of d-1, its clerk's task of d-2, the rejection of d-1, a minute apart."""
    await notifier.deliver(Topic.INTAKE_EVENTS, events.submitted("d-1", client_id=None))
    notifier.clock.advance(timedelta(minutes=1))
    await notifier.deliver(Topic.REVIEW_EVENTS, events.task_opened("d-2", 0, ReviewStepKind.RECEIPT))
    notifier.clock.advance(timedelta(minutes=1))
    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, "d-1", "Chưa tiêu biểu"))


async def test_an_officer_reads_the_organisations_and_their_roles_notices_newest_first(
    notifier: Notifications, tokens: Tokens
) -> None:
    await _three_notices(notifier)
    clerk = tokens.staff(events.ORGANISATION, "clerk")
    page = (await notifier.http.get("/v1/feed", headers=clerk)).json()
    assert [(item["recipient"], item["kind"]) for item in page["items"]] == [
        ("AH-DS-TT", "rejected"),
        ("AH-DS-TT#clerk", "task_opened"),
        ("AH-DS-TT", "received"),
    ]
    assert (page["total"], page["unread"]) == (3, 3)
    own = (await notifier.http.get("/v1/feed", params={"scope": "organisation"}, headers=clerk)).json()
    assert {item["recipient"] for item in own["items"]} == {"AH-DS-TT"}
    one = (await notifier.http.get("/v1/feed", params={"dossier_id": "d-2"}, headers=clerk)).json()
    assert [item["kind"] for item in one["items"]] == ["task_opened"]
    leader = (await notifier.http.get("/v1/feed", headers=tokens.staff(events.ORGANISATION, "leader"))).json()
    assert leader["total"] == 2, "the clerk's task is not the leader's"
    other = (await notifier.http.get("/v1/feed", headers=tokens.staff("AH-DS", "leader"))).json()
    assert other["total"] == 0


async def test_read_marks_are_each_officers_own(notifier: Notifications, tokens: Tokens) -> None:
    await _three_notices(notifier)
    first, second = (
        tokens.staff(events.ORGANISATION, "clerk", subject=name) for name in ("van-thu.1", "van-thu.2")
    )
    page = (await notifier.http.get("/v1/feed", headers=first)).json()
    newest = page["items"][0]["notification_id"]
    marked = await notifier.http.post("/v1/feed/read", json={"notification_ids": [newest]}, headers=first)
    assert marked.json() == {"changed": 1}
    unread = (await notifier.http.get("/v1/feed", params={"unread": "true"}, headers=first)).json()
    assert newest not in [item["notification_id"] for item in unread["items"]] and unread["unread"] == 2
    assert (await notifier.http.get("/v1/feed", headers=second)).json()["unread"] == 3

    everything = await notifier.http.post("/v1/feed/read", json={}, headers=first)
    assert everything.json() == {"changed": 2}
    again = await notifier.http.post(
        "/v1/feed/read", json={"notification_ids": [newest], "read": False}, headers=first
    )
    assert again.json() == {"changed": 1}
    assert (await notifier.http.get("/v1/feed", headers=first)).json()["unread"] == 1


async def test_a_notice_outside_the_officers_feed_is_not_marked(
    notifier: Notifications, tokens: Tokens
) -> None:
    await _three_notices(notifier)
    clerk = tokens.staff(events.ORGANISATION, "clerk")
    mine = (await notifier.http.get("/v1/feed", headers=clerk)).json()["items"][0]["notification_id"]
    response = await notifier.http.post(
        "/v1/feed/read", json={"notification_ids": [mine, "n-elsewhere"]}, headers=clerk
    )
    assert response.status_code == 404
    problem = response.json()
    assert problem["code"] == "notification-not-found"
    assert "n-elsewhere" in problem["message_vi"] and "n-elsewhere" in problem["message_en"]
    assert (await notifier.http.get("/v1/feed", headers=clerk)).json()["unread"] == 3, "nothing marked"


async def test_the_feed_is_for_officers_with_a_token(notifier: Notifications, tokens: Tokens) -> None:
    anonymous = await notifier.http.get("/v1/feed")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "missing-token")
    client = await notifier.http.post("/v1/feed/read", json={}, headers=tokens.client())
    assert (client.status_code, client.json()["code"]) == (
        403,
        "insufficient-scope",
    )  # a valid token, not an officer's
