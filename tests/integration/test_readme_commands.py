"""The operators' commands exactly as README.md writes them (parsed out of it, so the README
cannot drift), run as subprocesses beside a running pipeline with no ``TDKT_*`` variable but the
stack's folder: they find its databases (PostgreSQL or SQLite), Kafka and topic prefix, intake's
port and the demo client in the record the stack wrote when it started its processes."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import uuid
from pathlib import Path

from aiokafka import AIOKafkaProducer
from openpyxl import load_workbook

from clients import bulk
from contracts.topics import DeadLetterHeader, Topic, dead_letter_topic, topic_name
from deploy import infra
from servicekit.kafka import client_options
from servicekit.replay import REPLAYED_FROM_HEADER
from servicekit.settings import STACK_RECORD
from tests.integration.conftest import Pipeline

README = infra.REPO_ROOT / "README.md"
PYTHON = ".venv/bin/python"
COMMAND = re.compile(rf"`({re.escape(PYTHON)} -m [^`]+)`|^\s*({re.escape(PYTHON)} -m .+)$")
Command = list[tuple[bool, list[str]]]
"""A command as its words, each ``[...]`` group of the README one optional part."""


def _parts(words: list[str]) -> Command:
    parts: Command = []
    group: list[str] | None = None
    for word in words:
        opens, closes = word.startswith("["), word.endswith("]")
        bare = word.removeprefix("[").removesuffix("]")
        if opens:
            group = []
        if group is None:
            parts.append((False, [bare]))
            continue
        group.append(bare)
        if closes:
            parts.append((True, group))
            group = None
    return parts


def readme_commands() -> dict[str, Command]:
    """Every ``.venv/bin/python -m …`` command of README.md (table cells and shell lines), by its
    module and sub-command."""
    found: dict[str, Command] = {}
    for line in README.read_text().splitlines():
        for match in COMMAND.finditer(line):
            words = shlex.split(match.group(1) or match.group(2), comments=True)
            module = words[2]
            subcommand = [] if module == "servicekit.replay" else words[3:4]
            found.setdefault(" ".join([module, *subcommand]), _parts(words))
    return found


def argv(command: Command, *, options: bool, **placeholders: str) -> list[str]:
    """The words to run: with every optional group or with none, ``<name>`` filled in."""
    words = [word for optional, part in command if options or not optional for word in part]
    filled = [placeholders.get(word.strip("<>"), word) if word.startswith("<") else word for word in words]
    assert filled[0] == PYTHON and not any(word.startswith("<") for word in filled), filled
    return [str(infra.REPO_ROOT / PYTHON), *filled[1:]]


def run(words: list[str], stack_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command as an operator types it: no ``TDKT_*`` in the environment but the stack's folder."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("TDKT_", "OTEL_"))}
    env["TDKT_STACK_DIR"] = str(stack_dir)
    return subprocess.run(words, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_the_readme_names_these_commands() -> None:
    assert sorted(readme_commands()) == [
        "clients.bulk export",
        "clients.bulk import",
        "clients.bulk template",
        "servicekit.replay",
        "services.intake.audit verify",
        "services.notifications.cli redeliver",
    ]


async def test_the_readmes_commands_work_as_written_beside_the_stack(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    assert (pipeline.state_dir / STACK_RECORD).is_file()
    commands = readme_commands()

    def ok(key: str, **placeholders: str) -> str:
        done = run(argv(commands[key], options=False, **placeholders), pipeline.state_dir, tmp_path)
        assert done.returncode == 0, f"{key}: {done.stdout}\n{done.stderr}"
        return done.stdout

    ok("clients.bulk template")
    imported = ok("clients.bulk import")
    match = re.search(r"dossier: (\S+) \(", imported)
    assert match, imported
    dossier_id = match.group(1)
    ok("clients.bulk export", dossier_id=dossier_id)
    sheet = load_workbook(tmp_path / "ket-qua.xlsx")[bulk.LIST_SHEET]
    exported = [row[:2] for row in sheet.iter_rows(values_only=True)]
    assert ("Mã hồ sơ / Dossier", dossier_id) in exported

    words = argv(commands["services.intake.audit verify"], options=False)
    verified = run(words, pipeline.state_dir, tmp_path)
    broken = re.findall(r"^BROKEN (\S+):", verified.stdout, re.MULTILINE)
    assert re.search(r"^\d+ dossier\(s\) checked, \d+ broken$", verified.stdout, re.MULTILINE), (
        verified.stderr
    )
    assert dossier_id not in {name.rstrip(":") for name in broken}
    assert verified.returncode == (1 if broken else 0), verified.stdout + verified.stderr  # others' tampering

    queued = json.loads(ok("services.notifications.cli redeliver"))
    assert set(queued) == {"queued", "left"}

    if pipeline.backend == "postgres":  # nothing fell back to a SQLite file
        assert list((pipeline.state_dir / "data").glob("*.db")) == []


async def test_the_readmes_replay_works_as_written_beside_the_stack(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    topic = topic_name(Topic.REVIEW_EVENTS, pipeline.kit.topic_prefix)
    key = f"readme-{uuid.uuid4()}".encode()
    producer = AIOKafkaProducer(**client_options(pipeline.kit))
    await producer.start()
    try:
        await producer.send_and_wait(
            dead_letter_topic(topic),
            b'{"not": "an event"}',
            key=key,
            headers=[
                (DeadLetterHeader.ORIGINAL_TOPIC.value, topic.encode()),
                (DeadLetterHeader.ORIGINAL_PARTITION.value, b"0"),
                (DeadLetterHeader.ORIGINAL_OFFSET.value, b"7"),
                (DeadLetterHeader.REASON.value, b"invalid-event"),
            ],
        )
    finally:
        await producer.stop()
    replay = readme_commands()["servicekit.replay"]

    listed = run(argv(replay, options=True), pipeline.state_dir, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert f"would replay {topic}[0]@7 (invalid-event)" in listed.stdout
    replayed = run(argv(replay, options=False), pipeline.state_dir, tmp_path)
    assert replayed.returncode == 0, replayed.stderr
    assert f"replayed {topic}[0]@7 (invalid-event)" in replayed.stdout
    back = await pipeline.find_record(
        topic, lambda record: record.key == key and any(n == REPLAYED_FROM_HEADER for n, _ in record.headers)
    )
    assert back == b'{"not": "an event"}'


def test_a_readme_command_without_a_stack_refuses_and_leaves_nothing(tmp_path: Path) -> None:
    """(The replay is refused when Kafka is not there: tests/unit/test_command_settings.py; here
    the shared broker runs.)"""
    nowhere = tmp_path / "no-stack"
    for key in ("services.intake.audit verify", "services.notifications.cli redeliver"):
        done = run(argv(readme_commands()[key], options=True), nowhere, tmp_path)
        assert done.returncode == 2, f"{key}: {done.stdout}\n{done.stderr}"
        assert "is the stack running? (`make up`)" in done.stderr
        assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
