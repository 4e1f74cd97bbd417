"""CloudEvents 1.0 envelope and its Kafka binding.

Binding mode: **structured** (CloudEvents Kafka protocol binding §3.2). The whole event — the
context attributes and ``data`` — is the JSON record value, with the record header
``content-type: application/cloudevents+json; charset=UTF-8``. The Kafka key is the event's
``subject`` (the dossier id), so every event of one dossier lands on one partition, in order.
Structured mode lets one topic carry several event types while each consumer still validates a
typed, discriminated payload (the ``type`` attribute is inside the value).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
SPEC_VERSION: Literal["1.0"] = "1.0"
SCHEMA_BASE_URI = "contracts/schemas/"
"""``dataschema`` is a URI-reference to the committed JSON Schema file, relative to the repository."""


def new_event_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


class EventData(BaseModel):
    """Base of every event payload: unknown fields are ignored so older consumers keep working."""

    model_config = ConfigDict(extra="ignore")


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event. Subclasses pin ``type`` to one literal and type ``data``.

    ``source`` + ``id`` identify an event uniquely; consumers treat a repeat as a duplicate.
    """

    model_config = ConfigDict(extra="ignore")

    specversion: Literal["1.0"] = SPEC_VERSION
    id: str = Field(default_factory=new_event_id, min_length=1)
    source: str = Field(min_length=1, description="URI-reference of the producing service")
    type: str
    time: datetime = Field(default_factory=utc_now)
    subject: str = Field(min_length=1, description="The dossier id; also the Kafka message key")
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    data: Any

    @model_validator(mode="after")
    def _default_dataschema(self) -> CloudEvent:
        if self.dataschema is None:
            self.dataschema = schema_uri(self.type)
        return self

    @property
    def kafka_key(self) -> bytes:
        return self.subject.encode()

    def to_kafka_value(self) -> bytes:
        return self.model_dump_json().encode()


def schema_uri(event_type: str) -> str:
    return f"{SCHEMA_BASE_URI}{event_type}.json"


def kafka_headers() -> dict[str, str]:
    return {"content-type": CLOUDEVENTS_CONTENT_TYPE}
