"""The Temporal client factory: pydantic payloads and the OpenTelemetry tracing interceptor.

The interceptor is registered on the client only; workers built from this client inherit it
(registering it on both would duplicate spans)."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter

from servicekit.settings import KitSettings

# Search attributes for operators to find a review in the Temporal UI — ids, codes and states
# only, never personal data (search attributes are stored unencrypted). Registered on the server
# by ``deploy/infra/temporal.py`` (``TEMPORAL_SEARCH_ATTRIBUTES``). Not in ``contracts``, which
# imports no Temporal code.
SEARCH_DOSSIER_ID = SearchAttributeKey.for_keyword("TdktDossierId")
SEARCH_ORGANISATION = SearchAttributeKey.for_keyword("TdktOrganisation")
SEARCH_LEVEL = SearchAttributeKey.for_keyword("TdktLevel")
SEARCH_STATE = SearchAttributeKey.for_keyword("TdktState")


async def connect_temporal(kit: KitSettings) -> Client:
    return await Client.connect(
        kit.temporal_address,
        namespace=kit.temporal_namespace,
        data_converter=pydantic_data_converter,
        interceptors=[TracingInterceptor()],
    )
