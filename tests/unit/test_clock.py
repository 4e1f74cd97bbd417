"""The one clock: what a service reads is what it was given, never the machine's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicekit.auth import IAT_LEEWAY_SECONDS, AuthSettings, TokenService
from servicekit.clock import ManualClock, local_date
from servicekit.errors import DomainError, Refusal

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)


def test_a_manual_clock_stands_still_until_moved() -> None:
    clock = ManualClock(AT)
    assert clock.now() == clock.now() == AT
    assert clock.advance(timedelta(hours=2)) == AT + timedelta(hours=2)
    clock.set(datetime(2027, 1, 1, 9, 0, tzinfo=VIETNAM))
    assert clock.now() == datetime(2027, 1, 1, 2, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_a_clock_reads_aware_instants_only() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2026, 12, 31, 16, 30))


def test_the_local_date_is_vietnams() -> None:
    assert local_date(ManualClock(AT), VIETNAM) == date(2026, 12, 31)
    assert local_date(ManualClock(AT + timedelta(minutes=30)), VIETNAM) == date(2027, 1, 1), "17:00 UTC"


def _tokens(clock: ManualClock) -> TokenService:
    return TokenService(AuthSettings(signing_key="k" * 32, token_ttl_seconds=3600), "tdkt-test", clock)


def test_tokens_expire_by_the_services_clock() -> None:
    clock = ManualClock(AT)
    token, ttl = _tokens(clock).issue("reviewer.1", ["tasks"])
    assert ttl == 3600
    clock.advance(timedelta(seconds=ttl - 1))
    assert _tokens(clock).verify(token).subject == "reviewer.1"
    clock.advance(timedelta(seconds=1))
    with pytest.raises(DomainError) as expired:
        _tokens(clock).verify(token)
    assert (expired.value.kind, expired.value.code) == (Refusal.UNAUTHENTICATED, "token-expired")


def test_a_token_issued_in_the_future_is_refused() -> None:
    ahead = _tokens(ManualClock(AT + timedelta(seconds=IAT_LEEWAY_SECONDS))).issue("reviewer.1", ["tasks"])
    assert _tokens(ManualClock(AT)).verify(ahead[0]).subject == "reviewer.1", "within the leeway"
    token, _ = _tokens(ManualClock(AT + timedelta(minutes=10))).issue("reviewer.1", ["tasks"])
    with pytest.raises(DomainError) as refused:
        _tokens(ManualClock(AT)).verify(token)
    assert refused.value.code == "invalid-token"
    assert "iat" in (refused.value.detail or "")
