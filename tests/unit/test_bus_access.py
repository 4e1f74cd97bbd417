"""Who may do what on the bus (issue 21 §1): the table of principals says exactly what each process
publishes and consumes (its generated AsyncAPI document, checked against the code by
``tools.generate --check``), and the broker's ACLs made from it grant nothing more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.topics import INTEGRATOR_ACCESS, PRINCIPALS, Topic
from deploy.infra import kafka_access

API_DIR = Path(__file__).resolve().parents[2] / "docs" / "api"


def _addresses(process: str, action: str) -> set[str]:
    document = json.loads((API_DIR / f"{process}.asyncapi.json").read_text())
    channels = document["channels"]
    return {
        channels[operation["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
        for operation in document["operations"].values()
        if operation["action"] == action
    }


@pytest.mark.parametrize("principal", sorted(PRINCIPALS))
def test_each_process_publishes_and_consumes_what_its_principal_may(principal: str) -> None:
    access = PRINCIPALS[principal]
    assert _addresses(principal, "send") == {topic.value for topic in access.writes}
    assert _addresses(principal, "receive") == {topic.value for topic in access.reads}


def _grants(prefix: str = "") -> set[tuple[str, str, str, str]]:
    lines = kafka_access.acl_lines(prefix, PRINCIPALS, ("demo-integrator",))
    grants = set()
    for line in lines:
        kind, principal, resource, pattern, name, operation = line.split("\t")
        assert (kind, pattern) == ("allow", "LITERAL"), "no wildcard, no prefix pattern"
        grants.add((principal, resource, name, operation))
    return grants


def test_only_the_owner_of_a_topic_may_write_it_and_integrators_only_the_inbound_one() -> None:
    writers: dict[str, set[str]] = {}
    for principal, resource, name, operation in _grants():
        if resource == "TOPIC" and operation == "WRITE" and not name.endswith(".dlq"):
            writers.setdefault(name, set()).add(principal)
    assert writers == {
        Topic.INTAKE_INBOUND.value: {"User:demo-integrator"},
        Topic.INTAKE_EVENTS.value: {"User:intake"},
        Topic.REVIEW_EVENTS.value: {"User:review", "User:worker"},
        Topic.DECISION_EVENTS.value: {"User:decisions"},
        Topic.NOTIFICATION_EVENTS.value: {"User:notifications"},
    }
    integrator = {grant for grant in _grants() if grant[0] == "User:demo-integrator"}
    assert integrator == {("User:demo-integrator", "TOPIC", "tdkt.intake.inbound", "WRITE")}
    assert INTEGRATOR_ACCESS.reads == ()


def test_a_consumer_reads_its_topics_in_its_own_groups_and_dead_letters_to_their_twins() -> None:
    grants = _grants("test-1.")
    decisions = {
        (resource, name, operation)
        for principal, resource, name, operation in grants
        if principal == "User:decisions"
    }
    assert decisions == {
        ("TOPIC", "test-1.tdkt.decisions.events", "WRITE"),
        ("TOPIC", "test-1.tdkt.intake.events", "READ"),
        ("TOPIC", "test-1.tdkt.intake.events.dlq", "WRITE"),
        ("GROUP", "test-1.decisions.tdkt.intake.events", "READ"),
        ("TOPIC", "test-1.tdkt.review.events", "READ"),
        ("TOPIC", "test-1.tdkt.review.events.dlq", "WRITE"),
        ("GROUP", "test-1.decisions.tdkt.review.events", "READ"),
    }


def test_the_scope_of_a_prefix_covers_every_grant_of_it_and_nothing_of_another_prefix() -> None:
    scope = {tuple(line.split("\t")[1:]) for line in kafka_access.scope_lines("test-1.", PRINCIPALS)}
    for _, resource, name, _ in _grants("test-1."):
        assert (resource, "LITERAL", name) in scope
    assert not any(name.startswith("tdkt.") for _, _, name in scope), "the stack's own are not touched"


def test_the_credentials_files_are_private_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TDKT_STACK_DIR", str(tmp_path))
    first = kafka_access.ensure_credentials()
    assert set(first) == {"broker", "admin", *PRINCIPALS, *kafka_access.integrator_ids()}
    assert kafka_access.ensure_credentials() == first, "generated once, then kept"
    review = kafka_access.credentials_file("review")
    assert review.stat().st_mode & 0o077 == 0
    assert json.loads(review.read_text())["mechanism"] == "SCRAM-SHA-512"
