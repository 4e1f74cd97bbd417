"""Database engine and sessions: one code path for SQLite (embedded default) and PostgreSQL.

Sessions are synchronous SQLModel sessions run in a worker thread from async code
(``run_in_session``), which keeps one code path for both databases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

T = TypeVar("T")


def lock_for_transaction(session: Session, key: str) -> None:
    """Make transactions that name the same ``key`` wait for each other until commit: a
    PostgreSQL advisory lock. SQLite needs none: ``BEGIN IMMEDIATE`` already queues writers."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


MAX_INTEGER = 2_147_483_647
"""The largest value an ``integer`` column holds (PostgreSQL's, 32 bits): a number a request names
(a version, a line) is refused above it as invalid, rather than overflowing in the database (500)."""
MAX_PAGE_OFFSET = 10_000_000
"""The largest ``offset`` a paged query takes: beyond any table here, and far inside a 64-bit
integer, which SQLite and PostgreSQL refuse to exceed."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers queue instead of
        # failing on lock upgrade; it is what makes read-modify-write (numbering) safe on SQLite.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    # No pool_pre_ping: a round trip before every transaction (≈ 5 % of a busy service's time in
    # the benchmark's profile); a connection found dead is handled in run_in_session instead.
    return create_engine(url, pool_size=5, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


async def run_in_session(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction on a worker thread; commit on success, roll back on error.
    A transaction whose pooled connection had died (the database restarted) before its commit was
    sent changed nothing; the pool has then dropped its old connections, and it runs once more. A
    connection lost during the commit is not retried: the database may have committed."""

    commit_sent = False

    def in_transaction() -> T:
        nonlocal commit_sent
        with Session(engine, expire_on_commit=False) as session:
            result = work(session)
            commit_sent = True
            session.commit()
            return result

    def with_one_reconnect() -> T:
        try:
            return in_transaction()
        except DBAPIError as error:
            if commit_sent or not error.connection_invalidated:
                raise
            return in_transaction()

    return await anyio.to_thread.run_sync(with_one_reconnect)


def insert_on_conflict(session: Session) -> Any:
    """The ``insert`` of the session's database that knows ``ON CONFLICT`` (PostgreSQL's or SQLite's):
    a row created if missing, or upserted, without a race between instances."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
