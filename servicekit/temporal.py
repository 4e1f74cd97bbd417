"""The Temporal client factory — the one way the platform connects to Temporal: pydantic
payloads encrypted by the payload keyring (``servicekit.payloads``), failures' messages and
stack traces encrypted with them, and the OpenTelemetry tracing interceptor.

The interceptor is registered on the client only; workers built from this client inherit it
(registering it on both would duplicate spans). Workers take the client's data converter, so
every process — review's client, the worker, operators' tools, the tests — encodes alike."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.service import RetryConfig

from servicekit.payloads import EncryptionCodec, PayloadKeyring, configured_keyring
from servicekit.settings import KitSettings

# Search attributes for operators to find a review in the Temporal UI — ids, codes and states
# only, never personal data (search attributes are stored unencrypted). Registered on the server
# by ``deploy/infra/temporal.py`` (``TEMPORAL_SEARCH_ATTRIBUTES``). Not in ``contracts``, which
# imports no Temporal code.
SEARCH_DOSSIER_ID = SearchAttributeKey.for_keyword("TdktDossierId")
SEARCH_ORGANISATION = SearchAttributeKey.for_keyword("TdktOrganisation")
SEARCH_LEVEL = SearchAttributeKey.for_keyword("TdktLevel")
SEARCH_STATE = SearchAttributeKey.for_keyword("TdktState")


def data_converter(keyring: PayloadKeyring) -> DataConverter:
    """Pydantic payloads, encrypted with ``keyring``'s current key (AES-256-GCM)."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect_temporal(
    kit: KitSettings, keyring: PayloadKeyring | None = None, *, retry_config: RetryConfig | None = None
) -> Client:
    """A client of ``kit``'s server and namespace; ``keyring``: the payload keys, by default the
    file ``TDKT_TEMPORAL_PAYLOAD_KEYS_FILE`` names (refused, saying so, when unset)."""
    return await Client.connect(
        kit.temporal_address,
        namespace=kit.temporal_namespace,
        data_converter=data_converter(keyring or configured_keyring()),
        interceptors=[TracingInterceptor()],
        retry_config=retry_config,
    )


async def engine_answers(client: Client) -> bool:
    """Whether the Temporal frontend answers its health check now (readiness probes)."""
    return await client.service_client.check_health(timeout=timedelta(seconds=2))
