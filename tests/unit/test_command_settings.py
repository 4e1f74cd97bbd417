"""How an operator's command resolves its settings (``servicekit.settings.for_command``): the
environment first, then the record the running stack wrote (``deploy.apps.record_stack``), then
the defaults; and how it refuses, without a traceback or a stray file, when nothing is there."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from clients.intake import intake_url
from deploy import apps, infra, stack
from servicekit import replay
from servicekit.commands import REFUSED
from servicekit.settings import (
    STACK_RECORD,
    KitSettings,
    for_command,
    recorded_stack,
    service_url,
    stack_value,
)
from services.intake import audit
from services.intake.settings import IntakeSettings
from services.notifications import cli as notifications_cli
from services.notifications.settings import NotificationsSettings


@pytest.fixture
def stack_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty stack folder and an environment with no ``TDKT_*`` variable but ``TDKT_STACK_DIR``."""
    for name in list(os.environ):
        if name.startswith("TDKT_"):
            monkeypatch.delenv(name)
    folder = tmp_path / "stack"
    monkeypatch.setenv("TDKT_STACK_DIR", str(folder))
    return folder


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*")) if folder.exists() else []


def test_a_command_reads_the_environment_then_the_stacks_record_then_the_defaults(
    stack_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert for_command(IntakeSettings).database_url is None
    assert for_command(KitSettings).data_dir == stack_dir.resolve() / "data"
    assert for_command(KitSettings).kafka_bootstrap_servers == "127.0.0.1:19092"

    apps.record_stack(
        {
            "TDKT_INTAKE_DATABASE_URL": "postgresql+psycopg://tdkt@127.0.0.1:55432/tdkt_intake",
            "TDKT_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:29092",
            "TDKT_TOPIC_PREFIX": "mine.",
            "TDKT_INTAKE_HTTP_PORT": "9001",
            "PATH": "/usr/bin",
        },
        stack_dir,
    )
    assert for_command(IntakeSettings).database_url == "postgresql+psycopg://tdkt@127.0.0.1:55432/tdkt_intake"
    assert for_command(IntakeSettings).http_port == 9001
    assert for_command(NotificationsSettings).database_url is None
    kit = for_command(KitSettings)
    assert (kit.kafka_bootstrap_servers, kit.topic_prefix) == ("127.0.0.1:29092", "mine.")
    assert "PATH" not in recorded_stack()
    assert intake_url() == "http://127.0.0.1:9001"
    assert (stack_dir / STACK_RECORD).stat().st_mode & 0o777 == 0o600

    monkeypatch.setenv("TDKT_INTAKE_DATABASE_URL", "sqlite:////elsewhere/intake.db")
    monkeypatch.setenv("TDKT_INTAKE_URL", "http://intake.example:80")
    assert for_command(IntakeSettings).database_url == "sqlite:////elsewhere/intake.db"
    assert intake_url() == "http://intake.example:80"
    # a service reads its environment only: the record is the commands'
    assert IntakeSettings().http_port == 8001
    assert KitSettings().kafka_bootstrap_servers == "127.0.0.1:19092"


def test_the_kafka_port_gives_the_bootstrap_servers_unless_they_are_named(
    stack_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps.record_stack({"TDKT_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:29092"}, stack_dir)
    monkeypatch.setenv("TDKT_KAFKA_PORT", "39092")
    assert for_command(KitSettings).kafka_bootstrap_servers == "127.0.0.1:39092"
    assert KitSettings().kafka_bootstrap_servers == "127.0.0.1:39092"
    monkeypatch.setenv("TDKT_KAFKA_BOOTSTRAP_SERVERS", "broker:9092")
    assert for_command(KitSettings).kafka_bootstrap_servers == "broker:9092"


def test_the_record_keeps_every_value_as_it_was(stack_dir: Path) -> None:
    values = {
        "TDKT_DECISIONS_BATCHES": json.dumps([{"award_code": "LDTT", "period": "month"}]),
        "TDKT_QUOTED": 'it\'s a "test" with \\ and $HOME and # not a comment',
        "TDKT_MULTILINE": "one\ntwo",
        "TDKT_EMPTY": "",
    }
    apps.record_stack(values, stack_dir)
    assert {name: value for name, value in recorded_stack().items()} == values
    assert stack_value("TDKT_EMPTY", "default") == "default"


def test_make_ups_environment_resolves_to_its_postgresql_or_sqlite_databases(
    stack_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TDKT_KAFKA_PORT", "29092")
    monkeypatch.setenv("TDKT_POSTGRES_PORT", "45432")
    monkeypatch.setenv("TDKT_NOTIFICATIONS_HTTP_PORT", "9004")
    apps.record_stack(stack.app_environment(), stack_dir)
    monkeypatch.delenv("TDKT_KAFKA_PORT")
    monkeypatch.delenv("TDKT_NOTIFICATIONS_HTTP_PORT")
    assert for_command(IntakeSettings).database_url == infra.database_url("tdkt_intake", "tdkt_intake")
    assert "45432" in (for_command(NotificationsSettings).database_url or "")
    assert for_command(KitSettings).kafka_bootstrap_servers == "127.0.0.1:29092"
    assert service_url("notifications", 8004) == "http://127.0.0.1:9004"
    recorded = recorded_stack()  # where the tools find the demo client and who issues tokens
    assert recorded["TDKT_DEMO_CLIENT_FILE"] == str(stack_dir.resolve() / "secrets" / "demo-client.json")
    assert recorded["TDKT_AUTH_ISSUER"] == "http://127.0.0.1:18080/realms/tdkt"

    monkeypatch.setenv("TDKT_STACK_DATABASE", "sqlite")
    apps.record_stack(stack.app_environment(), stack_dir)
    monkeypatch.delenv("TDKT_STACK_DATABASE")
    settings, kit = for_command(IntakeSettings), for_command(KitSettings)
    assert settings.resolved_database_url("intake", kit) == f"sqlite:///{stack_dir.resolve()}/data/intake.db"


def test_stopping_the_whole_platform_removes_its_record(stack_dir: Path) -> None:
    processes = apps.app_processes({"TDKT_X": "1"}, stack_dir)
    apps.record_stack({"TDKT_X": "1"}, stack_dir)
    apps.stop_all(processes[:1])
    assert (stack_dir / STACK_RECORD).exists()
    apps.stop_all(processes)
    assert not (stack_dir / STACK_RECORD).exists()


Command = Callable[[list[str]], int]
DATABASE_COMMANDS: list[tuple[Command, list[str], str]] = [
    (audit.main, ["verify"], "intake"),
    (notifications_cli.main, ["redeliver", "--dead"], "notifications"),
    (notifications_cli.main, ["deliveries"], "notifications"),
]
COMMAND_IDS = ["audit-verify", "notifications-redeliver", "notifications-deliveries"]


@pytest.mark.parametrize(("main", "argv", "service"), DATABASE_COMMANDS, ids=COMMAND_IDS)
def test_a_command_refuses_when_nothing_runs_and_creates_no_database(
    stack_dir: Path, capsys: pytest.CaptureFixture[str], main: Command, argv: list[str], service: str
) -> None:
    assert main(argv) == REFUSED
    err = capsys.readouterr().err
    assert f"There is no {service} database at {stack_dir.resolve()}/data/{service}.db" in err
    assert "is the stack running? (`make up`)" in err
    assert "Traceback" not in err
    assert _files(stack_dir) == []


@pytest.mark.parametrize(("main", "argv", "service"), DATABASE_COMMANDS, ids=COMMAND_IDS)
def test_a_command_refuses_a_database_that_is_not_migrated_or_not_reachable(
    stack_dir: Path, capsys: pytest.CaptureFixture[str], main: Command, argv: list[str], service: str
) -> None:
    empty = stack_dir / "data" / f"{service}.db"
    empty.parent.mkdir(parents=True)
    sqlite3.connect(empty).close()
    assert main(argv) == REFUSED
    assert "has no table" in capsys.readouterr().err

    port = apps.free_port()  # nothing listens there
    apps.record_stack(
        {
            f"TDKT_{service.upper()}_DATABASE_URL": f"postgresql+psycopg://tdkt:secret@127.0.0.1:{port}/tdkt_{service}"
        },
        stack_dir,
    )
    assert main(argv) == REFUSED
    err = capsys.readouterr().err
    assert f"Cannot open the {service} database (postgresql+psycopg://tdkt:***@127.0.0.1:{port}" in err
    assert "secret" not in err and "Traceback" not in err


def test_the_replay_refuses_when_kafka_is_not_there(
    stack_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TDKT_KAFKA_PORT", str(apps.free_port()))
    assert replay.main(["tdkt.review.events.dlq", "--dry-run"]) == REFUSED
    err = capsys.readouterr().err
    assert "Cannot reach Kafka at 127.0.0.1:" in err and "Traceback" not in err


def test_the_replay_names_topics_with_the_stacks_prefix(stack_dir: Path) -> None:
    apps.record_stack({"TDKT_TOPIC_PREFIX": "test-1."}, stack_dir)
    kit = for_command(KitSettings)
    assert replay.resolve_topic(kit, "tdkt.review.events.dlq") == "test-1.tdkt.review.events.dlq"
    assert replay.resolve_topic(kit, "test-1.tdkt.review.events.dlq") == "test-1.tdkt.review.events.dlq"
