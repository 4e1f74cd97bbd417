"""The benchmark's results: ratios to the baselines, the targets of issue 8, the printed tables
and the chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PLATFORM_PROCESSES = ("intake", "review", "decisions", "notifications", "worker")
STAGE_BASELINES = {
    "submit_http": ("intake", "submit_http"),
    "submit_to_first_task": ("temporal", "submit_to_first_task"),
    "action_to_next_task": ("temporal", "action_to_next_task"),
    "approval_to_decision": ("kafka", "paced_hop"),
    "decision_to_notification": ("kafka", "paced_hop"),
}
"""Each stage's baseline: the bare insert for the submission's HTTP round trip, the bare
workflow's step for task visibility, one raw Kafka hop for the stages between services."""
LOAD_GENERATOR = "bench"
MEMORY_LIMIT_MB = 300.0
MEMORY_GROWTH_LIMIT = 0.20
E2E_TARGET = 0.7
FIRST_TASK_P99_TARGET_MS = 500.0
COST_GROWTH_LIMIT = 0.25


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def cpu_per_dossier(processes: dict[str, dict[str, float]], completed: int) -> float:
    """CPU seconds of the pipeline's processes (not the load generator's own) per dossier."""
    pipeline = sum(usage["cpu_seconds"] for name, usage in processes.items() if name != LOAD_GENERATOR)
    return round(pipeline / max(completed, 1), 3)


def _baseline_stage(baselines: dict[str, Any], source: str, name: str) -> dict[str, Any]:
    if source == "temporal":
        return dict(baselines["temporal"]["stages"][name])
    return dict(baselines[source][name])


def size_result(
    pipeline: dict[str, Any], temporal: dict[str, Any], kafka: dict[str, Any], intake: dict[str, Any]
) -> dict[str, Any]:
    baselines = {"temporal": temporal, "kafka": kafka, "intake": intake}
    ratios = {}
    for stage, (source, name) in STAGE_BASELINES.items():
        ours, theirs = pipeline["stages"][stage], _baseline_stage(baselines, source, name)
        ratios[stage] = {
            "baseline": f"{source}:{name}",
            **{q: _ratio(ours[f"{q}_ms"], theirs[f"{q}_ms"]) for q in ("p50", "p95", "p99")},
        }
    event_rate = pipeline["events"] / pipeline["seconds"] if pipeline["seconds"] else 0.0
    return {
        **pipeline,
        "cost_ms_per_dossier": round(1000 / pipeline["throughput_per_s"], 1)
        if pipeline["throughput_per_s"]
        else None,
        "events_per_s": round(event_rate, 1),
        "baselines": {
            "temporal_same_shape": temporal,
            "aiokafka_same_events": kafka,
            "fastapi_sqlmodel_insert": intake,
        },
        "ratios": ratios,
        "e2e_vs_temporal": _ratio(pipeline["throughput_per_s"], temporal["throughput_per_s"]),
        "events_vs_aiokafka": _ratio(event_rate, kafka["throughput_events_per_s"]),
    }


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 3) if ours is not None and theirs else None


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 8's targets, each with what was found and whether it was met (None: not measured)."""
    every_size = {int(size): result for size, result in results["sizes"].items()}
    # a load that did not finish all its dossiers says nothing about the cost at that size
    sizes = {size: result for size, result in every_size.items() if result["completed"] == result["dossiers"]}
    unfinished = ", ".join(
        f"{size:,} unfinished ({result['completed']:,} done)"
        for size, result in sorted(every_size.items())
        if size not in sizes
    )
    found: list[dict[str, Any]] = []
    for size, result in sorted(every_size.items()):
        found.append(
            _target(
                f"end-to-end throughput ≥ {E2E_TARGET}× bare Temporal ({size})",
                result["e2e_vs_temporal"],
                result["e2e_vs_temporal"] is not None and result["e2e_vs_temporal"] >= E2E_TARGET,
            )
        )
        heaviest = max(PLATFORM_PROCESSES, key=lambda name: result["processes"][name]["peak_rss_mb"])
        peak = result["processes"][heaviest]["peak_rss_mb"]
        found.append(
            _target(
                f"no service or worker above {MEMORY_LIMIT_MB:.0f} MB ({size})",
                f"{heaviest} {peak} MB",
                peak <= MEMORY_LIMIT_MB,
            )
        )
    half = results.get("half_rate")
    p99 = half["stages"]["submit_to_first_task"]["p99_ms"] if half else None
    found.append(
        _target(
            f"submit → first task visible p99 < {FIRST_TASK_P99_TARGET_MS:.0f} ms at half the peak rate",
            p99,
            None if p99 is None else p99 < FIRST_TASK_P99_TARGET_MS,
        )
    )
    if 100 in sizes and 5000 in sizes:
        for key, what, unit in (
            ("cpu_seconds_per_dossier", "CPU", "s"),
            ("cost_ms_per_dossier", "wall time", "ms"),
        ):
            small, large = sizes[100][key], sizes[5000][key]
            found.append(
                _target(
                    f"{what} per dossier at 5,000 within {COST_GROWTH_LIMIT:.0%} of 100",
                    f"{small} → {large} {unit} ({large / small - 1:+.0%})",
                    large <= small * (1 + COST_GROWTH_LIMIT),
                )
            )
    if 1000 in sizes and 5000 in sizes:
        growths = {
            name: sizes[5000]["processes"][name]["peak_rss_mb"]
            / sizes[1000]["processes"][name]["peak_rss_mb"]
            - 1
            for name in PLATFORM_PROCESSES
        }
        worst = max(growths, key=lambda name: growths[name])
        found.append(
            _target(
                f"peak memory growth 1,000 → 5,000 ≤ {MEMORY_GROWTH_LIMIT:.0%} per service",
                f"{worst} {growths[worst]:+.0%}",
                growths[worst] <= MEMORY_GROWTH_LIMIT,
            )
        )
    if not (100 in sizes and 5000 in sizes):
        found.append(
            _target(
                f"per-dossier cost at 5,000 within {COST_GROWTH_LIMIT:.0%} of 100",
                unfinished or "5,000 not run",
                None,
            )
        )
    if not (1000 in sizes and 5000 in sizes):
        found.append(
            _target(
                f"peak memory growth 1,000 → 5,000 ≤ {MEMORY_GROWTH_LIMIT:.0%} per service",
                unfinished or "5,000 not run",
                None,
            )
        )
    return found


def _target(name: str, found: Any, met: bool | None) -> dict[str, Any]:
    return {"target": name, "found": found, "met": met}


def print_size(size: int, result: dict[str, Any]) -> None:
    temporal = result["baselines"]["temporal_same_shape"]
    kafka = result["baselines"]["aiokafka_same_events"]
    intake = result["baselines"]["fastapi_sqlmodel_insert"]
    print(
        f"\n== {size} dossiers: {result['completed']} completed in {result['seconds']} s — "
        f"{result['throughput_per_s']} dossiers/s (bare Temporal {temporal['throughput_per_s']}/s, "
        f"e2e_vs_temporal {result['e2e_vs_temporal']}); {result['events']} events, {result['events_per_s']}/s "
        f"(raw aiokafka {kafka['throughput_events_per_s']}/s); bare insert {intake['throughput_per_s']}/s; "
        f"CPU {result['cpu_seconds_per_dossier']} s per dossier"
    )
    print(
        f"{'stage':<26} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}   {'baseline':<28} {'×p50':>7} {'×p99':>7}"
    )
    for stage, numbers in result["stages"].items():
        ratio = result["ratios"].get(stage, {})
        print(
            f"{stage:<26} {numbers['p50_ms']!s:>9} {numbers['p95_ms']!s:>9} {numbers['p99_ms']!s:>9}   "
            f"{ratio.get('baseline', ''):<28} {ratio.get('p50', '')!s:>7} {ratio.get('p99', '')!s:>7}"
        )
    print(f"{'process':<14} {'peak RSS MB':>12} {'CPU s':>8}")
    for name, usage in result["processes"].items():
        print(f"{name:<14} {usage['peak_rss_mb']:>12} {usage['cpu_seconds']:>8}")
    for failure in result["failures"][:10]:
        print(f"  failure: {failure}")


def print_half_rate(result: dict[str, Any]) -> None:
    stage = result["stages"]["submit_to_first_task"]
    print(
        f"\n== open loop at {result['rate_per_s']}/s (half the peak): submit → first task visible "
        f"p50 {stage['p50_ms']} ms, p95 {stage['p95_ms']} ms, p99 {stage['p99_ms']} ms"
    )


def print_targets(found: list[dict[str, Any]]) -> None:
    print("\n== targets (issue 8)")
    for target in found:
        verdict = {True: "met", False: "NOT MET", None: "not measured"}[target["met"]]
        print(f"  {target['target']:<72} {target['found']!s:<28} {verdict}")


def chart(results: dict[str, Any], path: Path) -> None:
    """Throughput against load (pipeline and bare Temporal), and each stage's p50/p99 against load."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(int(size) for size in results["sizes"])
    rows = [results["sizes"][str(size)] for size in sizes]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    left.plot(sizes, [row["throughput_per_s"] for row in rows], "o-", label="pipeline")
    left.plot(
        sizes,
        [row["baselines"]["temporal_same_shape"]["throughput_per_s"] for row in rows],
        "s--",
        label="bare Temporal, same shape",
    )
    left.set(xscale="log", xlabel="dossiers in the load", ylabel="dossiers / s", title="Throughput")
    left.set_ylim(bottom=0)
    left.legend()
    for stage in (
        "submit_to_first_task",
        "action_to_next_task",
        "approval_to_decision",
        "decision_to_notification",
    ):
        line = right.plot(sizes, [row["stages"][stage]["p50_ms"] for row in rows], "o-", label=f"{stage} p50")
        right.plot(
            sizes,
            [row["stages"][stage]["p99_ms"] for row in rows],
            "x:",
            color=line[0].get_color(),
            label=f"{stage} p99",
        )
    right.set(
        xscale="log", yscale="log", xlabel="dossiers in the load", ylabel="ms", title="Latency per stage"
    )
    right.legend(fontsize=7)
    figure.suptitle(
        f"make bench — {results['machine']['cpus']} CPUs, {results['settings']['concurrency']} dossiers in flight"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


class _Tables:
    """BENCHMARKS.md's markdown tables, one column per load."""

    def __init__(self, sizes: list[str]) -> None:
        self.sizes = sizes
        self.out: list[str] = []

    def line(self, label: str, values: list[Any]) -> None:
        self.out.append(f"| {label} | " + " | ".join(str(value) for value in values) + " |")

    def header(self, first: str) -> None:
        self.line(first, self.sizes)
        self.line("---", ["---"] * len(self.sizes))


def _percentiles(numbers: dict[str, Any]) -> str:
    return f"{numbers['p50_ms']} / {numbers['p95_ms']} / {numbers['p99_ms']}"


def _throughput(tables: _Tables, rows: list[dict[str, Any]]) -> None:
    tables.header("load (dossiers)")
    tables.line("completed", [row["completed"] for row in rows])
    tables.line("seconds", [row["seconds"] for row in rows])
    tables.line("**throughput, dossiers/s**", [row["throughput_per_s"] for row in rows])
    tables.line(
        "bare Temporal, same shape, workflows/s",
        [row["baselines"]["temporal_same_shape"]["throughput_per_s"] for row in rows],
    )
    tables.line("**`e2e_vs_temporal`**", [row["e2e_vs_temporal"] for row in rows])
    tables.line("wall time per dossier, ms", [row["cost_ms_per_dossier"] for row in rows])
    tables.line("CPU per dossier, s (pipeline processes)", [row["cpu_seconds_per_dossier"] for row in rows])
    tables.line("events on Kafka, per s", [row["events_per_s"] for row in rows])
    tables.line(
        "raw aiokafka burst, events/s",
        [row["baselines"]["aiokafka_same_events"]["throughput_events_per_s"] for row in rows],
    )
    tables.line(
        "bare FastAPI + SQLModel insert, /s",
        [row["baselines"]["fastapi_sqlmodel_insert"]["throughput_per_s"] for row in rows],
    )


def _stages(tables: _Tables, rows: list[dict[str, Any]]) -> None:
    tables.out += ["", "Latency per stage, ms — p50 / p95 / p99 (× the baseline's p50 / p99):", ""]
    tables.header("stage")
    for stage in rows[0]["stages"]:
        cells = []
        for row in rows:
            ratio = row["ratios"].get(stage)
            cell = _percentiles(row["stages"][stage])
            if ratio:
                cell += f" (×{ratio['p50']} / ×{ratio['p99']})"
            cells.append(cell)
        tables.line(f"`{stage}`", cells)


_BASELINE_ROWS = {
    "bare Temporal: start → first update accepted": ("temporal_same_shape", "submit_to_first_task"),
    "bare Temporal: update → next update accepted": ("temporal_same_shape", "action_to_next_task"),
    "raw aiokafka: one hop, paced": ("aiokafka_same_events", "paced_hop"),
    "bare insert: HTTP round trip": ("fastapi_sqlmodel_insert", "submit_http"),
}


def _baselines(tables: _Tables, rows: list[dict[str, Any]]) -> None:
    for label, (baseline, stage) in _BASELINE_ROWS.items():
        values = []
        for row in rows:
            source = row["baselines"][baseline]
            values.append(_percentiles(source["stages"][stage] if "stages" in source else source[stage]))
        tables.line(label, values)


def _processes(tables: _Tables, rows: list[dict[str, Any]]) -> None:
    tables.out += ["", "Peak resident memory, MB (CPU seconds during the load):", ""]
    tables.header("process")
    for name in rows[0]["processes"]:
        tables.line(
            name,
            [
                f"{row['processes'][name]['peak_rss_mb']} ({row['processes'][name]['cpu_seconds']})"
                for row in rows
            ],
        )


def _half_rate_and_targets(tables: _Tables, results: dict[str, Any]) -> None:
    half = results.get("half_rate")
    if half:
        stage = half["stages"]["submit_to_first_task"]
        tables.out += [
            "",
            f"Open loop, {half['dossiers']} dossiers at {half['rate_per_s']}/s (half the peak {half['peak_per_s']}/s): "
            f"`submit_to_first_task` p50 {stage['p50_ms']} ms, p95 {stage['p95_ms']} ms, p99 {stage['p99_ms']} ms; "
            f"throughput {half['throughput_per_s']}/s.",
        ]
    tables.out += ["", "| target | found | met |", "| --- | --- | --- |"]
    for target in results.get("targets", []):
        tables.out.append(f"| {target['target']} | {target['found']} | {target['met']} |")


def markdown(results: dict[str, Any]) -> str:
    """The results as BENCHMARKS.md's tables: ``python -m tools.bench.report benchmarks/results.json``."""
    sizes = sorted(results["sizes"], key=int)
    rows = [results["sizes"][size] for size in sizes]
    tables = _Tables(sizes)
    _throughput(tables, rows)
    _stages(tables, rows)
    _baselines(tables, rows)
    _processes(tables, rows)
    _half_rate_and_targets(tables, results)
    return "\n".join(tables.out)


if __name__ == "__main__":
    import json
    import sys

    print(markdown(json.loads(Path(sys.argv[1]).read_text())))
