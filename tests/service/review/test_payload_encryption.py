"""What the Temporal server keeps of a review: ciphertext. A dossier's review started by the
service, its history read as the Temporal UI reads it (a client without the payload codec) holds
no nominee's name; read with the platform's converter (``tools.payloads``) it does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from contracts.workflow import review_workflow_id
from servicekit.payloads import KEYS_FILE_VARIABLE, write_keyring
from tests.service.conftest import PAYLOAD_KEYS, Tokens
from tests.service.review.conftest import NOMINEES, Review, start
from tools.payloads import decode, decoded_history


def forms(name: str) -> list[bytes]:
    """The bytes a name may be stored as: UTF-8, and JSON's ASCII escapes."""
    return [name.encode(), json.dumps(name)[1:-1].encode()]


async def test_the_server_keeps_no_nominee_name_and_the_platform_reads_them_all(
    review: Review, tokens: Tokens
) -> None:
    dossier_id, _ = await start(review, tokens)
    workflow_id = review_workflow_id(dossier_id)
    as_the_ui_reads_it = Client(
        review.temporal.client.service_client,
        namespace=review.temporal.client.namespace,
        data_converter=pydantic_data_converter,
    )
    history = await as_the_ui_reads_it.get_workflow_handle(workflow_id).fetch_history()
    stored = b"".join(event.SerializeToString() for event in history.events)
    assert b"binary/encrypted" in stored and b"encryption-key-id" in stored
    for name in NOMINEES:
        for form in forms(name):
            assert form not in stored, f"{name} is stored in clear"

    decoded = await decoded_history(review.temporal.client, workflow_id)
    text = "\n".join(payload.to_json() for payload in decoded)
    for name in NOMINEES:
        assert name in text
    started = [payload for payload in decoded if payload.event_type == "WORKFLOW_EXECUTION_STARTED"]
    assert started and started[0].value["dossier_id"] == dossier_id


async def test_the_operators_command_prints_the_history_decrypted(
    review: Review,
    tokens: Tokens,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dossier_id, _ = await start(review, tokens)
    write_keyring(tmp_path / "keys.json", PAYLOAD_KEYS)
    monkeypatch.setenv(KEYS_FILE_VARIABLE, str(tmp_path / "keys.json"))
    monkeypatch.setenv("TDKT_TEMPORAL_ADDRESS", review.temporal.client.service_client.config.target_host)
    await decode(review_workflow_id(dossier_id), None)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["event_type"] == "WORKFLOW_EXECUTION_STARTED"
    assert lines[0]["field"] == "workflow_execution_started_event_attributes.input.payloads[0]"
    assert {
        name for name in NOMINEES if any(name in json.dumps(line, ensure_ascii=False) for line in lines)
    } == set(NOMINEES)
