"""Intake in process: a dossier as its reviewers read it (``/v1/staff/dossiers``) — the submitting
organisation's staff at once, each organisation of the review chain from the moment the review
reaches its level, nobody else; every submitted fact, the versions and what changed between
them, the attachments served inline for a browser to preview."""

from __future__ import annotations

import copy
from typing import Any

from contracts.topics import Topic
from servicekit.clock import ManualClock
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import dossier, opened, refused, submitted

PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20 + b"%%EOF\n"
SCHOOL, COMMUNE, PROVINCE, ELSEWHERE = "AH-DS-TT-THCS", "AH-DS-TT", "AH", "AH-TL-HB"


async def _read(
    service: InProcess, tokens: Tokens, dossier_id: str, organisation: str, role: str = "officer"
) -> Any:
    return await service.http.get(
        f"/v1/staff/dossiers/{dossier_id}", headers=tokens.staff(organisation, role)
    )


async def test_the_chain_reads_the_dossier_once_the_review_reaches_it_and_nobody_else_does(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    view = await submitted(service, tokens)
    dossier_id = view["dossier_id"]
    assert [step["organisation"] for step in view["review_chain"]] == [SCHOOL, COMMUNE, PROVINCE, "TTG"]

    own = await _read(service, tokens, dossier_id, SCHOOL, "clerk")
    assert own.status_code == 200, own.text
    for organisation in (COMMUNE, PROVINCE, ELSEWHERE):  # on the chain but not reached yet, or not on it
        refused(await _read(service, tokens, dossier_id, organisation), 404, "dossier-not-found")

    await service.deliver(Topic.REVIEW_EVENTS, opened(view, clock.now(), level="district"))
    for role in ("officer", "council_member", "leader"):
        assert (await _read(service, tokens, dossier_id, COMMUNE, role)).status_code == 200, role
    refused(await _read(service, tokens, dossier_id, PROVINCE), 404, "dossier-not-found")
    await service.deliver(Topic.REVIEW_EVENTS, opened(view, clock.now(), level="province"))
    assert (await _read(service, tokens, dossier_id, PROVINCE)).status_code == 200
    refused(await _read(service, tokens, dossier_id, ELSEWHERE), 404, "dossier-not-found")
    refused(await _read(service, tokens, "no-such-dossier", SCHOOL), 404, "dossier-not-found")

    integrator = await service.http.get(f"/v1/staff/dossiers/{dossier_id}", headers=tokens.client())
    refused(integrator, 403, "insufficient-scope")
    refused(await service.http.get(f"/v1/staff/dossiers/{dossier_id}"), 401, "missing-token")


async def test_the_reviewer_reads_every_fact_every_version_and_what_changed(
    service: InProcess, tokens: Tokens
) -> None:
    first = dossier()
    view = await submitted(service, tokens, first)
    dossier_id = view["dossier_id"]
    second = copy.deepcopy(first)
    second["entries"][0]["record"]["ratings"][-1]["rating"] = "excellent"
    amended = await service.http.put(f"/v1/dossiers/{dossier_id}", json=second, headers=tokens.client())
    assert amended.status_code == 200, amended.text

    read = (await _read(service, tokens, dossier_id, SCHOOL)).json()
    assert read["version"] == 2 and [v["version"] for v in read["versions"]] == [1, 2]
    facts = read["submission"]["entries"][0]["record"]
    assert facts["ratings"] == second["entries"][0]["record"]["ratings"], "every fact submitted"
    assert [a["award_code"] for a in facts["awards"]] == [
        a["award_code"] for a in first["entries"][0]["record"]["awards"]
    ]
    criteria = read["entries"][0]["eligibility"]["criteria"]
    assert criteria and all(c["legal_basis"] and c["message_vi"] for c in criteria), "why, per criterion"

    url = f"/v1/staff/dossiers/{dossier_id}"
    headers = tokens.staff(SCHOOL, "officer")
    earlier = await service.http.get(f"{url}/versions/1", headers=headers)
    assert earlier.json()["entries"][0]["record"]["ratings"] == first["entries"][0]["record"]["ratings"]
    changes = (await service.http.get(f"{url}/changes", params={"from": 1, "to": 2}, headers=headers)).json()
    (change,) = changes["changes"]
    last = len(first["entries"][0]["record"]["ratings"]) - 1
    assert change == {
        "op": "replace",
        "path": f"/entries/0/record/ratings/{last}/rating",
        "entry_name": first["entries"][0]["full_name"],
        "before": first["entries"][0]["record"]["ratings"][-1]["rating"],
        "after": "excellent",
    }
    refused(await service.http.get(f"{url}/versions/3", headers=headers), 404, "version-not-found")
    refused(
        await service.http.get(f"{url}/changes", params={"from": 1, "to": 9}, headers=headers),
        404,
        "version-not-found",
    )
    refused(
        await service.http.get(f"{url}/changes", params={"from": 0, "to": 2}, headers=headers),
        422,
        "validation-failed",
    )


async def test_an_attachment_is_served_inline_with_its_real_type_to_the_chain_only(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    view = await submitted(service, tokens)
    dossier_id = view["dossier_id"]
    uploaded = await service.http.post(
        f"/v1/dossiers/{dossier_id}/attachments",
        files={"file": ("bao-cao-thanh-tich.bin", PDF, "application/octet-stream")},
        headers=tokens.client(),
    )
    attachment_id = uploaded.json()["attachment_id"]
    url = f"/v1/staff/dossiers/{dossier_id}/attachments/{attachment_id}"
    refused(await service.http.get(url, headers=tokens.staff(COMMUNE, "officer")), 404, "dossier-not-found")
    await service.deliver(Topic.REVIEW_EVENTS, opened(view, clock.now(), level="district"))
    served = await service.http.get(url, headers=tokens.staff(COMMUNE, "officer"))
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-type"] == "application/pdf", (
        "typed from the content: a browser previews it"
    )
    assert served.headers["content-disposition"].startswith("inline")
    assert served.headers["x-content-type-options"] == "nosniff", "a browser never sniffs another type"
    missing = await service.http.get(
        f"/v1/staff/dossiers/{dossier_id}/attachments/nope", headers=tokens.staff(SCHOOL, "clerk")
    )
    refused(missing, 404, "attachment-not-found")


async def test_a_version_number_beyond_any_column_is_refused_not_a_500(
    service: InProcess, tokens: Tokens
) -> None:
    """Issue 21: a version past 64 bits once overflowed in the database (text/plain 500)."""
    view = await submitted(service, tokens)
    for huge in (2**31, 2**70):
        for url, headers in (
            (f"/v1/dossiers/{view['dossier_id']}/versions/{huge}", tokens.client()),
            (f"/v1/staff/dossiers/{view['dossier_id']}/versions/{huge}", tokens.staff(SCHOOL, "clerk")),
        ):
            refused(await service.http.get(url, headers=headers), 422, "validation-failed")
