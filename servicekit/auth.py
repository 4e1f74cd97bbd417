"""Bearer-token authentication shared by the HTTP services (PyJWT).

Tokens are JWTs with OIDC-compatible registered claims (``iss``, ``sub``, ``aud``, ``exp``,
``iat``, ``jti``) signed with HS256 by the platform's development issuer; a real identity
provider plugs in by issuing tokens with the same claims and key. The signing key comes from
``TDKT_AUTH_SIGNING_KEY`` or the file named by ``TDKT_AUTH_SIGNING_KEY_FILE`` — never from the
repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import HTTPBearer, OAuth2
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.errors import DomainError, ErrorCode
from servicekit.refusals import (
    INSUFFICIENT_SCOPE,
    INVALID_TOKEN,
    MISSING_TOKEN,
    NO_ORGANISATION,
    TOKEN_EXPIRED,
)

ALGORITHM = "HS256"
STAFF_TOKEN_AUDIENCE = "tdkt-review"
"""Tokens of officers (reviewers, leaders), with ``organisation`` and ``roles`` claims: the review
service issues and checks them; decisions (revocations) and notifications (feed) check them."""
STAFF_SCOPE = "tasks"
INTEGRATOR_TOKEN_AUDIENCE = "tdkt-intake"
"""Tokens of integrating systems (OAuth2 client credentials): intake issues and checks them;
notifications checks them for webhook subscriptions."""
INTEGRATOR_READ_SCOPE = "dossiers:read"
MIN_KEY_BYTES = 32
IAT_LEEWAY_SECONDS = 30
"""How far ahead of ours the issuer's clock may run (``iat``); ``exp`` is held exactly."""

# How the OpenAPI documents declare the tokens, so that "Authorize" in Swagger UI works. The
# schemes only describe: ``TokenService.authenticator`` reads and judges the header itself
# (auto_error=False), so a missing or bad token is still a problem+json answer.
STAFF_TOKEN_SCHEME = HTTPBearer(
    scheme_name="staffToken",
    bearerFormat="JWT",
    description="An officer's token (reviewers, leaders; audience `tdkt-review`) with the claims "
    "`organisation` and `roles`. On the local stack the review service issues one: "
    "`POST /v1/dev/tokens` on the review API.",
    auto_error=False,
)
INTEGRATOR_TOKEN_SCHEME = HTTPBearer(
    scheme_name="integratorToken",
    bearerFormat="JWT",
    description="An integrating system's access token (audience `tdkt-intake`), from intake's "
    "`POST /v1/oauth/token` (OAuth2 client credentials).",
    auto_error=False,
)


def client_credentials_scheme(token_url: str, scopes: dict[str, str]) -> OAuth2:
    """OAuth2 client credentials against ``token_url`` (intake's own token endpoint)."""
    flow = OAuthFlowClientCredentials(tokenUrl=token_url, scopes=scopes)
    return OAuth2(
        flows=OAuthFlows(clientCredentials=flow),
        scheme_name="integratorOAuth2",
        description="OAuth2 client credentials: the client id and secret (HTTP Basic or form fields) "
        "give an access token to send as `Authorization: Bearer …`.",
        auto_error=False,
    )


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_AUTH_", extra="ignore")

    issuer: str = "urn:tdkt:dev-issuer"
    signing_key: SecretStr | None = None
    signing_key_file: Path | None = None
    token_ttl_seconds: int = 3600

    def key(self) -> str:
        if self.signing_key is not None:
            value = self.signing_key.get_secret_value()
        elif self.signing_key_file is not None:
            value = self.signing_key_file.read_text().strip()
        else:
            raise RuntimeError(
                "No token signing key: set TDKT_AUTH_SIGNING_KEY or TDKT_AUTH_SIGNING_KEY_FILE "
                "(`make up` generates one under .stack/secrets)."
            )
        if len(value.encode()) < MIN_KEY_BYTES:
            raise RuntimeError(f"The token signing key must be at least {MIN_KEY_BYTES} bytes long.")
        return value


@dataclass(frozen=True)
class Principal:
    subject: str
    scopes: frozenset[str]
    claims: dict[str, Any]


@dataclass(frozen=True)
class Staff:
    """An officer as a staff token (audience ``STAFF_TOKEN_AUDIENCE``) names them: the
    ``organisation`` and ``roles`` claims beside the registered ones, so a real identity provider
    plugs in by issuing the same claims."""

    subject: str
    name: str
    organisation: str
    roles: frozenset[str]

    @classmethod
    def from_principal(cls, principal: Principal) -> Staff:
        organisation = principal.claims.get("organisation")
        if not isinstance(organisation, str) or not organisation:
            raise NO_ORGANISATION()
        roles = principal.claims.get("roles", [])
        return cls(
            subject=principal.subject,
            name=str(principal.claims.get("name", principal.subject)),
            organisation=organisation,
            roles=frozenset(role for role in roles if isinstance(role, str)),
        )


class TokenService:
    def __init__(
        self,
        settings: AuthSettings,
        audience: str,
        clock: Clock = SYSTEM_CLOCK,
        scheme: HTTPBearer | OAuth2 | None = None,
    ) -> None:
        """``scheme``: how the API documents declare the token; by default the staff bearer
        token for ``STAFF_TOKEN_AUDIENCE``, else the integrator's."""
        self._settings = settings
        self._audience = audience
        self._clock = clock
        self.scheme = scheme or (
            STAFF_TOKEN_SCHEME if audience == STAFF_TOKEN_AUDIENCE else INTEGRATOR_TOKEN_SCHEME
        )

    def check_configured(self) -> None:
        self._settings.key()

    def issue(self, subject: str, scopes: list[str], extra: dict[str, Any] | None = None) -> tuple[str, int]:
        now = int(self._clock.now().timestamp())
        ttl = self._settings.token_ttl_seconds
        claims = {
            "iss": self._settings.issuer,
            "sub": subject,
            "aud": self._audience,
            "iat": now,
            "exp": now + ttl,
            "jti": str(uuid.uuid4()),
            "scope": " ".join(scopes),
            **(extra or {}),
        }
        return jwt.encode(claims, self._settings.key(), algorithm=ALGORITHM), ttl

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._settings.key(),
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._settings.issuer,
                # the times are checked below against the service's clock, not PyJWT's
                options={
                    "require": ["exp", "iat", "sub", "aud", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidTokenError as error:
            raise _unauthorised(INVALID_TOKEN, str(error)) from error
        self._check_times(claims)
        return Principal(
            subject=claims["sub"], scopes=frozenset(claims.get("scope", "").split()), claims=claims
        )

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock.now().timestamp()
        expires, issued = claims["exp"], claims["iat"]
        if not isinstance(expires, int | float) or not isinstance(issued, int | float):
            raise _unauthorised(INVALID_TOKEN, "exp and iat must be numbers")
        if expires <= now:
            raise _unauthorised(TOKEN_EXPIRED)
        if issued > now + IAT_LEEWAY_SECONDS:
            raise _unauthorised(INVALID_TOKEN, "issued in the future (iat)")

    def authenticator(self, scope: str) -> Callable[[Request], Principal]:
        """A FastAPI dependency (``Depends(...)``) giving the authenticated principal, which must
        hold ``scope``; each operation using it declares the service's security scheme (with the
        scope, for OAuth2)."""
        declared = (
            Security(self.scheme, scopes=[scope]) if isinstance(self.scheme, OAuth2) else Depends(self.scheme)
        )

        def authenticate(request: Request, _declared: Any = declared) -> Principal:
            header = request.headers.get("authorization", "")
            kind, _, token = header.partition(" ")
            if kind.lower() != "bearer" or not token:
                raise _unauthorised(MISSING_TOKEN)
            principal = self.verify(token.strip())
            if scope not in principal.scopes:
                raise INSUFFICIENT_SCOPE(scope=scope)
            return principal

        return authenticate


def _unauthorised(code: ErrorCode, detail: str | None = None) -> DomainError:
    error = code(detail=detail)
    error.headers["WWW-Authenticate"] = 'Bearer realm="tdkt"'
    return error
