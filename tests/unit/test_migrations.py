"""Each service's Alembic migrations produce exactly the schema its models declare."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine
from sqlmodel import SQLModel

from servicekit import migrations
from servicekit.dedup import ProcessedEvent
from servicekit.outbox import OutboxRecord

SERVICES = ("intake", "review", "decisions", "notifications")


def _service_metadata(name: str) -> MetaData:
    module = importlib.import_module(f"services.{name}.models")
    tables = {OutboxRecord.__table__, ProcessedEvent.__table__}  # type: ignore[attr-defined]
    for value in vars(module).values():
        declared_here = isinstance(value, type) and value.__module__ == module.__name__
        if declared_here and issubclass(value, SQLModel) and hasattr(value, "__table__"):
            tables.add(value.__table__)
    metadata = MetaData()
    for table in tables:
        table.to_metadata(metadata)
    return metadata


@pytest.mark.parametrize("name", SERVICES)
def test_migrations_match_models(name: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    migrations.upgrade(Path("services") / name / "migrations", url)
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, _service_metadata(name))
    assert differences == []
