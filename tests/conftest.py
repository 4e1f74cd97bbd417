from __future__ import annotations

import os
from datetime import date, timedelta

import pytest

from servicekit.clock import SystemClock


def pytest_configure(config: pytest.Config) -> None:
    """Under ``make unit-shifted`` the whole process runs on a clock moved ahead (faketime); refuse
    to pass if it is not, or the run would prove nothing."""
    shift = os.environ.get("TDKT_CLOCK_SHIFT_DAYS")
    real = os.environ.get("TDKT_REAL_DATE")
    if shift is None or real is None:
        return
    seen = SystemClock().now().date()
    expected = date.fromisoformat(real) + timedelta(days=int(shift))
    if abs((seen - expected).days) > 1:
        raise pytest.UsageError(f"the clock should read about {expected} (+{shift} days) but reads {seen}")


def pytest_report_header(config: pytest.Config) -> str | None:
    shift = os.environ.get("TDKT_CLOCK_SHIFT_DAYS")
    if shift is None:
        return None
    return f"clock shifted {shift} days ahead: the process reads {SystemClock().now():%Y-%m-%d %H:%M} UTC"


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
