"""The document desk: a background worker that renders, signs and issues numbered decisions and
closes batches whose period has ended. Woken by the doorbell whenever a decision is numbered, and
sweeping on a timer so that a decision left half-done by a crash, or a batch that fell due
overnight, is finished. Each unit of its work is a handler."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from services.decisions import handlers
from services.decisions.context import DecisionsContext

logger = logging.getLogger(__name__)


class DocumentDesk:
    def __init__(self, ctx: DecisionsContext) -> None:
        self._ctx = ctx
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="decision-desk")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await self._ctx.doorbell.wait(self._ctx.settings.sweep_seconds)
            try:
                await self.sweep()
            except Exception:  # a failed round is retried on the next; the loop must not die
                logger.exception("decision desk round failed")

    async def sweep(self) -> int:
        """Close due batches, then issue every numbered decision; returns how many were issued."""
        await handlers.close_due_batches(self._ctx)
        issued = 0
        while ids := await handlers.numbered_decisions(self._ctx):
            for decision_id in ids:
                issued += await handlers.issue_decision(self._ctx, decision_id)
        return issued
