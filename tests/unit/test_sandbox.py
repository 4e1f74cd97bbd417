"""``servicekit.sandbox``: a function run in a confined child answers, or is stopped by the limit it
reached — memory, time, recursion, a crash — and the parent says which; a call past the
concurrency is refused at once."""

from __future__ import annotations

import os
import signal

import pytest

from servicekit.sandbox import Busy, ProcessLimits, Sandbox, Stop, Stopped

LIMITS = ProcessLimits(seconds=60, memory_bytes=512 * 1024 * 1024, concurrency=1)
"""Time enough for any child but ``spin``, which only ``HASTY`` runs: a busy machine may take a
second to fork a child and import this module in it (when the forkserver did not preload it)."""
HASTY = ProcessLimits(seconds=1, memory_bytes=512 * 1024 * 1024, concurrency=1)


def double(value: int) -> int:
    return 2 * value


def hog() -> int:
    return len(bytearray(2 * 1024 * 1024 * 1024))  # more than the child's 512 MB


def spin() -> None:
    while True:  # a parser that never finishes
        pass


def recurse(depth: int = 0) -> int:
    return recurse(depth + 1)


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox(LIMITS, preload=[__name__])


async def test_the_child_answers(sandbox: Sandbox) -> None:
    assert await sandbox.run(double, 21) == 42


@pytest.mark.parametrize(
    ("function", "stop", "detail"),
    [
        (hog, Stop.OUT_OF_MEMORY, "more than 536870912 bytes"),
        (recurse, Stop.TOO_DEEP, "maximum recursion depth exceeded"),
        (crash, Stop.CRASHED, "killed by SIGSEGV"),
    ],
)
async def test_a_child_past_a_limit_is_stopped_and_the_parent_says_which(
    sandbox: Sandbox, function: object, stop: Stop, detail: str
) -> None:
    with pytest.raises(Stopped) as stopped:
        await sandbox.run(function)  # type: ignore[arg-type]
    assert (stopped.value.stop, stopped.value.detail) == (stop, detail)
    assert await sandbox.run(double, 1) == 2, "the slot is free again"


async def test_a_child_that_outlasts_the_time_is_killed() -> None:
    hasty = Sandbox(HASTY)
    with pytest.raises(Stopped) as stopped:
        await hasty.run(spin)
    assert (stopped.value.stop, stopped.value.detail) == (Stop.TIMED_OUT, "no answer within 1 s")


async def test_a_call_past_the_concurrency_is_refused_at_once(sandbox: Sandbox) -> None:
    with sandbox.slot(), pytest.raises(Busy):
        await sandbox.run(double, 1)
    assert await sandbox.run(double, 1) == 2
