"""The request limits every service applies: body size, NUL characters — answered as problems."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from servicekit.limits import RequestLimits
from servicekit.problems import install_problem_handlers

LIMIT = 2048


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestLimits, max_body_bytes=LIMIT)

    @app.post("/echo")
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    @app.get("/find")
    async def find(name: str = "") -> dict[str, str]:
        return {"name": name}

    return app


async def _call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, url, **kwargs)


async def test_a_body_within_the_limit_passes() -> None:
    response = await _call("POST", "/echo", json={"name": "Nguyễn Văn An"})
    assert response.status_code == 200 and response.json() == {"name": "Nguyễn Văn An"}


async def test_a_declared_oversized_body_is_refused_before_it_is_read() -> None:
    response = await _call(
        "POST", "/echo", content=b"{}" + b" " * LIMIT, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["code"] == "body-too-large"


async def test_a_streamed_oversized_body_is_refused_while_it_is_read() -> None:
    async def chunks() -> Any:
        yield b'{"name": "'
        for _ in range(4):
            yield b"x" * 1024
        yield b'"}'

    response = await _call("POST", "/echo", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["message_vi"].startswith(
        "Dữ liệu gửi lên vượt quá"
    )


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("GET", "/find?name=a%00b", {}),
        (
            "POST",
            "/echo",
            {"content": b'{"name": "a\\u0000b"}', "headers": {"content-type": "application/json"}},
        ),
    ],
)
async def test_nul_characters_are_refused_in_queries_and_json(
    method: str, url: str, kwargs: dict[str, Any]
) -> None:
    response = await _call(method, url, **kwargs)
    assert response.status_code == 400 and response.json()["code"] == "nul-character"


async def test_the_media_type_is_compared_without_regard_to_case() -> None:
    response = await _call(
        "POST", "/echo", content=b'{"name": "a\\u0000b"}', headers={"content-type": "Application/JSON"}
    )
    assert response.status_code == 400 and response.json()["code"] == "nul-character"
