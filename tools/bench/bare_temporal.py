"""Baseline (a): a bare Temporal workflow of the review's shape — the same number of activities,
updates and the closing signal — with no-op bodies, run by a worker process of its own and driven
like the pipeline (one update per review step, in order, from as many dossiers at once). Its
clients use the platform's data converter (``servicekit.temporal``: encrypted payloads), as the
pipeline's do; the worker reads the stack's payload keys (``TDKT_TEMPORAL_PAYLOAD_KEYS_FILE``).

    python -m tools.bench.bare_temporal worker --address HOST:PORT --task-queue QUEUE
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

from servicekit.settings import KitSettings
from servicekit.temporal import connect_temporal

LEVELS = 4
STEPS_PER_LEVEL = 3
"""Four levels of receipt, appraisal and sign-off (an award without council vote or comment)."""
ACTIVITY_TIMEOUT = timedelta(seconds=30)


@activity.defn(name="bare_noop")
async def noop(what: str) -> None:
    return None


@workflow.defn(name="BareReview")
class BareReview:
    """Per level: plan the deadline; per step: publish "opened", wait for the action, publish
    "completed"; publish "level approved". Then publish "approved" and wait for the decision —
    33 activities, 12 updates and a signal, as ``ReviewWorkflow`` for such an award."""

    def __init__(self) -> None:
        self._waiting_at = -1
        self._acted = -1
        self._decided = False

    @workflow.run
    async def run(self, dossier: str) -> int:
        step = 0
        for _level in range(LEVELS):
            await self._publish("plan deadline")
            for _ in range(STEPS_PER_LEVEL):
                await self._publish("task opened")
                self._waiting_at = step
                await workflow.wait_condition(lambda: self._acted >= self._waiting_at)
                await self._publish("task completed")
                step += 1
            await self._publish("level approved")
        await self._publish("dossier approved")
        await workflow.wait_condition(lambda: self._decided)
        return step

    async def _publish(self, what: str) -> None:
        await workflow.execute_activity(noop, what, start_to_close_timeout=ACTIVITY_TIMEOUT)

    @workflow.update
    async def act(self, step: int) -> None:
        """Accepted once the workflow waits at ``step`` (the task is "visible")."""
        await workflow.wait_condition(lambda: self._waiting_at >= step)
        self._acted = step

    @workflow.signal
    def decided(self) -> None:
        self._decided = True


@dataclass
class BareTimes:
    started: float
    steps_done: list[float] = field(default_factory=list)
    finished: float = 0.0


async def drive(
    client: Client, task_queue: str, count: int, concurrency: int, run_id: str
) -> list[BareTimes]:
    """Closed loop: at most ``concurrency`` reviews at once; each step's update sent as soon as
    the previous one returned."""
    gate = asyncio.Semaphore(concurrency)
    results: list[BareTimes] = []

    async def one(number: int) -> None:
        async with gate:
            times = BareTimes(started=time.time())
            handle = await client.start_workflow(
                BareReview.run, f"d{number}", id=f"bare-{run_id}-{number}", task_queue=task_queue
            )
            for step in range(LEVELS * STEPS_PER_LEVEL):
                await handle.execute_update(BareReview.act, step)
                times.steps_done.append(time.time())
            await handle.signal(BareReview.decided)
            await handle.result()
            times.finished = time.time()
            results.append(times)

    await asyncio.gather(*(one(number) for number in range(count)))
    return results


async def serve(address: str, task_queue: str) -> None:
    client = await connect_temporal(KitSettings(temporal_address=address))  # the stack's payload keys
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with Worker(client, task_queue=task_queue, workflows=[BareReview], activities=[noop]):
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.bare_temporal")
    parser.add_argument("command", choices=["worker"])
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.address, args.task_queue))


if __name__ == "__main__":
    main()
