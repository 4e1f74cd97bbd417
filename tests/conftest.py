from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """temporalio's core runtime can abort at interpreter exit after all work succeeded
    (temporalio/sdk-python#300): leave with pytest's own status before finalisation runs."""
    status = getattr(config, "_tdkt_exitstatus", None)
    if status is not None:
        os._exit(int(status))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config._tdkt_exitstatus = exitstatus  # type: ignore[attr-defined]
