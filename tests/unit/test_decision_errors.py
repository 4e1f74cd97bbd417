"""The decisions service's catalogue of refusals (issue 19): every refusal the package raises is
listed once, each entry formats with the values it declares, and the codes are those the service
has always answered (a published contract)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from servicekit.errors import DomainError, ErrorCode
from services.decisions import errors
from services.decisions.errors import CATALOGUE

PACKAGE = Path("services/decisions")
PUBLISHED_CODES = {
    "decision-not-found",
    "document-not-ready",
    "document-not-available",
    "no-certificates",
    "line-not-found",
    "line-revoked",
    "all-lines-revoked",
    "leader-required",
    "not-issuing-authority",
    "decision-not-revocable",
    "already-revoked",
    "file-too-large",
    # issue 21: approvals matched with what was seen on the bus (dead-letter reasons)
    "approval-unmatched",
    "approval-differs",
    "submission-unseen",
    # issue 21: the limits on reading an uploaded PDF
    "pdf-too-many-objects",
    "pdf-too-much-data",
    "pdf-too-complex",
    "pdf-took-too-long",
    "verification-busy",
}
"""The codes the service answers (the first twelve from before the catalogue existed): published,
they may not change."""


def sources() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts]


def raised_names(tree: ast.Module) -> set[str]:
    """Catalogue constants the module uses: ``errors.X`` and ``X`` imported from ``errors``."""
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "errors"
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "services.decisions.errors":
            used |= {alias.name for alias in node.names}
    return used - {"CATALOGUE"}


def test_every_refusal_the_package_raises_is_in_the_catalogue() -> None:
    used = set().union(*(raised_names(ast.parse(path.read_text())) for path in sources()))
    assert used, "the package raises catalogue errors"
    for name in sorted(used):
        spec = getattr(errors, name)
        assert isinstance(spec, ErrorCode) and spec.code in CATALOGUE and CATALOGUE[spec.code] is spec, name
    defined = {name for name, value in vars(errors).items() if isinstance(value, ErrorCode)}
    assert {spec.code for spec in CATALOGUE} == {getattr(errors, name).code for name in defined}
    assert used == defined, "every entry is raised somewhere, and only catalogued ones are"


def test_the_codes_are_the_published_ones() -> None:
    assert {spec.code for spec in CATALOGUE} == PUBLISHED_CODES


@pytest.mark.parametrize("spec", list(CATALOGUE), ids=lambda spec: spec.code)
def test_each_entry_formats_with_its_declared_values(spec: ErrorCode) -> None:
    values = {name: f"<{name}>" for name in spec.parameters}
    error = DomainError(spec, values)
    for message in (error.message_vi, error.message_en):
        assert "{" not in message and "}" not in message
        assert all(value in message for value in values.values())
    assert error.message_vi != error.message_en and spec.meaning


def test_no_problem_error_and_no_status_number_in_the_service() -> None:
    for path in sources():
        text = path.read_text()
        assert "ProblemError" not in text, path
        assert "HTTP_4" not in text, path
