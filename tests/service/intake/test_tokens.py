"""Intake in process: the access token every operation needs, issued by the identity provider and
checked by ``servicekit.auth`` — signature against the issuer's published keys (and their
rotation), issuer, intake's own audience, times by the service's clock with the configured skew,
the scope, and a client (``azp``) intake knows. Intake issues no token itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import jwt

from servicekit.clock import ManualClock
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import OTHER_CLIENT, Start, dossier, refused
from tests.support import issuer

LEEWAY = timedelta(seconds=30)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_clients_token_is_accepted_until_it_expires_by_the_services_clock(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    headers = tokens.client()
    assert (await service.http.post("/v1/dossiers", json=dossier(), headers=headers)).status_code == 201
    assert (await service.http.get("/v1/dossiers", headers=tokens.client(OTHER_CLIENT))).json()["total"] == 0

    clock.advance(timedelta(seconds=issuer.LIFETIME_SECONDS) + LEEWAY - timedelta(seconds=1))  # skew allowed
    assert (await service.http.get("/v1/dossiers", headers=headers)).status_code == 200
    clock.advance(timedelta(seconds=1))
    refused(await service.http.get("/v1/dossiers", headers=headers), 401, "token-expired")


async def test_no_token_endpoint_is_served(service: InProcess) -> None:
    answer = await service.http.post("/v1/oauth/token", data={"grant_type": "client_credentials"})
    assert answer.status_code in (404, 405)


async def test_a_token_not_meant_for_intake_is_refused_naming_why(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    signer = tokens.issuer
    claims = {"sub": "x", "azp": "demo-integrator", "scope": "dossiers:read"}
    cases = {
        "Audience doesn't match": signer.token({**claims, "aud": ["tdkt-review"]}),
        "Invalid issuer": signer.token({**claims, "aud": "tdkt-intake", "iss": "http://elsewhere/realms/x"}),
        "no signing key 'not-published'": signer.token(
            {**claims, "aud": "tdkt-intake"}, key_id="not-published"
        ),
        "'HS256' is not accepted": jwt.encode(
            {**claims, "aud": "tdkt-intake", "iss": issuer.ISSUER, "iat": 0, "exp": 2**40},
            "a shared secret of thirty-two bytes!",
            algorithm="HS256",
        ),
        "issued in the future": signer.token(
            {**claims, "aud": "tdkt-intake", "iat": int((clock.now() + 2 * LEEWAY).timestamp())}
        ),
        "names no client": signer.token({"sub": "x", "aud": "tdkt-intake", "scope": "dossiers:read"}),
        "scope must be a string": signer.token({**claims, "aud": "tdkt-intake", "scope": ["dossiers:read"]}),
        "Not enough segments": "x.y",
    }
    for reason, token in cases.items():
        problem = refused(await service.http.get("/v1/dossiers", headers=bearer(token)), 401, "invalid-token")
        assert reason in problem["detail"], (reason, problem)


async def test_every_operation_needs_a_token_with_its_scope_for_a_registered_client(
    service: InProcess, tokens: Tokens
) -> None:
    operations = [
        ("GET", "/v1/dossiers", None),
        ("GET", "/v1/dossiers/x", None),
        ("GET", "/v1/dossiers/x/versions/1", None),
        ("GET", "/v1/dossiers/x/attachments/y", None),
        ("POST", "/v1/dossiers", dossier()),
        ("PUT", "/v1/dossiers/x", dossier()),
        ("POST", "/v1/dossiers/x/withdraw", {"reason": "r"}),
    ]
    for method, url, body in operations:
        missing = await service.http.request(method, url, json=body)
        refused(missing, 401, "missing-token")
        assert missing.headers["www-authenticate"].startswith("Bearer")
        forged = await service.http.request(method, url, json=body, headers={"Authorization": "Bearer x.y.z"})
        refused(forged, 401, "invalid-token")
        staff = await service.http.request(
            method, url, json=body, headers=tokens.staff("AH-DS-TT-THCS", "clerk")
        )
        refused(staff, 403, "insufficient-scope")
    for method, url, body in operations[4:]:
        read_only = await service.http.request(method, url, json=body, headers=tokens.client(write=False))
        refused(read_only, 403, "insufficient-scope")
        ghost = await service.http.request(method, url, json=body, headers=tokens.client("removed-client"))
        refused(ghost, 403, "unknown-client")
    upload = await service.http.post(
        "/v1/dossiers/x/attachments",
        files={"file": ("a.pdf", b"%PDF-1.4")},
        headers=tokens.client(write=False),
    )
    refused(upload, 403, "insufficient-scope")


async def test_a_rotated_key_is_fetched_when_a_token_names_it(
    start: Start, tokens: Tokens, stack_env: dict[str, str], tmp_path: Path
) -> None:
    jwks_file = Path(stack_env["TDKT_AUTH_JWKS_URI"].removeprefix("file://"))
    async with start(TDKT_AUTH_JWKS_MIN_REFETCH_SECONDS="0") as service:
        assert (await service.http.get("/v1/dossiers", headers=tokens.client())).status_code == 200
        rotated = issuer.TestIssuer(service.clock, key_id="test-key-2").client("demo-integrator")
        refused(await service.http.get("/v1/dossiers", headers=bearer(rotated)), 401, "invalid-token")
        jwks_file.write_text(issuer.jwks_text("test-key-1", "test-key-2"))  # the issuer publishes its new key
        assert (await service.http.get("/v1/dossiers", headers=bearer(rotated))).status_code == 200


async def test_an_identity_provider_that_does_not_answer_is_a_503_not_a_401(
    start: Start, tokens: Tokens, tmp_path: Path
) -> None:
    async with start(TDKT_AUTH_JWKS_URI=(tmp_path / "no-such-jwks.json").as_uri()) as service:
        refused(
            await service.http.get("/v1/dossiers", headers=tokens.client()),
            503,
            "identity-provider-unavailable",
        )


async def test_the_api_document_declares_the_bearer_token_and_each_operations_codes(
    service: InProcess,
) -> None:
    document = (await service.http.get("/openapi.json")).json()
    submit = document["paths"]["/v1/dossiers"]["post"]
    assert submit["security"] == [{"integratorToken": []}]
    assert "`idempotency-key-reused`" in submit["responses"]["409"]["description"]
    assert "`all-entries-ineligible`" in submit["responses"]["422"]["description"]
    assert "/v1/oauth/token" not in document["paths"]
    scheme = document["components"]["securitySchemes"]["integratorToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "client credentials" in scheme["description"]
