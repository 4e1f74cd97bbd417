"""Review's catalogue of refusals: every refusal raised in the package's source is listed, once;
every entry formats its messages with the values it declares; the workflow's refusals are the
contract's, with their kinds; the HTTP API answers no refusal outside the catalogue."""

from __future__ import annotations

import ast
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from contracts import workflow
from contracts.workflow import REFUSALS, RefusalKind
from servicekit.errors import ErrorCode, Refusal
from servicekit.problems import HTTP_STATUS
from services.review import errors
from services.review.errors import CATALOGUE, PUBLIC_COMMENT_CLOSED, WORKFLOW_REFUSALS

PACKAGE = Path(errors.__file__).parent
SOURCES = sorted(PACKAGE.glob("*.py"))
REFUSALS_BY_NAME = {
    name: value.code
    for name, value in vars(workflow).items()
    if isinstance(value, workflow.Refusal) and value.code in REFUSALS
}
"""The contract's refusals by the constant's name (``TASK_NOT_ACTIONABLE`` → ``task-not-actionable``)."""


def _calls(path: Path) -> list[tuple[str, ast.Call]]:
    tree = ast.parse(path.read_text(), str(path))
    named: list[tuple[str, ast.Call]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            named.append((name, node))
    return named


def test_every_refusal_raised_in_the_package_is_in_the_catalogue() -> None:
    raised: set[str] = set()
    for path in SOURCES:
        for name, call in _calls(path):
            spec = getattr(errors, name, None)
            if isinstance(spec, ErrorCode):
                assert spec.code in CATALOGUE, f"{path.name}: {name}"
                raised.add(spec.code)
            if name == "ReviewRefused" and call.args and isinstance(call.args[0], ast.Name):
                code = REFUSALS_BY_NAME[call.args[0].id]
                assert code in CATALOGUE, f"{path.name}: {call.args[0].id}"
                raised.add(code)
    own = {spec.code for spec in CATALOGUE if spec.code not in WORKFLOW_REFUSALS}
    assert own <= raised, f"listed but never raised: {own - raised}"


def test_no_problem_is_built_by_hand_and_no_status_is_named() -> None:
    for path in SOURCES:
        source = path.read_text()
        assert "ProblemError" not in source, path.name
        assert "HTTPStatus" not in source, path.name
    assert "REFUSAL_STATUS" not in (PACKAGE / "workflow_client.py").read_text()


def _values(spec: ErrorCode) -> dict[str, Any]:
    fields = {
        name: spec_
        for template in (spec.message_vi, spec.message_en)
        for _, name, spec_, _ in string.Formatter().parse(template)
        if name
    }
    return {
        name: datetime(2026, 3, 16, 10, 0, tzinfo=UTC) if format_spec else f"<{name}>"
        for name, format_spec in fields.items()
    }


@pytest.mark.parametrize("spec", list(CATALOGUE), ids=[spec.code for spec in CATALOGUE])
def test_every_entry_formats_with_its_declared_values(spec: ErrorCode) -> None:
    error = spec(**_values(spec))
    assert error.message_vi and error.message_en and error.message_vi != error.message_en
    for name, value in _values(spec).items():
        if isinstance(value, str):
            assert value in error.message_vi and value in error.message_en, name
    assert spec.meaning, "each entry says what it means"
    assert spec.kind in HTTP_STATUS


def test_a_closed_period_is_told_in_vietnam_time() -> None:
    error = PUBLIC_COMMENT_CLOSED(
        dossier_id="d-1", closed_at=datetime(2026, 3, 16, 10, 0, tzinfo=UTC).astimezone(errors.VIETNAM_TIME)
    )
    assert "17:00 ngày 16/03/2026 (giờ Việt Nam)" in error.message_vi
    assert "17:00 on 16/03/2026 (Vietnam time)" in error.message_en


def test_the_workflows_refusals_are_the_contracts_with_their_kinds() -> None:
    kinds = {RefusalKind.CONFLICT: Refusal.CONFLICT, RefusalKind.INVALID: Refusal.INVALID}
    kinds[RefusalKind.FORBIDDEN] = Refusal.FORBIDDEN
    assert list(WORKFLOW_REFUSALS) == list(REFUSALS)
    for code, refusal in REFUSALS.items():
        spec = CATALOGUE[code]
        assert (spec.kind, spec.message_vi, spec.message_en, spec.meaning) == (
            kinds[refusal.kind],
            refusal.message_vi,
            refusal.message_en,
            refusal.meaning,
        )
    statuses = {code: HTTP_STATUS[CATALOGUE[code].kind] for code in REFUSALS}
    assert statuses["task-not-actionable"] == 409 and statuses["reason-required"] == 422
    assert statuses["role-not-of-step"] == 403
    assert len(REFUSALS) == 14
