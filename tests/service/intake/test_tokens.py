"""Intake in process: OAuth2 client credentials (``handlers.issue_token``) and the token every other
operation needs — its scope, its expiry by the service's clock, its client still registered."""

from __future__ import annotations

from datetime import timedelta

from servicekit.clock import ManualClock
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import OTHER_CLIENT, OTHER_SECRET, dossier, refused

GRANT = {"grant_type": "client_credentials"}


async def test_a_client_exchanges_its_credentials_for_a_token_it_can_use(
    service: InProcess, tokens: Tokens, clock: ManualClock
) -> None:
    demo = tokens.demo_client
    basic = await service.http.post(
        "/v1/oauth/token", data=GRANT, auth=(demo["client_id"], demo["client_secret"])
    )
    form = await service.http.post(
        "/v1/oauth/token", data={**GRANT, "client_id": OTHER_CLIENT, "client_secret": OTHER_SECRET}
    )
    for response in (basic, form):
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
        assert body["scope"].split() == ["dossiers:write", "dossiers:read"]
    bearer = {"Authorization": f"Bearer {basic.json()['access_token']}"}
    assert (await service.http.post("/v1/dossiers", json=dossier(), headers=bearer)).status_code == 201

    clock.advance(timedelta(hours=1))  # the token's life, by the service's clock
    refused(await service.http.get("/v1/dossiers", headers=bearer), 401, "token-expired")


async def test_the_token_endpoint_refuses_a_wrong_grant_or_wrong_credentials(
    service: InProcess, tokens: Tokens
) -> None:
    demo = tokens.demo_client
    wrong_secret = await service.http.post("/v1/oauth/token", data=GRANT, auth=(demo["client_id"], "wrong"))
    refused(wrong_secret, 401, "invalid-client")
    unknown = await service.http.post(
        "/v1/oauth/token", data={**GRANT, "client_id": "nobody", "client_secret": "x"}
    )
    refused(unknown, 401, "invalid-client")
    no_credentials = await service.http.post("/v1/oauth/token", data=GRANT)
    refused(no_credentials, 401, "invalid-client")
    bad_basic = await service.http.post(
        "/v1/oauth/token", data=GRANT, headers={"Authorization": "Basic not-base64!"}
    )
    refused(bad_basic, 401, "invalid-client")
    password = await service.http.post(
        "/v1/oauth/token", data={"grant_type": "password"}, auth=(demo["client_id"], demo["client_secret"])
    )
    problem = refused(password, 400, "unsupported-grant-type")
    assert "'password'" in problem["message_vi"] and "'password'" in problem["message_en"]


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


async def test_the_api_document_declares_the_flow_and_each_operations_codes(service: InProcess) -> None:
    document = (await service.http.get("/openapi.json")).json()
    submit = document["paths"]["/v1/dossiers"]["post"]
    assert submit["security"] == [{"integratorOAuth2": ["dossiers:write"]}]
    assert "`idempotency-key-reused`" in submit["responses"]["409"]["description"]
    assert "`all-entries-ineligible`" in submit["responses"]["422"]["description"]
    token = document["paths"]["/v1/oauth/token"]["post"]["responses"]
    assert "`invalid-client`" in token["401"]["description"]
    flows = document["components"]["securitySchemes"]["integratorOAuth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/v1/oauth/token"
