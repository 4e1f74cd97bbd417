"""Static checks of docker-compose.yml (no Docker engine needed).

The file is validated against the official Compose Specification schema vendored in
deploy/compose/compose-spec.json (see deploy/compose/README.md for its source), and against the
project's own rules: one image for every platform process, health checks, loopback-only ports,
no secrets in the file.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.protocols import Validator  # type: ignore[import-untyped]
from jsonschema.validators import validator_for  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = ROOT / "deploy" / "compose" / "compose-spec.json"
DOCKERFILE = ROOT / "Dockerfile"
POSTGRES_INIT = ROOT / "deploy" / "compose" / "postgres-init.sql"

# service name -> the module its container runs with `python -m`
APP_MODULES = {
    "intake": "services.intake",
    "review": "services.review",
    "decisions": "services.decisions",
    "notifications": "services.notifications",
    "worker": "workflows.worker",
}
HTTP_PORTS = {"intake": 8001, "review": 8002, "decisions": 8003, "notifications": 8004}
BOOTSTRAP_MODULE = "servicekit.bootstrap"

SECRET_KEY = re.compile(r"PASSWORD|PASSWD|PWD|SECRET|TOKEN", re.IGNORECASE)
# ${VAR}, ${VAR?msg} or ${VAR:?msg}: a reference with no default value.
REQUIRED_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}")
URL_CREDENTIALS = re.compile(r"://[^:/@\s]+:(?P<password>\$\{[^}]*\}|[^@\s]+)@")


# --- helpers ------------------------------------------------------------------------------


def load_compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict), "docker-compose.yml is not a mapping"
    return document


def load_schema() -> dict[str, Any]:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert isinstance(schema, dict)
    return schema


def schema_validator(schema: dict[str, Any]) -> Validator:
    """The Draft validator named by the schema's ``$schema``.

    The compose spec writes ``https://json-schema.org/draft-07/schema``; jsonschema registers the
    meta-schemas under their canonical ``http://`` ids, so the scheme is normalised first.
    """
    declared = schema.get("$schema")
    assert isinstance(declared, str), "schema has no $schema"
    normalised = re.sub(r"^https://", "http://", declared)
    cls = validator_for({"$schema": normalised}, default=None)
    assert cls is not None, f"unknown $schema {declared!r}"
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = schema_validator(load_schema())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in raw)
        return {key: value for key, value in pairs}
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def command_module(service: dict[str, Any]) -> str | None:
    command = service.get("command")
    argv = shlex.split(command) if isinstance(command, str) else list(command or [])
    if "-m" in argv and argv.index("-m") + 1 < len(argv):
        return str(argv[argv.index("-m") + 1])
    return None


def one_shot_services(services: dict[str, Any]) -> set[str]:
    """Services others wait on with ``service_completed_successfully``: they run and exit."""
    found = set()
    for service in services.values():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, dict):
            for name, spec in depends_on.items():
                if (spec or {}).get("condition") == "service_completed_successfully":
                    found.add(name)
    return found


def secret_violations(environment: dict[str, str]) -> list[str]:
    problems = []
    for key, value in environment.items():
        if SECRET_KEY.search(key) and not REQUIRED_REFERENCE.fullmatch(value):
            problems.append(f"{key}={value!r} is not a ${{VAR}} / ${{VAR:?msg}} reference")
        for match in URL_CREDENTIALS.finditer(value):
            if not REQUIRED_REFERENCE.fullmatch(match.group("password")):
                problems.append(f"{key} embeds a literal password in a URL")
    return problems


def port_violations(ports: list[Any]) -> list[str]:
    problems = []
    for port in ports:
        if isinstance(port, dict):
            if port.get("host_ip") != "127.0.0.1":
                problems.append(f"{port!r} does not set host_ip: 127.0.0.1")
        elif not str(port).startswith("127.0.0.1:") or str(port).count(":") < 2:
            problems.append(f"{port!r} is not published as 127.0.0.1:HOST:CONTAINER")
    return problems


# --- the schema check ----------------------------------------------------------------------


def test_vendored_schema_is_the_compose_specification() -> None:
    schema = load_schema()
    assert schema.get("title") == "Compose Specification"
    assert schema.get("$id") == "compose_spec.json"
    assert "services" in schema["properties"]
    assert schema_validator(schema).__class__.__name__ == "Draft7Validator"


def test_compose_file_validates_against_the_compose_specification() -> None:
    errors = schema_errors(load_compose())
    assert not errors, "\n".join(errors)


def _ports_not_a_list(document: dict[str, Any]) -> None:
    document["services"]["intake"]["ports"] = 8001


def _unknown_top_level_key(document: dict[str, Any]) -> None:
    document["servicez"] = {}


def _bad_depends_on_condition(document: dict[str, Any]) -> None:
    document["services"]["intake"]["depends_on"]["kafka"]["condition"] = "service_ready"


def _unknown_healthcheck_key(document: dict[str, Any]) -> None:
    document["services"]["review"]["healthcheck"]["every"] = "10s"


@pytest.mark.parametrize(
    "mutate",
    [_ports_not_a_list, _unknown_top_level_key, _bad_depends_on_condition, _unknown_healthcheck_key],
    ids=lambda mutate: mutate.__name__.strip("_"),
)
def test_schema_check_rejects_a_broken_copy(mutate: Any) -> None:
    document = copy.deepcopy(load_compose())
    mutate(document)
    assert schema_errors(document), f"{mutate.__name__} was not caught by the schema"


# --- the project's rules -------------------------------------------------------------------


def test_every_platform_process_builds_from_the_one_dockerfile() -> None:
    services = load_compose()["services"]
    builds = {}
    for name in [*APP_MODULES, "init"]:
        assert name in services, f"service {name} is missing"
        build = services[name].get("build")
        assert build is not None, f"{name} does not build the platform image"
        if isinstance(build, str):
            build = {"context": build}
        context = (ROOT / build.get("context", ".")).resolve()
        dockerfile = (context / build.get("dockerfile", "Dockerfile")).resolve()
        builds[name] = (context, dockerfile)
    assert len(set(builds.values())) == 1, builds
    assert set(builds.values()) == {(ROOT, DOCKERFILE)}
    assert DOCKERFILE.is_file()
    images = {services[name].get("image") for name in builds}
    assert len(images) == 1, f"platform services tag different images: {images}"


def test_each_platform_service_runs_its_own_module() -> None:
    services = load_compose()["services"]
    for name, module in APP_MODULES.items():
        assert command_module(services[name]) == module, f"{name} runs {services[name].get('command')!r}"
    assert command_module(services["init"]) == BOOTSTRAP_MODULE


def test_init_is_a_one_shot_the_services_wait_for() -> None:
    services = load_compose()["services"]
    assert services["init"].get("restart") == "no"
    for name in APP_MODULES:
        condition = (services[name].get("depends_on") or {}).get("init", {}).get("condition")
        assert condition == "service_completed_successfully", f"{name} does not wait for init"


def test_every_long_running_service_has_a_healthcheck() -> None:
    services = load_compose()["services"]
    exempt = one_shot_services(services)
    assert "init" in exempt
    checked = 0
    for name, service in services.items():
        if name in exempt:
            continue
        healthcheck = service.get("healthcheck") or {}
        test = healthcheck.get("test")
        assert test and test != ["NONE"] and not healthcheck.get("disable"), f"{name}: no healthcheck"
        checked += 1
    assert checked >= 11


def test_http_services_probe_their_ready_endpoint() -> None:
    services = load_compose()["services"]
    for name, port in HTTP_PORTS.items():
        service = services[name]
        test = service["healthcheck"]["test"]
        probe = " ".join(test) if isinstance(test, list) else test
        assert f"http://127.0.0.1:{port}/health/ready" in probe, f"{name} probes {probe!r}"
        assert "urllib" in probe, "python:3.11-slim has no curl/wget: probe with urllib"
        environment = environment_of(service)
        assert environment.get(f"TDKT_{name.upper()}_HTTP_PORT") == str(port)
        assert environment.get("TDKT_HTTP_HOST") == "0.0.0.0"
        assert f"127.0.0.1:{port}:{port}" in service.get("ports", [])


def test_published_ports_bind_only_loopback() -> None:
    services = load_compose()["services"]
    published = 0
    for name, service in services.items():
        ports = service.get("ports") or []
        problems = port_violations(ports)
        assert not problems, f"{name}: {problems}"
        published += len(ports)
    assert published > 0


@pytest.mark.parametrize(
    "port", ["8001:8001", "0.0.0.0:8001:8001", 8001, {"target": 8001, "published": 8001}]
)
def test_port_rule_rejects_ports_open_to_the_network(port: Any) -> None:
    assert port_violations([port])


def test_no_literal_secrets_in_the_file() -> None:
    services = load_compose()["services"]
    checked = 0
    for name, service in services.items():
        environment = environment_of(service)
        problems = secret_violations(environment)
        assert not problems, f"{name}: {problems}"
        checked += sum(1 for key in environment if SECRET_KEY.search(key))
        checked += sum(1 for value in environment.values() if URL_CREDENTIALS.search(value))
    assert checked >= 4, "expected the database passwords to be checked"


@pytest.mark.parametrize(
    "environment",
    [
        {"POSTGRES_PASSWORD": "hunter2"},
        {"POSTGRES_PASSWORD": "${TDKT_POSTGRES_PASSWORD:-hunter2}"},
        {"API_SECRET": ""},
        {"DATABASE_URL": "postgresql://tdkt:hunter2@postgres:5432/tdkt"},
    ],
)
def test_secret_rule_rejects_literals_and_defaults(environment: dict[str, str]) -> None:
    assert secret_violations(environment)


def test_required_variables_are_documented_at_the_top() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    header_lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header_lines.append(line)
    header = "\n".join(header_lines)
    required = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?", text))
    assert required, "no required variables found"
    for variable in required:
        assert variable in header, f"{variable} is not documented in the header comment"
    assert "docker compose up" in header


def test_postgres_init_creates_every_service_database() -> None:
    services = load_compose()["services"]
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    mounts = [str(volume) for volume in services["postgres"].get("volumes", [])]
    assert any("deploy/compose/postgres-init.sql:/docker-entrypoint-initdb.d/" in mount for mount in mounts)
    for name in HTTP_PORTS:
        url = environment_of(services[name])[f"TDKT_{name.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://") and "@postgres:5432/" in url
        database = url.rsplit("/", 1)[1]
        assert database == f"tdkt_{name}"
        assert re.search(rf"CREATE DATABASE {database}\b", sql), f"{database} is not created"


def test_kafka_is_a_single_kraft_node_without_topic_auto_creation() -> None:
    kafka = load_compose()["services"]["kafka"]
    assert str(kafka["image"]).startswith("apache/kafka:4.")
    environment = environment_of(kafka)
    for key in (
        "KAFKA_NODE_ID",
        "KAFKA_PROCESS_ROLES",
        "KAFKA_LISTENERS",
        "KAFKA_ADVERTISED_LISTENERS",
        "KAFKA_CONTROLLER_QUORUM_VOTERS",
        "KAFKA_CONTROLLER_LISTENER_NAMES",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
    ):
        assert environment.get(key), f"kafka: {key} is not set"
    assert environment["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert environment["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert "PLAINTEXT://kafka:9092" in environment["KAFKA_ADVERTISED_LISTENERS"]
    assert "kafka-broker-api-versions.sh" in " ".join(kafka["healthcheck"]["test"])


def test_dockerfile_builds_a_non_root_uv_image() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    instructions = [
        line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    assert re.search(r"python:3\.11-slim", text)
    assert re.search(r"pip install [^\n]*\buv\b", text)
    assert "uv sync --frozen --no-dev" in text
    for package in ("contracts", "servicekit", "services", "workflows"):
        assert re.search(rf"^COPY\s+{package}/", text, re.MULTILINE), f"{package}/ is not copied"
    users = [line.split(None, 1)[1] for line in instructions if line.startswith("USER ")]
    assert users, "the image runs as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
