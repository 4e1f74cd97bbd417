"""``servicekit.auth.TokenService``: a token signed by the trusted issuer whose claims have the wrong
shape is refused as ``invalid-token`` (401) naming the claim, never a 500 nor a pass."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from servicekit.auth import AuthSettings, TokenService
from servicekit.clock import ManualClock
from servicekit.errors import DomainError
from tests.support import issuer

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
AUDIENCE = "tdkt-test"


@pytest.fixture
def tokens(tmp_path: Path) -> TokenService:
    uri = issuer.auth_env(tmp_path)["TDKT_AUTH_JWKS_URI"]
    return TokenService(AuthSettings(issuer=issuer.ISSUER, jwks_uri=uri), AUDIENCE, ManualClock(AT))


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def signed(payload: bytes) -> str:
    """A token whose payload is exactly ``payload`` (JSON that json.dumps would not write, e.g.
    ``NaN``), signed with the issuer's key."""
    header = _b64(json.dumps({"alg": "RS256", "kid": issuer.KEY_ID, "typ": "JWT"}).encode())
    body = _b64(payload)
    signature = issuer._private_key(issuer.KEY_ID).sign(
        header + b"." + body, padding.PKCS1v15(), hashes.SHA256()
    )
    return b".".join((header, body, _b64(signature))).decode()


def refusal(tokens: TokenService, token: str) -> DomainError:
    with pytest.raises(DomainError) as refused:
        tokens.verify(token)
    assert refused.value.code == "invalid-token"
    assert refused.value.headers["WWW-Authenticate"].startswith("Bearer")
    return refused.value


@pytest.mark.parametrize(
    "scope", [["tasks"], 7, {"tasks": True}, None], ids=["list", "number", "object", "null"]
)
def test_a_scope_that_is_not_a_string_is_refused_naming_it(tokens: TokenService, scope: object) -> None:
    token = issuer.TestIssuer(ManualClock(AT)).token({"sub": "x", "aud": AUDIENCE, "scope": scope})
    assert refusal(tokens, token).detail == "scope must be a string of space-separated scopes"


@pytest.mark.parametrize("expires", [b"NaN", b"Infinity", b'"later"'])
def test_an_expiry_that_is_not_a_finite_number_is_refused(tokens: TokenService, expires: bytes) -> None:
    now = int(AT.timestamp())
    payload = b'{"sub":"x","aud":"%s","iss":"%s","iat":%d,"exp":%s,"scope":"tasks"}' % (
        AUDIENCE.encode(),
        issuer.ISSUER.encode(),
        now,
        expires,
    )
    assert refusal(tokens, signed(payload)).detail == "exp, iat and nbf must be finite numbers"
    fine = payload.replace(expires, str(now + 60).encode())
    assert tokens.verify(signed(fine)).scopes == {"tasks"}, "the same token with a finite expiry passes"
