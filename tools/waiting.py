"""Waiting on a condition with a deadline — the only way tests synchronise with other processes."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

T = TypeVar("T")

POLL_INTERVAL = 0.05


@overload
async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float, what: str, interval: float = ...
) -> T: ...


@overload
async def eventually(
    probe: Callable[[], T | None], *, timeout: float, what: str, interval: float = ...
) -> T: ...


async def eventually(
    probe: Callable[[], Any],
    *,
    timeout: float,
    what: str,
    interval: float = POLL_INTERVAL,
) -> Any:
    """Return the first truthy value ``probe`` (a coroutine function, or a plain one reading
    what a server thread of the test keeps) gives; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        result = probe()
        last = await result if inspect.isawaitable(result) else result
        if last:
            return last
        await asyncio.sleep(interval)  # the condition lives in another process: poll it
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last seen: {last!r})")
