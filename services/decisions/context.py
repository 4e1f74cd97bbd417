"""What the decisions handlers work with, built once by ``app.py``: the runtime (database, bus,
clock), the settings, the staff tokens, the signing key, the desk's doorbell and the sandbox that
reads uploaded PDFs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import anyio

from servicekit.auth import TokenService
from servicekit.clock import local_date
from servicekit.doorbell import Doorbell
from servicekit.sandbox import Sandbox
from servicekit.service import ServiceRuntime
from services.decisions.documents.inspection import ParseLimits
from services.decisions.documents.signing import DocumentSigner
from services.decisions.settings import DecisionsSettings


class Seal:
    """The signing key and certificates, loaded once when the service starts: a missing key stops
    the process there, with the reason."""

    def __init__(self, load: Callable[[], DocumentSigner]) -> None:
        self._load = load
        self._signer: DocumentSigner | None = None

    async def load(self) -> None:
        self._signer = await anyio.to_thread.run_sync(self._load)

    @property
    def signer(self) -> DocumentSigner:
        if self._signer is None:
            raise RuntimeError("the signing key is not loaded: the decisions service has not started")
        return self._signer


@dataclass(frozen=True)
class DecisionsContext:
    runtime: ServiceRuntime
    settings: DecisionsSettings
    tokens: TokenService
    """Officers' staff tokens (the reviewers' own, with ``organisation`` and ``roles`` claims)."""
    seal: Seal
    doorbell: Doorbell
    sandbox: Sandbox
    """Where uploads to ``POST /v1/verify`` are read: confined children, a few at a time."""
    parse_limits: ParseLimits

    def now(self) -> datetime:
        return self.runtime.clock.now()

    def today(self) -> date:
        """The date in the issuers' time zone: decisions are dated, and registers and batch
        periods run, by it."""
        return local_date(self.runtime.clock, ZoneInfo(self.settings.timezone))
