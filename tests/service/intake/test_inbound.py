"""Intake in process: a submission from a system on the bus (``tdkt.intake.inbound``) is the same use
case as ``POST /v1/dossiers`` — the event id its idempotency key — and a refusal of the catalogue
is dead-lettered with its code as the reason and its messages as the error."""

from __future__ import annotations

import json
from typing import Any

from contracts.dossiers import INBOUND_SOURCE_PREFIX, DossierSubmission, DossierSubmissionRequested
from contracts.topics import DeadLetterHeader, Topic
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import dossier, ineligible_entry

SUBMITTED = "vn.tdkt.dossier.submitted.v1"
DEMO = "demo-integrator"


def _request(event_id: str, client: str | None = DEMO, **changes: Any) -> DossierSubmissionRequested:
    return DossierSubmissionRequested(
        id=event_id,
        source=f"{INBOUND_SOURCE_PREFIX}{client}" if client else "urn:somewhere:else",
        subject=changes.get("external_reference", "BUS-1"),
        data=DossierSubmission.model_validate(dossier(**{"external_reference": "BUS-1", **changes})),
    )


async def _dossiers(service: InProcess, tokens: Tokens, reference: str) -> list[dict[str, Any]]:
    response = await service.http.get(
        "/v1/dossiers", params={"external_reference": reference}, headers=tokens.client()
    )
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _refusal(dead: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    headers = dead["_headers"]
    error: dict[str, Any] = json.loads(headers[DeadLetterHeader.ERROR])
    return headers[DeadLetterHeader.REASON], error


async def test_a_submission_on_the_bus_is_stored_and_announced_once(
    service: InProcess, tokens: Tokens
) -> None:
    await service.deliver(Topic.INTAKE_INBOUND, _request("evt-1"))
    [summary] = await _dossiers(service, tokens, "BUS-1")
    assert (summary["status"], summary["award_name_vi"]) == ("submitted", "Bằng khen của Thủ tướng Chính phủ")
    view = (await service.http.get(f"/v1/dossiers/{summary['dossier_id']}", headers=tokens.client())).json()
    assert view["submission_date"] == "2026-03-02" and view["trace_id"] is None

    await service.deliver(Topic.INTAKE_INBOUND, _request("evt-1"))  # the same record again
    assert [item["dossier_id"] for item in await _dossiers(service, tokens, "BUS-1")] == [
        summary["dossier_id"]
    ]
    await service.relayed()
    assert [e["subject"] for e in service.events(Topic.INTAKE_EVENTS, SUBMITTED)] == [summary["dossier_id"]]
    assert service.dead_letters(Topic.INTAKE_INBOUND) == []


async def test_a_refused_submission_is_dead_lettered_with_its_code(
    service: InProcess, tokens: Tokens
) -> None:
    refusals = [
        (_request("evt-2", client="ghost"), "unknown-client", "ghost"),
        (_request("evt-3", client=None), "unknown-client", "urn:somewhere:else"),
        (_request("evt-4", submitting_organisation="BNV"), "organisation-not-permitted", "BNV"),
        (_request("evt-5", entries=[ineligible_entry()]), "all-entries-ineligible", "eligible"),
    ]
    for request, _, _ in refusals:
        await service.deliver(Topic.INTAKE_INBOUND, request)

    dead = service.dead_letters(Topic.INTAKE_INBOUND)
    assert [_refusal(record)[0] for record in dead] == [code for _, code, _ in refusals]
    for record, (request, code, named) in zip(dead, refusals, strict=True):
        _, error = _refusal(record)
        assert error["code"] == code and error["message_vi"], error
        assert named in error["message_en"], error
        assert record["id"] == request.id, "the record itself is kept, as it came"
        assert record["_headers"][DeadLetterHeader.ORIGINAL_TOPIC] == service.topic(Topic.INTAKE_INBOUND)
    _, ineligible = _refusal(dead[-1])
    assert ineligible["errors"] and ineligible["errors"][0]["failed"], "each entry's failed criteria are kept"
    assert await _dossiers(service, tokens, "BUS-1") == []


async def test_an_event_id_reused_for_another_body_is_dead_lettered(
    service: InProcess, tokens: Tokens
) -> None:
    await service.deliver(Topic.INTAKE_INBOUND, _request("evt-6"))
    await service.deliver(Topic.INTAKE_INBOUND, _request("evt-6", external_reference="BUS-2"))

    [record] = service.dead_letters(Topic.INTAKE_INBOUND)
    reason, error = _refusal(record)
    assert reason == "idempotency-key-reused" and "evt-6" in error["message_en"]
    assert len(await _dossiers(service, tokens, "BUS-1")) == 1
    assert await _dossiers(service, tokens, "BUS-2") == []


async def test_a_record_of_another_type_is_dead_lettered_as_such(service: InProcess) -> None:
    record = _request("evt-7").model_dump(mode="json") | {"type": "vn.tdkt.dossier.nonsense.v1"}
    await service.deliver_raw(Topic.INTAKE_INBOUND, json.dumps(record).encode())
    [dead] = service.dead_letters(Topic.INTAKE_INBOUND)
    assert dead["_headers"][DeadLetterHeader.REASON] == "unknown-event-type"
