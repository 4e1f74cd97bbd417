"""Schemathesis against every service's committed OpenAPI document: requests generated from the
schema (valid and not), sent to the running services with a real token, must never get a 5xx."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case

from tests.integration.conftest import Pipeline
from tools.generate import API_DIR

EXAMPLES_PER_OPERATION = 15
"""Bounded so the suite stays quick; the generation is seeded, so a run repeats itself."""
SERVICES = ("intake", "review", "decisions", "notifications")
OFFICER_ORGANISATION = "AH-DS-TT"


def _operations(service: str) -> list[Any]:
    schema = schemathesis.openapi.from_path(Path(API_DIR) / f"{service}.openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"{service}: the committed OpenAPI document does not load: {result}"
        operations.append(result.ok())
    return operations


@pytest.mark.parametrize("service", SERVICES)
async def test_no_generated_request_gets_a_server_error(pipeline: Pipeline, service: str) -> None:
    base_url = getattr(pipeline.endpoints, service)
    integrator = await pipeline.integrator_headers()
    officer = await pipeline.reviewer_headers(OFFICER_ORGANISATION, "clerk", "officer", "leader")

    def headers_for(case: Case[Any]) -> dict[str, str]:
        by_integrators = service == "intake" or case.path.startswith("/v1/webhooks")
        return integrator if by_integrators else officer

    failures: list[str] = []

    def exercise(operation: Any) -> None:
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Case[Any]) -> None:
            response = case.call(base_url=base_url, headers=headers_for(case), timeout=30)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
                    f"\n  query={case.query} body={str(case.body)[:300]}"
                )

        with contextlib.suppress(Unsatisfiable):  # an operation with nothing to vary
            check()

    def run() -> None:
        for operation in _operations(service):
            exercise(operation)

    await asyncio.to_thread(run)
    if service == "notifications":  # the generated subscriptions must not outlive the test
        async with httpx.AsyncClient() as http:
            await http.delete(f"{base_url}/v1/webhooks/subscription", headers=integrator)
    assert not failures, "\n".join(failures[:20])
