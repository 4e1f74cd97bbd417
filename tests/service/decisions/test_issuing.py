"""Approvals become numbered decisions that the desk renders, signs with the development CA and
announces (``dossier.approved`` → ``decision.issued``); batched awards wait for their period."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from contracts.events import DossierApproved, NomineeKind
from contracts.topics import Topic
from servicekit.clock import ManualClock
from servicekit.kafka import AwaitingRecord
from tests.service.conftest import Tokens
from tests.service.decisions.conftest import (
    BATCHED_AWARD,
    COMMUNE,
    ISSUED,
    PROVINCE_NAME,
    announce,
    approval,
    approve,
    issue,
    issued_event,
    submission_of,
)
from tests.service.harness import InProcess
from tests.support import events


async def test_an_approval_becomes_a_numbered_signed_decision_announced_on_the_bus(
    service: InProcess,
) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin", "Tổ Ngữ văn"))
    assert (decision["number"], decision["sequence"], decision["status"]) == ("01/QĐ-UBND", 1, "issued")
    assert (decision["issued_on"], decision["dossier_ids"], decision["entries_total"]) == (
        "2026-03-02",
        ["hs-1"],
        2,
    ), "dated by the service's clock, in Vietnam"
    assert decision["reward"]["complete_total_vnd"] == 14_040_000, "2 × 3 × 2,340,000 VND"

    pdf = await service.http.get(f"/v1/decisions/{decision['decision_id']}/pdf")
    assert hashlib.sha256(pdf.content).hexdigest() == decision["document_sha256"]
    verdict = (
        await service.http.post("/v1/verify", files={"file": ("qd.pdf", pdf.content, "application/pdf")})
    ).json()
    assert verdict["valid"] and verdict["trusted"], verdict
    assert "TĐKT decision signing (development)" in verdict["signer_subject"], "the development CA signs"

    [event] = service.events(Topic.DECISION_EVENTS, ISSUED)
    data = event["data"]
    assert (event["subject"], data["number"], data["document_sha256"]) == (
        "hs-1",
        "01/QĐ-UBND",
        decision["document_sha256"],
    )
    assert [(e["line_number"], e["nominee_name"]) for e in data["entries"]] == [
        (1, "Tổ Toán - Tin"),
        (2, "Tổ Ngữ văn"),
    ]
    assert (data["issuer_name_vi"], data["signer_name"], data["signer_title_vi"]) == (
        PROVINCE_NAME,
        "Trần Thị Ngọc Ánh",
        "PHÓ CHỦ TỊCH",
    ), "the person who signed off, by their name and title, not their login"
    assert event["time"].startswith("2026-03-02T02:00:00"), "stamped by the service's clock"
    assert service.dead_letters(Topic.REVIEW_EVENTS) == []


async def test_a_second_delivery_of_an_approval_changes_nothing(service: InProcess) -> None:
    event = approval("hs-1", "Tổ Toán - Tin")
    first = await issue(service, event)
    await service.deliver(Topic.REVIEW_EVENTS, event)
    second = await issue(service, approval("hs-2", "Tổ Ngữ văn"))
    await service.relayed()
    assert second["number"] == "02/QĐ-UBND", "the duplicate took no number"
    found = (await service.http.get("/v1/decisions", params={"dossier_id": "hs-1"})).json()
    assert [d["decision_id"] for d in found] == [first["decision_id"]]
    assert [e["subject"] for e in service.events(Topic.DECISION_EVENTS, ISSUED)] == ["hs-1", "hs-2"]
    assert service.dead_letters(Topic.REVIEW_EVENTS) == []


async def test_a_malformed_approval_is_dead_lettered_with_its_reason(service: InProcess) -> None:
    record = json.loads(approval("hs-1", "Tổ Toán - Tin").to_kafka_value())
    record["data"]["entries"] = []
    await service.deliver_raw(Topic.REVIEW_EVENTS, json.dumps(record).encode(), key=b"hs-1")
    await service.deliver_raw(Topic.REVIEW_EVENTS, b"{not json", key=b"hs-2")
    reasons = [dead["_headers"]["x-dlq-reason"] for dead in service.dead_letters(Topic.REVIEW_EVENTS)]
    assert reasons == ["invalid-event", "malformed-record"]
    assert (await service.http.get("/v1/decisions")).json() == []


def ldtt(dossier_id: str, name: str) -> DossierApproved:
    return approval(
        dossier_id, name, award_code=BATCHED_AWARD, deciding_organisation=COMMUNE, kind=NomineeKind.INDIVIDUAL
    )


async def test_batched_approvals_wait_for_the_end_of_their_month(
    service: InProcess, clock: ManualClock
) -> None:
    for dossier_id, name in (("hs-a", "Lê Văn Tám"), ("hs-b", "Võ Thị Sáu")):
        await approve(service, ldtt(dossier_id, name))
    await service.relayed()
    assert (await service.http.get("/v1/decisions")).json() == [], "they wait for March's decision"

    clock.set(datetime(2026, 3, 31, 17, 0, tzinfo=UTC))  # 00:00 on 1 April in Vietnam
    issued = [await issued_event(service, dossier_id) for dossier_id in ("hs-a", "hs-b")]
    assert {e["data"]["decision_id"] for e in issued} == {issued[0]["data"]["decision_id"]}, "one decision"
    assert [[(e["line_number"], e["nominee_name"]) for e in i["data"]["entries"]] for i in issued] == [
        [(1, "Lê Văn Tám")],
        [(2, "Võ Thị Sáu")],
    ]
    decision = (await service.http.get(f"/v1/decisions/{issued[0]['data']['decision_id']}")).json()
    assert (decision["issued_on"], decision["dossier_ids"], decision["number"]) == (
        "2026-04-01",
        ["hs-a", "hs-b"],
        "01/QĐ-UBND",
    )
    lines = (await service.http.get(f"/v1/decisions/{decision['decision_id']}/entries")).json()
    assert [line["amount_vnd"] for line in lines] == [710_000, 710_000], "0.3 × 2,340,000 rounded up"


async def test_a_leader_issues_the_batches_before_the_period_ends(service: InProcess, tokens: Tokens) -> None:
    for dossier_id, name in (("hs-a", "Lê Văn Tám"), ("hs-b", "Võ Thị Sáu")):
        await approve(service, ldtt(dossier_id, name))
    url = "/v1/decisions/batches/issue"
    assert (await service.http.post(url)).status_code == 401
    refused = await service.http.post(url, headers=tokens.staff(COMMUNE, "officer"))
    assert (refused.status_code, refused.json()["code"]) == (403, "leader-required")
    assert refused.json()["message_vi"] == (
        "Chỉ lãnh đạo cơ quan mới ban hành quyết định của cơ quan; mã truy cập của Cán bộ AH-DS-TT không "
        "có vai trò lãnh đạo."
    )
    assert "Cán bộ AH-DS-TT's token holds no leader role" in refused.json()["message_en"]
    other = await service.http.post(url, headers=tokens.staff("AH", "leader"))
    assert (other.status_code, other.json()) == (200, []), "a leader issues only their organisation's"

    response = await service.http.post(
        url, params={"award_code": BATCHED_AWARD}, headers=tokens.staff(COMMUNE, "leader")
    )
    assert response.status_code == 200, response.text
    [decision] = response.json()
    assert (decision["dossier_ids"], decision["entries_total"], decision["issued_on"]) == (
        ["hs-a", "hs-b"],
        2,
        "2026-03-02",
    )
    await issued_event(service, "hs-b")
    again = await service.http.post(url, headers=tokens.staff(COMMUNE, "leader"))
    assert again.json() == [], "nothing is left waiting"


async def _dead_letter_reasons(service: InProcess) -> list[str]:
    await service.relayed()
    return [dead["_headers"]["x-dlq-reason"] for dead in service.dead_letters(Topic.REVIEW_EVENTS)]


async def test_an_approval_of_a_dossier_whose_review_was_never_seen_is_dead_lettered(
    service: InProcess,
) -> None:
    """Issue 21 §1: a forged approval for a made-up dossier from the review topic's principal —
    what produced decision 02/QĐ-TTg before — numbers nothing."""
    await service.deliver(Topic.REVIEW_EVENTS, approval("hs-forged", "Người Không Có Thật"))
    assert await _dead_letter_reasons(service) == ["approval-unmatched"]
    [dead] = service.dead_letters(Topic.REVIEW_EVENTS)
    detail = json.loads(dead["_headers"]["x-dlq-error"])
    assert "hs-forged" in detail["message_vi"] and "no review" in detail["message_en"]
    assert (await service.http.get("/v1/decisions")).json() == []
    assert service.events(Topic.DECISION_EVENTS) == []


async def test_an_approval_that_differs_from_the_submission_is_dead_lettered_with_what_differs(
    service: InProcess,
) -> None:
    genuine = approval("hs-1", "Tổ Toán - Tin")
    await announce(service, genuine)
    stranger = approval("hs-1", "Tổ Toán - Tin", "Người Được Thêm Vào")
    await service.deliver(Topic.REVIEW_EVENTS, stranger)
    other_award = approval("hs-1", "Tổ Toán - Tin", award_code="HCLD3")
    await service.deliver(Topic.REVIEW_EVENTS, other_award)
    assert await _dead_letter_reasons(service) == ["approval-differs", "approval-differs"]
    details = [json.loads(d["_headers"]["x-dlq-error"]) for d in service.dead_letters(Topic.REVIEW_EVENTS)]
    assert "Người Được Thêm Vào" in details[0]["message_en"] and "nominees" in details[0]["message_en"]
    assert "'HCLD3' instead of 'BKCT_TINH'" in details[1]["message_en"]
    assert (await service.http.get("/v1/decisions")).json() == []
    await service.deliver(Topic.REVIEW_EVENTS, genuine)
    assert (await issued_event(service, "hs-1"))["subject"] == "hs-1", "the genuine one still issues"


async def test_an_approval_whose_submission_has_not_come_waits_for_it(service: InProcess) -> None:
    """Intake's topic is read by another consumer, which may lag after a restart: the approval of a
    dossier whose review was seen is not refused but retried (``AwaitingRecord``; the in-memory
    broker hands the failure back instead of redelivering), and issues once the submission came."""
    event = approval("hs-1", "Tổ Toán - Tin")
    await service.deliver(Topic.REVIEW_EVENTS, events.task_opened("hs-1"))
    with pytest.raises(AwaitingRecord, match="has not arrived from intake"):
        await service.deliver(Topic.REVIEW_EVENTS, event)
    assert service.dead_letters(Topic.REVIEW_EVENTS) == []
    await service.deliver(Topic.INTAKE_EVENTS, submission_of(event))
    await service.deliver(Topic.REVIEW_EVENTS, event)
    assert (await issued_event(service, "hs-1"))["subject"] == "hs-1"
