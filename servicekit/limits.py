"""Request limits every HTTP service applies before its handlers run (a pure ASGI middleware):
a cap on the body's size, and no NUL character in the path, the query or a JSON body —
PostgreSQL refuses NUL in text, and no field of the platform's contracts has a use for it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from servicekit.errors import DomainError
from servicekit.problems import problem_of, problem_response
from servicekit.refusals import BODY_TOO_LARGE, NUL_CHARACTER

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_NUL = b"\\u0000"


def body_too_large(limit: int) -> DomainError:
    return BODY_TOO_LARGE(limit=limit)


def nul_character() -> DomainError:
    return NUL_CHARACTER()


class RequestLimits:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        refused, body = self._refused_by_head(scope, headers), b""
        if refused is None:
            refused, body = await self._read_body(receive, json_body=_is_json(headers))
        if refused is not None:
            await problem_response(problem_of(refused))(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: the disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _refused_by_head(self, scope: Scope, headers: dict[bytes, bytes]) -> DomainError | None:
        query: bytes = scope.get("query_string", b"")
        if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
            return nul_character()
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body_bytes:
            return body_too_large(self.max_body_bytes)
        return None

    async def _read_body(self, receive: Receive, *, json_body: bool) -> tuple[DomainError | None, bytes]:
        """The whole body, read here (FastAPI would turn an error raised while it reads into a
        generic 400), or the problem that stops it."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return body_too_large(self.max_body_bytes), b""
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_body and JSON_NUL in body:
            return nul_character(), b""
        return None, body


def _is_json(headers: dict[bytes, bytes]) -> bool:
    return headers.get(b"content-type", b"").split(b";")[0].strip().lower().endswith(b"json")
