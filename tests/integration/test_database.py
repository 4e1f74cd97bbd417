"""The database layer against the real PostgreSQL: pooled connections that died with a database
restart cost no failed transaction (no ping before each one); every connection needs its role's
password, and each service's role reaches its own database only (issue 21 §5)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from deploy import apps, infra
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
    admin = make_engine(infra.database_url("postgres"))
    try:
        with admin.connect() as connection:
            ended = connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar()
    finally:
        admin.dispose()
    assert ended  # as a database restart would end it

    second = await run_in_session(engine, _backend_pid)
    assert second != first  # ran, on a fresh connection


def _connects(url: str) -> str:
    """ "ok", or the refusal's message."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except OperationalError as error:
        return str(error.orig)
    finally:
        engine.dispose()


async def test_a_services_role_reaches_its_own_database_only_and_nobody_connects_without_a_password(
    infrastructure: None,
) -> None:
    run = uuid.uuid4().hex[:8]
    mine, theirs = f"tdkt_test_{run}_intake", f"tdkt_test_{run}_review"
    try:
        own = await asyncio.to_thread(infra.ensure_postgres_database, mine, apps.database_role("intake"))
        await asyncio.to_thread(infra.ensure_postgres_database, theirs, apps.database_role("review"))
        assert await asyncio.to_thread(_connects, own) == "ok"
        intake_into_review = infra.database_url(theirs, apps.database_role("intake"))
        assert "permission denied for database" in await asyncio.to_thread(_connects, intake_into_review)
        for who in (infra.POSTGRES_USER, apps.database_role("intake")):
            refused = await asyncio.to_thread(_connects, infra.postgres_url(mine, who))
            assert "password" in refused, f"{who} without a password: {refused}"
        guessed = await asyncio.to_thread(
            _connects, infra.postgres_url(mine, apps.database_role("intake"), "guess")
        )
        assert "password authentication failed" in guessed
    finally:
        for name in (mine, theirs):
            await asyncio.to_thread(infra.drop_postgres_database, name)
