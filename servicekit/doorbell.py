"""A doorbell for a service's background worker (the decision desk, the notification dispatcher):
rung when there is work now, otherwise the worker looks again after its poll interval."""

from __future__ import annotations

import asyncio
import contextlib


class Doorbell:
    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def ring(self) -> None:
        self._rung.set()

    async def wait(self, timeout: float) -> None:
        """Until rung, or ``timeout`` seconds at most; then it is quiet until rung again."""
        # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancellation that arrives
        # as the bell rings, and the worker would then never stop
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._rung.wait()
        self._rung.clear()
