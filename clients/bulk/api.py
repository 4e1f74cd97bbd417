"""The tool's calls to intake over HTTP (``clients.intake``: where intake answers, with which
credentials, the token exchange)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx

from clients.intake import ClientCredentials, access_token, intake_url
from clients.oidc import OidcError

HTTP_TIMEOUT = 60.0
"""Seconds for one request: validating 500 entries is quick, storing them less so on a busy server."""


async def request(credentials: ClientCredentials, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One authenticated call to intake (a refused token raises ``OidcError`` with the identity
    provider's reason)."""
    intake = intake_url()
    token = await access_token(credentials)
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return await http.request(method, f"{intake}{path}", headers=headers, **kwargs)


def call(credentials_file: Path | None, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
    """The response, or ``None`` after reporting why there is none (credentials unreadable, intake
    unreachable)."""
    try:
        credentials = ClientCredentials.load(credentials_file)
    except (OSError, ValueError, KeyError) as error:
        print(
            f"Không đọc được thông tin xác thực / cannot read the client credentials: {error}",
            file=sys.stderr,
        )
        return None
    try:
        return asyncio.run(request(credentials, method, path, **kwargs))
    except OidcError as error:
        print(f"Không lấy được mã truy cập / no access token: {error}", file=sys.stderr)
        return None
    except httpx.HTTPError as error:
        print(f"Không kết nối được / cannot reach intake: {error!r}", file=sys.stderr)
        return None
