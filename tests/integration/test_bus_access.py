"""The bus trusts no one (issue 21 §1), on the real broker: every client authenticates (SASL/SCRAM),
and KRaft's StandardAuthorizer lets each principal write only the topics it owns. The attack that
made decision 02/QĐ-TTg — a ``dossier.approved`` for a made-up dossier written to the review
topic — is refused by the broker for anyone but the review workflow's principals, and decisions
dead-letters it (numbering nothing) even when it comes from one of those."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)

from contracts.envelope import kafka_headers
from contracts.events import DossierApproved, DossierApprovedData, EntrySummary, NomineeKind
from contracts.topics import DeadLetterHeader, Topic, dead_letter_topic, topic_name
from deploy.infra import kafka_access
from servicekit.kafka import client_options
from servicekit.settings import KitSettings
from tests.integration.conftest import Pipeline


def _as(pipeline: Pipeline, principal: str | None, credentials: Path | None = None) -> KitSettings:
    """The pipeline's bus as ``principal`` (None: no credentials at all)."""
    file = credentials or (kafka_access.credentials_file(principal) if principal else None)
    return pipeline.kit.model_copy(update={"kafka_credentials_file": file})


def _forged_approval(dossier_id: str) -> DossierApproved:
    data = DossierApprovedData(
        dossier_id=dossier_id,
        version=1,
        award_code="BKTTG",
        submitting_organisation="AH",
        deciding_organisation="TTG",
        issuer_code="TTg",
        entries=[
            EntrySummary(
                entry_id=f"{dossier_id}.1",
                nominee_name="Người Không Có Thật",
                nominee_kind=NomineeKind.INDIVIDUAL,
            )
        ],
        approved_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
    )
    return DossierApproved(source="/tdkt/review", subject=dossier_id, data=data)


async def _send(kit: KitSettings, topic: str, event: DossierApproved) -> None:
    producer = AIOKafkaProducer(**client_options(kit), request_timeout_ms=10_000)
    await producer.start()
    try:
        headers = [(name, value.encode()) for name, value in kafka_headers().items()]
        await producer.send_and_wait(topic, event.to_kafka_value(), key=event.kafka_key, headers=headers)
    finally:
        await producer.stop()


@pytest.mark.parametrize("principal", ["demo-integrator", "notifications", "decisions", "intake"])
async def test_a_forged_approval_from_a_principal_that_does_not_own_the_review_topic_is_refused_by_the_broker(
    pipeline: Pipeline, principal: str
) -> None:
    topic = topic_name(Topic.REVIEW_EVENTS, pipeline.kit.topic_prefix)
    with pytest.raises(TopicAuthorizationFailedError):
        await _send(_as(pipeline, principal), topic, _forged_approval(f"forged-{uuid.uuid4().hex[:8]}"))


async def test_without_credentials_or_with_a_wrong_password_nobody_gets_on_the_bus(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    topic = topic_name(Topic.REVIEW_EVENTS, pipeline.kit.topic_prefix)
    with pytest.raises(KafkaConnectionError):
        await _send(_as(pipeline, None), topic, _forged_approval("anonymous"))
    wrong = tmp_path / "review.json"
    wrong.write_text(json.dumps({"username": "review", "password": "guessed", "mechanism": "SCRAM-SHA-512"}))
    with pytest.raises(KafkaConnectionError):
        await _send(_as(pipeline, None, wrong), topic, _forged_approval("guessed"))


async def test_an_integrator_may_write_the_inbound_topic_and_read_nothing(pipeline: Pipeline) -> None:
    kit = _as(pipeline, "demo-integrator")
    producer = AIOKafkaProducer(**client_options(kit))
    await producer.start()
    try:  # allowed (intake dead-letters this empty record as invalid)
        await producer.send_and_wait(
            topic_name(Topic.INTAKE_INBOUND, pipeline.kit.topic_prefix), b"{}", key=b"k"
        )
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic_name(Topic.INTAKE_EVENTS, pipeline.kit.topic_prefix),
        **client_options(kit),
        group_id=f"{pipeline.kit.topic_prefix}demo-integrator.snoop",
        auto_offset_reset="earliest",
    )
    try:
        with pytest.raises((GroupAuthorizationFailedError, TopicAuthorizationFailedError)):
            await consumer.start()
            await consumer.getmany(timeout_ms=5_000)
    finally:
        await consumer.stop()


async def test_a_forged_approval_from_the_review_principal_for_an_unknown_dossier_is_dead_lettered(
    pipeline: Pipeline,
) -> None:
    dossier_id = f"forged-{uuid.uuid4().hex[:8]}"
    topic = topic_name(Topic.REVIEW_EVENTS, pipeline.kit.topic_prefix)
    await _send(_as(pipeline, "review"), topic, _forged_approval(dossier_id))
    await pipeline.caught_up("decisions", Topic.REVIEW_EVENTS)
    dead = await pipeline.find_record_with_headers(
        dead_letter_topic(topic), lambda record: record.key == dossier_id.encode()
    )
    headers = {name: value.decode() for name, value in dead.headers}
    assert headers[DeadLetterHeader.REASON] == "approval-unmatched"
    assert (
        headers[DeadLetterHeader.CONSUMER_GROUP]
        == f"{pipeline.kit.topic_prefix}decisions.{Topic.REVIEW_EVENTS.value}"
    )
    assert "no review of this dossier" in json.loads(headers[DeadLetterHeader.ERROR])["message_en"]
    async with httpx.AsyncClient() as http:
        found = await http.get(
            f"{pipeline.endpoints.decisions}/v1/decisions", params={"dossier_id": dossier_id}
        )
    assert found.status_code == 200 and found.json() == [], "no decision numbered, signed or announced"
