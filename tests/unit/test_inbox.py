"""The review inbox read model: filters, order, pagination and counts, on a migrated SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from servicekit import migrations
from servicekit.db import make_engine
from services.review import service
from services.review.models import ReviewTask, TaskQuery, TaskSort, TaskState

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
