"""Intake's catalogue of refusals (``services/intake/errors.py``): every refusal the package raises
is listed, every entry formats with the values it names, and the published codes stay the codes."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import services.intake
from servicekit.errors import ErrorCode, Refusal
from services.intake import errors
from services.intake.errors import CATALOGUE

PACKAGE = Path(services.intake.__file__).parent
PUBLISHED = {
    "unknown-client",
    "organisation-not-permitted",
    "unknown-organisation",
    "organisation-not-in-force",
    "no-rule-set-in-force",
    "unknown-award",
    "no-review-path",
    "quota-count-required",
    "all-entries-ineligible",
    "idempotency-key-reused",
    "dossier-not-found",
    "version-not-found",
    "dossier-not-amendable",
    "amendment-changes-identity",
    "dossier-not-withdrawable",
    "attachment-not-found",
    "attachment-too-large",
    "attachment-type-not-allowed",
    "unknown-document-code",
}
"""The codes intake answers (those before its refusals had a catalogue, then each new one):
integrators branch on them, so none is renamed or removed."""
REFERENCE = {"invalid-date", "award-not-found", "organisation-not-found"}
"""The lookups of the award catalogue and the organisation registry (``reference.py``, issue 20)."""


def _sources() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts]


def test_the_catalogue_holds_the_published_codes() -> None:
    assert {spec.code for spec in CATALOGUE} == PUBLISHED | REFERENCE


def test_every_error_code_the_package_names_is_in_the_catalogue() -> None:
    defined = {name: value for name, value in vars(errors).items() if isinstance(value, ErrorCode)}
    assert all(spec.code in CATALOGUE and CATALOGUE[spec.code] is spec for spec in defined.values())
    used: set[str] = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "services.intake.errors":
                used |= {alias.name for alias in node.names}
    assert used, "the package raises its refusals from the catalogue"
    assert used <= {*defined, "CATALOGUE", "VALIDATION_REFUSALS"}, used - defined.keys()


def test_no_refusal_is_made_outside_the_catalogue() -> None:
    for path in _sources():
        text = path.read_text()
        assert "ProblemError" not in text, path
        assert "PoisonEvent" not in text, path


@pytest.mark.parametrize("spec", list(CATALOGUE), ids=lambda spec: spec.code)
def test_every_refusal_formats_with_its_values_and_says_what_it_means(spec: ErrorCode) -> None:
    # a date formats under every template (plain or with a date format), as any value would
    values: dict[str, Any] = dict.fromkeys(spec.parameters, date(2026, 3, 2))
    error = spec(**values)
    assert error.code == spec.code and isinstance(error.kind, Refusal)
    for message in (error.message_vi, error.message_en):
        assert message and "{" not in message and "}" not in message
    assert spec.meaning, f"{spec.code} says what it means"
