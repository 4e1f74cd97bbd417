"""What the operators' commands share: the settings of the stack they run beside
(``servicekit.settings.for_command``: the environment, then the stack's record, then the
defaults), a service's database only where it already is, and a plain refusal — a message in
Vietnamese and English on stderr, exit status 2, no traceback — when it is not.

A command never creates a database: a SQLite file that is not there is refused before anything
opens it, and a PostgreSQL database that does not exist or holds no tables is refused too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from servicekit.db import make_engine
from servicekit.settings import KitSettings, ServiceSettings, describe_resolution

REFUSED = 2
"""The exit status of a refused command (argparse uses it for a bad command line too)."""


class Refused(Exception):
    """The command cannot run here; the message says why, in both languages."""

    def __init__(self, message_vi: str, message_en: str, detail: str = "") -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.detail = detail

    def __str__(self) -> str:
        lines = [self.message_vi, self.message_en, *([self.detail] if self.detail else [])]
        return "\n".join(lines)


def refuse(error: Refused) -> int:
    print(f"error: {error}", file=sys.stderr)
    return REFUSED


def existing_database(service: str, settings: ServiceSettings, kit: KitSettings, table: str) -> Engine:
    """An engine on ``service``'s database, which must exist and hold ``table`` (the service has
    started on it once and migrated it); :class:`Refused` otherwise."""
    url = make_url(settings.resolved_database_url(service, kit))
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not url.database or not path.is_file():
            raise Refused(
                f"Không có cơ sở dữ liệu của {service} tại {path}.",
                f"There is no {service} database at {path}.",
                describe_resolution(),
            )
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            migrated = inspect(connection).has_table(table)
    except SQLAlchemyError as error:
        engine.dispose()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise Refused(
            f"Không kết nối được cơ sở dữ liệu của {service} ({shown}).",
            f"Cannot open the {service} database ({shown}): {reason}",
            describe_resolution(),
        ) from error
    if not migrated:
        engine.dispose()
        raise Refused(
            f"Cơ sở dữ liệu của {service} ({shown}) chưa có bảng {table}.",
            f"The {service} database ({shown}) has no table {table}: has {service} ever started on it?",
            describe_resolution(),
        )
    return engine
