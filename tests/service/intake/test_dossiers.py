"""Intake in process: what a client reads of its dossiers (list, one, a version) and what it may
change (``handlers.amend``, ``handlers.withdraw``), with the status each change needs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contracts.events import DossierReturned, DossierWithdrawn
from contracts.topics import Topic
from servicekit.clock import ManualClock
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import (
    OTHER_CLIENT,
    approved,
    closed,
    dossier,
    ineligible_entry,
    opened,
    refused,
    submitted,
)


async def _get(service: InProcess, tokens: Tokens, dossier_id: str) -> dict[str, Any]:
    response = await service.http.get(f"/v1/dossiers/{dossier_id}", headers=tokens.client())
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


async def test_a_client_lists_its_own_dossiers_newest_first_by_status_and_reference(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    views = []
    for number in range(1, 4):
        views.append(await submitted(service, tokens, dossier(external_reference=f"HS-{number}")))
        clock.advance(timedelta(minutes=1))
    theirs = await submitted(
        service,
        tokens,
        dossier(submitting_organisation="AH-TL-HB-TYT", external_reference="HS-1"),
        OTHER_CLIENT,
    )
    await service.deliver(Topic.REVIEW_EVENTS, opened(views[0], clock.now()))

    async def page(**params: Any) -> dict[str, Any]:
        response = await service.http.get("/v1/dossiers", params=params, headers=tokens.client())
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    everything = await page()
    assert [item["external_reference"] for item in everything["items"]] == ["HS-3", "HS-2", "HS-1"]
    assert everything["total"] == 3 and theirs["dossier_id"] not in str(everything)
    assert {item["award_name_vi"] for item in everything["items"]} == {"Bằng khen của Thủ tướng Chính phủ"}
    second = await page(limit=1, offset=1)
    assert ([i["external_reference"] for i in second["items"]], second["total"]) == (["HS-2"], 3)
    assert (second["limit"], second["offset"]) == (1, 1)
    in_review = await page(status="in_review")
    assert [i["dossier_id"] for i in in_review["items"]] == [views[0]["dossier_id"]]
    assert [i["dossier_id"] for i in (await page(external_reference="HS-2"))["items"]] == [
        views[1]["dossier_id"]
    ]
    refused(
        await service.http.get("/v1/dossiers", params={"status": "lost"}, headers=tokens.client()),
        422,
        "validation-failed",
    )


async def test_a_dossier_and_its_versions_are_the_owners_only(service: InProcess, tokens: Tokens) -> None:
    body = dossier()
    view = await submitted(service, tokens, body)
    dossier_id = view["dossier_id"]
    assert await _get(service, tokens, dossier_id) == view

    version = await service.http.get(f"/v1/dossiers/{dossier_id}/versions/1", headers=tokens.client())
    assert version.status_code == 200
    assert version.json()["entries"][0]["full_name"] == body["entries"][0]["full_name"]
    assert version.json()["external_reference"] == body["external_reference"]
    problem = refused(
        await service.http.get(f"/v1/dossiers/{dossier_id}/versions/2", headers=tokens.client()),
        404,
        "version-not-found",
    )
    assert dossier_id in problem["message_en"] and "2" in problem["message_vi"]

    strangers = tokens.client(OTHER_CLIENT)
    for url in (f"/v1/dossiers/{dossier_id}", f"/v1/dossiers/{dossier_id}/versions/1"):
        problem = refused(await service.http.get(url, headers=strangers), 404, "dossier-not-found")
        assert dossier_id in problem["message_vi"] and dossier_id in problem["message_en"]
    refused(await service.http.get("/v1/dossiers/no-such", headers=tokens.client()), 404, "dossier-not-found")


async def test_an_amendment_is_the_next_version_while_the_dossier_is_submitted_or_returned(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    view = await submitted(service, tokens)
    url = f"/v1/dossiers/{view['dossier_id']}"
    second = dossier(external_reference="HS-BO-SUNG")
    second["entries"].append(ineligible_entry())
    amended = await service.http.put(url, json=second, headers=tokens.client())
    assert amended.status_code == 200, amended.text
    body = amended.json()
    assert (body["version"], body["external_reference"], len(body["entries"])) == (2, "HS-BO-SUNG", 2)
    assert body["history"][-1]["type"] == "vn.tdkt.dossier.amended.v1"
    assert "phiên bản 2" in body["history"][-1]["summary"]
    event = await service.published_event(
        Topic.INTAKE_EVENTS, "vn.tdkt.dossier.amended.v1", lambda e: e["subject"] == view["dossier_id"]
    )
    assert event["data"]["version"] == 2
    versions = [
        (await service.http.get(f"{url}/versions/{n}", headers=tokens.client())).json()["external_reference"]
        for n in (1, 2)
    ]
    assert versions == ["DEMO-0001", "HS-BO-SUNG"]

    clock.advance(timedelta(hours=1))
    await service.deliver(Topic.REVIEW_EVENTS, opened(view, clock.now()))
    problem = refused(
        await service.http.put(url, json=dossier(), headers=tokens.client()), 409, "dossier-not-amendable"
    )
    assert "in_review" in problem["message_en"]

    clock.advance(timedelta(hours=1))
    await service.deliver(Topic.REVIEW_EVENTS, closed(DossierReturned, view, clock.now()))
    assert (await _get(service, tokens, view["dossier_id"]))["status"] == "returned"
    third = await service.http.put(url, json=dossier(), headers=tokens.client())
    assert (third.status_code, third.json()["version"], third.json()["status"]) == (200, 3, "submitted")


async def test_an_amendment_keeps_the_dossiers_identity_and_passes_validation(
    service: InProcess, tokens: Tokens
) -> None:
    view = await submitted(service, tokens)
    url = f"/v1/dossiers/{view['dossier_id']}"
    other_award = dossier(award_code="CSTDCS")
    problem = refused(
        await service.http.put(url, json=other_award, headers=tokens.client()),
        422,
        "amendment-changes-identity",
    )
    assert "'AH-DS-TT-THCS'" in problem["message_vi"] and "'BKTTG'" in problem["message_en"]
    nobody = dossier(entries=[ineligible_entry()])
    refused(await service.http.put(url, json=nobody, headers=tokens.client()), 422, "all-entries-ineligible")
    refused(
        await service.http.put(url, json=dossier(), headers=tokens.client(OTHER_CLIENT)),
        404,
        "dossier-not-found",
    )
    refused(
        await service.http.put(url, json=dossier(), headers=tokens.client("removed-client")),
        403,
        "unknown-client",
    )
    assert (await _get(service, tokens, view["dossier_id"]))["version"] == 1


async def test_a_withdrawal_is_requested_at_once_and_confirmed_by_the_review(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    view = await submitted(service, tokens)
    url = f"/v1/dossiers/{view['dossier_id']}/withdraw"
    await service.deliver(Topic.REVIEW_EVENTS, opened(view, clock.now()))
    accepted = await service.http.post(url, json={"reason": "Đơn vị rút đề nghị."}, headers=tokens.client())
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "in_review", "withdrawn only once the review confirms"
    requested = accepted.json()["history"][-1]
    assert requested["type"] == "vn.tdkt.dossier.withdrawal.requested.v1"
    assert "Đơn vị rút đề nghị." in requested["summary"] and requested["actor"] == "demo-integrator"
    event = await service.published_event(
        Topic.INTAKE_EVENTS,
        "vn.tdkt.dossier.withdrawal.requested.v1",
        lambda e: e["subject"] == view["dossier_id"],
    )
    assert event["data"]["reason"] == "Đơn vị rút đề nghị."

    clock.advance(timedelta(minutes=5))
    await service.deliver(
        Topic.REVIEW_EVENTS, closed(DossierWithdrawn, view, clock.now(), "Đơn vị rút đề nghị.")
    )
    assert (await _get(service, tokens, view["dossier_id"]))["status"] == "withdrawn"
    problem = refused(
        await service.http.post(url, json={"reason": "lần nữa"}, headers=tokens.client()),
        409,
        "dossier-not-withdrawable",
    )
    assert "withdrawn" in problem["message_en"]
    refused(
        await service.http.post(url, json={"reason": "x"}, headers=tokens.client(OTHER_CLIENT)),
        404,
        "dossier-not-found",
    )
    refused(
        await service.http.post(url, json={"reason": ""}, headers=tokens.client()), 422, "validation-failed"
    )
    blank = refused(
        await service.http.post(url, json={"reason": " \u200b "}, headers=tokens.client()), 422, "text-blank"
    )
    assert "reason" in blank["message_vi"] and "reason" in blank["message_en"]


async def test_an_approved_dossier_can_no_longer_be_withdrawn(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    view = await submitted(service, tokens)
    clock.advance(timedelta(days=1))
    await service.deliver(Topic.REVIEW_EVENTS, approved(view, clock.now()))
    url = f"/v1/dossiers/{view['dossier_id']}/withdraw"
    problem = refused(
        await service.http.post(url, json={"reason": "muộn"}, headers=tokens.client()),
        409,
        "dossier-not-withdrawable",
    )
    assert "'approved'" in problem["message_en"]
