"""Public comment, in process: the nominees the workflow publishes are listed while the period is
open by the service's clock; a signed objection is kept, announced and shown with the task; an
objection to an unpublished dossier, after the period, or about someone not published is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from contracts.events import EntrySummary, PublicCommentOpened, PublicCommentOpenedData, ReviewLevel
from contracts.topics import Topic
from tests.service.conftest import START, Tokens
from tests.service.review.conftest import NOMINEES, OTHER, UNIT, Review, task_opened

DOSSIER = "d-pc"
CLOSES = START + timedelta(days=14)  # 09:00 in Hà Nội, 16 March 2026
OBJECTION = {"author_name": "Lê Văn Dân", "contact": "0900000000", "text": "Chưa đúng thành tích."}


def _opened() -> PublicCommentOpened:
    return PublicCommentOpened(
        id=f"review-{DOSSIER}.0.public_comment",
        source="/tdkt/review-workflow",
        subject=DOSSIER,
        time=START,
        data=PublicCommentOpenedData(
            dossier_id=DOSSIER,
            level=ReviewLevel.PROVINCE,
            organisation="AH",
            award_code="BKTTG",
            nominees=[
                EntrySummary(entry_id=f"{DOSSIER}.{n}", nominee_name=name, nominee_kind="individual")
                for n, name in enumerate(NOMINEES, start=1)
            ],
            opened_at=START,
            closes_at=CLOSES,
            working_days=10,
            legal_basis="Luật TĐKT 2022 Điều 84 k5",
        ),
    )


async def _published(review: Review) -> Review:
    await review.deliver(Topic.REVIEW_EVENTS, _opened())
    await review.deliver(Topic.REVIEW_EVENTS, _opened())  # a repeat publishes nothing twice
    return review


async def _object(review: Review, dossier_id: str = DOSSIER, **body: Any) -> Any:
    return await review.http.post(f"/v1/public-comments/{dossier_id}/objections", json={**OBJECTION, **body})


async def test_the_published_nominees_are_listed_while_the_period_is_open(review: Review) -> None:
    await _published(review)
    [period] = (await review.http.get("/v1/public-comments")).json()
    assert (period["dossier_id"], period["level"], period["legal_basis"]) == (
        DOSSIER,
        "province",
        "Luật TĐKT 2022 Điều 84 k5",
    )
    assert [nominee["nominee_name"] for nominee in period["nominees"]] == list(NOMINEES)
    review.clock.set(CLOSES)
    assert (await review.http.get("/v1/public-comments")).json() == [], "closed by the service's clock"


async def test_a_signed_objection_is_kept_announced_and_shown_with_the_task(
    review: Review, tokens: Tokens
) -> None:
    await _published(review)
    await review.deliver(
        Topic.REVIEW_EVENTS, task_opened(f"{DOSSIER}.2.province.council", role="council_member")
    )
    review.clock.advance(timedelta(days=3))
    response = await _object(review, entry_id=f"{DOSSIER}.1")
    assert response.status_code == 201, response.text
    objection = response.json()
    assert (objection["author_name"], objection["entry_id"]) == ("Lê Văn Dân", f"{DOSSIER}.1")
    assert objection["received_at"].startswith("2026-03-05T02:00:00")
    announced = await review.published_event(Topic.REVIEW_EVENTS, "vn.tdkt.review.objection.recorded.v1")
    assert announced["data"]["objection_id"] == objection["objection_id"]
    assert "contact" not in announced["data"], "the contact stays with the council"
    shown = await review.http.get(
        f"/v1/tasks/{DOSSIER}.2.province.council", headers=tokens.staff(UNIT, "council_member")
    )
    assert [item["objection_id"] for item in shown.json()["objections"]] == [objection["objection_id"]]


async def test_an_objection_is_refused_for_each_cause(review: Review) -> None:
    await _published(review)
    unpublished = await _object(review, "d-other")
    assert (unpublished.status_code, unpublished.json()["code"]) == (404, "no-public-comment")
    assert "d-other" in unpublished.json()["message_vi"] and "d-other" in unpublished.json()["message_en"]

    stranger = await _object(review, entry_id="x-9")
    assert (stranger.status_code, stranger.json()["code"]) == (422, "unknown-nominee")
    assert stranger.json()["message_en"] == f"No nominee 'x-9' in the published list of dossier {DOSSIER}."

    unsigned = await review.http.post(f"/v1/public-comments/{DOSSIER}/objections", json={"text": "…"})
    assert (unsigned.status_code, unsigned.json()["code"]) == (422, "validation-failed")
    assert {error["loc"][-1] for error in unsigned.json()["errors"]} == {"author_name", "contact"}

    for body, code, field in (
        ({"author_name": "   "}, "text-blank", "author_name"),
        ({"author_name": "Lê\u200bVăn Dân"}, "text-invisible-character", "author_name"),
        ({"text": "Sai \u202ecáhk"}, "text-bidi-control", "text"),
    ):
        problem = (await _object(review, **body)).json()
        assert (problem["status"], problem["code"]) == (422, code), problem
        assert field in problem["message_vi"] and field in problem["message_en"]

    review.clock.set(CLOSES)
    late = await _object(review)
    assert (late.status_code, late.json()["code"]) == (409, "public-comment-closed")
    assert late.json()["message_vi"] == (
        f"Thời hạn lấy ý kiến về hồ sơ {DOSSIER} đã kết thúc lúc 09:00 ngày 16/03/2026 (giờ Việt Nam)."
    )
    assert late.json()["message_en"].endswith("ended at 09:00 on 16/03/2026 (Vietnam time).")
    await review.relayed()
    assert review.events(Topic.REVIEW_EVENTS, "vn.tdkt.review.objection.recorded.v1") == []


async def test_the_objections_are_read_a_page_at_a_time_by_the_dossiers_reviewers_only(
    review: Review, tokens: Tokens
) -> None:
    await _published(review)
    await review.deliver(
        Topic.REVIEW_EVENTS, task_opened(f"{DOSSIER}.2.province.council", role="council_member")
    )
    sent = []
    for n in range(3):
        review.clock.advance(timedelta(minutes=1))
        sent.append((await _object(review, text=f"Ý kiến số {n}.")).json()["objection_id"])
    url = f"/v1/dossiers/{DOSSIER}/objections"
    member = tokens.staff(UNIT, "council_member")
    first = (await review.http.get(url, params={"limit": 2}, headers=member)).json()
    rest = (await review.http.get(url, params={"limit": 2, "offset": 2}, headers=member)).json()
    assert (first["total"], rest["total"]) == (3, 3)
    assert [item["objection_id"] for item in first["items"] + rest["items"]] == sent, (
        "oldest first, each once"
    )
    stranger = await review.http.get(url, headers=tokens.staff(OTHER, "council_member"))
    assert (stranger.status_code, stranger.json()["code"]) == (404, "dossier-not-found")
    too_many = await review.http.get(url, params={"limit": 1000}, headers=member)
    assert (too_many.status_code, too_many.json()["code"]) == (422, "validation-failed")


# --- bounds: the endpoint needs no sign-in ------------------------------------------------------


LIMITED = pytest.mark.parametrize(
    "review_env",
    [{"OBJECTIONS_PER_ADDRESS": "3", "OBJECTIONS_PER_DOSSIER": "5", "TASK_OBJECTIONS_SHOWN": "2"}],
    ids=["3-per-address-5-per-dossier-2-shown"],
)
"""Review allowing 3 objections per address and 5 per dossier an hour, showing 2 with a task."""


def _from(review: Review, address: str) -> httpx.AsyncClient:
    """A client whose TCP peer is ``address``."""
    transport = httpx.ASGITransport(app=review.app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://review.test")


@LIMITED
async def test_objections_are_limited_per_client_address_and_per_dossier(review: Review) -> None:
    limited = await _published(review)
    url = f"/v1/public-comments/{DOSSIER}/objections"
    async with _from(limited, "203.0.113.7") as first, _from(limited, "198.51.100.2") as second:
        for n in range(3):
            limited.clock.advance(timedelta(minutes=1))
            assert (await first.post(url, json={**OBJECTION, "text": f"Ý kiến {n}"})).status_code == 201
        forged = {"X-Forwarded-For": "192.0.2.99"}  # any client can write it: not trusted
        refused = await first.post(url, json=OBJECTION, headers=forged)
        problem = refused.json()
        assert (refused.status_code, problem["code"]) == (429, "too-many-objections-from-address")
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == str(58 * 60), "until the first leaves the hour"
        assert "3 ý kiến trong 60 phút" in problem["message_vi"] and "3480 seconds" in problem["message_en"]

        for _ in range(2):
            assert (await second.post(url, json=OBJECTION)).status_code == 201
        full = await second.post(url, json=OBJECTION)
        assert (full.status_code, full.json()["code"]) == (429, "too-many-objections-to-dossier")
        assert DOSSIER in full.json()["message_vi"] and "5 objections" in full.json()["message_en"]

        limited.clock.advance(timedelta(hours=1))
        assert (await first.post(url, json=OBJECTION)).status_code == 201, "a new hour, a new allowance"


@LIMITED
async def test_the_task_shows_the_latest_objections_and_how_many_there_are(
    review: Review, tokens: Tokens
) -> None:
    limited = await _published(review)
    await limited.deliver(
        Topic.REVIEW_EVENTS, task_opened(f"{DOSSIER}.2.province.council", role="council_member")
    )
    sent = []
    for n in range(3):
        limited.clock.advance(timedelta(minutes=1))
        async with _from(limited, f"192.0.2.{n}") as client:
            response = await client.post(f"/v1/public-comments/{DOSSIER}/objections", json=OBJECTION)
        sent.append(response.json()["objection_id"])
    task = (
        await limited.http.get(
            f"/v1/tasks/{DOSSIER}.2.province.council", headers=tokens.staff(UNIT, "council_member")
        )
    ).json()
    assert [item["objection_id"] for item in task["objections"]] == sent[1:], "the latest 2, oldest first"
    assert (task["objections_total"], task["objections_url"]) == (3, f"/v1/dossiers/{DOSSIER}/objections")


async def test_every_field_of_an_objection_is_bounded(review: Review) -> None:
    await _published(review)
    for field, size in [("author_name", 201), ("contact", 301), ("entry_id", 121), ("text", 10_001)]:
        response = await _object(review, **{field: "x" * size})
        assert (response.status_code, response.json()["code"]) == (422, "validation-failed"), field
        assert response.json()["errors"][0]["loc"][-1] == field
    long_id = await review.http.post(f"/v1/public-comments/{'d' * 65}/objections", json=OBJECTION)
    assert (long_id.status_code, long_id.json()["code"]) == (422, "validation-failed")
