"""The Temporal worker process: ``python -m workflows.worker``.

It runs the review workflow and its activities; activities publish to Kafka with the same broker
settings (idempotent producer, trace headers) as the services. SIGTERM/SIGINT stop polling, let
running activities finish, then close the broker.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta

from faststream.kafka import KafkaBroker
from opentelemetry.sdk.trace import TracerProvider
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.client import Client
from temporalio.worker import Worker

from contracts.events import ReviewEvent
from contracts.topics import Topic
from servicekit.kafka import declare_publication, make_broker
from servicekit.probe import serve_health
from servicekit.settings import KitSettings
from servicekit.telemetry import setup_tracing, shutdown_tracing
from servicekit.temporal import connect_temporal, engine_answers
from workflows.review.activities import DeadlinePlanner, ReviewActivities
from workflows.review.calendar import CalendarSettings
from workflows.review.workflows import ReviewWorkflow

logger = logging.getLogger("tdkt.worker")


GRACEFUL_SHUTDOWN = timedelta(seconds=10)


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_WORKER_", extra="ignore")

    http_port: int = 8005
    """Health probes only (``/health/live``, ``/health/ready``)."""


def build_worker(
    kit: KitSettings, client: Client, activities: ReviewActivities, planner: DeadlinePlanner
) -> Worker:
    return Worker(
        client,
        task_queue=kit.temporal_task_queue,
        workflows=[ReviewWorkflow],
        activities=[activities.publish_review_event, planner.plan_deadline],
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )


def build_broker(kit: KitSettings, tracer_provider: TracerProvider) -> KafkaBroker:
    broker = make_broker(kit, "worker", tracer_provider)
    declare_publication(
        broker, kit, Topic.REVIEW_EVENTS, ReviewEvent, "Review progress, published by the review workflow."
    )
    return broker


async def run() -> None:
    kit = KitSettings()
    settings = WorkerSettings()
    tracer_provider = setup_tracing("tdkt-worker")
    broker = build_broker(kit, tracer_provider)
    await broker.connect()
    client = await connect_temporal(kit)
    worker = build_worker(kit, client, ReviewActivities(broker, kit), DeadlinePlanner(CalendarSettings()))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    polling = False

    async def ready() -> bool:
        """Polling, and both what it needs answer: Kafka (its activities publish there) and Temporal."""
        if not polling or stop.is_set():
            return False
        return await broker.ping(timeout=2.0) and await engine_answers(client)

    health = await serve_health(kit.http_host, settings.http_port, ready)
    logger.info("worker polling task queue %s at %s", kit.temporal_task_queue, kit.temporal_address)
    async with worker:
        polling = True
        await stop.wait()
        logger.info("stopping: no new tasks; activities under way get %s to finish", GRACEFUL_SHUTDOWN)
    logger.info("worker stopped")
    health.close()
    await broker.stop()
    shutdown_tracing()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(run())


if __name__ == "__main__":
    main()
