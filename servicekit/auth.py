"""Bearer-token authentication shared by the HTTP services: access tokens issued by an OpenID
Connect provider (Keycloak on the local stack, a province's SSO in production), checked with PyJWT.

Every service checks, for each request: the signature against the issuer's published keys (JWKS,
found through the discovery document ``{issuer}/.well-known/openid-configuration``, cached and
fetched again when a token names a key the cache lacks — key rotation — at most once every
``jwks_min_refetch_seconds``), the issuer, its own audience (``tdkt-intake``, ``tdkt-review``,
``tdkt-decisions``, ``tdkt-notifications``), the times against the service's clock with
``leeway_seconds`` of skew, and the scope the operation needs. Who the caller is comes from mapped
claims, renamed by settings where a provider names them otherwise (docs/ARCHITECTURE.md, "Sign-in
and claims"):

- staff (scope ``tasks``): ``organisation`` (the organisation's code), ``roles`` (a JSON array; a
  dotted path such as ``realm_access.roles`` reaches into an object), ``name`` (the full name as
  documents print it) and ``title`` (chức vụ);
- everyone: ``preferred_username``, the login name the platform records as acting (``sub`` where
  absent);
- integrating systems (scopes ``dossiers:write``/``dossiers:read``, OAuth2 client credentials): the
  client id in ``azp``.

No service issues tokens.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.errors import DomainError, ErrorCode
from servicekit.refusals import (
    IDENTITY_PROVIDER_UNAVAILABLE,
    INSUFFICIENT_SCOPE,
    INVALID_TOKEN,
    MISSING_TOKEN,
    NO_ORGANISATION,
    SIGNER_NOT_NAMED,
    TOKEN_EXPIRED,
)

INTAKE_AUDIENCE = "tdkt-intake"
REVIEW_AUDIENCE = "tdkt-review"
DECISIONS_AUDIENCE = "tdkt-decisions"
NOTIFICATIONS_AUDIENCE = "tdkt-notifications"
STAFF_SCOPE = "tasks"
"""The scope of an officer's token (reviewers, leaders, clerks)."""
INTEGRATOR_READ_SCOPE = "dossiers:read"
INTEGRATOR_WRITE_SCOPE = "dossiers:write"
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
"""Asymmetric only: a shared-secret (HS*) or unsigned (``none``) token is refused whatever it says."""

# How the OpenAPI documents declare the tokens, so that "Authorize" in Swagger UI works. The
# schemes only describe: ``TokenService.authenticator`` reads and judges the header itself
# (auto_error=False), so a missing or bad token is still a problem+json answer.
STAFF_TOKEN_SCHEME = HTTPBearer(
    scheme_name="staffToken",
    bearerFormat="JWT",
    description="An officer's access token from the platform's OpenID Connect provider (Keycloak "
    "on the local stack: the realm `tdkt`), scope `tasks`, with the claims `organisation`, `roles`, "
    "`name` and `title`. Sign in with the authorisation code flow (the web workspace) or, for tools, "
    "the password grant of the public client `tdkt-cli`; the token endpoint is in the discovery "
    "document `{issuer}/.well-known/openid-configuration`.",
    auto_error=False,
)
INTEGRATOR_TOKEN_SCHEME = HTTPBearer(
    scheme_name="integratorToken",
    bearerFormat="JWT",
    description="An integrating system's access token: OAuth2 client credentials (its client id and "
    "secret) at the identity provider's token endpoint (found in `{issuer}/.well-known/"
    "openid-configuration`; on the local stack `http://127.0.0.1:18080/realms/tdkt/protocol/"
    "openid-connect/token`), scopes `dossiers:write dossiers:read`. The client id is read from `azp`.",
    auto_error=False,
)


class AuthSettings(BaseSettings):
    """``TDKT_AUTH_*``: where tokens come from and how their claims are named."""

    model_config = SettingsConfigDict(env_prefix="TDKT_AUTH_", extra="ignore")

    issuer: str | None = None
    """The OpenID Connect issuer, exactly as tokens carry it in ``iss``."""
    jwks_uri: str | None = None
    """Where the signing keys are; by default the discovery document's ``jwks_uri``. A ``file:``
    URL reads a JWKS file (an air-gapped deployment, the in-process service tests)."""
    leeway_seconds: int = 30
    """How far the issuer's clock may differ from ours (``exp``, ``iat``, ``nbf``)."""
    jwks_cache_seconds: int = 600
    jwks_min_refetch_seconds: int = 10
    """An unknown key id fetches the keys again (rotation), but not more often than this."""
    http_timeout_seconds: float = 5.0
    subject_claim: str = "preferred_username"
    """Whom the platform records as acting (history, assignment, votes): the login name, which
    people read and leaders assign to; ``sub`` where a token lacks it."""
    organisation_claim: str = "organisation"
    roles_claim: str = "roles"
    name_claim: str = "name"
    title_claim: str = "title"
    client_claim: str = "azp"

    def require_issuer(self) -> str:
        if not self.issuer:
            raise RuntimeError(
                "No token issuer: set TDKT_AUTH_ISSUER to the OpenID Connect issuer "
                "(`make up` points it at the stack's Keycloak, realm tdkt)."
            )
        return self.issuer


@dataclass(frozen=True)
class Principal:
    """Who a checked token names, its claims mapped by ``AuthSettings``."""

    subject: str
    scopes: frozenset[str]
    claims: dict[str, Any]
    client_id: str | None = None
    organisation: str | None = None
    roles: frozenset[str] = frozenset()
    name: str | None = None
    title: str | None = None

    def client(self) -> str:
        """The integrating system the token names (``azp``, or the claim ``TDKT_AUTH_CLIENT_CLAIM``
        names); a token naming none is invalid for an integrator's operation."""
        if self.client_id is None:
            raise _unauthorised(INVALID_TOKEN, "the token names no client (azp)")
        return self.client_id


@dataclass(frozen=True)
class Staff:
    """An officer as their token names them. ``name`` and ``title`` are what a signature block
    prints; an identity without them can still read and act, but not sign."""

    subject: str
    organisation: str
    roles: frozenset[str]
    name: str | None = None
    title: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.subject

    def check_can_sign(self) -> None:
        """A signature block prints the signer's full name and title: both must be known."""
        missing = [
            (vi, en)
            for value, vi, en in ((self.name, "họ tên", "full name"), (self.title, "chức vụ", "title"))
            if not value
        ]
        if missing:
            raise SIGNER_NOT_NAMED(
                missing_vi=" và ".join(vi for vi, _ in missing),
                missing_en=" and ".join(en for _, en in missing),
            )

    @classmethod
    def from_principal(cls, principal: Principal) -> Staff:
        if not principal.organisation:
            raise NO_ORGANISATION()
        return cls(
            subject=principal.subject,
            organisation=principal.organisation,
            roles=principal.roles,
            name=principal.name,
            title=principal.title,
        )


class KeySet:
    """The issuer's signing keys: discovered, cached, fetched again on an unknown key id."""

    def __init__(self, settings: AuthSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._jwks_uri = settings.jwks_uri

    def key(self, kid: str | None) -> jwt.PyJWK:
        with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at > self._settings.jwks_cache_seconds
            unknown = self._lookup(kid) is None
            may_refetch = (
                self._fetched_at is None or now - self._fetched_at >= self._settings.jwks_min_refetch_seconds
            )
            if stale or (unknown and may_refetch):
                self._refresh(now)
            found = self._lookup(kid)
        if found is None:
            raise _unauthorised(INVALID_TOKEN, f"no signing key {kid!r} at the issuer")
        return found

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _refresh(self, now: float) -> None:
        try:
            if self._jwks_uri is None:
                self._jwks_uri = self._discover()
            document = _fetch_json(self._jwks_uri, self._settings.http_timeout_seconds)
            keys = jwt.PyJWKSet.from_dict(document).keys
        except (OSError, httpx.HTTPError, ValueError, jwt.PyJWKSetError) as error:
            if self._keys:  # the keys we had still check the tokens they signed
                return
            raise IDENTITY_PROVIDER_UNAVAILABLE(detail=f"{type(error).__name__}: {error}") from error
        self._keys = {str(key.key_id): key for key in keys if key.public_key_use in (None, "sig")}
        self._fetched_at = now

    def _discover(self) -> str:
        issuer = self._settings.require_issuer()
        document = _fetch_json(
            f"{issuer.rstrip('/')}/.well-known/openid-configuration", self._settings.http_timeout_seconds
        )
        if document.get("issuer") != issuer:
            raise ValueError(
                f"the discovery document names issuer {document.get('issuer')!r}, not {issuer!r}"
            )
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise ValueError("the discovery document has no jwks_uri")
        return jwks_uri


def _fetch_json(uri: str, timeout: float) -> dict[str, Any]:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        document = json.loads(Path(parsed.path).read_text())
    else:
        response = httpx.get(uri, timeout=timeout)
        response.raise_for_status()
        document = response.json()
    if not isinstance(document, dict):
        raise ValueError(f"{uri} is not a JSON object")
    return document


class TokenService:
    """Checks the access tokens sent to one service (``audience``)."""

    def __init__(
        self,
        settings: AuthSettings,
        audience: str,
        clock: Clock = SYSTEM_CLOCK,
        scheme: HTTPBearer | None = None,
        keys: KeySet | None = None,
    ) -> None:
        """``scheme``: how the API documents declare the token (the staff token by default)."""
        self._settings = settings
        self._audience = audience
        self._clock = clock
        self._keys = keys or KeySet(settings)
        self.scheme = scheme or STAFF_TOKEN_SCHEME

    def check_configured(self) -> None:
        self._settings.require_issuer()

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise _unauthorised(INVALID_TOKEN, str(error)) from error
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise _unauthorised(INVALID_TOKEN, f"signature algorithm {algorithm!r} is not accepted")
        key = self._keys.key(header.get("kid") if isinstance(header.get("kid"), str) else None)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[str(algorithm)],
                audience=self._audience,
                issuer=self._settings.require_issuer(),
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
        return self._principal(claims)

    def _principal(self, claims: dict[str, Any]) -> Principal:
        settings = self._settings
        scope = claims.get("scope", "")
        subject = _claim(claims, settings.subject_claim) or claims["sub"]
        if not isinstance(scope, str):
            # RFC 9068 §2.2.3 / RFC 8693 §4.2: one string of space-separated scopes, as Keycloak
            # issues it; a list or a number is a token this platform's issuer did not mean
            raise _unauthorised(INVALID_TOKEN, "scope must be a string of space-separated scopes")
        if not isinstance(subject, str):
            raise _unauthorised(INVALID_TOKEN, f"{settings.subject_claim} and sub must be strings")
        roles = _claim(claims, settings.roles_claim)
        if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
            raise _unauthorised(INVALID_TOKEN, f"{settings.roles_claim} must be a list of strings")
        return Principal(
            subject=subject,
            scopes=frozenset(scope.split()),
            claims=claims,
            client_id=_text(claims, settings.client_claim),
            organisation=_text(claims, settings.organisation_claim),
            roles=frozenset(roles or ()),
            name=_text(claims, settings.name_claim),
            title=_text(claims, settings.title_claim),
        )

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock.now().timestamp()
        leeway = self._settings.leeway_seconds
        expires, issued, not_before = claims["exp"], claims["iat"], claims.get("nbf", 0)
        if not all(_instant(t) for t in (expires, issued, not_before)):
            raise _unauthorised(INVALID_TOKEN, "exp, iat and nbf must be finite numbers")
        if expires <= now - leeway:
            raise _unauthorised(TOKEN_EXPIRED)
        if issued > now + leeway:
            raise _unauthorised(INVALID_TOKEN, "issued in the future (iat)")
        if not_before > now + leeway:
            raise _unauthorised(INVALID_TOKEN, "not valid yet (nbf)")

    def authenticator(self, scope: str, *alternatives: str) -> Callable[[Request], Principal]:
        """A FastAPI dependency (``Depends(...)``) giving the authenticated principal, which must
        hold ``scope`` or one of ``alternatives`` (a read that a writer may do too); each operation
        using it declares the service's security scheme."""

        declared = Depends(self.scheme)
        accepted = (scope, *alternatives)

        def authenticate(request: Request, _declared: Any = declared) -> Principal:
            header = request.headers.get("authorization", "")
            kind, _, token = header.partition(" ")
            if kind.lower() != "bearer" or not token:
                raise _unauthorised(MISSING_TOKEN)
            principal = self.verify(token.strip())
            if principal.scopes.isdisjoint(accepted):
                raise INSUFFICIENT_SCOPE(
                    scope=scope, detail=f"any of: {', '.join(accepted)}" if alternatives else None
                )
            return principal

        return authenticate


def _instant(value: object) -> bool:
    """A NumericDate: a number, and not NaN or infinite (JSON parsers read ``NaN``, which compares
    false with everything: ``exp: NaN`` would never expire)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(claims: dict[str, Any], path: str) -> str | None:
    value = _claim(claims, path)
    return value.strip() or None if isinstance(value, str) else None


def _unauthorised(code: ErrorCode, detail: str | None = None) -> DomainError:
    error = code(detail=detail)
    error.headers["WWW-Authenticate"] = 'Bearer realm="tdkt"'
    return error
