"""Waiting on a condition with a deadline — the only way tests synchronise with other processes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

POLL_INTERVAL = 0.05


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    *,
    timeout: float,
    what: str,
    interval: float = POLL_INTERVAL,
) -> T:
    """Return the first truthy value ``probe`` gives; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)  # the condition lives in another process: poll it
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last seen: {last!r})")
