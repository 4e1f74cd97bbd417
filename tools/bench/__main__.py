from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient

from deploy import apps, infra
from servicekit.kafka import client_options
from servicekit.payloads import KEYS_FILE_VARIABLE, read_keyring
from servicekit.settings import KitSettings
from servicekit.temporal import connect_temporal
from tools.bench import __doc__ as bench_doc
from tools.bench import bare_kafka, bare_temporal, profiling, report
from tools.bench.measure import Meter, percentiles
from tools.bench.pipeline import PipelineRun, realistic_dossier
from tools.ownstack import REPOSITORY, Stack, start_stack
from tools.waiting import eventually

BENCH_PORTS = {
    "TDKT_KAFKA_PORT": "39092",
    "TDKT_KAFKA_CONTROLLER_PORT": "39093",
    "TDKT_TEMPORAL_PORT": "27233",
    "TDKT_TEMPORAL_UI_PORT": "28233",
    "TDKT_POSTGRES_PORT": "55434",
    "TDKT_MAIL_PORT": "10027",
    "TDKT_KEYCLOAK_PORT": "38180",
    "TDKT_KEYCLOAK_MANAGEMENT_PORT": "38181",
}
PIPELINE_PROCESSES = (*report.PLATFORM_PROCESSES, "kafka", "temporal", "postgres")
"""Every process of the pipeline (PostgreSQL with its backends); the load generator is measured too."""


@contextmanager
def helper_process(stack: Stack, name: str, argv: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    """A baseline's own process, stopped (SIGTERM, then SIGKILL) when the block ends."""
    log = (stack.state_dir / "logs" / f"{name}.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", *argv], cwd=REPOSITORY, env=stack.env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def bare_intake(stack: Stack, count: int, concurrency: int, seed: int) -> dict[str, Any]:
    port = apps.free_port()
    database = infra.ensure_postgres_database(f"bench_{stack.run_id}_bare")
    argv = ["tools.bench.bare_intake", "--database-url", database, "--port", str(port)]
    with helper_process(stack, "bare-intake", argv):
        url = f"http://{infra.HOST}:{port}"
        async with httpx.AsyncClient(timeout=60) as http:

            async def ready() -> bool:
                try:
                    return (await http.get(f"{url}/health/ready")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(ready, timeout=60, what="the bare FastAPI service", interval=0.2)
            rng = random.Random(seed)
            bodies = [realistic_dossier(number, rng) for number in range(count)]
            gate = asyncio.Semaphore(concurrency)
            latencies: list[float] = []

            async def one(body: dict[str, Any]) -> None:
                async with gate:
                    sent = time.time()
                    response = await http.post(f"{url}/v1/dossiers", json=body)
                    response.raise_for_status()
                    latencies.append(time.time() - sent)

            started = time.time()
            await asyncio.gather(*(one(body) for body in bodies))
            seconds = time.time() - started
    return {"throughput_per_s": round(count / seconds, 1), "submit_http": percentiles(latencies)}


async def bare_workflows(stack: Stack, count: int, concurrency: int) -> dict[str, Any]:
    queue = f"bench-{stack.run_id}.bare-{uuid.uuid4().hex[:6]}"
    address = stack.env["TDKT_TEMPORAL_ADDRESS"]
    with helper_process(
        stack,
        "bare-worker",
        ["tools.bench.bare_temporal", "worker", "--address", address, "--task-queue", queue],
    ):
        keyring = read_keyring(Path(stack.env[KEYS_FILE_VARIABLE]))
        client = await connect_temporal(KitSettings(temporal_address=address), keyring)
        started = time.time()
        runs = await bare_temporal.drive(client, queue, count, concurrency, uuid.uuid4().hex[:6])
        seconds = max(run.finished for run in runs) - started
    return {
        "throughput_per_s": round(count / seconds, 3),
        "seconds": round(seconds, 1),
        "stages": {
            "submit_to_first_task": percentiles([run.steps_done[0] - run.started for run in runs]),
            "action_to_next_task": percentiles(
                [
                    later - earlier
                    for run in runs
                    for earlier, later in zip(run.steps_done, run.steps_done[1:], strict=False)
                ]
            ),
        },
    }


@contextmanager
def own_stack(*, keep: bool) -> Iterator[Stack]:
    """A fresh stack for one load (``start_stack``), stopped after it unless ``keep``."""
    stack = start_stack("bench", BENCH_PORTS)
    try:
        yield stack
    finally:
        if not keep:
            stack.stop()


def measured_pids(stack: Stack) -> dict[str, int]:
    pids = {report.LOAD_GENERATOR: os.getpid()}
    for name in PIPELINE_PROCESSES:
        pid = stack.component(name).find_pid()
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        pids[name] = pid
    return pids


async def pipeline_load(
    stack: Stack, count: int, concurrency: int | None, rate: float | None, seed: int, profile: Path | None
) -> tuple[dict[str, Any], list[bare_kafka.Record]]:
    topics = [t for t in await _topics(stack) if not t.endswith(".dlq") and bare_kafka.TOPIC_MARK not in t]
    before = await bare_kafka.end_offsets(stack.kit, topics)
    pids = measured_pids(stack)
    meter = Meter(pids, with_children=frozenset({"postgres"}))
    meter.start()
    run = PipelineRun(stack, count, concurrency=concurrency, rate=rate, seed=seed)
    platform_pids = {name: pid for name, pid in pids.items() if name in report.PLATFORM_PROCESSES}
    with profiling.sampled(platform_pids, profile, f"{count}-{'closed' if rate is None else 'open'}"):
        await run.run()
    processes = meter.finish()
    after = await bare_kafka.end_offsets(stack.kit, topics)
    records = await bare_kafka.records_between(stack.kit, before, after)
    result = run.summary()
    result["processes"] = processes
    result["events"] = len(records)
    completed = result["completed"] or 1
    result["cpu_seconds_per_dossier"] = report.cpu_per_dossier(processes, completed)
    return result, records


async def _topics(stack: Stack) -> list[str]:
    admin = AIOKafkaAdminClient(**client_options(stack.kit))
    await admin.start()
    try:
        return [name for name in await admin.list_topics() if name.startswith(stack.kit.topic_prefix)]
    finally:
        await admin.close()


async def one_size(
    stack: Stack, count: int, concurrency: int, seed: int, profile: Path | None
) -> dict[str, Any]:
    """One load on a stack of its own (fresh databases, topics and Temporal store), so an earlier
    load's rows and histories do not weigh on it; the bare workflow last, on an empty Temporal
    store with the platform stopped, so neither pays for the other's histories."""
    say = report.say
    say(f"{count} dossiers: baseline (c) bare FastAPI + SQLModel insert")
    intake_baseline = await bare_intake(stack, count, concurrency, seed)
    say(f"{count} dossiers: the pipeline, {concurrency} in flight")
    pipeline, records = await pipeline_load(stack, count, concurrency, None, seed, profile)
    say(f"{count} dossiers: baseline (b) raw aiokafka, the pipeline's {len(records)} events")
    event_rate = len(records) / pipeline["seconds"] if pipeline["seconds"] else 10.0
    kafka_baseline = await bare_kafka.measure(
        stack.kit,
        records,
        f"{stack.kit.topic_prefix}{bare_kafka.TOPIC_MARK}{count}-{uuid.uuid4().hex[:6]}",
        stack.kit.kafka_partitions,
        paced_rate=event_rate,
    )
    say(f"{count} dossiers: baseline (a) bare Temporal workflow of the same shape, on an empty store")
    apps.stop_all(list(stack.processes.values()))
    infra.empty_temporal_store()
    infra.up("temporal")
    temporal_baseline = await bare_workflows(stack, count, concurrency)
    return report.size_result(pipeline, temporal_baseline, kafka_baseline, intake_baseline)


async def half_rate(stack: Stack, count: int, peak: float, seed: int, profile: Path | None) -> dict[str, Any]:
    rate = peak / 2
    report.say(f"open loop: {count} dossiers at {rate:.2f}/s, half the peak {peak:.2f}/s")
    pipeline, _ = await pipeline_load(stack, count, None, rate, seed + 1, profile)
    return {"rate_per_s": round(rate, 3), "peak_per_s": peak, **pipeline}


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "kafka": infra.KAFKA_VERSION,
        "database": "PostgreSQL (Debian package, the stack's own cluster)",
    }


def save(results: dict[str, Any], out: Path) -> None:
    """Results, targets and chart as far as the run has come: a long series that fails at its
    last load keeps the loads before it."""
    results["targets"] = report.targets(results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    report.chart(results, out / "bench.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench", description=(bench_doc or "").splitlines()[0]
    )
    parser.add_argument("--sizes", default="1000", help="comma-separated loads, e.g. 100,1000,5000")
    parser.add_argument("--concurrency", type=int, default=50, help="dossiers in flight (closed loop)")
    parser.add_argument(
        "--half-rate-dossiers", type=int, default=300, help="open-loop run at half the peak rate (0: none)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPOSITORY / "benchmarks")
    parser.add_argument(
        "--profile", type=Path, help="sample the platform processes with py-spy into this folder"
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the last load's stack running (its databases to inspect)"
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[str, Any] = {
        "machine": machine(),
        "settings": {"concurrency": args.concurrency, "seed": args.seed, "sizes": sizes},
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "sizes": {},
    }
    runs = len(sizes) + (1 if args.half_rate_dossiers else 0)
    for run, size in enumerate(sizes, start=1):
        with own_stack(keep=args.keep and run == runs) as stack:
            results["sizes"][str(size)] = asyncio.run(
                one_size(stack, size, args.concurrency, args.seed, args.profile)
            )
        report.print_size(size, results["sizes"][str(size)])
        save(results, args.out)
    if args.half_rate_dossiers:
        reference = results["sizes"][str(1000 if 1000 in sizes else sizes[-1])]
        with own_stack(keep=args.keep) as stack:
            results["half_rate"] = asyncio.run(
                half_rate(
                    stack, args.half_rate_dossiers, reference["throughput_per_s"], args.seed, args.profile
                )
            )
        report.print_half_rate(results["half_rate"])
        save(results, args.out)
    report.print_targets(results["targets"])
    report.say(f"results: {args.out / 'results.json'}, chart: {args.out / 'bench.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
