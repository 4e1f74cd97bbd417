"""OpenTelemetry set-up: one TracerProvider per process, OTLP/HTTP export when configured.

The exporter follows the standard variables (``OTEL_EXPORTER_OTLP_ENDPOINT``,
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, ``OTEL_BSP_SCHEDULE_DELAY`` …); with no endpoint set,
spans are still created (trace ids flow through headers) but not exported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from servicekit.privacy import MaskingSpanExporter, install_log_masking

_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


def setup_tracing(service_name: str) -> TracerProvider:
    """The process's tracer provider; spans are exported with personal data masked, and log
    records are masked as they are made (``servicekit.privacy``)."""
    install_log_masking()
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    if any(os.environ.get(name) for name in _ENDPOINT_VARIABLES):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter,
        )

        provider.add_span_processor(BatchSpanProcessor(MaskingSpanExporter(OTLPSpanExporter())))
        _export_metrics(provider.resource)
    trace.set_tracer_provider(provider)
    return provider


def _export_metrics(resource: Resource) -> None:
    """The process's metrics (``servicekit.kafka``'s consumer counters and gauge) go where its
    spans go, over OTLP/HTTP, every ``OTEL_METRIC_EXPORT_INTERVAL`` (60 s by default)."""
    from opentelemetry import metrics
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    reader = PeriodicExportingMetricReader(OTLPMetricExporter())
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))


def shutdown_tracing() -> None:
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider

    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.shutdown()
    meters = metrics.get_meter_provider()
    if isinstance(meters, MeterProvider):
        meters.shutdown()


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def trace_carrier() -> str:
    """The current trace context as W3C headers in JSON, stored beside work that is finished later
    (an outbox row, a decision rendered by the desk) so that work joins the same trace."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return json.dumps(carrier)


@contextmanager
def continued_trace(carrier: str) -> Iterator[None]:
    """Run the block in the trace ``carrier`` (from ``trace_carrier``) was taken in."""
    token = otel_context.attach(propagate.extract(json.loads(carrier)))
    try:
        yield
    finally:
        otel_context.detach(token)
