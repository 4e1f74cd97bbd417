"""Notifications' catalogue of refusals (``services/notifications/errors.py``): every refusal the
package raises is listed, once, with messages that format in both languages; the codes are the
published ones; and HTTP stays at the edge."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from servicekit.errors import ErrorCode
from services.notifications import errors
from services.notifications.errors import CATALOGUE

PACKAGE = Path(errors.__file__).parent
SOURCES = {
    path: path.read_text()
    for path in PACKAGE.rglob("*.py")
    if "migrations" not in path.parts and path.name != "errors.py"
}
DEFINED = {name: value for name, value in vars(errors).items() if isinstance(value, ErrorCode)}
PUBLISHED = {
    "notification-not-found",
    "not-your-recipient",
    "no-subscription",
    "delivery-not-found",
    "delivery-under-way",
    "insecure-webhook-url",
    "webhook-url-not-public",
}
"""The codes notifications answered before it had a catalogue: a published contract."""


def test_every_refusal_raised_in_the_package_is_in_the_catalogue() -> None:
    raised = {
        name
        for text in SOURCES.values()
        for name in re.findall(r"\b([A-Z][A-Z_]+)\(", text)
        if name in DEFINED
    }
    assert raised, "the package raises the catalogue's errors"
    assert {DEFINED[name].code for name in raised} <= {spec.code for spec in CATALOGUE}
    assert set(DEFINED.values()) == set(CATALOGUE), "every code defined is listed, once"
    assert {spec.code for spec in CATALOGUE} == {DEFINED[name].code for name in raised}, "no code unused"


def test_the_published_codes_are_kept() -> None:
    assert {spec.code for spec in CATALOGUE} >= PUBLISHED


@pytest.mark.parametrize("spec", list(CATALOGUE), ids=lambda spec: spec.code)
def test_each_refusal_formats_with_its_values_in_both_languages(spec: ErrorCode) -> None:
    values: dict[str, Any] = {name: f"<{name}>" for name in spec.parameters}
    error = spec(**values)
    for message in (error.message_vi, error.message_en):
        assert "{" not in message and all(str(value) in message for value in values.values())
    assert error.message_vi != error.message_en and spec.meaning


def test_http_stays_at_the_edge() -> None:
    for path, text in SOURCES.items():
        assert "ProblemError" not in text and "HTTPException" not in text, path
        if path.name not in ("views.py", "app.py", "context.py", "examples.py"):
            assert "fastapi" not in text, f"{path}: HTTP outside the adapter"
