"""Decisions' composition root: settings, runtime, the handlers' context, the registry API, the
consumer of approvals and the desk that renders, signs and publishes decisions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from servicekit.auth import DECISIONS_AUDIENCE, AuthSettings, TokenService
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.doorbell import Doorbell
from servicekit.sandbox import ProcessLimits, Sandbox
from servicekit.service import ServiceRuntime, build_runtime, create_app
from services.decisions import flows, views
from services.decisions.context import DecisionsContext, Seal
from services.decisions.desk import DocumentDesk
from services.decisions.documents import inspection
from services.decisions.documents.signing import (
    DocumentSigner,
    SigningMaterial,
    generate_local_ca,
    load_signing_material,
)
from services.decisions.settings import SERVICE_NAME, DecisionsSettings

DESCRIPTION = """Quyết định khen thưởng — numbered, signed decisions issued for approved dossiers.

Numbers follow NĐ 30/2020/NĐ-CP: `Số: 01/QĐ-UBND`, one gapless register per issuer and year. Each
decision is a PAdES-signed PDF with its annex (số sổ vàng per line) and one certificate per line;
`POST /v1/verify` tells anyone whether a PDF is an unaltered document of this registry."""


def signing_material(settings: DecisionsSettings, now: datetime) -> SigningMaterial:
    """The configured key and certificates, or a development CA made at ``now`` if none is configured."""
    if settings.signing_key_file is not None and settings.signing_cert_file is not None:
        return load_signing_material(
            settings.signing_key_file,
            settings.signing_cert_file,
            settings.signing_chain_files,
            settings.trust_files,
        )
    if settings.signing_dev_ca_dir is not None:
        return generate_local_ca(settings.signing_dev_ca_dir, now)
    raise RuntimeError(
        "No signing key: set TDKT_DECISIONS_SIGNING_KEY_FILE and TDKT_DECISIONS_SIGNING_CERT_FILE "
        "(and TDKT_DECISIONS_SIGNING_CHAIN_FILES, TDKT_DECISIONS_TRUST_FILES), or, for development, "
        "TDKT_DECISIONS_SIGNING_DEV_CA_DIR (`make up` sets it)."
    )


def verification_sandbox(settings: DecisionsSettings) -> Sandbox:
    """Children that have imported pyHanko once (the forkserver's), so that each upload's child
    starts in milliseconds."""
    limits = ProcessLimits(
        seconds=settings.verify_timeout_seconds,
        memory_bytes=settings.verify_memory_bytes,
        concurrency=settings.verify_concurrency,
    )
    return Sandbox(limits, preload=[inspection.__name__])


def build(clock: Clock = SYSTEM_CLOCK) -> tuple[FastAPI, ServiceRuntime]:
    """The service's app and runtime, reading ``clock`` (tests give theirs)."""
    settings = DecisionsSettings()
    runtime = build_runtime(SERVICE_NAME, settings, Path(__file__).parent / "migrations", clock)
    ctx = DecisionsContext(
        runtime=runtime,
        settings=settings,
        tokens=TokenService(AuthSettings(), audience=DECISIONS_AUDIENCE, clock=runtime.clock),
        seal=Seal(lambda: DocumentSigner(signing_material(settings, runtime.clock.now()))),
        doorbell=Doorbell(),
        sandbox=verification_sandbox(settings),
        parse_limits=inspection.ParseLimits(
            max_objects=settings.verify_max_objects,
            max_stream_bytes=settings.verify_max_stream_bytes,
            max_decoded_bytes=settings.verify_max_decoded_bytes,
        ),
    )
    desk = DocumentDesk(ctx)
    flows.register_subscribers(ctx)

    async def start_desk() -> None:
        await ctx.seal.load()  # a missing signing key stops the process here, with the reason
        await desk.start()
        ctx.doorbell.ring()  # finish whatever a previous run left numbered

    runtime.on_start.extend([start_desk, ctx.sandbox.warm])
    runtime.on_stop.append(desk.stop)
    app = create_app(runtime, [views.router], title="TĐKT Decisions API", description=DESCRIPTION)
    app.state.context = ctx
    return app, runtime
