"""Intake's contract for integrators, on the real stack: authentication, ownership, validation
with per-entry eligibility, idempotency, amendments, attachments and the inbound topic."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from clients.intake import access_token
from clients.oidc import OidcError
from contracts.dossiers import INBOUND_SOURCE_PREFIX, DossierSubmission, DossierSubmissionRequested
from contracts.envelope import kafka_headers
from contracts.topics import Topic, dead_letter_topic, topic_name
from deploy import infra
from servicekit.kafka import client_options
from tests.integration.conftest import MAX_ATTACHMENT_BYTES, Pipeline
from tools.demo import DEMO_ORGANISATION, demo_dossier, run_demo
from tools.waiting import eventually

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _ineligible_entry() -> dict[str, Any]:
    return {"kind": "individual", "full_name": "Lê Văn Chưa Đủ", "record": {}}


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["message_vi"] and body["message_en"]
    return body


async def test_authentication_errors(pipeline: Pipeline) -> None:
    url = pipeline.endpoints.intake
    real = await pipeline.integrator_headers()
    header, payload, signature = real["Authorization"].removeprefix("Bearer ").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["azp"] == pipeline.credentials.client_id and claims["iss"] == infra.keycloak_issuer()
    widened = base64.urlsafe_b64encode(json.dumps({**claims, "exp": claims["exp"] + 86400}).encode())
    tampered = f"{header}.{widened.decode().rstrip('=')}.{signature}"  # a longer life, same signature
    own_key = jwt.encode({**claims, "exp": int(time.time()) + 60}, "x" * 48, algorithm="HS256")
    officer = await pipeline.reviewer_headers(DEMO_ORGANISATION, "clerk")  # Keycloak's, for staff
    async with httpx.AsyncClient() as http:
        _assert_problem(await http.get(f"{url}/v1/dossiers"), 401, "missing-token")
        for token, code in [(tampered, "invalid-token"), (own_key, "invalid-token")]:
            response = await http.get(f"{url}/v1/dossiers", headers={"Authorization": f"Bearer {token}"})
            _assert_problem(response, 401, code)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        response = await http.post(f"{url}/v1/dossiers", json=demo_dossier(), headers=officer)
        _assert_problem(response, 403, "insufficient-scope")
        unregistered = {
            "Authorization": f"Bearer {pipeline.identity.client_token('unregistered-integrator')}"
        }
        response = await http.post(f"{url}/v1/dossiers", json=demo_dossier(), headers=unregistered)
        _assert_problem(response, 403, "unknown-client")
        _assert_problem(await http.get(f"{url}/v1/no-such-thing"), 404, "not-found")
        _assert_problem(await http.delete(f"{url}/v1/dossiers"), 405, "method-not-allowed")
        assert (await http.post(f"{url}/v1/oauth/token", data={"grant_type": "password"})).status_code == 404
    with pytest.raises(OidcError) as refused:  # the identity provider judges the secret
        await access_token(dataclasses.replace(pipeline.credentials, client_secret="wrong"))
    assert refused.value.status == 401 and refused.value.error in ("invalid_client", "unauthorized_client")


async def test_submission_refusals(pipeline: Pipeline) -> None:
    url = f"{pipeline.endpoints.intake}/v1/dossiers"
    async with httpx.AsyncClient(headers=await pipeline.integrator_headers()) as http:
        foreign = await http.post(url, json={**demo_dossier(), "submitting_organisation": "BNV"})
        _assert_problem(foreign, 403, "organisation-not-permitted")
        unknown_award = await http.post(url, json={**demo_dossier(), "award_code": "NOPE"})
        assert "BKTTG" in _assert_problem(unknown_award, 422, "unknown-award")["detail"]
        nobody = await http.post(url, json={**demo_dossier(), "entries": [_ineligible_entry()]})
        body = _assert_problem(nobody, 422, "all-entries-ineligible")
        failed = {criterion["code"] for criterion in body["errors"][0]["failed"]}
        assert {"prerequisite", "title_count"} <= failed, body
        extra_field = await http.post(url, json={**demo_dossier(), "unexpected": 1})
        _assert_problem(extra_field, 422, "validation-failed")
        too_many = await http.post(url, json={**demo_dossier(), "entries": [_ineligible_entry()] * 501})
        _assert_problem(too_many, 422, "validation-failed")
    async with httpx.AsyncClient(
        headers=await pipeline.integrator_headers(pipeline.other_credentials)
    ) as http:
        unknown_org = await http.post(url, json={**demo_dossier(), "submitting_organisation": "NO-SUCH-ORG"})
        _assert_problem(unknown_org, 422, "unknown-organisation")
        no_path = await http.post(
            url, json={**demo_dossier(), "submitting_organisation": "BNV", "award_code": "LDTT"}
        )
        _assert_problem(no_path, 422, "no-review-path")


async def test_partly_eligible_dossier_is_accepted_with_flags_and_only_its_owner_sees_it(
    pipeline: Pipeline,
) -> None:
    dossier = demo_dossier()
    dossier["entries"].append(_ineligible_entry())
    async with httpx.AsyncClient(headers=await pipeline.integrator_headers()) as http:
        created = await http.post(f"{pipeline.endpoints.intake}/v1/dossiers", json=dossier)
        assert created.status_code == 201, created.text
        view = created.json()
        listed = (await http.get(f"{pipeline.endpoints.intake}/v1/dossiers", params={"limit": 200})).json()
    assert [entry["eligibility"]["outcome"] for entry in view["entries"]] == ["eligible", "ineligible"]
    assert view["rule_set_id"] == "ND152-2025"
    eligible_criteria = view["entries"][0]["eligibility"]["criteria"]
    assert all(c["legal_basis"] and c["message_vi"] and c["message_en"] for c in eligible_criteria)
    assert view["dossier_id"] in {item["dossier_id"] for item in listed["items"]}
    async with httpx.AsyncClient(
        headers=await pipeline.integrator_headers(pipeline.other_credentials)
    ) as http:
        stranger = await http.get(f"{pipeline.endpoints.intake}/v1/dossiers/{view['dossier_id']}")
        theirs = (await http.get(f"{pipeline.endpoints.intake}/v1/dossiers")).json()
    _assert_problem(stranger, 404, "dossier-not-found")
    assert view["dossier_id"] not in {item["dossier_id"] for item in theirs["items"]}


async def test_idempotency_key(pipeline: Pipeline) -> None:
    url = f"{pipeline.endpoints.intake}/v1/dossiers"
    key = str(uuid.uuid4())
    async with httpx.AsyncClient(headers=await pipeline.integrator_headers()) as http:
        first = await http.post(url, json=demo_dossier(), headers={"Idempotency-Key": key})
        again = await http.post(url, json=demo_dossier(), headers={"Idempotency-Key": key})
        changed = await http.post(
            url, json={**demo_dossier(), "external_reference": "other"}, headers={"Idempotency-Key": key}
        )
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["dossier_id"] == first.json()["dossier_id"]
    _assert_problem(changed, 409, "idempotency-key-reused")


async def test_concurrent_requests_with_one_idempotency_key_create_one_dossier(pipeline: Pipeline) -> None:
    url = f"{pipeline.endpoints.intake}/v1/dossiers"
    key = str(uuid.uuid4())
    async with httpx.AsyncClient(headers=await pipeline.integrator_headers()) as http:
        responses = await asyncio.gather(
            *(http.post(url, json=demo_dossier(), headers={"Idempotency-Key": key}) for _ in range(6))
        )
    assert sorted(response.status_code for response in responses) == [200] * 5 + [201], [
        response.text for response in responses if response.status_code >= 300
    ]
    assert len({response.json()["dossier_id"] for response in responses}) == 1


async def test_a_returned_dossier_is_amended_as_a_new_version(pipeline: Pipeline) -> None:
    url = f"{pipeline.endpoints.intake}/v1/dossiers"
    original = demo_dossier()
    async with httpx.AsyncClient(headers=await pipeline.integrator_headers()) as http:
        view = (await http.post(url, json=original)).json()
        dossier_id = view["dossier_id"]

        reviewer = await pipeline.reviewer_headers(view["review_chain"][0]["organisation"], "clerk")

        async def open_task() -> dict[str, Any] | None:
            page = (
                await http.get(
                    f"{pipeline.endpoints.review}/v1/tasks",
                    params={"dossier_id": dossier_id, "state": "open"},
                    headers=reviewer,
                )
            ).json()
            return page["items"][0] if page["items"] else None

        task = await eventually(open_task, timeout=30, what="the unit-level task")
        returned = await http.post(
            f"{pipeline.endpoints.review}/v1/tasks/{task['task_id']}/return",
            json={"comment": "Bổ sung báo cáo thành tích có xác nhận."},
            headers=reviewer,
        )
        assert returned.status_code == 200, returned.text

        async def is_returned() -> bool:
            return bool((await http.get(f"{url}/{dossier_id}")).json()["status"] == "returned")

        await eventually(is_returned, timeout=30, what="the dossier to be returned")
        identity = await http.put(f"{url}/{dossier_id}", json={**original, "award_code": "CSTDCS"})
        amended = await http.put(
            f"{url}/{dossier_id}", json={**original, "external_reference": "DEMO-0001-bs1"}
        )
        first_version = (await http.get(f"{url}/{dossier_id}/versions/1")).json()
        missing_version = await http.get(f"{url}/{dossier_id}/versions/9")
        # the review resumes at the level that returned it, on a new task for version 2
        resumed = await eventually(open_task, timeout=30, what="the unit-level task for version 2")
    _assert_problem(identity, 422, "amendment-changes-identity")
    assert amended.status_code == 200, amended.text
    body = amended.json()
    assert (body["version"], body["external_reference"], body["status"]) == (2, "DEMO-0001-bs1", "submitted")
    assert [item["type"] for item in body["history"]][-1] == "vn.tdkt.dossier.amended.v1"
    assert DossierSubmission.model_validate(first_version) == DossierSubmission.model_validate(original)
    _assert_problem(missing_version, 404, "version-not-found")
    assert resumed["task_id"].endswith(".v2.receipt") and resumed["level"] == "unit"


async def test_a_decided_dossier_cannot_be_amended(pipeline: Pipeline) -> None:
    result = await run_demo(pipeline.endpoints, pipeline.credentials, say=lambda _line: None)
    async with httpx.AsyncClient(headers=await pipeline.integrator_headers()) as http:
        late = await http.put(
            f"{pipeline.endpoints.intake}/v1/dossiers/{result.dossier_id}", json=demo_dossier()
        )
    _assert_problem(late, 409, "dossier-not-amendable")


async def test_attachments(pipeline: Pipeline) -> None:
    url = f"{pipeline.endpoints.intake}/v1/dossiers"
    async with httpx.AsyncClient(headers=await pipeline.integrator_headers()) as http:
        dossier_id = (await http.post(url, json=demo_dossier())).json()["dossier_id"]
        uploaded = await http.post(
            f"{url}/{dossier_id}/attachments", files={"file": ("bao-cao-thanh-tich.pdf", PDF, "text/plain")}
        )
        assert uploaded.status_code == 201, uploaded.text
        attachment = uploaded.json()
        downloaded = await http.get(f"{url}/{dossier_id}/attachments/{attachment['attachment_id']}")
        not_a_pdf = await http.post(
            f"{url}/{dossier_id}/attachments",
            files={"file": ("evil.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        )
        too_big = await http.post(
            f"{url}/{dossier_id}/attachments",
            files={"file": ("big.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES, "application/pdf")},
        )
        view = (await http.get(f"{url}/{dossier_id}")).json()
        missing = await http.get(f"{url}/{dossier_id}/attachments/{uuid.uuid4()}")
    _assert_problem(missing, 404, "attachment-not-found")
    assert attachment["media_type"] == "application/pdf", "typed from the content, not the declared type"
    assert attachment["size_bytes"] == len(PDF)
    assert downloaded.content == PDF
    _assert_problem(not_a_pdf, 415, "attachment-type-not-allowed")
    _assert_problem(too_big, 413, "attachment-too-large")
    assert [item["attachment_id"] for item in view["attachments"]] == [attachment["attachment_id"]]


async def _publish(pipeline: Pipeline, event: DossierSubmissionRequested | bytes, key: bytes) -> None:
    producer = AIOKafkaProducer(**client_options(pipeline.kit))
    await producer.start()
    try:
        value = event if isinstance(event, bytes) else event.to_kafka_value()
        headers = [(name, header.encode()) for name, header in kafka_headers().items()]
        await producer.send_and_wait(
            topic_name(Topic.INTAKE_INBOUND, pipeline.kit.topic_prefix), value, key=key, headers=headers
        )
    finally:
        await producer.stop()


async def test_inbound_topic_accepts_the_same_contract_once(pipeline: Pipeline) -> None:
    reference = f"BUS-{uuid.uuid4()}"
    request = DossierSubmissionRequested(
        source=f"{INBOUND_SOURCE_PREFIX}{pipeline.credentials.client_id}",
        subject=reference,
        data=DossierSubmission.model_validate({**demo_dossier(), "external_reference": reference}),
    )
    await _publish(pipeline, request, reference.encode())
    await _publish(pipeline, request, reference.encode())  # a redelivery: same CloudEvent id
    url = f"{pipeline.endpoints.intake}/v1/dossiers"
    async with httpx.AsyncClient(headers=await pipeline.integrator_headers()) as http:

        async def found() -> list[Any] | None:
            items = (await http.get(url, params={"external_reference": reference})).json()["items"]
            return items or None

        items = await eventually(found, timeout=30, what="the dossier submitted on the bus")
        # the second record is consumed after the first (same key, same partition): wait for the
        # consumer to pass it, then check nothing more was created
        await _wait_for_dead_letter_or_commit(pipeline)
        items = (await http.get(url, params={"external_reference": reference})).json()["items"]
    assert len(items) == 1
    assert items[0]["submitting_organisation"] == DEMO_ORGANISATION


async def _wait_for_dead_letter_or_commit(pipeline: Pipeline) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    topic = topic_name(Topic.INTAKE_INBOUND, pipeline.kit.topic_prefix)
    group = f"{pipeline.kit.topic_prefix}intake.{Topic.INTAKE_INBOUND.value}"
    admin = AIOKafkaAdminClient(**client_options(pipeline.kit))
    await admin.start()
    consumer = AIOKafkaConsumer(**client_options(pipeline.kit))
    await consumer.start()
    try:
        partitions = [tp for tp in await _partitions(consumer, topic)]
        ends = await consumer.end_offsets(partitions)

        async def caught_up() -> bool:
            committed = await admin.list_consumer_group_offsets(group)
            return all(tp in committed and committed[tp].offset >= end for tp, end in ends.items())

        await eventually(caught_up, timeout=60, what="intake to consume the inbound topic")
    finally:
        await consumer.stop()
        await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[Any]:
    from aiokafka.structs import TopicPartition

    return [TopicPartition(topic, partition) for partition in consumer.partitions_for_topic(topic) or []]


@pytest.mark.parametrize(
    ("organisation", "reason"),
    [("NO-SUCH-ORG", "organisation-not-permitted"), ("AH-TL-HB-TYT", None)],
    ids=["refused", "accepted"],
)
async def test_inbound_refusals_are_dead_lettered_with_the_problem_code(
    pipeline: Pipeline, organisation: str, reason: str | None
) -> None:
    reference = f"BUS-{uuid.uuid4()}"
    request = DossierSubmissionRequested(
        source=f"{INBOUND_SOURCE_PREFIX}{pipeline.credentials.client_id}",
        subject=reference,
        data=DossierSubmission.model_validate(
            {**demo_dossier(), "external_reference": reference, "submitting_organisation": organisation}
        ),
    )
    await _publish(pipeline, request, reference.encode())
    await _wait_for_dead_letter_or_commit(pipeline)
    dead = await _dead_letters(pipeline, reference.encode())
    if reason is None:
        assert dead == [], dead
    else:
        assert [headers["x-dlq-reason"] for headers in dead] == [reason]
        assert json.loads(dead[0]["x-dlq-error"])["message_en"]


async def _dead_letters(pipeline: Pipeline, key: bytes) -> list[dict[str, str]]:
    topic = dead_letter_topic(topic_name(Topic.INTAKE_INBOUND, pipeline.kit.topic_prefix))
    consumer = AIOKafkaConsumer(
        topic,
        **client_options(pipeline.kit),
        auto_offset_reset="earliest",
        group_id=None,
    )
    await consumer.start()
    found: list[dict[str, str]] = []
    try:
        # read to the end: stop at the first fetch that brings nothing new
        while batches := await consumer.getmany(timeout_ms=1500):
            found += [
                {name: value.decode() for name, value in record.headers}
                for records in batches.values()
                for record in records
                if record.key == key
            ]
        return found
    finally:
        await consumer.stop()


async def test_withdrawal_ends_the_review_and_cancels_its_open_task(pipeline: Pipeline) -> None:
    url = f"{pipeline.endpoints.intake}/v1/dossiers"
    async with httpx.AsyncClient(headers=await pipeline.integrator_headers()) as http:
        view = (await http.post(url, json=demo_dossier())).json()
        dossier_id = view["dossier_id"]
        reviewer = await pipeline.reviewer_headers(view["review_chain"][0]["organisation"])

        async def tasks() -> list[dict[str, Any]]:
            page = (
                await http.get(
                    f"{pipeline.endpoints.review}/v1/tasks",
                    params={"dossier_id": dossier_id},
                    headers=reviewer,
                )
            ).json()
            items: list[dict[str, Any]] = page["items"]
            return items

        async def opened() -> list[dict[str, Any]] | None:
            return [task for task in await tasks() if task["state"] == "open"] or None

        await eventually(opened, timeout=30, what="the unit-level task")
        accepted = await http.post(f"{url}/{dossier_id}/withdraw", json={"reason": "Đơn vị rút đề nghị."})
        assert accepted.status_code == 202, accepted.text

        async def withdrawn() -> dict[str, Any] | None:
            current: dict[str, Any] = (await http.get(f"{url}/{dossier_id}")).json()
            return current if current["status"] == "withdrawn" else None

        final = await eventually(withdrawn, timeout=30, what="the withdrawal to be confirmed")

        async def cancelled() -> list[dict[str, Any]] | None:
            return [task for task in await tasks() if task["state"] == "cancelled"] or None

        await eventually(cancelled, timeout=30, what="the open task to be cancelled")
        again = await http.post(f"{url}/{dossier_id}/withdraw", json={"reason": "lần nữa"})
    _assert_problem(again, 409, "dossier-not-withdrawable")
    types = [
        item["type"] for item in final["history"] if not item["type"].startswith("vn.tdkt.notification.")
    ]
    assert "vn.tdkt.dossier.withdrawal.requested.v1" in types and types[-1] == "vn.tdkt.dossier.withdrawn.v1"
