"""What checking a token costs a request, now that tokens are the identity provider's (RS256
against its published keys, ``servicekit.auth.TokenService``) rather than a shared HS256 key:
both measured in the same run on the same claims, printed with their ratio.

    .venv/bin/python -m tools.bench.tokens [--tokens 3000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import jwt

from servicekit.auth import AuthSettings, TokenService
from servicekit.clock import ManualClock
from tests.support import issuer

SHARED_KEY = "a shared key of the old development issuer, 48 bytes"


def measure(count: int) -> tuple[float, float]:
    """Seconds per token: the platform's check of an RS256 token (keys cached), and PyJWT's bare
    HS256 decode of the same claims (the baseline)."""
    clock = ManualClock(datetime(2026, 3, 2, 2, tzinfo=UTC))
    env = issuer.auth_env(Path(tempfile.mkdtemp(prefix="bench-tokens-")))
    service = TokenService(
        AuthSettings(issuer=issuer.ISSUER, jwks_uri=env["TDKT_AUTH_JWKS_URI"]), "tdkt-review", clock
    )
    token = issuer.TestIssuer(clock).staff("AH", "leader")
    claims = jwt.decode(token, options={"verify_signature": False})
    shared = jwt.encode(claims, SHARED_KEY, algorithm="HS256")
    service.verify(token)  # the keys fetched once, as a running service has them
    started = time.perf_counter()
    for _ in range(count):
        service.verify(token)
    platform = (time.perf_counter() - started) / count
    started = time.perf_counter()
    for _ in range(count):
        jwt.decode(  # the times are the service's clock's business in both, as in TokenService
            shared,
            SHARED_KEY,
            algorithms=["HS256"],
            audience="tdkt-review",
            issuer=issuer.ISSUER,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    baseline = (time.perf_counter() - started) / count
    return platform, baseline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.tokens")
    parser.add_argument("--tokens", type=int, default=3000)
    args = parser.parse_args(argv)
    platform, baseline = measure(args.tokens)
    print(f"token check (RS256, JWKS cached): {platform * 1e6:.1f} µs per request")
    print(f"baseline (bare HS256 decode):     {baseline * 1e6:.1f} µs per request")
    print(f"ratio: {platform / baseline:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
