"""Every service's API documentation works without the Internet: ``/docs`` (Swagger UI) and
``/redoc`` reference nothing outside the service, whose own assets are served; the OpenAPI
document declares how to authenticate, per operation, so "Authorize" works, and gives example
bodies for the main requests, valid against their models."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from contracts.dossiers import DossierSubmission
from deploy import infra
from services.decisions.models import RevocationRequest
from services.notifications.models import PreferenceUpdate, SubscriptionRequest
from services.review.models import TaskActionBody
from tools.generate import SERVICES

EXTERNAL = re.compile(r"(?:https?:)?//[\w.-]+")
ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, FastAPI]]:
    """Each service's app, built as ``tools.generate`` builds it (nothing started)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TDKT_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        yield {name: importlib.import_module(f"services.{name}.app").build()[0] for name in SERVICES}


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("src", "href") and value]


def _references(page: str) -> list[str]:
    parser = _References()
    parser.feed(page)
    return parser.found


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_pages_load_nothing_from_outside(
    apps: dict[str, FastAPI], service: str, page: str
) -> None:
    client = TestClient(apps[service])
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert EXTERNAL.findall(response.text) == [], "the page must work without the Internet"
    assets = _references(response.text)
    assert {asset.rsplit(".", 1)[-1] for asset in assets} >= ({"js", "css"} if page == "/docs" else {"js"})
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        expected = ASSET_TYPES["." + asset.rsplit(".", 1)[-1]]
        assert expected in served.headers["content-type"], (asset, served.headers["content-type"])
        assert len(served.content) > 1000, asset
    if page == "/docs":
        assert '"validatorUrl": null' in response.text, "Swagger UI's validator badge calls out"


def _document(apps: dict[str, FastAPI], service: str) -> dict[str, Any]:
    document: dict[str, Any] = apps[service].openapi()
    return document


def _security(apps: dict[str, FastAPI], service: str, method: str, path: str) -> list[dict[str, list[str]]]:
    security: list[dict[str, list[str]]] = _document(apps, service)["paths"][path][method].get("security", [])
    return security


def test_intake_declares_the_integrators_bearer_token_and_serves_no_token_endpoint(
    apps: dict[str, FastAPI],
) -> None:
    schemes = _document(apps, "intake")["components"]["securitySchemes"]
    assert sorted(schemes) == ["integratorToken", "staffToken"], (
        "integrators, and reviewers reading a dossier"
    )
    assert _security(apps, "intake", "get", "/v1/staff/dossiers/{dossier_id}") == [{"staffToken": []}]
    assert (schemes["integratorToken"]["type"], schemes["integratorToken"]["scheme"]) == ("http", "bearer")
    assert "client credentials" in schemes["integratorToken"]["description"]
    assert _security(apps, "intake", "post", "/v1/dossiers") == [{"integratorToken": []}]
    assert _security(apps, "intake", "get", "/v1/dossiers/{dossier_id}") == [{"integratorToken": []}]
    for service in ("intake", "review"):
        paths = _document(apps, service)["paths"]
        assert not [path for path in paths if "token" in path], f"{service} issues no token"


@pytest.mark.parametrize("service", ["review", "decisions", "notifications"])
def test_staff_endpoints_declare_the_staff_bearer_token(apps: dict[str, FastAPI], service: str) -> None:
    scheme = _document(apps, service)["components"]["securitySchemes"]["staffToken"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    staff_operation = {
        "review": ("get", "/v1/tasks"),
        "decisions": ("post", "/v1/decisions/{decision_id}/revocations"),
        "notifications": ("get", "/v1/feed"),
    }[service]
    assert _security(apps, service, *staff_operation) == [{"staffToken": []}]


def test_public_operations_ask_for_no_token(apps: dict[str, FastAPI]) -> None:
    assert _security(apps, "decisions", "get", "/v1/decisions") == []
    assert _security(apps, "review", "get", "/v1/public-comments") == []


def test_notifications_integrator_endpoints_declare_the_client_token(apps: dict[str, FastAPI]) -> None:
    scheme = _document(apps, "notifications")["components"]["securitySchemes"]["integratorToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "openid-connect/token" in scheme["description"]
    for method, path in [("put", "/v1/webhooks/subscription"), ("get", "/v1/webhooks/deliveries")]:
        assert _security(apps, "notifications", method, path) == [{"integratorToken": []}]


EXAMPLES: list[tuple[str, str, str, type[BaseModel], str]] = [
    ("intake", "post", "/v1/dossiers", DossierSubmission, "entries"),
    ("review", "post", "/v1/tasks/{task_id}/recommend", TaskActionBody, "struck_entries"),
    ("review", "post", "/v1/tasks/{task_id}/vote", TaskActionBody, "tally"),
    ("decisions", "post", "/v1/decisions/{decision_id}/revocations", RevocationRequest, "ground"),
    ("notifications", "put", "/v1/webhooks/subscription", SubscriptionRequest, "url"),
    ("notifications", "put", "/v1/preferences/{recipient}", PreferenceUpdate, "digest_reminders"),
]


@pytest.mark.parametrize(
    ("service", "method", "path", "model", "field"), EXAMPLES, ids=[e[2] for e in EXAMPLES]
)
def test_the_main_requests_have_valid_examples(
    apps: dict[str, FastAPI], service: str, method: str, path: str, model: type[BaseModel], field: str
) -> None:
    body = _document(apps, service)["paths"][path][method]["requestBody"]["content"]["application/json"]
    examples = body.get("examples", {})
    assert examples, f"{method.upper()} {path} has no example"
    for name, example in examples.items():
        assert example["summary"], name
        model.model_validate(example["value"])
    assert any(example["value"].get(field) for example in examples.values()), field


def test_the_readmes_dossier_is_intakes_example(apps: dict[str, FastAPI]) -> None:
    readme = (infra.REPO_ROOT / "README.md").read_text()
    match = re.search(r"/v1/dossiers -H .*?-d '(\{.*?\})'", readme, re.DOTALL)
    assert match, "the README's submission example"
    body = _document(apps, "intake")["paths"]["/v1/dossiers"]["post"]["requestBody"]["content"]
    values = [example["value"] for example in body["application/json"]["examples"].values()]
    assert json.loads(match.group(1)) in values
