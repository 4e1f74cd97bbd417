"""The Temporal client factory: pydantic payloads and the OpenTelemetry tracing interceptor.

The interceptor is registered on the client only; workers built from this client inherit it
(registering it on both would duplicate spans)."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter

from servicekit.settings import KitSettings


async def connect_temporal(kit: KitSettings) -> Client:
    return await Client.connect(
        kit.temporal_address,
        namespace=kit.temporal_namespace,
        data_converter=pydantic_data_converter,
        interceptors=[TracingInterceptor()],
    )
