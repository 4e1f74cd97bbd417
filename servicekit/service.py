"""The process shell every HTTP service shares: FastAPI + the Kafka broker + the outbox relay.

A service provides its routers, its subscribers (registered on ``runtime.broker``) and optional
start/stop hooks; this module wires tracing, migrations, health endpoints, problem responses,
the broker's life cycle and the relay, and serves it with uvicorn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi_offline import FastAPIOffline
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from contracts.topics import Topic, topic_name
from servicekit import migrations
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.db import make_engine, run_in_session
from servicekit.kafka import (
    OffsetCommitter,
    consumer_options,
    declare_publication,
    drain_consumers,
    make_broker,
)
from servicekit.limits import RequestLimits
from servicekit.outbox import OutboxRelay
from servicekit.problems import install_problem_handlers
from servicekit.refusals import NOT_READY
from servicekit.settings import KitSettings, ServiceSettings
from servicekit.telemetry import current_trace_id, setup_tracing, shutdown_tracing

DOCS_ASSETS_URL = "/docs/assets"
"""Swagger UI's and ReDoc's scripts, style sheet and icon, served by the service itself from the
``fastapi-offline`` package, so ``/docs`` and ``/redoc`` work without the Internet."""
SWAGGER_UI_PARAMETERS: dict[str, Any] = {
    "validatorUrl": None,  # the validator badge would send the document to validator.swagger.io
    "persistAuthorization": True,
    "displayRequestDuration": True,
}
TRACE_ID_HEADER = "X-Trace-Id"
"""Every response of a traced request names its trace, so operators can follow it."""

Hook = Callable[[], Awaitable[None]]
Handler = TypeVar("Handler", bound=Callable[..., Awaitable[None]])
T = TypeVar("T")


@dataclass
class ServiceRuntime:
    """Everything a service's handlers need, built without I/O; ``create_app`` starts it."""

    name: str
    kit: KitSettings
    settings: ServiceSettings
    tracer_provider: TracerProvider
    engine: Engine
    broker: KafkaBroker
    relay: OutboxRelay
    committer: OffsetCommitter
    migrations_dir: Path
    clock: Clock = SYSTEM_CLOCK
    """The time every handler of the service reads (tests set a ``ManualClock``)."""
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    readiness: dict[str, Callable[[], Awaitable[bool]]] = field(default_factory=dict)
    """Dependencies besides the database and the broker that ``/health/ready`` asks, by name
    (review: the workflow engine); each answers whether it is reachable now."""

    def subscribe(self, topic: Topic) -> Callable[[Handler], Handler]:
        """Decorator registering a handler for ``topic`` with the kit's consumer defaults."""
        register = self.broker.subscriber(
            topic_name(topic, self.kit.topic_prefix), **consumer_options(self.kit, self.name, topic)
        )

        def decorate(handler: Handler) -> Handler:
            register(handler)
            return handler

        return decorate

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction that may stage outbox events, then wake the relay so
        they are published now rather than at its next poll."""
        result = await run_in_session(self.engine, work)
        self.relay.notify()
        return result

    def publishes(self, topic: Topic, schema: Any, description: str) -> None:
        declare_publication(self.broker, self.kit, topic, schema, description)

    @property
    def source(self) -> str:
        """The CloudEvents ``source`` of events this service produces."""
        return f"/tdkt/{self.name}"


def build_runtime(
    name: str, settings: ServiceSettings, migrations_dir: Path, clock: Clock = SYSTEM_CLOCK
) -> ServiceRuntime:
    kit = KitSettings()
    tracer_provider = setup_tracing(f"tdkt-{name}")
    database_url = settings.resolved_database_url(name, kit)
    if database_url.startswith("sqlite"):
        kit.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url)
    committer = OffsetCommitter()
    broker = make_broker(kit, name, tracer_provider, committer)
    return ServiceRuntime(
        name=name,
        kit=kit,
        settings=settings,
        tracer_provider=tracer_provider,
        engine=engine,
        broker=broker,
        relay=OutboxRelay(engine, broker, kit, clock),
        committer=committer,
        migrations_dir=migrations_dir,
        clock=clock,
    )


def create_app(
    runtime: ServiceRuntime,
    routers: Sequence[APIRouter],
    *,
    title: str,
    description: str,
    start_broker: bool = True,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        database_url = runtime.engine.url.render_as_string(hide_password=False)
        migrations.upgrade(runtime.migrations_dir, database_url)
        for hook in runtime.on_start:
            await hook()
        if start_broker:
            await runtime.broker.start()
        runtime.relay.start()
        try:
            yield
        finally:
            await drain_consumers(runtime.broker, runtime.committer)  # before what handlers may use
            for hook in reversed(runtime.on_stop):
                await hook()
            await runtime.relay.stop()  # publishes what the drained handlers staged
            await runtime.broker.stop()
            runtime.engine.dispose()
            shutdown_tracing()

    app = FastAPIOffline(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        static_url=DOCS_ASSETS_URL,
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )
    install_problem_handlers(app)
    app.add_middleware(RequestLimits, max_body_bytes=runtime.kit.max_body_bytes)

    @app.middleware("http")
    async def trace_id_header(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        # a browser takes each answer as the type it is declared, never sniffs (an attachment
        # served inline as a PDF stays a PDF; issue 21 §5)
        response.headers["X-Content-Type-Options"] = "nosniff"
        trace_id = current_trace_id()
        if trace_id:
            response.headers[TRACE_ID_HEADER] = trace_id
        return response

    app.include_router(_health_router(runtime))
    for router in routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=runtime.tracer_provider, excluded_urls="health/.*"
    )
    return app


def _health_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live", summary="The process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/ready", summary="The database, the broker and every other dependency answer")
    async def ready() -> dict[str, str]:
        try:
            await run_in_session(runtime.engine, lambda session: session.exec(text("SELECT 1")))  # type: ignore[call-overload]
        except Exception as error:
            raise NOT_READY(detail=f"database: {error}") from error
        checks = {"kafka": lambda: runtime.broker.ping(timeout=2.0), **runtime.readiness}
        for name, answers in checks.items():
            try:
                reachable = await asyncio.wait_for(answers(), timeout=3.0)
            except Exception as error:  # a check that fails is a dependency away
                raise NOT_READY(detail=f"{name}: {type(error).__name__}: {error}") from error
            if not reachable:  # FastStream's ping answers False, not an error, when Kafka is away
                raise NOT_READY(detail=f"{name} does not answer")
        return {"status": "ready"}

    return router


def main(build: Callable[[], tuple[FastAPI, ServiceRuntime]]) -> None:
    """Entry point of ``python -m services.<name>``: build the service and serve it."""
    app, runtime = build()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        app,
        host=runtime.kit.http_host,
        port=runtime.settings.http_port,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
