"""The one clock every service reads: time is an input.

A service's runtime owns a ``Clock`` (``ServiceRuntime.clock``; the worker's activities get the
worker's), and every handler reads the time from it and passes ``now`` on to the functions it calls
as a plain value. Production runs on ``SystemClock``; tests hand in a ``ManualClock`` they set and
move. Nothing else in ``services/``, ``servicekit/``, ``workflows/`` or ``contracts/`` reads the
wall clock: ruff's banned-api rule (TID251, ``pyproject.toml``) refuses ``datetime.now``,
``date.today`` and ``time.time`` outside this module. (Workflow code reads ``workflow.now()``,
Temporal's deterministic clock.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until it is set or moved: the tests' clock."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = _aware(at)

    def advance(self, by: timedelta) -> datetime:
        self._at += by
        return self._at


def local_date(clock: Clock, zone: tzinfo) -> date:
    """The calendar date ``clock`` reads in ``zone`` (a submission's date is Vietnam's date)."""
    return clock.now().astimezone(zone).date()


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a clock reads timezone-aware instants")
    return at.astimezone(UTC)


SYSTEM_CLOCK = SystemClock()
