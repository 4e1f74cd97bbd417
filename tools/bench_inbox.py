"""Benchmark of the review inbox (issue 4 §4): the inbox's usual queries with 100,000 closed tasks
beside the open ones, against the same queries on a small table in the same run.

    python -m tools.bench_inbox [--closed 100000] [--open 2000] [--organisations 200] [--repeat 30] [--postgres]

Prints median and p95 milliseconds per query and the ratio large/small: an index that works keeps
the ratio near 1 however many closed tasks pile up. Every page also counts the query's tasks by
state, whose cost follows one organisation's history: ``--organisations 4`` (the pipeline
benchmark's chain) gives each organisation 25,000 of the 100,000. No assertion: figures only.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from servicekit import migrations
from servicekit.db import make_engine
from services.review import service
from services.review.models import ReviewTask, TaskQuery, TaskSort, TaskState

MIGRATIONS = Path(__file__).resolve().parent.parent / "services" / "review" / "migrations"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def fill(engine: Engine, closed: int, open_: int, organisations: int) -> None:
    tasks = []
    for n in range(closed + open_):
        is_open = n >= closed
        tasks.append(
            ReviewTask(
                task_id=f"t{n}",
                dossier_id=f"d{n // 4}",
                workflow_id=f"review-d{n // 4}",
                level=("unit", "district", "province", "central")[n % 4],
                level_index=n % 4,
                levels_total=4,
                organisation=f"ORG-{n % organisations}",
                award_code=("BKTTG", "CSTDCS", "LDTT")[n % 3],
                submitting_organisation=f"ORG-{n % organisations}",
                state=TaskState.OPEN if is_open else TaskState.COMPLETED,
                opened_at=NOW - timedelta(minutes=closed + open_ - n),
                due_at=NOW + timedelta(hours=(n % 96) - 48),
                completed_at=None if is_open else NOW,
            )
        )
    with Session(engine) as session:  # through the ORM, as the service writes them (its tally too)
        session.add_all(tasks)
        session.commit()


QUERIES: dict[str, TaskQuery] = {
    "organisation's open tasks, oldest first": TaskQuery(organisation="ORG-3", state=TaskState.OPEN),
    "organisation's open tasks, by due date": TaskQuery(
        organisation="ORG-3", state=TaskState.OPEN, sort=TaskSort.DUE
    ),
    "all overdue tasks, page 1": TaskQuery(overdue=True, sort=TaskSort.DUE),
    "one dossier's tasks": TaskQuery(dossier_id="d123"),
}


def measure(engine: Engine, query: TaskQuery, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        with Session(engine) as session:
            service.list_tasks(session, query, NOW)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def prepared(url_for: Callable[[str], str], name: str, closed: int, open_: int, organisations: int) -> Engine:
    url = url_for(name)
    migrations.upgrade(MIGRATIONS, url)
    engine = make_engine(url)
    fill(engine, closed, open_, organisations)
    return engine


def report(
    backend: str, url_for: Callable[[str], str], closed: int, open_: int, organisations: int, repeat: int
) -> None:
    started = time.perf_counter()
    small = prepared(url_for, "small", 1000, open_, organisations)
    large = prepared(url_for, "large", closed, open_, organisations)
    print(
        f"\n{backend}: {closed:,} closed + {open_:,} open tasks in {organisations} organisations "
        f"(filled in {time.perf_counter() - started:.1f} s)"
    )
    print(f"{'query':<42} {'small p50':>9} {'large p50':>9} {'large p95':>9} {'ratio':>6}")
    for label, query in QUERIES.items():
        small_ms = statistics.median(measure(small, query, repeat))
        large_runs = sorted(measure(large, query, repeat))
        large_ms = statistics.median(large_runs)
        p95 = large_runs[int(0.95 * (len(large_runs) - 1))]
        print(f"{label:<42} {small_ms:>8.2f}ms {large_ms:>8.2f}ms {p95:>8.2f}ms {large_ms / small_ms:>5.1f}x")
    small.dispose()
    large.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=2_000, dest="open_")
    parser.add_argument("--organisations", type=int, default=200, help="the tasks are spread over this many")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres", action="store_true", help="also on the local PostgreSQL (deploy.infra)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        report(
            "SQLite",
            lambda name: f"sqlite:///{folder}/{name}.db",
            args.closed,
            args.open_,
            args.organisations,
            args.repeat,
        )
    if args.postgres:
        from deploy import infra

        names = {name: f"tdkt_bench_inbox_{name}" for name in ("small", "large")}
        try:
            report(
                "PostgreSQL",
                lambda name: infra.ensure_postgres_database(names[name]),
                args.closed,
                args.open_,
                args.organisations,
                args.repeat,
            )
        finally:
            for database in names.values():
                infra.drop_postgres_database(database)


if __name__ == "__main__":
    main()
