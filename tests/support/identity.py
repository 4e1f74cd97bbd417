"""Real tokens from the stack's Keycloak for tests: a staff member of any organisation with any
roles, or an integrating system.

``Identity.staff_token("AH-SNV", "officer")`` signs in the realm's sample person
``ah-snv.officer`` (password from ``.stack/secrets/keycloak/users.json``).  A combination the realm
does not hold — two roles, no role, a role the realm lacks, another name or title, a given
subject — becomes a user created through Keycloak's admin REST API (missing realm roles created
too) and then signed in with the password grant on ``tdkt-cli``, so tests see the same tokens the
services will see in production rather than tokens minted by a test key.  Created users stay in
the realm (found again by username next time) until the realm is re-imported.

Fast on purpose: one ``httpx.Client``, one admin token reused until near its expiry (the master
realm's tokens live 60 s), every access token cached per user or client until 30 s before it
expires.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from clients.oidc import OidcError, TokenResponse, client_credentials_token, password_token
from deploy import infra
from deploy.keycloak import people, realm

EARLY_RENEWAL_SECONDS = 30.0
DEFAULT_NAME = "Cán bộ kiểm thử"
DEFAULT_TITLE = "Chuyên viên"


@dataclass
class _Cached:
    token: str
    renew_at: float


class Identity:
    """Tokens of the realm at ``issuer`` (default: the local stack's), administered with the
    bootstrap admin recorded in ``secrets_dir`` (default: the stack's ``secrets/keycloak``)."""

    def __init__(self, issuer: str | None = None, secrets_dir: Path | None = None) -> None:
        self.issuer = (issuer or infra.keycloak_issuer()).rstrip("/")
        self.base_url, self.realm = self.issuer.rsplit("/realms/", 1)
        folder = secrets_dir or infra.keycloak_secrets_dir()
        self._admin = json.loads((folder / "admin.json").read_text())
        self._client_secrets: dict[str, str] = json.loads((folder / "clients.json").read_text())
        self._passwords: dict[str, str] = json.loads((folder / "users.json").read_text())
        self._samples = {person["username"]: person for person in people.read_staff()}
        self._http = httpx.Client(timeout=30.0)
        self._tokens: dict[str, _Cached] = {}
        self._admin_token: _Cached | None = None
        self._checked_users: set[str] = set()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Identity:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public -------------------------------------------------------------
    def staff_token(
        self,
        organisation: str,
        *roles: str,
        subject: str | None = None,
        name: str | None = None,
        title: str | None = None,
    ) -> str:
        """An access token of a staff member of ``organisation`` holding exactly ``roles``."""
        username = self.staff_username(organisation, *roles, subject=subject, name=name, title=title)
        cached = self._tokens.get(username)
        if cached and time.monotonic() < cached.renew_at:
            return cached.token
        if username not in self._samples and username not in self._checked_users:
            self._ensure_user(username, organisation, roles, name or DEFAULT_NAME, title or DEFAULT_TITLE)
            self._checked_users.add(username)
        try:
            response = password_token(
                self._http, self.issuer, realm.CLI_CLIENT, username, self._password(username)
            )
        except OidcError as exc:
            if exc.error != "invalid_grant" or username in self._samples:
                raise
            self._reset_password(username)  # a user made by another admin password's Identity
            response = password_token(
                self._http, self.issuer, realm.CLI_CLIENT, username, self._password(username)
            )
        return self._remember(username, response)

    def client_token(self, client_id: str) -> str:
        """An access token of a confidential client of the realm (client credentials)."""
        key = f"client:{client_id}"
        cached = self._tokens.get(key)
        if cached and time.monotonic() < cached.renew_at:
            return cached.token
        if client_id not in self._client_secrets:
            self._ensure_client(client_id)
        response = client_credentials_token(self._http, self.issuer, client_id, self.client_secret(client_id))
        return self._remember(key, response)

    def client_secret(self, client_id: str) -> str:
        """The realm's clients' secrets are the stack's; a client made by tests gets one derived
        from the admin password (so another session finds the same)."""
        if client_id in self._client_secrets:
            return self._client_secrets[client_id]
        key = str(self._admin["password"]).encode()
        return hmac.new(key, f"tdkt-test-client:{client_id}".encode(), hashlib.sha256).hexdigest()

    def password(self, username: str) -> str:
        """The password of a sample person or of a user this class created."""
        return self._password(username)

    def staff_username(
        self,
        organisation: str,
        *roles: str,
        subject: str | None = None,
        name: str | None = None,
        title: str | None = None,
    ) -> str:
        """``subject``; else the sample person when one role matches (and name and title, if
        given, are theirs); else ``<roles joined by '-'>.<organisation>``, lower-cased, with a
        short digest of the name and title when either is given."""
        if subject:
            return subject.lower()
        if len(roles) == 1:
            sample = self._samples.get(people.username(organisation, roles[0]))
            if sample and name in (None, sample["full_name"]) and title in (None, sample["title"]):
                return str(sample["username"])
        base = f"{'-'.join(roles) or 'staff'}.{organisation}".lower()
        if name is None and title is None:
            return base
        digest = hashlib.sha256(f"{name}|{title}".encode()).hexdigest()[:8]
        return f"{base}.{digest}"

    # -- tokens ---------------------------------------------------------------
    def _remember(self, key: str, response: TokenResponse) -> str:
        renew_at = time.monotonic() + max(response.expires_in - EARLY_RENEWAL_SECONDS, 0.0)
        self._tokens[key] = _Cached(response.access_token, renew_at)
        return response.access_token

    def _password(self, username: str) -> str:
        if username in self._passwords:
            return self._passwords[username]
        key = str(self._admin["password"]).encode()
        return hmac.new(key, f"tdkt-test-user:{username}".encode(), hashlib.sha256).hexdigest()

    # -- the admin REST API --------------------------------------------------------
    def _admin_headers(self) -> dict[str, str]:
        if self._admin_token is None or time.monotonic() >= self._admin_token.renew_at:
            response = password_token(
                self._http,
                f"{self.base_url}/realms/master",
                "admin-cli",
                str(self._admin["username"]),
                str(self._admin["password"]),
            )
            renew_at = time.monotonic() + max(response.expires_in - 10.0, 0.0)
            self._admin_token = _Cached(response.access_token, renew_at)
        return {"Authorization": f"Bearer {self._admin_token.token}"}

    def _admin_call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        ok: tuple[int, ...] = (),
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        url = f"{self.base_url}/admin/realms/{self.realm}{path}"
        response = self._http.request(method, url, json=body, params=params, headers=self._admin_headers())
        if response.status_code >= 400 and response.status_code not in ok:
            raise OidcError(
                f"Keycloak admin API {method} {path} answered {response.status_code}: {response.text[:300]}",
                status=response.status_code,
            )
        return response

    def _user_id(self, username: str) -> str | None:
        response = self._admin_call("GET", "/users", params={"username": username, "exact": "true"})
        users = [u for u in response.json() if u["username"] == username]
        return str(users[0]["id"]) if users else None

    def _role(self, role: str) -> dict[str, Any]:
        response = self._admin_call("GET", f"/roles/{role}", ok=(404,))
        if response.status_code == 404:
            self._admin_call("POST", "/roles", {"name": role, "description": "made by tests"}, ok=(409,))
            response = self._admin_call("GET", f"/roles/{role}")
        role_representation: dict[str, Any] = response.json()
        return role_representation

    def _ensure_user(
        self, username: str, organisation: str, roles: tuple[str, ...], name: str, title: str
    ) -> None:
        attributes = {"organisation": [organisation], "full_name": [name], "title": [title]}
        user_id = self._user_id(username)
        if user_id is None:
            self._admin_call(
                "POST",
                "/users",
                {
                    "username": username,
                    "enabled": True,
                    "emailVerified": True,
                    "attributes": attributes,
                    "credentials": [
                        {"type": "password", "value": self._password(username), "temporary": False}
                    ],
                },
                ok=(409,),  # created meanwhile by another session: checked below like any other
            )
            user_id = self._user_id(username)
            assert user_id is not None, f"Keycloak did not create user {username}"
        else:
            current = self._admin_call("GET", f"/users/{user_id}").json()
            if current.get("attributes", {}) != current.get("attributes", {}) | attributes:
                self._admin_call("PUT", f"/users/{user_id}", current | {"attributes": attributes})
        self._set_roles(user_id, set(roles))

    def _set_roles(self, user_id: str, roles: set[str]) -> None:
        """Exactly ``roles`` as the user's direct realm roles (the default role removed too)."""
        path = f"/users/{user_id}/role-mappings/realm"
        current = {role["name"]: role for role in self._admin_call("GET", path).json()}
        extra = [role for name, role in current.items() if name not in roles]
        missing = [self._role(name) for name in sorted(roles - set(current))]
        if extra:
            self._admin_call("DELETE", path, extra)
        if missing:
            self._admin_call("POST", path, missing)

    def _ensure_client(self, client_id: str) -> None:
        """An integrating system the realm lacks (a test's own webhook client), made like the
        realm's own (``realm.integrator_client``), with no organisations."""
        found = self._admin_call("GET", "/clients", params={"clientId": client_id}).json()
        if not found:
            body = realm.integrator_client(client_id, ()) | {"secret": self.client_secret(client_id)}
            self._admin_call("POST", "/clients", body, ok=(409,))
        self._client_secrets.setdefault(client_id, self.client_secret(client_id))

    def _reset_password(self, username: str) -> None:
        user_id = self._user_id(username)
        if user_id is None:
            raise OidcError(f"user {username} vanished from realm {self.realm}")
        self._admin_call(
            "PUT",
            f"/users/{user_id}/reset-password",
            {"type": "password", "value": self._password(username), "temporary": False},
        )
