"""The Temporal payload codec (``servicekit.payloads``): AES-256-GCM round trips, a wrong or
missing key fails naming the key, and a rotated keyring still reads what older keys encrypted."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload

from contracts.events import ReviewAction
from contracts.workflow import TaskActionRequest
from servicekit.payloads import (
    ENCRYPTED_ENCODING,
    KEY_ID_KEY,
    EncryptionCodec,
    PayloadKeyError,
    PayloadKeyring,
    PayloadKeySettings,
    configured_keyring,
    ensure_keyring,
    read_keyring,
)
from servicekit.settings import REPOSITORY_ROOT, KitSettings
from servicekit.temporal import connect_temporal, data_converter

NAME = "Nguyễn Thị Minh Khai"


def payload(text: str = NAME) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=f'"{text}"'.encode())


async def test_a_payload_round_trips_and_is_ciphertext_in_between() -> None:
    codec = EncryptionCodec(PayloadKeyring.generate("k1"))
    [sealed] = await codec.encode([payload()])
    assert sealed.metadata["encoding"] == ENCRYPTED_ENCODING
    assert sealed.metadata[KEY_ID_KEY] == b"k1"
    assert NAME.encode() not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [payload()]


async def test_the_same_payload_encrypts_differently_each_time() -> None:
    codec = EncryptionCodec(PayloadKeyring.generate("k1"))
    first, second = await codec.encode([payload(), payload()])
    assert first.data != second.data


async def test_the_platforms_converter_round_trips_a_workflow_value() -> None:
    converter = data_converter(PayloadKeyring.generate())
    request = TaskActionRequest(task_id="d-1.0.unit.receipt", action=ReviewAction.ACCEPT, actor=NAME)
    [encoded] = await converter.encode([request])
    assert NAME.encode() not in encoded.SerializeToString()
    assert await converter.decode([encoded], [TaskActionRequest]) == [request]


async def test_a_different_key_under_the_same_id_fails_clearly() -> None:
    [sealed] = await EncryptionCodec(PayloadKeyring.generate("k1")).encode([payload()])
    with pytest.raises(PayloadKeyError, match="encrypted with key 'k1' does not decrypt"):
        await EncryptionCodec(PayloadKeyring.generate("k1")).decode([sealed])


async def test_an_unknown_key_id_fails_naming_the_key_and_the_keyring() -> None:
    [sealed] = await EncryptionCodec(PayloadKeyring.generate("k1")).encode([payload()])
    with pytest.raises(PayloadKeyError, match=r"encrypted with key 'k1'.*it has k2"):
        await EncryptionCodec(PayloadKeyring.generate("k2")).decode([sealed])


async def test_a_payload_relabelled_with_another_key_id_does_not_decrypt() -> None:
    keyring = PayloadKeyring.generate("k1")
    both = PayloadKeyring(current="k1", keys={**keyring.keys, "k2": keyring.keys["k1"]})
    [sealed] = await EncryptionCodec(both).encode([payload()])
    sealed.metadata[KEY_ID_KEY] = b"k2"  # same key bytes: only the associated data differs
    with pytest.raises(PayloadKeyError, match="does not decrypt"):
        await EncryptionCodec(both).decode([sealed])


async def test_after_rotation_new_payloads_use_the_new_key_and_old_ones_still_decrypt() -> None:
    old = PayloadKeyring.generate("k1")
    [before] = await EncryptionCodec(old).encode([payload("before")])
    rotated = old.rotated("k2")
    codec = EncryptionCodec(rotated)
    [after] = await codec.encode([payload("after")])
    assert after.metadata[KEY_ID_KEY] == b"k2"
    assert await codec.decode([before, after]) == [payload("before"), payload("after")]
    with pytest.raises(PayloadKeyError, match="'k2'"):
        await EncryptionCodec(old).decode([after])


async def test_payloads_from_before_encryption_pass_through() -> None:
    codec = EncryptionCodec(PayloadKeyring.generate())
    assert await codec.decode([payload()]) == [payload()]


def test_a_keyring_must_hold_its_current_key_of_32_bytes() -> None:
    with pytest.raises(PayloadKeyError, match="current key 'k2' is not among"):
        PayloadKeyring(current="k2", keys={"k1": bytes(32)})
    with pytest.raises(PayloadKeyError, match="32 bytes"):
        PayloadKeyring(current="k1", keys={"k1": bytes(16)})
    with pytest.raises(PayloadKeyError, match="already has a key 'k1'"):
        PayloadKeyring.generate("k1").rotated("k1")


def test_the_keys_file_is_private_kept_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "temporal-payload-keys.json"
    created = ensure_keyring(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_keyring(path) == created  # not regenerated
    assert read_keyring(path) == created


def test_a_broken_keys_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text('{"current": "k1", "keys": {"k1": "not base64!"}}')
    with pytest.raises(PayloadKeyError, match=str(path)):
        read_keyring(path)
    with pytest.raises(PayloadKeyError, match="cannot read"):
        read_keyring(tmp_path / "missing.json")


def test_a_process_without_a_keys_file_refuses_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TDKT_TEMPORAL_PAYLOAD_KEYS_FILE", raising=False)
    with pytest.raises(PayloadKeyError, match="TDKT_TEMPORAL_PAYLOAD_KEYS_FILE"):
        configured_keyring()


def test_a_process_reads_the_keys_file_its_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = ensure_keyring(tmp_path / "keys.json")
    monkeypatch.setenv("TDKT_TEMPORAL_PAYLOAD_KEYS_FILE", str(tmp_path / "keys.json"))
    assert PayloadKeySettings().keys_file == tmp_path / "keys.json"
    assert configured_keyring() == keyring


async def test_no_client_connects_without_the_payload_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review's client and the worker connect here when they start: without keys they do not start."""
    monkeypatch.delenv("TDKT_TEMPORAL_PAYLOAD_KEYS_FILE", raising=False)
    with pytest.raises(PayloadKeyError, match="No Temporal payload key"):
        await connect_temporal(KitSettings(temporal_address="127.0.0.1:9"))


def test_every_temporal_client_is_made_by_the_kit() -> None:
    """One data converter for all: ``Client.connect`` is called in ``servicekit.temporal`` only."""
    callers = [
        path.relative_to(REPOSITORY_ROOT).as_posix()
        for folder in ("servicekit", "services", "workflows", "tools", "tests", "deploy", "clients")
        for path in (REPOSITORY_ROOT / folder).rglob("*.py")
        if "Client.connect(" in path.read_text(encoding="utf-8") and path != Path(__file__)
    ]
    assert callers == ["servicekit/temporal.py"]
