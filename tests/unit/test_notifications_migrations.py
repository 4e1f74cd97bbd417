"""Notifications' data migrations: preferences kept as columns per recipient (``in_app``, ``email``,
``email_address``) become one row per recipient and channel, and a delivery's attachment columns
its ``channel_data`` — read back as the service reads them, and back again on downgrade."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel import Session

from servicekit.db import make_engine
from servicekit.migrations import alembic_config
from services.notifications import notices, preferences
from services.notifications.channels.base import ChannelChoice
from services.notifications.models import Delivery

MIGRATIONS = Path(notices.__file__).parent / "migrations"
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
BEFORE_CHANNELS = "0004"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'notifications.db'}"


@pytest.fixture
def old_database(url: str) -> Iterator[Engine]:
    """A database at the schema before channels, holding preferences and deliveries of that time."""
    command.upgrade(alembic_config(MIGRATIONS, url), BEFORE_CHANNELS)
    engine = make_engine(url)
    preference = "INSERT INTO recipient_preference VALUES (:recipient, :in_app, :email, :address, :digest, :lang, 'x', :at)"
    delivery = (
        "INSERT INTO delivery (id, channel, recipient, target, status, attempts, next_attempt_at, subject, body, "
        "attachment_decision_id, attachment_line, attachment_name, cause_event_id, interrupted, trace_carrier, "
        "created_at) VALUES (:id, 'email', 'nominee:d-1.v1.1', 'khai@example.vn', 'pending', 0, :at, 's', 'b', "
        ":decision, :line, :name, 'e-1', 0, '{}', :at)"
    )
    with engine.begin() as connection:
        connection.execute(
            sa.text(preference),
            [
                {"recipient": "AH-DS-TT", "in_app": False, "email": True, "address": "vt@ahdstt.example.vn"}
                | {"digest": True, "lang": "en", "at": AT},
                {"recipient": "AH-DS-TT#clerk", "in_app": True, "email": False, "address": None}
                | {"digest": False, "lang": "vi", "at": AT},
            ],
        )
        connection.execute(
            sa.text(delivery),
            [
                {"id": "with", "decision": "q-1", "line": 2, "name": "bang-khen-07-qd-ttg-2.pdf", "at": AT},
                {"id": "without", "decision": None, "line": None, "name": None, "at": AT},
            ],
        )
    yield engine
    engine.dispose()


def test_old_preferences_and_attachments_read_back_after_the_migration(
    old_database: Engine, url: str
) -> None:
    command.upgrade(alembic_config(MIGRATIONS, url), "head")
    with Session(old_database) as session:
        organisation = preferences.preference_view(session, "AH-DS-TT", ["in_app", "email"])
        clerk = preferences.preference_view(session, "AH-DS-TT#clerk", [])
        book = preferences.RecipientBook(session)
        assert book.choice("AH-DS-TT", "email") == ChannelChoice(True, "vt@ahdstt.example.vn")
        assert book.choice("AH-DS-TT#clerk", "email") == ChannelChoice(False, None)
        assert (book.language("AH-DS-TT"), book.digest_reminders("AH-DS-TT")) == ("en", True)
        attached = session.get_one(Delivery, "with").channel_data
        plain = session.get_one(Delivery, "without").channel_data
    assert (organisation.in_app, organisation.email, organisation.email_address) == (
        False,
        True,
        "vt@ahdstt.example.vn",
    )
    assert (organisation.digest_reminders, organisation.language, organisation.updated_at) == (True, "en", AT)
    assert [(c.channel, c.enabled, c.address) for c in organisation.channels] == [
        ("in_app", False, None),
        ("email", True, "vt@ahdstt.example.vn"),
    ]
    assert (clerk.in_app, clerk.email, clerk.email_address) == (True, False, None)
    assert attached == {
        "attachment": {"decision_id": "q-1", "line_number": 2, "file_name": "bang-khen-07-qd-ttg-2.pdf"}
    }
    assert plain == {}


def test_the_migration_goes_back_to_the_old_columns(old_database: Engine, url: str) -> None:
    config = alembic_config(MIGRATIONS, url)
    command.upgrade(config, "head")
    command.downgrade(config, BEFORE_CHANNELS)
    with old_database.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT recipient, in_app, email, email_address FROM recipient_preference ORDER BY recipient"
            )
        ).all()
        attachments = connection.execute(
            sa.text(
                "SELECT id, attachment_decision_id, attachment_line, attachment_name FROM delivery ORDER BY id"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("AH-DS-TT", False, True, "vt@ahdstt.example.vn"),
        ("AH-DS-TT#clerk", True, False, None),
    ]
    assert [tuple(row) for row in attachments] == [
        ("with", "q-1", 2, "bang-khen-07-qd-ttg-2.pdf"),
        ("without", None, None, None),
    ]
