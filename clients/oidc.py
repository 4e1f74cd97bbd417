"""Tokens from an OpenID Connect provider (the stack's Keycloak) for tools and tests.

Two grants only: client credentials (an integrating system) and the resource-owner password grant
(a staff member signed in by the demo, the tests and the benchmarks through the public
``tdkt-cli`` client).  The token endpoint comes from the issuer's discovery document, fetched once
per issuer.  Failures raise ``OidcError`` carrying the provider's own ``error`` and
``error_description`` ("Invalid user credentials", "Invalid client or Invalid client
credentials"), because that text is what tells a developer what is wrong.

Imports nothing of the platform: clients speak to it over HTTP only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError


class OidcError(RuntimeError):
    """The provider refused, or did not answer like an OpenID Connect provider."""

    def __init__(self, message: str, *, status: int | None = None, error: str = "", description: str = ""):
        super().__init__(message)
        self.status = status
        self.error = error
        self.description = description


class Discovery(BaseModel):
    """The fields of ``/.well-known/openid-configuration`` this module and its callers use."""

    model_config = ConfigDict(extra="allow", frozen=True)
    issuer: str
    token_endpoint: str
    jwks_uri: str
    authorization_endpoint: str | None = None
    end_session_endpoint: str | None = None


class TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    access_token: str
    expires_in: int
    token_type: str = "Bearer"
    scope: str = ""
    refresh_token: str | None = None


_discovered: dict[str, Discovery] = {}
_discovered_lock = threading.Lock()


def discover(http: httpx.Client, issuer: str, *, refresh: bool = False) -> Discovery:
    """The issuer's discovery document (cached per issuer); its ``issuer`` must equal ``issuer``."""
    issuer = issuer.rstrip("/")
    with _discovered_lock:
        if not refresh and issuer in _discovered:
            return _discovered[issuer]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = http.get(url)
    except httpx.HTTPError as exc:
        raise OidcError(f"no answer from {url}: {exc}") from exc
    if response.status_code != 200:
        raise OidcError(f"{url} answered {response.status_code}", status=response.status_code)
    try:
        document = Discovery.model_validate_json(response.content)
    except ValidationError as exc:
        raise OidcError(f"{url} is not a discovery document: {exc}") from exc
    if document.issuer.rstrip("/") != issuer:
        raise OidcError(f"{url} names issuer {document.issuer!r}, not {issuer!r}")
    with _discovered_lock:
        _discovered[issuer] = document
    return document


def _request_token(http: httpx.Client, issuer: str, form: dict[str, str], who: str) -> TokenResponse:
    endpoint = discover(http, issuer).token_endpoint
    try:
        response = http.post(endpoint, data=form)
    except httpx.HTTPError as exc:
        raise OidcError(f"no answer from {endpoint}: {exc}") from exc
    if response.status_code != 200:
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = str(body.get("error", "")) if isinstance(body, dict) else ""
        description = str(body.get("error_description", "")) if isinstance(body, dict) else ""
        text = f"{error}: {description}" if error else response.text[:300]
        raise OidcError(
            f"{issuer} refused a token for {who} ({response.status_code} {text})",
            status=response.status_code,
            error=error,
            description=description,
        )
    try:
        return TokenResponse.model_validate_json(response.content)
    except ValidationError as exc:
        raise OidcError(f"{endpoint} answered 200 without a token: {exc}") from exc


def _scope(scopes: Iterable[str] | None) -> dict[str, str]:
    return {"scope": " ".join(scopes)} if scopes else {}


def client_credentials_token(
    http: httpx.Client,
    issuer: str,
    client_id: str,
    client_secret: str,
    scopes: Iterable[str] | None = None,
) -> TokenResponse:
    """An integrating system's access token (grant ``client_credentials``, secret in the form)."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    return _request_token(http, issuer, form | _scope(scopes), f"client {client_id!r}")


def password_token(
    http: httpx.Client,
    issuer: str,
    client_id: str,
    username: str,
    password: str,
    scopes: Iterable[str] | None = None,
) -> TokenResponse:
    """A person's access token through a public client (grant ``password``)."""
    form = {"grant_type": "password", "client_id": client_id, "username": username, "password": password}
    return _request_token(http, issuer, form | _scope(scopes), f"user {username!r} via {client_id!r}")
