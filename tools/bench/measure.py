"""What the benchmark measures besides time: percentiles, and each process's peak resident memory
and CPU time, read from ``/proc`` (Linux)."""

from __future__ import annotations

import math
import os
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentiles(samples_seconds: list[float]) -> dict[str, Any]:
    """p50, p95, p99 and mean in milliseconds (nearest-rank), with the sample count."""
    if not samples_seconds:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    ordered = sorted(samples_seconds)

    def rank(fraction: float) -> float:
        index = max(0, math.ceil(fraction * len(ordered)) - 1)
        return round(ordered[index] * 1000, 1)

    return {
        "count": len(ordered),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "p99_ms": rank(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


@dataclass(frozen=True)
class ProcessUsage:
    peak_rss_mb: float
    cpu_seconds: float


def reset_peak(pid: int) -> None:
    """Start the process's high-water mark of resident memory afresh (``clear_refs`` 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def usage(pid: int, with_children: bool = False) -> ProcessUsage:
    """Peak resident set size since the last reset (VmHWM) and CPU time (user + system) so far;
    ``with_children``: plus the CPU of its children, ended (reaped) and running — PostgreSQL's
    backends are children of the postmaster."""
    status = Path(f"/proc/{pid}/status").read_text()
    hwm_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    ticks = _cpu_ticks(pid, include_reaped=with_children)
    if with_children:
        ticks += sum(_cpu_ticks(child) for child in _children(pid))
    return ProcessUsage(peak_rss_mb=round(hwm_kb / 1024, 1), cpu_seconds=ticks / _CLOCK_TICKS)


def _cpu_ticks(pid: int, include_reaped: bool = False) -> int:
    try:
        # the command name (field 2) may hold spaces; the fields after its closing parenthesis do not
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0  # ended between listing and reading
    # utime, stime, cutime, cstime: fields 14-17 of proc_pid_stat(5)
    return int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if include_reaped else 0)


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


class Meter:
    """Peak memory and CPU of named processes over one measured interval."""

    def __init__(self, pids: dict[str, int], with_children: frozenset[str] = frozenset()) -> None:
        self._pids = pids
        self._with_children = with_children
        self._cpu_before: dict[str, float] = {}

    def start(self) -> None:
        for name, pid in self._pids.items():
            reset_peak(pid)
            self._cpu_before[name] = usage(pid, name in self._with_children).cpu_seconds

    def finish(self) -> dict[str, dict[str, float]]:
        result = {}
        for name, pid in self._pids.items():
            now = usage(pid, name in self._with_children)
            result[name] = {
                "peak_rss_mb": now.peak_rss_mb,
                "cpu_seconds": round(now.cpu_seconds - self._cpu_before[name], 2),
            }
        return result
