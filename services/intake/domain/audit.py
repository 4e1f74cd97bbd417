"""The dossier's audit trail as a hash chain (pure): each history entry's hash covers its own
fields and the previous entry's hash, so changing, removing or reordering an entry breaks every
link after it, and the dossier keeps the last hash (its head), so removing entries from the end
shows too. The first entry of a dossier links to ``GENESIS``. Someone able to rewrite the whole
history and the head together is not caught: that needs a key outside the database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
CHAIN_VERSION = 1
HASHED_FIELDS = (
    "dossier_id",
    "event_id",
    "source",
    "type",
    "occurred_at",
    "level",
    "actor",
    "organisation",
    "role",
    "version",
    "summary",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    return value


def entry_hash(previous_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``fields`` (``HASHED_FIELDS``) and ``previous_hash``."""
    document = {name: _canonical(fields.get(name)) for name in HASHED_FIELDS}
    document["previous_hash"] = previous_hash
    document["chain_version"] = CHAIN_VERSION
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    position: int
    """1-based position of the first entry that does not verify."""
    event_id: str
    reason: str


def first_break(entries: Sequence[Mapping[str, Any]], head: str | None = None) -> ChainBreak | None:
    """Walk one dossier's entries in insertion order; the first that does not verify, if any.
    Each entry carries ``HASHED_FIELDS`` plus ``previous_hash`` and ``entry_hash``; ``head`` is
    the hash the dossier recorded as its last, which the chain must end on."""
    expected_previous = GENESIS
    for position, entry in enumerate(entries, start=1):
        if entry["previous_hash"] != expected_previous:
            return ChainBreak(position, entry["event_id"], "does not link to the entry before it")
        if entry_hash(entry["previous_hash"], entry) != entry["entry_hash"]:
            return ChainBreak(position, entry["event_id"], "its content does not match its hash")
        expected_previous = entry["entry_hash"]
    if head and head != expected_previous:
        return ChainBreak(
            len(entries) + 1, "", "entries after this point were removed (the chain ends before its head)"
        )
    return None
