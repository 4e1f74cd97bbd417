"""Chaos and the benchmarks run a stack they kill and wipe: on their own ports, whatever the shell
exported for the live stack (issue 21 §5: ``setdefault`` once let ``TDKT_*_PORT`` win)."""

from __future__ import annotations

import os

import pytest

from tools.bench.__main__ import BENCH_PORTS
from tools.chaos import CHAOS_PORTS
from tools.ownstack import use_ports


def test_the_tools_own_ports_win_over_the_live_stacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TDKT_KAFKA_PORT", "19092")  # the live stack's, exported in the shell
    monkeypatch.setenv("TDKT_KEYCLOAK_PORT", "18080")
    for ports in (CHAOS_PORTS, BENCH_PORTS):
        for variable in ports:
            monkeypatch.setenv(variable, os.environ.get(variable, "1"))  # restored after the test
        use_ports(ports)
        assert {variable: os.environ[variable] for variable in ports} == ports
    assert "TDKT_KEYCLOAK_PORT" in CHAOS_PORTS and "TDKT_KEYCLOAK_PORT" in BENCH_PORTS, "Keycloak too"
