"""How often a key (a client's address, a dossier) may do something: at most ``limit`` times in any
``window``, by the instants the caller reads from its clock (time is an input).

A sliding window of the instants each key was let through, **in this process's memory**: right for
one process (how each service runs today); with several replicas each counts its own, so the
effective limit is the replicas times ``limit`` — a shared store (PostgreSQL, Redis) would be needed
for one exact limit across them. Restarting the process forgets the counts. The memory is bounded:
at most ``max_keys`` keys, each with at most ``limit`` instants; past ``max_keys``, keys whose
window has passed are forgotten first, then the least recently seen.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from datetime import datetime, timedelta


class SlidingWindow:
    def __init__(self, limit: int, window: timedelta, max_keys: int = 100_000) -> None:
        if limit < 1 or window <= timedelta(0) or max_keys < 1:
            raise ValueError("a sliding window needs a positive limit, window and number of keys")
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._seen: OrderedDict[str, deque[datetime]] = OrderedDict()

    def wait(self, key: str, now: datetime) -> int | None:
        """Whole seconds ``key`` must wait at ``now`` before it may go again (for ``Retry-After``),
        or ``None`` if it may go now. Records nothing."""
        instants = self._current(key, now)
        if len(instants) < self.limit:
            return None
        return max(1, math.ceil((instants[0] + self.window - now).total_seconds()))

    def record(self, key: str, now: datetime) -> None:
        """``key`` went at ``now``."""
        instants = self._current(key, now)
        instants.append(now)
        self._seen[key] = instants
        self._seen.move_to_end(key)
        if len(self._seen) > self.max_keys:
            self._forget(now)

    def _current(self, key: str, now: datetime) -> deque[datetime]:
        instants = self._seen.get(key, deque(maxlen=self.limit))
        while instants and instants[0] <= now - self.window:
            instants.popleft()
        return instants

    def _forget(self, now: datetime) -> None:
        """The least recently seen first (the front of the order): while there are too many, or
        while the front's window has passed. Each key is forgotten once, so this costs what it frees."""
        while self._seen:
            instants = next(iter(self._seen.values()))
            if len(self._seen) <= self.max_keys and instants[-1] > now - self.window:
                return
            self._seen.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seen)
