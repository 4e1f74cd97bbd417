"""Review's task tally on the real PostgreSQL: transactions that open and close tasks of the same
kind at once keep the counts exact, and never deadlock on the rows they share."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from contracts.events import (
    DossierWithdrawn,
    ReviewAction,
    ReviewLevel,
)
from contracts.workflow import TaskActionResult
from deploy import infra
from servicekit import migrations
from servicekit.db import make_engine, run_in_session
from services.review import service
from services.review.models import ReviewTask, TaskQuery, TaskState
from tests.support import events

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
KINDS = [("AH", "clerk"), ("AH", "leader"), ("TTG", "clerk")]


@pytest.fixture
async def engine(infrastructure: None) -> AsyncIterator[Engine]:
    name = f"tdkt_test_tally_{uuid.uuid4().hex[:8]}"
    url = await asyncio.to_thread(infra.ensure_postgres_database, name)
    await asyncio.to_thread(migrations.upgrade, Path("services/review/migrations"), url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    await asyncio.to_thread(infra.drop_postgres_database, name)


def _task(number: int) -> ReviewTask:
    organisation, role = KINDS[number % len(KINDS)]
    return ReviewTask(
        task_id=f"t{number}",
        dossier_id=f"d{number}",
        workflow_id=f"review-d{number}",
        level="province",
        level_index=2,
        levels_total=4,
        role=role,
        organisation=organisation,
        award_code="BKUBND",
        submitting_organisation="AH-DS",
        opened_at=NOW,
    )


def _closing(numbers: list[int], state: TaskState) -> Callable[[Session], None]:
    def close(session: Session) -> None:
        # a withdrawal closes several tasks in one transaction, in no particular order
        for number in numbers:
            task = session.get(ReviewTask, f"t{number}")
            assert task is not None
            task.state = state
            session.add(task)

    return close


def _opening(number: int) -> Callable[[Session], None]:
    return lambda session: session.add(_task(number))


def _counts(session: Session) -> list[tuple[dict[str, int], dict[str, int]]]:
    """For each kind of task and for all: the inbox's counts (from the tally) and a full count."""
    pairs = []
    for organisation, role in [*KINDS, (None, None)]:
        page = service.list_tasks(session, TaskQuery(organisation=organisation, role=role), NOW)
        live = select(ReviewTask.state, func.count()).group_by(col(ReviewTask.state))
        if organisation is not None:
            live = live.where(ReviewTask.organisation == organisation, ReviewTask.role == role)
        counted = dict(session.exec(live).all())
        pairs.append(
            (
                {
                    "open": page.counts.open,
                    "completed": page.counts.completed,
                    "cancelled": page.counts.cancelled,
                    "total": page.total,
                },
                {state: counted.get(state, 0) for state in ("open", "completed", "cancelled")}
                | {"total": sum(counted.values())},
            )
        )
    return pairs


async def test_concurrent_openings_and_closings_keep_the_counts_exact(engine: Engine) -> None:
    await run_in_session(engine, lambda session: session.add_all([_task(n) for n in range(60)]))

    work = [_closing([n], TaskState.COMPLETED) for n in range(0, 40)]
    work += [_closing([n, 99 - n], TaskState.CANCELLED) for n in range(40, 45)]  # 40–44 with 59–55
    work += [_opening(n) for n in range(60, 90)]
    await asyncio.gather(*(run_in_session(engine, one) for one in work))

    pairs = await run_in_session(engine, _counts)
    for tallied, counted in pairs:
        assert tallied == counted
    assert pairs[-1][0] == {"open": 40, "completed": 40, "cancelled": 10, "total": 90}


def _at_once(barrier: threading.Barrier, work: Callable[[Session], None]) -> Callable[[Session], None]:
    """``work`` released together with its rival's, before either reads the task (the session has
    not taken a connection yet): both transactions then read it before either commits."""

    def together(session: Session) -> None:
        barrier.wait(timeout=30)
        work(session)

    return together


def _action(number: int) -> Callable[[Session], None]:
    result = TaskActionResult(
        task_id=f"t{number}",
        action=ReviewAction.APPROVE,
        level=ReviewLevel.PROVINCE,
        next_level=None,
        acted_at=NOW,
    )
    return lambda session: service.record_action(session, result, "lanh-dao")


def _task_completed(number: int) -> Callable[[Session], None]:
    event = events.task_completed(f"d{number}", f"t{number}")
    return lambda session: service.apply_review_event(session, event)


def _withdrawal(number: int) -> Callable[[Session], None]:
    event = events.closed(DossierWithdrawn, f"d{number}", "rút hồ sơ")
    return lambda session: service.apply_review_event(session, event)


async def test_the_action_and_the_consumer_closing_the_same_tasks_at_once_count_each_once(
    engine: Engine,
) -> None:
    """Issue 18: the HTTP action (``record_action``) and the task.completed consumer both closed
    the task; each read it open, and the inbox answered ``open: -7``."""
    tasks = 48
    await run_in_session(engine, lambda session: session.add_all([_task(n) for n in range(tasks)]))
    rivals = [(_action(n), _task_completed(n) if n % 4 else _withdrawal(n)) for n in range(tasks)]
    for batch in range(0, tasks, 12):  # 24 transactions at a time, within the pool and the threads
        together = rivals[batch : batch + 12]
        barriers = [threading.Barrier(2) for _ in together]
        await asyncio.gather(
            *(
                run_in_session(engine, _at_once(barrier, work))
                for (first, second), barrier in zip(together, barriers, strict=True)
                for work in (first, second)
            )
        )

    pairs = await run_in_session(engine, _counts)
    for tallied, counted in pairs:
        assert tallied == counted
    everything, _ = pairs[-1]
    assert everything["open"] == 0, "every task closed"
    assert everything["completed"] + everything["cancelled"] == tasks, "and counted once"
