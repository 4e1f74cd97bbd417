"""``--profile``: py-spy samples each platform process during the pipeline's load (without
pausing it), then the heaviest functions of each are printed — by their own time and with what
they call — and the collapsed stacks kept for a flame graph (``flamegraph.pl``, speedscope)."""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SAMPLES_PER_SECOND = 50
SHOWN = 12


@contextmanager
def sampled(pids: dict[str, int], directory: Path | None, label: str) -> Iterator[None]:
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    py_spy = shutil.which("py-spy") or str(Path(__import__("sys").executable).parent / "py-spy")
    samplers = {
        name: subprocess.Popen(
            [
                py_spy,
                "record",
                "--nonblocking",
                "--rate",
                str(SAMPLES_PER_SECOND),
                "--format",
                "raw",
                "--output",
                str(directory / f"{label}-{name}.txt"),
                "--pid",
                str(pid),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    }
    try:
        yield
    finally:
        for sampler in samplers.values():
            sampler.send_signal(signal.SIGINT)
        for sampler in samplers.values():
            sampler.wait(timeout=60)
    for name in samplers:
        summarise(directory / f"{label}-{name}.txt", name)


def summarise(collapsed: Path, name: str) -> None:
    if not collapsed.exists():
        print(f"[profile] {name}: no samples")
        return
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_short(frame) for frame in stack.split(";")]
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    print(f"[profile] {name}: {total} samples — own time")
    for frame, samples in own.most_common(SHOWN):
        print(f"    {samples / total:6.1%}  {frame}")
    print(f"[profile] {name}: with callees (project code)")
    ours = [
        (f, s)
        for f, s in inclusive.most_common()
        if any(p in f for p in ("services/", "servicekit/", "workflows/", "contracts/"))
    ]
    for frame, samples in ours[:SHOWN]:
        print(f"    {samples / total:6.1%}  {frame}")


def _short(frame: str) -> str:
    """``function (path/to/file.py:line)`` → ``function (file path from the package root)``."""
    function, _, location = frame.partition(" (")
    path = location.rstrip(")").rsplit(":", 1)[0]
    for root in ("site-packages/", "/work/main/", "python3.11/"):
        if root in path:
            path = path.split(root, 1)[1]
    return f"{function} ({path})"
