"""The stack's Keycloak as ``deploy.infra`` starts it: the ``tdkt`` realm answers discovery, and the
tokens it issues carry what the services read — verified with the realm's published keys."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from clients.oidc import OidcError, client_credentials_token, discover, password_token
from deploy import infra
from deploy.keycloak import people, realm
from tests.support.identity import Identity


@pytest.fixture(scope="module")
def keycloak() -> Iterator[str]:
    was_running = {
        name for name, item in infra.status(["postgres", "keycloak"]).items() if item["state"] == "running"
    }
    infra.up("keycloak")
    yield infra.keycloak_issuer()
    started_here = [name for name in ("keycloak", "postgres") if name not in was_running]
    if started_here and not os.environ.get("TDKT_KEEP_STACK"):
        infra.down(started_here)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0) as client:
        yield client


@pytest.fixture(scope="module")
def identity(keycloak: str) -> Iterator[Identity]:
    with Identity() as ident:
        yield ident


@pytest.fixture(scope="module")
def keys(keycloak: str, http: httpx.Client) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(discover(http, keycloak).jwks_uri)


def _verified(token: str, keys: jwt.PyJWKClient, audience: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        token,
        keys.get_signing_key_from_jwt(token).key,
        algorithms=["RS256"],
        audience=audience,
        issuer=infra.keycloak_issuer(),
    )
    return claims


def test_discovery_names_the_stable_issuer(keycloak: str, http: httpx.Client) -> None:
    document = discover(http, keycloak, refresh=True)
    assert (
        document.issuer == infra.keycloak_issuer() == f"http://127.0.0.1:{infra.keycloak_port()}/realms/tdkt"
    )
    assert document.token_endpoint.startswith(keycloak)


def test_a_staff_token_carries_who_they_are(identity: Identity, keys: jwt.PyJWKClient) -> None:
    claims = _verified(identity.staff_token("AH-SNV", "officer"), keys, "tdkt-review")
    assert claims["preferred_username"] == "ah-snv.officer"
    assert claims["organisation"] == "AH-SNV"
    assert claims["roles"] == ["officer"]
    assert claims["title"] == "Chuyên viên Phòng Thi đua - Khen thưởng"
    sample = next(p for p in people.read_staff() if p["username"] == "ah-snv.officer")
    assert claims["name"] == sample["full_name"]  # the attribute full_name, e.g. "Phan Văn Hùng"
    assert claims["name"] != "ah-snv.officer"
    assert "tasks" in str(claims["scope"]).split()
    assert set(realm.STAFF_AUDIENCES) <= set(claims["aud"])
    assert claims["sub"]
    assert claims["iss"] == infra.keycloak_issuer()


def test_a_leader_is_titled_as_the_organisation_signs(identity: Identity, keys: jwt.PyJWKClient) -> None:
    claims = _verified(identity.staff_token("TTG", "leader"), keys, "tdkt-decisions")
    assert claims["preferred_username"] == "ttg.leader"
    assert claims["title"] == "Thủ tướng Chính phủ"
    assert claims["roles"] == ["leader"]


def test_an_integrator_token_carries_its_organisations(identity: Identity, keys: jwt.PyJWKClient) -> None:
    claims = _verified(identity.client_token("demo-integrator"), keys, "tdkt-intake")
    assert claims["azp"] == "demo-integrator"
    assert claims["organisations"] == ["AH-DS-TT-THCS", "AH-TL-HB-TYT"]
    assert {"dossiers:write", "dossiers:read"} <= set(str(claims["scope"]).split())
    assert {"tdkt-intake", "tdkt-notifications"} <= set(claims["aud"])
    second = _verified(identity.client_token("second-integrator"), keys, "tdkt-notifications")
    assert second["organisations"] == ["AH-DS-TT-TH"]


def test_wrong_secrets_are_refused(keycloak: str, http: httpx.Client, identity: Identity) -> None:
    with pytest.raises(OidcError) as refused:
        client_credentials_token(http, keycloak, "demo-integrator", "not-the-secret")
    assert refused.value.status == 401
    assert refused.value.error == "unauthorized_client"
    with pytest.raises(OidcError) as refused:
        password_token(http, keycloak, realm.CLI_CLIENT, "ah-snv.officer", "not-the-password")
    assert refused.value.error == "invalid_grant"
    assert "Invalid user credentials" in str(refused.value)
    right = password_token(
        http, keycloak, realm.CLI_CLIENT, "ah-snv.officer", identity.password("ah-snv.officer")
    )
    assert right.expires_in == realm.ACCESS_TOKEN_LIFESPAN_SECONDS


def test_up_again_is_idempotent_and_fast(keycloak: str) -> None:
    pid = infra.status("keycloak")["keycloak"]["pid"]
    started = time.monotonic()
    infra.up("keycloak")
    assert time.monotonic() - started < 5.0
    assert infra.status("keycloak")["keycloak"]["pid"] == pid


def test_an_unknown_combination_becomes_a_new_user(identity: Identity, keys: jwt.PyJWKClient) -> None:
    token = identity.staff_token(
        "AH-SYT", "officer", "council_secretary", name="Lê Thị Thử Nghiệm", title="Phó Trưởng phòng"
    )
    claims = _verified(token, keys, "tdkt-intake")
    assert sorted(claims["roles"]) == ["council_secretary", "officer"]
    assert claims["organisation"] == "AH-SYT"
    assert claims["name"] == "Lê Thị Thử Nghiệm"
    assert claims["title"] == "Phó Trưởng phòng"
    assert (
        identity.staff_token(
            "AH-SYT", "officer", "council_secretary", name="Lê Thị Thử Nghiệm", title="Phó Trưởng phòng"
        )
        == token
    )
    odd = _verified(identity.staff_token("AH-SYT", "auditor_of_tests"), keys, "tdkt-intake")
    assert odd["roles"] == ["auditor_of_tests"]
