"""Temporal payloads for authorised operators: read a review's history decrypted, and keep the
payload keyring (``servicekit.payloads``).

    python -m tools.payloads decode review-<dossier id> [--run-id RUN]
    python -m tools.payloads keys init FILE        # a new keyring of one key, unless FILE exists
    python -m tools.payloads keys rotate FILE      # a new current key; older ones stay to decrypt

``decode`` prints one JSON line per payload of the workflow's history (event id, event type, the
field that holds it, its value), read with the keyring ``TDKT_TEMPORAL_PAYLOAD_KEYS_FILE`` names
and the server ``TDKT_TEMPORAL_ADDRESS`` names — the environment first, then the running stack's
record (``.stack/stack.env``). Whoever can read that file can read every nominee's data: the
Temporal UI and ``temporal workflow show`` without it show ciphertext only.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.converter import PayloadCodec

from servicekit.payloads import (
    PayloadKeyError,
    PayloadKeyring,
    PayloadKeySettings,
    configured_keyring,
    read_keyring,
    write_keyring,
)
from servicekit.settings import KitSettings, describe_resolution, for_command
from servicekit.temporal import connect_temporal

PAYLOAD_TYPE = Payload.DESCRIPTOR.full_name


@dataclass(frozen=True)
class DecodedPayload:
    event_id: int
    event_type: str
    field: str
    value: Any

    def to_json(self) -> str:
        return json.dumps(
            {
                "event_id": self.event_id,
                "event_type": self.event_type,
                "field": self.field,
                "value": self.value,
            },
            ensure_ascii=False,
        )


def payload_value(payload: Payload) -> Any:
    """What a decoded payload says: its JSON, or its encoding and bytes when it is not JSON."""
    encoding = payload.metadata.get("encoding", b"").decode(errors="replace")
    if encoding == "binary/null":
        return None
    if encoding.startswith("json/"):
        return json.loads(payload.data)
    return {"encoding": encoding, "base64": base64.b64encode(payload.data).decode("ascii")}


async def _payloads_of(message: Message, codec: PayloadCodec, path: str) -> list[tuple[str, Payload]]:
    """Every payload in ``message`` (nested messages, lists, maps), decoded, with its field path."""
    found: list[tuple[str, Payload]] = []
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        name = f"{path}{field.name}"
        if field.message_type.GetOptions().map_entry:
            items = [(f"{name}[{key!r}]", value[key]) for key in value]
        elif field.is_repeated:
            items = [(f"{name}[{index}]", item) for index, item in enumerate(value)]
        else:
            items = [(name, value)]
        for item_path, item in items:
            if not isinstance(item, Message):
                continue
            if item.DESCRIPTOR.full_name == PAYLOAD_TYPE:
                [decoded] = await codec.decode([item])  # type: ignore[list-item]
                found.append((item_path, decoded))
            else:
                found.extend(await _payloads_of(item, codec, f"{item_path}."))
    return found


async def decoded_history(
    client: Client, workflow_id: str, run_id: str | None = None
) -> list[DecodedPayload]:
    """Every payload of the workflow's history, decrypted with ``client``'s payload codec."""
    codec = client.data_converter.payload_codec
    if codec is None:
        raise PayloadKeyError("this client has no payload codec: connect with servicekit.temporal")
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    decoded = []
    for event in history.events:
        for field, payload in await _payloads_of(event, codec, ""):
            decoded.append(
                DecodedPayload(
                    event_id=event.event_id,
                    event_type=EventType.Name(event.event_type).removeprefix("EVENT_TYPE_"),
                    field=field,
                    value=payload_value(payload),
                )
            )
    return decoded


async def decode(workflow_id: str, run_id: str | None) -> None:
    keyring = configured_keyring(lambda: for_command(PayloadKeySettings))
    client = await connect_temporal(for_command(KitSettings), keyring)
    for payload in await decoded_history(client, workflow_id, run_id):
        print(payload.to_json())


def init_keys(path: Path, key_id: str | None) -> str:
    if path.exists():
        return f"{path} exists (current key {read_keyring(path).current}); nothing written"
    keyring = PayloadKeyring.generate(key_id)
    write_keyring(path, keyring)
    return f"{path}: a new keyring, current key {keyring.current}"


def rotate_keys(path: Path, key_id: str | None) -> str:
    rotated = read_keyring(path).rotated(key_id)
    write_keyring(path, rotated)
    older = ", ".join(sorted(set(rotated.keys) - {rotated.current}))
    return (
        f"{path}: current key {rotated.current}; kept for decryption: {older}. Give every process "
        "that connects to Temporal (review, worker) the new file and restart them."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.payloads", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    decode_parser = commands.add_parser("decode", help="print a workflow's payloads, decrypted")
    decode_parser.add_argument("workflow_id")
    decode_parser.add_argument("--run-id")
    keys_parser = commands.add_parser("keys", help="write or rotate a payload keyring")
    keys_parser.add_argument("action", choices=["init", "rotate"])
    keys_parser.add_argument("file", type=Path)
    keys_parser.add_argument("--key-id", help="the new key's id (default: a random one)")
    args = parser.parse_args(argv)
    try:
        if args.command == "decode":
            asyncio.run(decode(args.workflow_id, args.run_id))
        elif args.action == "init":
            print(init_keys(args.file, args.key_id))
        else:
            print(rotate_keys(args.file, args.key_id))
    except PayloadKeyError as error:
        print(f"{error}\n({describe_resolution()})", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
