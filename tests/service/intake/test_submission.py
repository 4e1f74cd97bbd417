"""Intake in process: a submission over HTTP (``handlers.submit``) is stored, announced on the bus and
answered with its view; a retry with the same Idempotency-Key answers the first dossier, even one
racing it; each refusal names its cause in both languages."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.topics import Topic
from servicekit.clock import ManualClock
from services.intake import dossiers
from tests.service.conftest import START, Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import (
    OTHER_CLIENT,
    Start,
    dossier,
    ineligible_entry,
    refused,
    submitted,
)

SUBMITTED = "vn.tdkt.dossier.submitted.v1"


async def test_a_submission_is_stored_dated_by_the_clock_and_announced(
    service: InProcess, tokens: Tokens
) -> None:
    response = await service.http.post("/v1/dossiers", json=dossier(), headers=tokens.client())
    assert response.status_code == 201, response.text
    view = response.json()
    assert response.headers["location"] == f"/v1/dossiers/{view['dossier_id']}"
    assert view["submission_date"] == "2026-03-02"
    assert view["submitted_at"].startswith("2026-03-02T02:00:00")
    assert (view["status"], view["version"], view["rule_set_id"]) == ("submitted", 1, "ND152-2025")
    assert view["award_name_vi"] == "Bằng khen của Thủ tướng Chính phủ"
    assert [step["level"] for step in view["review_chain"]] == ["unit", "district", "province", "central"]
    assert all(step["organisation_name"] for step in view["review_chain"])
    assert [entry["eligibility"]["outcome"] for entry in view["entries"]] == ["eligible"]
    [received] = view["history"]
    assert received["type"] == SUBMITTED and received["entry_hash"]
    assert "Bằng khen của Thủ tướng Chính phủ" in received["summary"]
    event = await service.published_event(
        Topic.INTAKE_EVENTS, SUBMITTED, lambda e: e["subject"] == view["dossier_id"]
    )
    assert event["time"].startswith(START.strftime("%Y-%m-%dT%H:%M:%S"))
    assert event["data"]["particulars"]["award_name_vi"] == "Bằng khen của Thủ tướng Chính phủ"
    assert service.dead_letters(Topic.INTAKE_INBOUND) == []


async def test_a_partly_eligible_dossier_is_accepted_with_its_entries_flagged(
    service: InProcess, tokens: Tokens
) -> None:
    body = dossier()
    body["entries"].append(ineligible_entry())
    view = await submitted(service, tokens, body)
    assert [(e["full_name"], e["eligibility"]["outcome"]) for e in view["entries"]] == [
        ("Nguyễn Thị Minh Khai", "eligible"),
        ("Lê Văn Chưa Đủ", "ineligible"),
    ]


async def test_a_retry_with_the_same_key_answers_the_first_dossier_and_another_body_is_refused(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    headers = {**tokens.client(), "Idempotency-Key": "HS-2026-001"}
    first = await service.http.post("/v1/dossiers", json=dossier(), headers=headers)
    assert first.status_code == 201, first.text
    clock.set(datetime(2027, 1, 5, 2, tzinfo=UTC))  # another year: a new submission would be judged anew
    retry = await service.http.post("/v1/dossiers", json=dossier(), headers={**headers, **tokens.client()})
    assert retry.status_code == 200, retry.text
    assert retry.json() == first.json()
    assert "location" not in retry.headers

    other_body = dossier(external_reference="HS-KHAC")
    conflict = await service.http.post(
        "/v1/dossiers", json=other_body, headers={**headers, **tokens.client()}
    )
    problem = refused(conflict, 409, "idempotency-key-reused")
    assert "HS-2026-001" in problem["message_vi"] and "HS-2026-001" in problem["message_en"]

    await service.relayed()
    announced = [e for e in service.events(Topic.INTAKE_EVENTS, SUBMITTED)]
    # one event, whatever the relay did: it publishes at least once (the test's own relaying and the
    # background relay may both send a row before either marks it), and consumers drop repeats by id
    assert {(e["id"], e["subject"]) for e in announced} == {(announced[0]["id"], first.json()["dossier_id"])}


async def test_a_duplicate_racing_the_first_answers_the_first_dossier(
    service: InProcess, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The duplicate's replay check runs before the first request committed (forced here): it
    validates, fails its write on the idempotency record's key and answers as a replay."""
    checks: list[str | None] = []
    real = dossiers.replay_of

    def replay_of(*args: Any) -> str | None:
        found = real(*args)
        checks.append(found)
        return None if len(checks) == 2 else found  # the duplicate's first look finds nothing yet

    monkeypatch.setattr(dossiers, "replay_of", replay_of)
    headers = {**tokens.client(), "Idempotency-Key": "HS-2026-002"}
    first = await service.http.post("/v1/dossiers", json=dossier(), headers=headers)
    duplicate = await service.http.post("/v1/dossiers", json=dossier(), headers=headers)

    assert (first.status_code, duplicate.status_code) == (201, 200), duplicate.text
    assert duplicate.json()["dossier_id"] == first.json()["dossier_id"]
    assert checks == [None, first.json()["dossier_id"], first.json()["dossier_id"]]
    page = (await service.http.get("/v1/dossiers", headers=tokens.client())).json()
    assert page["total"] == 1


async def test_each_refusal_of_a_submission_names_its_cause(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    cases: list[tuple[str | None, dict[str, Any], int, str, list[str]]] = [
        (None, {"submitting_organisation": "BNV"}, 403, "organisation-not-permitted", ["'BNV'"]),
        (
            OTHER_CLIENT,
            {"submitting_organisation": "NO-SUCH-ORG"},
            422,
            "unknown-organisation",
            ["NO-SUCH-ORG"],
        ),
        (
            OTHER_CLIENT,
            {"submitting_organisation": "AH-DS"},
            422,
            "organisation-not-in-force",
            ["Ủy ban nhân dân huyện Đông Sơn", "02/03/2026", "2026-03-02"],
        ),
        (None, {"award_code": "NOPE"}, 422, "unknown-award", ["'NOPE'", "ND152-2025"]),
        (
            OTHER_CLIENT,
            {"submitting_organisation": "BNV", "award_code": "LDTT"},
            422,
            "no-review-path",
            ["'BNV'", "'LDTT'"],
        ),
        ("removed-client", {}, 403, "unknown-client", ["'removed-client'"]),
    ]
    for client, changes, status, code, named in cases:
        headers = tokens.client(client) if client else tokens.client()
        problem = refused(
            await service.http.post("/v1/dossiers", json=dossier(**changes), headers=headers), status, code
        )
        for text in named:
            assert text in problem["message_vi"] + problem["message_en"], (code, text, problem)
    assert (
        "BKTTG"
        in refused(
            await service.http.post("/v1/dossiers", json=dossier(award_code="NOPE"), headers=tokens.client()),
            422,
            "unknown-award",
        )["detail"]
    )

    nobody = dossier(entries=[ineligible_entry(), ineligible_entry("Trần Văn Thiếu")])
    problem = refused(
        await service.http.post("/v1/dossiers", json=nobody, headers=tokens.client()),
        422,
        "all-entries-ineligible",
    )
    assert [(error["entry"], error["full_name"]) for error in problem["errors"]] == [
        (1, "Lê Văn Chưa Đủ"),
        (2, "Trần Văn Thiếu"),
    ]
    failed = {criterion["code"] for criterion in problem["errors"][0]["failed"]}
    assert {"prerequisite", "title_count"} <= failed, problem
    assert all(c["message_vi"] and c["legal_basis"] for c in problem["errors"][0]["failed"])

    malformed = await service.http.post(
        "/v1/dossiers", json={**dossier(), "unexpected": 1}, headers=tokens.client()
    )
    refused(malformed, 422, "validation-failed")

    clock.set(datetime(2023, 6, 1, 2, tzinfo=UTC))  # before Luật TĐKT 2022 took effect
    problem = refused(
        await service.http.post("/v1/dossiers", json=dossier(), headers=tokens.client()),
        422,
        "no-rule-set-in-force",
    )
    assert "01/06/2023" in problem["message_vi"] and "2023-06-01" in problem["message_en"]
    page = (await service.http.get("/v1/dossiers", headers=tokens.client())).json()
    assert page["total"] == 0, "nothing refused was stored"


async def test_a_configured_quota_needs_the_units_count(start: Start, tokens: Tokens) -> None:
    quota = [{"issuer": "TTG", "award_code": "BKTTG", "max_share": "3/20", "legal_basis": "thử nghiệm"}]
    async with start(TDKT_INTAKE_QUOTAS=json.dumps(quota)) as service:
        problem = refused(
            await service.http.post("/v1/dossiers", json=dossier(), headers=tokens.client()),
            422,
            "quota-count-required",
        )
        assert "'TTG'" in problem["message_vi"] and "'BKTTG'" in problem["message_en"]
        counted = dossier(unit_lao_dong_tien_tien_count=20)
        assert (
            await service.http.post("/v1/dossiers", json=counted, headers=tokens.client())
        ).status_code == 201


async def test_a_record_that_is_no_event_is_dead_lettered(service: InProcess) -> None:
    await service.deliver_raw(Topic.INTAKE_INBOUND, b"not json")
    (dead,) = service.dead_letters(Topic.INTAKE_INBOUND)
    assert dead["raw"] == "not json"
    assert dead["_headers"]["x-dlq-reason"] == "malformed-record"


async def test_names_typed_decomposed_are_stored_composed_and_hidden_text_is_refused(
    service: InProcess, tokens: Tokens
) -> None:
    """A nominee's name in NFD (as some keyboards and macOS file names give it) is the same name;
    one that reorders or hides what it says is refused, naming the field."""
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoa")
    body = dossier()
    body["entries"][0] = {**body["entries"][0], "full_name": decomposed}
    view = await submitted(service, tokens, body)
    assert [entry["full_name"] for entry in view["entries"]] == ["Nguyễn Thị Hoa"]
    event = await service.published_event(
        Topic.INTAKE_EVENTS, SUBMITTED, lambda e: e["subject"] == view["dossier_id"]
    )
    assert event["data"]["entries"][0]["nominee_name"] == "Nguyễn Thị Hoa"

    for name, code in (("  \u200b ", "text-blank"), ("Nguyễn \u202eAoH", "text-bidi-control")):
        body["entries"][0] = {**body["entries"][0], "full_name": name}
        problem = refused(
            await service.http.post("/v1/dossiers", json=body, headers=tokens.client()), 422, code
        )
        assert (
            "entries[0].full_name" in problem["message_vi"]
            and "entries[0].full_name" in problem["message_en"]
        )
        assert [error["loc"] for error in problem["errors"]] == [["body", "entries", 0, "full_name"]]


async def test_a_bus_submission_with_a_reordering_name_is_dead_lettered(service: InProcess) -> None:
    body = dossier(external_reference="BUS-BIDI")
    body["entries"][0] = {**body["entries"][0], "full_name": "Trần \u2066nA\u2069"}
    record = {
        "specversion": "1.0",
        "id": "evt-bidi",
        "source": "urn:tdkt:client:demo-integrator",
        "type": "vn.tdkt.dossier.submission.requested.v1",
        "subject": "BUS-BIDI",
        "time": "2026-03-02T02:00:00Z",
        "data": body,
    }
    await service.deliver_raw(Topic.INTAKE_INBOUND, json.dumps(record).encode())
    (dead,) = service.dead_letters(Topic.INTAKE_INBOUND)
    assert dead["_headers"]["x-dlq-reason"] == "invalid-event"
    assert "text-bidi-control" in dead["_headers"]["x-dlq-error"], dead["_headers"]
