"""The database layer against the real PostgreSQL: pooled connections that died with a database
restart cost no failed transaction (no ping before each one)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from deploy import infra
from servicekit.db import make_engine, run_in_session


@pytest.fixture
async def engine(infrastructure: None) -> AsyncIterator[Engine]:
    name = f"tdkt_test_db_{uuid.uuid4().hex[:8]}"
    engine = make_engine(await asyncio.to_thread(infra.ensure_postgres_database, name))
    yield engine
    engine.dispose()
    await asyncio.to_thread(infra.drop_postgres_database, name)


def _backend_pid(session: Session) -> int:
    pid: int = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return pid


async def test_a_transaction_on_a_connection_the_database_dropped_runs_again_on_a_new_one(
    engine: Engine,
) -> None:
    first = await run_in_session(engine, _backend_pid)  # the pool now holds this connection
    admin = make_engine(infra.postgres_url("postgres"))
    try:
        with admin.connect() as connection:
            ended = connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar()
    finally:
        admin.dispose()
    assert ended  # as a database restart would end it

    second = await run_in_session(engine, _backend_pid)
    assert second != first  # ran, on a fresh connection
