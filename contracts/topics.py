"""Kafka topic names and message keys, in one place.

Each producing service owns one event topic; the message key is always the dossier id, so the
events of one dossier stay in order. Every event topic has a dead-letter twin (``<topic>.dlq``)
that receives records a consumer could not accept, with the reason in headers.
"""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    INTAKE_INBOUND = "tdkt.intake.inbound"
    """Dossiers submitted by systems on the bus (issue 3 gives it a consumer)."""
    INTAKE_EVENTS = "tdkt.intake.events"
    REVIEW_EVENTS = "tdkt.review.events"
    DECISION_EVENTS = "tdkt.decisions.events"
    NOTIFICATION_EVENTS = "tdkt.notifications.events"


DEAD_LETTER_SUFFIX = ".dlq"


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
