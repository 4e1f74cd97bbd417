"""The dossier's audit trail as a hash chain: any change, removal or reordering is found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.intake.domain.audit import GENESIS, entry_hash, first_break


def _chain(count: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    previous = GENESIS
    for n in range(count):
        entry: dict[str, Any] = {
            "dossier_id": "d-1",
            "event_id": f"e-{n}",
            "source": "/tdkt/review-workflow",
            "type": "vn.tdkt.review.task.completed.v1",
            "occurred_at": datetime(2026, 11, 24, 3, 0, tzinfo=UTC) + timedelta(minutes=n),
            "level": "unit",
            "actor": "can-bo.xa",
            "organisation": "AH-DS-TT",
            "role": "clerk",
            "version": 1,
            "summary": f"bước {n}",
            "previous_hash": previous,
        }
        entry["entry_hash"] = previous = entry_hash(previous, entry)
        entries.append(entry)
    return entries


def test_an_untouched_chain_verifies() -> None:
    assert first_break(_chain(5)) is None
    assert first_break([]) is None


def test_a_changed_entry_breaks_the_chain_where_it_was_changed() -> None:
    entries = _chain(5)
    entries[2]["summary"] = "đã sửa"
    found = first_break(entries)
    assert found is not None and (found.position, found.event_id) == (3, "e-2")
    assert found.reason == "its content does not match its hash"


def test_a_removed_or_moved_entry_breaks_the_link() -> None:
    entries = _chain(5)
    removed = entries[:2] + entries[3:]
    found = first_break(removed)
    assert found is not None and (found.position, found.reason) == (3, "does not link to the entry before it")
    moved = [entries[1], entries[0], *entries[2:]]
    assert first_break(moved) is not None


def test_a_rehashed_forgery_still_breaks_the_next_link() -> None:
    entries = _chain(4)
    entries[1]["actor"] = "nguoi-khac"
    entries[1]["entry_hash"] = entry_hash(entries[1]["previous_hash"], entries[1])
    found = first_break(entries)
    assert found is not None and found.position == 3


def test_the_hash_does_not_depend_on_how_the_database_returns_the_time() -> None:
    entry = _chain(1)[0]
    naive = {**entry, "occurred_at": entry["occurred_at"].replace(tzinfo=None)}
    assert entry_hash(GENESIS, naive) == entry["entry_hash"]


def test_entries_removed_from_the_end_miss_the_recorded_head() -> None:
    entries = _chain(4)
    head = entries[-1]["entry_hash"]
    assert first_break(entries, head) is None
    found = first_break(entries[:2], head)
    assert found is not None and found.position == 3 and "removed" in found.reason
    assert first_break([], head) is not None, "every entry removed"
