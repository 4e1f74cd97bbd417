"""The review inbox read model: filters, order, pagination and counts, on a migrated SQLite file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from servicekit import migrations
from servicekit.db import make_engine
from services.review import service
from services.review.models import ReviewTask, TaskQuery, TaskSort, TaskState, TaskTally

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    migrations.upgrade(Path("services/review/migrations"), url)
    engine = make_engine(url)
    with Session(engine) as session:
        for n, (organisation, state, level, due_in_hours) in enumerate(
            [
                ("AH-DS-TT", TaskState.OPEN, "unit", -5),  # overdue
                ("AH-DS-TT", TaskState.OPEN, "unit", 30),
                ("AH-DS-TT", TaskState.OPEN, "unit", None),
                ("AH-DS-TT", TaskState.COMPLETED, "unit", -50),  # closed: never overdue
                ("AH-DS", TaskState.OPEN, "district", -1),  # overdue, another organisation
            ]
        ):
            session.add(
                ReviewTask(
                    task_id=f"t{n}",
                    dossier_id=f"d{n}",
                    workflow_id=f"review-d{n}",
                    level=level,
                    level_index=0 if level == "unit" else 1,
                    levels_total=4,
                    organisation=organisation,
                    award_code="BKTTG" if n % 2 == 0 else "CSTDCS",
                    submitting_organisation="AH-DS-TT-THCS",
                    state=state,
                    opened_at=NOW - timedelta(hours=100 - n),
                    due_at=None if due_in_hours is None else NOW + timedelta(hours=due_in_hours),
                )
            )
        session.commit()
    yield engine
    engine.dispose()


def _page(engine: Engine, **filters: object) -> tuple[list[str], dict[str, int], int]:
    with Session(engine) as session:
        page = service.list_tasks(session, TaskQuery.model_validate(filters), NOW)
    return [item.task_id for item in page.items], page.counts.model_dump(), page.total


def test_an_organisations_open_tasks_with_counts(engine: Engine) -> None:
    ids, counts, total = _page(engine, organisation="AH-DS-TT", state="open")
    assert ids == ["t0", "t1", "t2"] and total == 3
    assert counts == {"open": 3, "completed": 1, "cancelled": 0, "overdue": 1}


def test_overdue_is_open_and_past_due(engine: Engine) -> None:
    ids, _, _ = _page(engine, overdue=True)
    assert ids == ["t0", "t4"]
    not_overdue, _, _ = _page(engine, overdue=False, organisation="AH-DS-TT")
    assert not_overdue == ["t1", "t2", "t3"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (TaskSort.OPENED, ["t0", "t1", "t2", "t3", "t4"]),
        (TaskSort.OPENED_DESC, ["t4", "t3", "t2", "t1", "t0"]),
        (TaskSort.DUE, ["t3", "t0", "t4", "t1", "t2"]),  # no due date last
        (TaskSort.LEVEL, ["t0", "t1", "t2", "t3", "t4"]),
    ],
)
def test_sorting(engine: Engine, sort: TaskSort, expected: list[str]) -> None:
    assert _page(engine, sort=sort)[0] == expected


def test_pagination_and_other_filters(engine: Engine) -> None:
    assert _page(engine, limit=2, offset=1)[0] == ["t1", "t2"]
    assert _page(engine, award_code="CSTDCS")[0] == ["t1", "t3"]
    assert _page(engine, level="district")[0] == ["t4"]
    assert _page(engine, due_before=NOW)[0] == ["t0", "t3", "t4"]


def test_views_flag_overdue_tasks(engine: Engine) -> None:
    with Session(engine) as session:
        views = {task.task_id: service.to_view(task, NOW) for task in session.exec(select(ReviewTask)).all()}
    assert {task_id for task_id, view in views.items() if view.overdue} == {"t0", "t4"}


def _expected_counts(engine: Engine, **filters: str) -> dict[str, int]:
    """The oracle: every task read back and counted here, against the tally's counts."""
    with Session(engine) as session:
        tasks = session.exec(select(ReviewTask)).all()
    counted = Counter(task.state for task in tasks if all(getattr(task, k) == v for k, v in filters.items()))
    return {state: counted.get(state, 0) for state in ("open", "completed", "cancelled")}


def test_counts_follow_every_change_of_a_task(engine: Engine) -> None:
    with Session(engine) as session:
        first, second = session.get(ReviewTask, "t0"), session.get(ReviewTask, "t1")
        assert first is not None and second is not None
        first.state = TaskState.COMPLETED
        second.state = TaskState.CANCELLED
        session.add_all([first, second])
        template = first.model_dump(exclude={"task_id", "state", "role", "organisation"})
        session.add(ReviewTask(task_id="t5", state=TaskState.OPEN, role=None, organisation=None, **template))
        session.add(
            ReviewTask(
                task_id="t6", state=TaskState.COMPLETED, role="officer", organisation="AH-DS-TT", **template
            )
        )
        session.commit()
    with Session(engine) as session:
        third, fourth = session.get(ReviewTask, "t2"), session.get(ReviewTask, "t4")
        assert third is not None and fourth is not None
        third.state = TaskState.CANCELLED
        session.add(third)
        session.flush()
        third.state = TaskState.OPEN  # back where it was, within the transaction
        session.add(third)
        session.delete(fourth)
        session.commit()

    for filters in (
        {},
        {"organisation": "AH-DS-TT"},
        {"organisation": "AH-DS"},
        {"organisation": "AH-DS-TT", "level": "unit", "award_code": "BKTTG"},
        {"role": "officer"},
        {"level": "district"},
    ):
        counts = _page(engine, **filters)[1]
        assert {state: counts[state] for state in ("open", "completed", "cancelled")} == _expected_counts(
            engine, **filters
        ), filters
    # the tally answers the page's total too, whatever the state asked for
    assert _page(engine, organisation="AH-DS-TT", state="completed")[2] == 3
    assert _page(engine, organisation="AH-DS-TT")[2] == 5


def test_filters_the_tally_cannot_answer_count_the_tasks(engine: Engine) -> None:
    # the tally holds an absent organisation as "", but no task has the organisation ""
    assert _page(engine, organisation="")[1:] == (
        {"open": 0, "completed": 0, "cancelled": 0, "overdue": 0},
        0,
    )
    _, counts, total = _page(engine, dossier_id="d3")
    assert (counts["completed"], total) == (1, 1)


def test_the_migration_tallies_the_tasks_already_there(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    config = migrations.alembic_config(Path("services/review/migrations"), url)
    command.upgrade(config, "0006")
    engine = make_engine(url)
    with engine.begin() as connection:
        for n, (organisation, role, state) in enumerate(
            [
                ("AH", "leader", "open"),
                ("AH", "leader", "completed"),
                ("AH", "leader", "completed"),
                (None, None, "open"),
            ]
        ):
            connection.execute(
                text(
                    "INSERT INTO review_task (task_id, dossier_id, workflow_id, level, level_index, "
                    "levels_total, version, role, organisation, award_code, submitting_organisation, "
                    "state, opened_at) VALUES (:id, 'd', 'w', 'province', 2, 4, 1, :role, :organisation, "
                    "'BKUBND', 'AH-DS', :state, '2026-11-24 09:00:00')"
                ),
                {"id": f"t{n}", "role": role, "organisation": organisation, "state": state},
            )
    command.upgrade(config, "head")
    with Session(engine) as session:
        tallies = {
            (row.organisation, row.role, row.state): row.tasks
            for row in session.exec(select(TaskTally)).all()
        }
    engine.dispose()
    assert tallies == {("AH", "leader", "open"): 1, ("AH", "leader", "completed"): 2, ("", "", "open"): 1}


def test_a_drifted_tally_is_recounted_from_the_tasks(tmp_path: Path) -> None:
    """Databases where the action and the consumer both closed tasks hold negative counts (issue
    18: ``open: -7, completed: 30`` beside 2 open and 21 completed tasks): the migration repairs them."""
    url = f"sqlite:///{tmp_path / 'review.db'}"
    config = migrations.alembic_config(Path("services/review/migrations"), url)
    command.upgrade(config, "0007")
    engine = make_engine(url)
    with engine.begin() as connection:
        for n in range(23):
            connection.execute(
                text(
                    "INSERT INTO review_task (task_id, dossier_id, workflow_id, level, level_index, "
                    "levels_total, version, role, organisation, award_code, submitting_organisation, "
                    "state, opened_at) VALUES (:id, 'd', 'w', 'district', 1, 4, 1, 'clerk', 'AH-DS-TT', "
                    "'CSTDCS', 'AH-DS-TT-THCS', :state, '2026-11-24 09:00:00')"
                ),
                {"id": f"t{n}", "state": "open" if n < 2 else "completed"},
            )
        connection.execute(
            text(
                "INSERT INTO review_task_tally (organisation, level, role, award_code, state, tasks) "
                "VALUES ('AH-DS-TT', 'district', 'clerk', 'CSTDCS', 'open', -7), "
                "('AH-DS-TT', 'district', 'clerk', 'CSTDCS', 'completed', 30)"
            )
        )
    assert _page(engine, organisation="AH-DS-TT")[1:] == (
        {"open": -7, "completed": 30, "cancelled": 0, "overdue": 0},
        23,
    ), "the drift as it was seen"
    command.upgrade(config, "head")
    _, counts, total = _page(engine, organisation="AH-DS-TT")
    engine.dispose()
    assert (counts["open"], counts["completed"], total) == (2, 21, 23)
