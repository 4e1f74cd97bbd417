"""Kafka topic names and message keys, in one place.

Each producing service owns one event topic; the message key is always the dossier id, so the
events of one dossier stay in order. Every event topic has a dead-letter twin (``<topic>.dlq``)
that receives records a consumer could not accept, with the reason in headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Topic(StrEnum):
    INTAKE_INBOUND = "tdkt.intake.inbound"
    """Dossiers submitted by systems on the bus (issue 3 gives it a consumer)."""
    INTAKE_EVENTS = "tdkt.intake.events"
    REVIEW_EVENTS = "tdkt.review.events"
    DECISION_EVENTS = "tdkt.decisions.events"
    NOTIFICATION_EVENTS = "tdkt.notifications.events"


DEAD_LETTER_SUFFIX = ".dlq"


@dataclass(frozen=True)
class BusAccess:
    """What one principal of the bus may do: write the topics it owns, read the ones it consumes
    (and write their dead-letter twins, where its consumers divert poison)."""

    writes: tuple[Topic, ...]
    reads: tuple[Topic, ...] = ()


PRINCIPALS: dict[str, BusAccess] = {
    "intake": BusAccess(
        writes=(Topic.INTAKE_EVENTS,),
        reads=(Topic.INTAKE_INBOUND, Topic.REVIEW_EVENTS, Topic.DECISION_EVENTS, Topic.NOTIFICATION_EVENTS),
    ),
    "review": BusAccess(
        writes=(Topic.REVIEW_EVENTS,),
        reads=(Topic.INTAKE_EVENTS, Topic.REVIEW_EVENTS, Topic.DECISION_EVENTS),
    ),
    "worker": BusAccess(writes=(Topic.REVIEW_EVENTS,)),
    "decisions": BusAccess(writes=(Topic.DECISION_EVENTS,), reads=(Topic.INTAKE_EVENTS, Topic.REVIEW_EVENTS)),
    "notifications": BusAccess(
        writes=(Topic.NOTIFICATION_EVENTS,),
        reads=(Topic.INTAKE_EVENTS, Topic.REVIEW_EVENTS, Topic.DECISION_EVENTS),
    ),
}
"""The platform's own principals on the bus — each service and the review worker — by the name
its process gives the broker (``KitSettings.kafka_credentials_file`` holds its secret). The
brokers' ACLs are made from this table (``deploy/infra/kafka_access.py``); a unit test checks
that every service subscribes and publishes exactly what it says here."""

INTEGRATOR_ACCESS = BusAccess(writes=(Topic.INTAKE_INBOUND,))
"""An integrating system on the bus may write dossiers to the inbound topic, and nothing else."""


def topic_name(topic: Topic, prefix: str = "") -> str:
    """The broker-side name: an optional environment prefix keeps test runs apart."""
    return f"{prefix}{topic.value}"


def dead_letter_topic(topic_name: str) -> str:
    return f"{topic_name}{DEAD_LETTER_SUFFIX}"


def all_topic_names(prefix: str = "") -> list[str]:
    names = [topic_name(topic, prefix) for topic in Topic]
    return names + [dead_letter_topic(name) for name in names]


def message_key(dossier_id: str) -> bytes:
    return dossier_id.encode()


class DeadLetterHeader(StrEnum):
    """Headers added to a record diverted to a dead-letter topic."""

    REASON = "x-dlq-reason"
    """Machine-readable reason code, e.g. ``invalid-event`` or ``unknown-event-type``."""
    ERROR = "x-dlq-error"
    """Human-readable detail of what was wrong (truncated)."""
    ORIGINAL_TOPIC = "x-dlq-original-topic"
    ORIGINAL_PARTITION = "x-dlq-original-partition"
    ORIGINAL_OFFSET = "x-dlq-original-offset"
    CONSUMER_GROUP = "x-dlq-consumer-group"
