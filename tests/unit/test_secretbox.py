"""Webhook secrets at rest (``services.notifications.secretbox``): sealed under the configured key,
bound to their row, opened by any key of the setting (rotation), refused when altered; the
service does not start without a key; migration 0007 seals the secrets stored in clear before."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from servicekit.db import make_engine
from servicekit.migrations import alembic_config
from services.notifications import app, notices
from services.notifications.secretbox import KEY_SETTING, SecretBox, SecretsKeyError, new_key
from services.notifications.settings import NotificationsSettings
from services.notifications.subscriptions import new_secret

SECRET = new_secret()
"""A secret as the service makes them (made here: the repository holds none)."""
MIGRATIONS = Path(notices.__file__).parent / "migrations"


def test_a_sealed_secret_opens_for_its_row_only() -> None:
    box = SecretBox(new_key())
    sealed = box.seal(SECRET, "demo-integrator")
    assert SECRET not in sealed and sealed.startswith("aesgcm:")
    assert box.seal(SECRET, "demo-integrator") != sealed, "a fresh nonce each time"
    assert box.open(sealed, "demo-integrator") == SECRET
    with pytest.raises(SecretsKeyError):
        box.open(sealed, "second-integrator")  # copied onto another client's row
    with pytest.raises(SecretsKeyError):
        SecretBox(new_key()).open(sealed, "demo-integrator")  # a key the setting does not hold


def test_a_new_key_seals_and_the_old_one_still_opens() -> None:
    old, new = new_key(), new_key()
    sealed_before = SecretBox(old).seal(SECRET, "c")
    rotating = SecretBox(f"{new},{old}")
    assert rotating.open(sealed_before, "c") == SECRET
    assert SecretBox(new).open(rotating.seal(SECRET, "c"), "c") == SECRET


def test_a_key_is_32_bytes_of_base64_standard_or_url_safe() -> None:
    raw = bytes(range(250, 256)) * 5 + b"ab"
    assert (
        SecretBox(base64.b64encode(raw).decode()).open(
            SecretBox(base64.urlsafe_b64encode(raw).decode()).seal("s", "c"), "c"
        )
        == "s"
    )
    for bad in ("", "c2hvcnQ=", "not base64!"):
        with pytest.raises(SecretsKeyError):
            SecretBox(bad)


def test_the_service_does_not_start_without_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_SETTING, raising=False)
    with pytest.raises(RuntimeError, match=KEY_SETTING):
        app.secret_box(NotificationsSettings())


def test_the_migration_seals_the_secrets_stored_in_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'notifications.db'}"
    command.upgrade(alembic_config(MIGRATIONS, url), "0006")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO webhook_subscription (client_id, url, secret, language, active, created_at, updated_at) "
                "VALUES ('demo-integrator', 'https://hooks.example/hook', :secret, 'vi', 1, :at, :at)"
            ),
            {"secret": SECRET, "at": "2026-03-02 02:00:00"},
        )

    def stored() -> str:
        with engine.connect() as connection:
            return str(connection.execute(sa.text("SELECT secret FROM webhook_subscription")).scalar_one())

    monkeypatch.delenv(KEY_SETTING, raising=False)
    with pytest.raises(RuntimeError, match=KEY_SETTING):
        command.upgrade(alembic_config(MIGRATIONS, url), "head")
    assert stored() == SECRET, "nothing changed"

    key = new_key()
    monkeypatch.setenv(KEY_SETTING, key)
    command.upgrade(alembic_config(MIGRATIONS, url), "head")
    assert SECRET not in stored() and SecretBox(key).open(stored(), "demo-integrator") == SECRET
    command.downgrade(alembic_config(MIGRATIONS, url), "0006")
    assert stored() == SECRET
    engine.dispose()
