"""The token benchmark runs and measures both checks (its figures go to BENCHMARKS.md, not into
assertions)."""

from __future__ import annotations

from tools.bench import tokens


def test_the_token_benchmark_measures_the_platforms_check_and_its_baseline() -> None:
    platform, baseline = tokens.measure(5)
    assert platform > 0 and baseline > 0
