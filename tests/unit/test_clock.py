"""The one clock: what a service reads is what it was given, never the machine's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from servicekit.auth import AuthSettings, TokenService
from servicekit.clock import ManualClock, local_date
from servicekit.errors import DomainError, Refusal
from tests.support import issuer

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


LEEWAY = 30


def _tokens(clock: ManualClock, jwks_uri: str) -> TokenService:
    settings = AuthSettings(issuer=issuer.ISSUER, jwks_uri=jwks_uri, leeway_seconds=LEEWAY)
    return TokenService(settings, "tdkt-test", clock)


@pytest.fixture
def jwks_uri(tmp_path: Path) -> str:
    return issuer.auth_env(tmp_path)["TDKT_AUTH_JWKS_URI"]


def _token(clock: ManualClock) -> str:
    return issuer.TestIssuer(clock).token({"sub": "reviewer.1", "aud": "tdkt-test", "scope": "tasks"})


def test_tokens_expire_by_the_services_clock_with_the_skew_allowed(jwks_uri: str) -> None:
    clock = ManualClock(AT)
    token = _token(clock)
    clock.advance(timedelta(seconds=issuer.LIFETIME_SECONDS + LEEWAY - 1))
    assert _tokens(clock, jwks_uri).verify(token).subject == "reviewer.1"
    clock.advance(timedelta(seconds=1))
    with pytest.raises(DomainError) as expired:
        _tokens(clock, jwks_uri).verify(token)
    assert (expired.value.kind, expired.value.code) == (Refusal.UNAUTHENTICATED, "token-expired")


def test_a_token_issued_in_the_future_is_refused(jwks_uri: str) -> None:
    ahead = _token(ManualClock(AT + timedelta(seconds=LEEWAY)))
    assert _tokens(ManualClock(AT), jwks_uri).verify(ahead).subject == "reviewer.1", "within the leeway"
    token = _token(ManualClock(AT + timedelta(minutes=10)))
    with pytest.raises(DomainError) as refused:
        _tokens(ManualClock(AT), jwks_uri).verify(token)
    assert refused.value.code == "invalid-token"
    assert "iat" in (refused.value.detail or "")
