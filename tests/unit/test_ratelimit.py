"""``servicekit.ratelimit.SlidingWindow``: at most ``limit`` per key in any window, by the instants
it is given; the wait it names is what remains of the oldest; its memory is bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from servicekit.ratelimit import SlidingWindow

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_a_key_goes_limit_times_per_window_then_waits_for_the_oldest_to_pass() -> None:
    window = SlidingWindow(limit=3, window=timedelta(hours=1))
    for n in range(3):
        assert window.wait("a", T0 + n * MINUTE) is None
        window.record("a", T0 + n * MINUTE)
    assert window.wait("a", T0 + 3 * MINUTE) == 57 * 60, "until the first leaves the window"
    assert window.wait("b", T0 + 3 * MINUTE) is None, "each key counts its own"
    assert window.wait("a", T0 + timedelta(hours=1)) is None, "the first has left the window"
    window.record("a", T0 + timedelta(hours=1))
    assert window.wait("a", T0 + timedelta(hours=1)) == 60


def test_its_memory_is_bounded_forgetting_the_least_recently_seen() -> None:
    window = SlidingWindow(limit=2, window=timedelta(hours=1), max_keys=100)
    for n in range(1000):
        window.record(f"10.0.{n // 256}.{n % 256}", T0)
    assert len(window) == 100
    window.record("late", T0 + 2 * timedelta(hours=1))
    assert len(window) == 1, "keys whose window has passed are forgotten first"
