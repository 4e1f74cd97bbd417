"""Typed domain errors and the catalogue each service keeps of them.

A service lists every refusal it can give in one catalogue (``services/<name>/errors.py``): a
stable code, what kind of refusal it is, what it means, and its message in Vietnamese and English
with named parameters. Domain and handler code raise them (``DOSSIER_NOT_FOUND(dossier_id=...)``)
and know nothing of HTTP or Kafka; the edge maps them once — ``servicekit.problems`` to an RFC 9457
problem (the status comes from the kind), ``servicekit.kafka`` to a dead-letter record whose
reason is the code.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Refusal(StrEnum):
    """What kind of refusal an error is. Only the HTTP edge knows which status each one is."""

    BAD_REQUEST = "bad-request"
    """The request is malformed in a way no field check catches (400)."""
    UNAUTHENTICATED = "unauthenticated"
    """No valid credentials (401)."""
    FORBIDDEN = "forbidden"
    """Authenticated, but not allowed to do this (403)."""
    NOT_FOUND = "not-found"
    """No such thing, or not one the caller may know of (404)."""
    CONFLICT = "conflict"
    """Valid, but the thing is no longer in a state that allows it (409)."""
    GONE = "gone"
    """It existed and was withdrawn for good (410)."""
    TOO_LARGE = "too-large"
    """More than the limits allow (413)."""
    UNSUPPORTED = "unsupported"
    """A kind of content that is not accepted (415)."""
    INVALID = "invalid"
    """Well-formed, but the rules refuse its content (422)."""
    TOO_MANY = "too-many"
    """Too many requests of this caller or about this thing in a while; retry later (429)."""
    UNAVAILABLE = "unavailable"
    """Something this service depends on does not answer; try again later (503)."""


@dataclass(frozen=True)
class ErrorCode:
    """One entry of a catalogue; calling it makes the error to raise."""

    code: str
    kind: Refusal
    message_vi: str
    """A ``str.format`` template of the message in Vietnamese, with named fields only."""
    message_en: str
    meaning: str = ""
    """What the refusal means and what the caller can do about it (for the catalogue's reader)."""
    parameters: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        vi, en = _fields(self.message_vi), _fields(self.message_en)
        if vi != en:
            raise ValueError(f"{self.code}: the Vietnamese and English messages name different fields")
        object.__setattr__(self, "parameters", frozenset(vi))

    def __call__(
        self, *, detail: str | None = None, errors: list[dict[str, Any]] | None = None, **params: object
    ) -> DomainError:
        missing = self.parameters - params.keys()
        if missing:
            raise TypeError(f"{self.code} needs {', '.join(sorted(missing))}")
        return DomainError(self, params, detail=detail, errors=errors)


class DomainError(Exception):
    """A refusal of the catalogue, with the values its messages name."""

    def __init__(
        self,
        spec: ErrorCode,
        params: Mapping[str, object],
        *,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.spec = spec
        self.params = dict(params)
        self.detail = detail
        self.errors = errors
        self.headers: dict[str, str] = {}
        """Headers the HTTP edge adds (e.g. ``Retry-After`` for an unavailable dependency)."""
        super().__init__(self.message_en)

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def kind(self) -> Refusal:
        return self.spec.kind

    @property
    def message_vi(self) -> str:
        return self.spec.message_vi.format(**self.params)

    @property
    def message_en(self) -> str:
        return self.spec.message_en.format(**self.params)


class Catalogue:
    """A service's refusals, each code once."""

    def __init__(self, service: str, *codes: ErrorCode) -> None:
        seen: dict[str, ErrorCode] = {}
        for spec in codes:
            if spec.code in seen:
                raise ValueError(f"{service}: the code {spec.code!r} is listed twice")
            seen[spec.code] = spec
        self.service = service
        self._codes = seen

    def __iter__(self) -> Iterator[ErrorCode]:
        return iter(self._codes.values())

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __getitem__(self, code: str) -> ErrorCode:
        return self._codes[code]


def _fields(template: str) -> set[str]:
    names: set[str] = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"message fields must be named: {template!r}")
        names.add(name)
    return names
