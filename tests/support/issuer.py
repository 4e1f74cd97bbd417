"""A token issuer for unit and in-process service tests: an RSA key of its own, its public half
published as a JWKS file the services read (``TDKT_AUTH_JWKS_URI=file:…``), and access tokens with
the claims the platform's Keycloak realm maps (``deploy/keycloak``). Integration tests get their
tokens from the real Keycloak instead."""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from servicekit.auth import (
    DECISIONS_AUDIENCE,
    INTAKE_AUDIENCE,
    INTEGRATOR_READ_SCOPE,
    INTEGRATOR_WRITE_SCOPE,
    NOTIFICATIONS_AUDIENCE,
    REVIEW_AUDIENCE,
    STAFF_SCOPE,
)
from servicekit.clock import Clock

ISSUER = "http://127.0.0.1:9/realms/tdkt-test"
STAFF_AUDIENCES = [INTAKE_AUDIENCE, REVIEW_AUDIENCE, DECISIONS_AUDIENCE, NOTIFICATIONS_AUDIENCE]
CLIENT_AUDIENCES = [INTAKE_AUDIENCE, NOTIFICATIONS_AUDIENCE]
LIFETIME_SECONDS = 3600
KEY_ID = "test-key-1"


@cache
def _private_key(key_id: str) -> rsa.RSAPrivateKey:
    """One key per id for the whole test session (an RSA key takes a tenth of a second to make)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks(*key_ids: str) -> dict[str, Any]:
    keys = []
    for key_id in key_ids or (KEY_ID,):
        public = json.loads(RSAAlgorithm.to_jwk(_private_key(key_id).public_key()))
        keys.append({**public, "kid": key_id, "use": "sig", "alg": "RS256"})
    return {"keys": keys}


def jwks_text(*key_ids: str) -> str:
    return json.dumps(jwks(*key_ids))


def auth_env(folder: Path, *key_ids: str) -> dict[str, str]:
    """The variables that make a service trust this issuer: its JWKS written under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "jwks.json"
    path.write_text(jwks_text(*key_ids))
    return {"TDKT_AUTH_ISSUER": ISSUER, "TDKT_AUTH_JWKS_URI": path.as_uri()}


class TestIssuer:
    """Signs access tokens at the clock's time."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, clock: Clock, key_id: str = KEY_ID) -> None:
        self._clock = clock
        self._key_id = key_id

    def token(self, claims: dict[str, Any], *, key_id: str | None = None, algorithm: str = "RS256") -> str:
        now = int(self._clock.now().timestamp())
        base = {
            "iss": ISSUER,
            "iat": now,
            "exp": now + LIFETIME_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        kid = key_id or self._key_id
        return jwt.encode({**base, **claims}, _private_key(kid), algorithm=algorithm, headers={"kid": kid})

    def staff(
        self,
        organisation: str | None,
        *roles: str,
        subject: str | None = None,
        name: str | None = None,
        title: str | None = None,
        audience: list[str] | None = None,
    ) -> str:
        claims: dict[str, Any] = {
            "sub": subject or f"can-bo.{organisation}",
            "aud": audience or STAFF_AUDIENCES,
            "azp": "tdkt-cli",
            "scope": f"openid {STAFF_SCOPE}",
            "roles": list(roles),
            "name": name if name is not None else f"Cán bộ {subject or organisation}",
            "title": title if title is not None else "Chuyên viên",
        }
        if organisation is not None:
            claims["organisation"] = organisation
        return self.token(claims)

    def client(self, client_id: str, *, write: bool = True) -> str:
        scopes = [INTEGRATOR_WRITE_SCOPE, INTEGRATOR_READ_SCOPE] if write else [INTEGRATOR_READ_SCOPE]
        return self.token(
            {
                "sub": f"service-account-{client_id}",
                "aud": CLIENT_AUDIENCES,
                "azp": client_id,
                "scope": " ".join(scopes),
            }
        )
