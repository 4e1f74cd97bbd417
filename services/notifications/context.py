"""What notifications' handlers work with: the service's collaborators, built once by the
composition root (``app.py``; ``cli.py`` for the operators' commands) and handed to every handler.

Time rule of this service: **handlers read the time** from ``ctx.runtime.clock`` (the runtime's:
tests give a ``ManualClock``); adapters pass none.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from servicekit.auth import (
    INTEGRATOR_READ_SCOPE,
    NOTIFICATIONS_AUDIENCE,
    STAFF_SCOPE,
    AuthSettings,
    Principal,
    TokenService,
)
from servicekit.clock import Clock
from servicekit.db import run_in_session
from servicekit.doorbell import Doorbell
from services.notifications.channels.base import ChannelRegistry
from services.notifications.dispatch import RetryPolicy
from services.notifications.notices import NoticeDesk
from services.notifications.receivers import ReceiverLimits
from services.notifications.rendering import Renderer
from services.notifications.secretbox import SecretBox
from services.notifications.settings import SERVICE_NAME, NotificationsSettings

T = TypeVar("T")


class Runtime(Protocol):
    """The part of ``servicekit.service.ServiceRuntime`` handlers use (the operators' commands
    give ``OperatorRuntime``)."""

    engine: Engine
    clock: Clock

    @property
    def source(self) -> str: ...

    async def write(self, work: Callable[[Session], T]) -> T:
        """One transaction that may stage outbox events."""
        ...


@dataclass
class OperatorRuntime:
    """The runtime of an operator's one-shot command on the stack's database: transactions, no
    bus (the commands stage no events; the running service's dispatcher picks up what they
    change at its next poll)."""

    engine: Engine
    clock: Clock

    @property
    def source(self) -> str:
        return f"/tdkt/{SERVICE_NAME}"

    async def write(self, work: Callable[[Session], T]) -> T:
        return await run_in_session(self.engine, work)


@dataclass(frozen=True)
class NotificationsContext:
    runtime: Runtime
    settings: NotificationsSettings
    desk: NoticeDesk
    policy: RetryPolicy
    limits: ReceiverLimits
    authenticate_staff: Callable[[Request], Principal]
    authenticate_client: Callable[[Request], Principal]
    doorbell: Doorbell = field(default_factory=Doorbell)
    rng: random.Random = field(default_factory=random.Random)
    """The jitter of retries."""
    resolver: Callable[[str, int], Awaitable[list[str]]] | None = None
    """The addresses of a webhook's host (the system's resolver when None)."""
    secrets: SecretBox | None = None
    """Seals webhook secrets (the service has one; the operators' commands need none)."""

    @property
    def channels(self) -> ChannelRegistry:
        return self.desk.channels

    @property
    def renderer(self) -> Renderer:
        return self.desk.renderer


def build_context(
    runtime: Runtime,
    settings: NotificationsSettings,
    channels: ChannelRegistry,
    renderer: Renderer,
    resolver: Callable[[str, int], Awaitable[list[str]]] | None = None,
    secrets: SecretBox | None = None,
) -> NotificationsContext:
    tokens = TokenService(AuthSettings(), NOTIFICATIONS_AUDIENCE, runtime.clock)
    return NotificationsContext(
        runtime=runtime,
        settings=settings,
        desk=NoticeDesk(
            source=runtime.source,
            renderer=renderer,
            channels=channels,
            digest_at=settings.digest_at,
            zone=ZoneInfo(settings.time_zone),
            stale_after=timedelta(hours=settings.stale_after_hours),
        ),
        policy=RetryPolicy(settings.max_attempts, settings.retry_base_seconds, settings.retry_cap_seconds),
        limits=ReceiverLimits(
            concurrency=settings.receiver_concurrency,
            failures=settings.breaker_failures,
            cooldown=timedelta(seconds=settings.breaker_cooldown_seconds),
        ),
        authenticate_staff=tokens.authenticator(STAFF_SCOPE),
        authenticate_client=tokens.authenticator(INTEGRATOR_READ_SCOPE),
        resolver=resolver,
        secrets=secrets,
    )
