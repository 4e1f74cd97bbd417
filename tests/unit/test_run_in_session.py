"""When ``run_in_session`` runs a transaction again after a lost connection, and when it must not
(the real PostgreSQL case is in tests/integration/test_database.py; here the connection's loss is
raised by hand, since only the decision to retry is under test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from servicekit.db import make_engine, run_in_session


def _lost_connection() -> DBAPIError:
    return DBAPIError(
        "SELECT 1", None, Exception("server closed the connection"), connection_invalidated=True
    )


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")


class Work:
    """A transaction's work that counts its runs and fails its first ``failures`` of them."""

    def __init__(self, failures: list[DBAPIError]) -> None:
        self.failures = failures
        self.runs = 0

    def __call__(self, _session: Session) -> str:
        self.runs += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


async def test_a_connection_found_dead_before_the_commit_runs_the_work_once_more(engine: Engine) -> None:
    work = Work([_lost_connection()])
    assert await run_in_session(engine, work) == "done"
    assert work.runs == 2


async def test_a_second_lost_connection_is_the_callers(engine: Engine) -> None:
    work = Work([_lost_connection(), _lost_connection()])
    with pytest.raises(DBAPIError):
        await run_in_session(engine, work)
    assert work.runs == 2


async def test_any_other_database_error_is_not_retried(engine: Engine) -> None:
    work = Work([OperationalError("INSERT", None, Exception("disk full"))])
    with pytest.raises(OperationalError):
        await run_in_session(engine, work)
    assert work.runs == 1


async def test_a_connection_lost_during_the_commit_is_not_retried(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the database may have committed before the answer was lost: running the work again could
    # accept a dossier twice
    def commit_lost(_session: Session) -> None:
        raise _lost_connection()

    monkeypatch.setattr(Session, "commit", commit_lost)
    work = Work([])
    with pytest.raises(DBAPIError):
        await run_in_session(engine, work)
    assert work.runs == 1
