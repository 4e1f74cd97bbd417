"""A bare HTTP health endpoint for processes without a web framework (the Temporal worker).

It answers ``GET /health/live`` with 200 and ``GET /health/ready`` with 200 or 503 according to
``is_ready()``; anything else is 404. Enough for orchestrators' probes, nothing more.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable


async def serve_health(host: str, port: int, is_ready: Callable[[], Awaitable[bool]]) -> asyncio.Server:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode("latin-1").split()
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            path = request_line[1] if len(request_line) > 1 else ""
            if path == "/health/live":
                status, body = 200, {"status": "ok"}
            elif path == "/health/ready":
                try:
                    ready = await asyncio.wait_for(is_ready(), timeout=5.0)
                except Exception:  # a dependency check that fails: not ready
                    ready = False
                status, body = (200, {"status": "ready"}) if ready else (503, {"status": "not ready"})
            else:
                status, body = 404, {"status": "not found"}
            payload = json.dumps(body).encode()
            reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port)
