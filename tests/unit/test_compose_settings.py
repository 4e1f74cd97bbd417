"""docker-compose.yml gives every platform process what it needs to start (no Docker engine
needed: the file is read as YAML).

For each process: every setting of the settings classes it reads that has no default (by its
environment name), and every setting it refuses to start without although the class defaults it
(``NEEDED_AT_START``), is in its ``environment`` or ``env_file``; and every file or folder a
setting names is mounted — a file of this repository, or one a one-shot step the process waits
for writes into a shared volume, or a folder in a writable volume the process fills itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import pytest
from dotenv import dotenv_values
from pydantic_settings import BaseSettings

from servicekit.auth import AuthSettings
from servicekit.payloads import PayloadKeySettings
from servicekit.settings import KitSettings, ServiceSettings
from services.decisions.app import signing_material
from services.decisions.settings import DecisionsSettings
from services.intake.settings import IntakeSettings
from services.notifications.settings import NotificationsSettings
from services.review.settings import ReviewSettings
from tests.unit.test_compose_file import DOCKERFILE, ROOT, command_module, environment_of, load_compose
from workflows.review.calendar import CalendarSettings
from workflows.worker import WorkerSettings

PROCESS_SETTINGS: dict[str, tuple[type[BaseSettings], ...]] = {
    "init": (KitSettings,),
    "secrets": (),
    "intake": (KitSettings, AuthSettings, IntakeSettings),
    "review": (KitSettings, AuthSettings, ReviewSettings, PayloadKeySettings),
    "decisions": (KitSettings, AuthSettings, DecisionsSettings),
    "notifications": (KitSettings, AuthSettings, NotificationsSettings),
    "worker": (KitSettings, WorkerSettings, CalendarSettings, PayloadKeySettings),
}
"""The settings classes each compose service's process reads (its composition root)."""

ISSUER = (("TDKT_AUTH_ISSUER",),)
NEEDED_AT_START: dict[str, tuple[tuple[str, ...], ...]] = {
    # tokens are checked against the issuer's keys (``AuthSettings.require_issuer``)
    "review": ISSUER,
    "notifications": ISSUER,
    # ... and intake knows no integrating system without its registry (every submission refused)
    "intake": (*ISSUER, ("TDKT_INTAKE_CLIENTS_FILE",)),
    # one of: a signing key and its certificate, or a development CA (``signing_material``)
    "decisions": (
        *ISSUER,
        (
            "TDKT_DECISIONS_SIGNING_KEY_FILE",
            "TDKT_DECISIONS_SIGNING_CERT_FILE",
            "|",
            "TDKT_DECISIONS_SIGNING_DEV_CA_DIR",
        ),
    ),
}
"""Per service, groups of settings; each group must be given — a group with ``|`` is
alternatives (every name of one side given)."""

REQUIRED_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}")
OUR_PACKAGES = ("servicekit", "services", "workflows")


# --- reading the settings and the compose file --------------------------------------------


def required_names(cls: type[BaseSettings]) -> set[str]:
    prefix = str(cls.model_config.get("env_prefix", ""))
    names = set()
    for name, field in cls.model_fields.items():
        if field.is_required():
            names.add(field.alias if isinstance(field.alias, str) else f"{prefix}{name}".upper())
    return names


def alternatives(group: tuple[str, ...]) -> list[tuple[str, ...]]:
    sides: list[tuple[str, ...]] = [()]
    for name in group:
        sides = [*sides, ()] if name == "|" else [*sides[:-1], (*sides[-1], name)]
    return sides


def given(service: dict[str, Any]) -> dict[str, str]:
    """Its environment: ``env_file`` first, ``environment`` over it; empty values are not given."""
    values: dict[str, str] = {}
    env_files = service.get("env_file") or []
    for entry in [env_files] if isinstance(env_files, str | dict) else env_files:
        path = ROOT / (entry if isinstance(entry, str) else entry["path"])
        assert path.is_file(), f"env_file {path} does not exist"
        values.update({key: value for key, value in dotenv_values(path).items() if value})
    values.update({key: value for key, value in environment_of(service).items() if value})
    return values


def mounts(service: dict[str, Any]) -> list[tuple[str, PurePosixPath, bool]]:
    """(source, target, writable) of each volume; a source starting with . or / is a bind mount."""
    found = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            source, target, writable = volume["source"], volume["target"], not volume.get("read_only")
        else:
            parts = str(volume).split(":")
            source, target = parts[0], parts[1]
            writable = len(parts) < 3 or "ro" not in parts[2].split(",")
        found.append((str(source), PurePosixPath(target), writable))
    return found


def is_bind(source: str) -> bool:
    return source.startswith((".", "/"))


def one_shots_waited_for(services: dict[str, Any], name: str) -> list[dict[str, Any]]:
    depends_on = services[name].get("depends_on") or {}
    return [
        services[other]
        for other, spec in depends_on.items()
        if (spec or {}).get("condition") == "service_completed_successfully"
    ]


def path_problem(services: dict[str, Any], name: str, variable: str, value: str) -> str | None:
    """Why the file or folder ``value`` is not there for ``name``'s process, if it is not."""
    path = PurePosixPath(value)
    mounted = [(source, target, writable) for source, target, writable in mounts(services[name])]
    under = [(s, t, w) for s, t, w in mounted if path == t or t in path.parents]
    if not under:
        return f"{variable}={value} is in no volume of {name} (the image holds no such file)"
    source, target, writable = max(under, key=lambda mount: len(mount[1].parts))
    if is_bind(source):
        host = ROOT / source / path.relative_to(target)
        return None if host.exists() else f"{variable}={value}: {host} does not exist in the repository"
    if variable.endswith("_DIR"):
        return None if writable else f"{variable}={value}: {name} fills it, but {source} is read-only"
    for step in one_shots_waited_for(services, name):
        writes = any(s == source and t == target and w for s, t, w in mounts(step))
        if writes and value in (step.get("command") or []):
            return None
    return f"{variable}={value}: no one-shot step {name} waits for writes it into the volume {source}"


# --- the checks ----------------------------------------------------------------------------


def test_every_process_of_the_file_is_described() -> None:
    services = load_compose()["services"]
    platform = {name for name, service in services.items() if "build" in service}
    assert platform == set(PROCESS_SETTINGS)


def test_every_settings_class_is_read_by_a_process_of_the_table() -> None:
    """A new settings class must be placed in ``PROCESS_SETTINGS``, so its required fields are checked."""
    for package in OUR_PACKAGES:
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if "migrations" not in module.name and not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    pending, ours = [BaseSettings], set()
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.split(".")[0] in OUR_PACKAGES and sub is not ServiceSettings:
                ours.add(sub)
    placed = {cls for classes in PROCESS_SETTINGS.values() for cls in classes}
    assert ours <= placed, sorted(cls.__qualname__ for cls in ours - placed)


@pytest.mark.parametrize("name", sorted(PROCESS_SETTINGS))
def test_every_setting_a_process_needs_is_given(name: str) -> None:
    environment = given(load_compose()["services"][name])
    missing = [
        variable
        for cls in PROCESS_SETTINGS[name]
        for variable in sorted(required_names(cls))
        if variable not in environment
    ]
    for group in NEEDED_AT_START.get(name, ()):
        sides = alternatives(group)
        if not any(all(variable in environment for variable in side) for side in sides):
            missing.append(" or ".join("+".join(side) for side in sides))
    assert not missing, f"{name} is not given {missing}"


@pytest.mark.parametrize("name", sorted(PROCESS_SETTINGS))
def test_every_file_a_setting_names_is_there(name: str) -> None:
    services = load_compose()["services"]
    problems = [
        problem
        for variable, value in given(services[name]).items()
        if variable.endswith(("_FILE", "_DIR")) and not REQUIRED_REFERENCE.fullmatch(value)
        for problem in [path_problem(services, name, variable, value)]
        if problem is not None
    ]
    assert not problems, problems


def test_every_bind_mount_is_a_file_of_the_repository() -> None:
    for name, service in load_compose()["services"].items():
        for source, _, _ in mounts(service):
            if is_bind(source):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repository"


def test_every_module_a_platform_service_runs_is_in_the_image() -> None:
    copied = set(re.findall(r"^COPY\s+(\w+)/", DOCKERFILE.read_text(encoding="utf-8"), re.MULTILINE))
    for name, service in load_compose()["services"].items():
        module = command_module(service)
        if "build" in service and module is not None:
            assert module.split(".")[0] in copied, f"{name} runs {module}, which the image does not copy"
            assert importlib.util.find_spec(module) is not None, module


def test_the_payload_keyring_is_shared_by_every_process_that_connects_to_temporal() -> None:
    services = load_compose()["services"]
    files = {given(services[name]).get("TDKT_TEMPORAL_PAYLOAD_KEYS_FILE") for name in ("review", "worker")}
    assert len(files) == 1 and None not in files


# --- the table of what a process needs at start is true -----------------------------------


def test_decisions_does_not_start_without_a_signing_key_or_a_development_ca() -> None:
    settings = DecisionsSettings(signing_key_file=None, signing_cert_file=None, signing_dev_ca_dir=None)
    with pytest.raises(RuntimeError, match="No signing key"):
        signing_material(settings, datetime(2026, 3, 2, tzinfo=UTC))


def test_no_service_checks_tokens_without_an_issuer() -> None:
    with pytest.raises(RuntimeError, match="TDKT_AUTH_ISSUER"):
        AuthSettings(issuer=None).require_issuer()


def test_a_missing_setting_or_file_is_caught() -> None:
    services = load_compose()["services"]
    review = dict(services["review"], environment=dict(environment_of(services["review"])))
    del review["environment"]["TDKT_TEMPORAL_PAYLOAD_KEYS_FILE"]
    assert "TDKT_TEMPORAL_PAYLOAD_KEYS_FILE" in required_names(PayloadKeySettings)
    assert "TDKT_TEMPORAL_PAYLOAD_KEYS_FILE" not in given(review)
    broken = dict(services, review=dict(services["review"], depends_on={}))
    assert path_problem(broken, "review", "X_FILE", "/var/lib/tdkt-secrets/temporal-payload-keys.json")
    assert path_problem(services, "intake", "X_FILE", "/etc/tdkt/missing.json")
    assert path_problem(services, "intake", "X_FILE", "/nowhere/file.json")
    assert alternatives(("a", "b", "|", "c")) == [("a", "b"), ("c",)]
