"""Untrusted input parsed in a short-lived child process, under limits the parent enforces.

A parser fed an attacker's file can be made to spend minutes and gigabytes (a 20 KB PDF whose
cross-reference stream inflates to a table of millions of entries). Run in the service's own
process, that memory is never given back and every other request waits. ``Sandbox.run`` runs one
pure function in a fresh child instead:

- **memory**: the child's address space is capped (``RLIMIT_AS``); past it, allocations fail with
  ``MemoryError`` in the child, never in the service;
- **time**: the parent waits at most ``seconds`` of wall-clock time and then kills the child
  (``SIGKILL``); ``RLIMIT_CPU`` backs this up should the parent be stuck;
- **concurrency**: at most ``concurrency`` children at once; one more is refused at once
  (``Busy``), never queued, so a burst cannot pile up children or threads;
- the child ends after one call, so whatever it grew goes back to the system.

Children come from a ``forkserver`` (the standard library's ``multiprocessing``): a clean process,
started once, that has imported the ``preload`` modules and forks a child per call in a few
milliseconds — not from the service itself, whose threads and sockets a ``fork`` would copy. The
function and its arguments and result cross by pickling: module-level functions and plain values.
The durations here are durations (``Connection.poll``'s timeout), not readings of the clock.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import resource
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from typing import Any

import anyio

_ANSWER = "answer"
_OUT_OF_MEMORY = "out-of-memory"
_TOO_DEEP = "too-deep"


@dataclass(frozen=True)
class ProcessLimits:
    seconds: float
    """Wall-clock time a child may take before it is killed."""
    memory_bytes: int
    """The child's address space (``RLIMIT_AS``)."""
    concurrency: int
    """Children running at once; one more is refused (``Busy``)."""


class Stop(StrEnum):
    """Why a child gave no answer."""

    TIMED_OUT = "timed-out"
    """Still running after ``ProcessLimits.seconds``: killed."""
    OUT_OF_MEMORY = "out-of-memory"
    """An allocation failed under ``RLIMIT_AS``."""
    TOO_DEEP = "too-deep"
    """Python's recursion limit was reached (deeply nested input)."""
    CRASHED = "crashed"
    """The child died without answering (a signal, e.g. a C stack overflow or ``SIGXCPU``)."""


class Stopped(Exception):
    """The child was stopped by a limit, or died, before answering."""

    def __init__(self, stop: Stop, detail: str) -> None:
        super().__init__(f"{stop}: {detail}")
        self.stop = stop
        self.detail = detail


class Busy(Exception):
    """Every slot is taken: try again later."""


class Sandbox:
    """Runs functions in confined children, ``limits.concurrency`` at a time. One per service
    process; its gate counts the children of this event loop."""

    def __init__(self, limits: ProcessLimits, preload: Sequence[str] = ()) -> None:
        self.limits = limits
        self._context = multiprocessing.get_context("forkserver")
        if preload:
            self._context.set_forkserver_preload(list(preload))
        self._running = 0

    async def warm(self) -> None:
        """Start the fork server now (a new Python that imports the preloaded modules: seconds on
        a busy machine), so the first request does not wait for it."""
        await anyio.to_thread.run_sync(forkserver.ensure_running)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the ``concurrency`` slots, or raise ``Busy`` if none is free."""
        if self._running >= self.limits.concurrency:
            raise Busy
        self._running += 1
        try:
            yield
        finally:
            self._running -= 1

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in a confined child: its result, or ``Stopped`` saying which limit
        stopped it (``Busy`` when every slot is taken). ``function`` is pure and module-level."""
        with self.slot():
            return await self._run(function, args)

    async def _run(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        receiving, sending = self._context.Pipe(duplex=False)
        child = self._context.Process(
            target=_confined, args=(sending, self.limits, function, args), daemon=True
        )
        try:
            await anyio.to_thread.run_sync(child.start)
            sending.close()  # the child holds its end: its death is the pipe's end
            answered = await anyio.to_thread.run_sync(receiving.poll, self.limits.seconds)
            if not answered:
                raise Stopped(Stop.TIMED_OUT, f"no answer within {self.limits.seconds:g} s")
            try:
                kind, value = receiving.recv()
            except EOFError:
                await anyio.to_thread.run_sync(child.join)
                raise Stopped(Stop.CRASHED, _death(child.exitcode)) from None
        finally:
            if child.is_alive():
                child.kill()
            with anyio.CancelScope(shield=True):
                if child.pid is not None:
                    await anyio.to_thread.run_sync(child.join)
            receiving.close()
        if kind == _OUT_OF_MEMORY:
            raise Stopped(Stop.OUT_OF_MEMORY, f"more than {self.limits.memory_bytes} bytes")
        if kind == _TOO_DEEP:
            raise Stopped(Stop.TOO_DEEP, str(value))
        return value


def confine(limits: ProcessLimits) -> None:
    """Apply ``limits`` to the calling process (the child, before it reads its input)."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = math.ceil(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _confined(
    answer: Connection, limits: ProcessLimits, function: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    """The child's body: confine, call, send what came of it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the service's Ctrl-C is the parent's to handle
    confine(limits)
    try:
        outcome: tuple[str, Any] = (_ANSWER, function(*args))
    except MemoryError:
        outcome = (_OUT_OF_MEMORY, None)
    except RecursionError as error:
        outcome = (_TOO_DEEP, str(error))
    try:
        answer.send(outcome)
    except MemoryError:
        answer.send((_OUT_OF_MEMORY, None))
    answer.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"killed by {signal.Signals(-exitcode).name}"
    return f"exited with status {exitcode} without answering"
