"""Intake's process: HTTP API + event consumers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from servicekit.auth import AuthSettings, TokenService
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.files import ContentStore
from servicekit.service import ServiceRuntime, build_runtime, create_app
from services.intake import flows, reference, staff_views, views
from services.intake.clients import ClientRegistry
from services.intake.domain.catalogue import default_catalogue
from services.intake.domain.organisations import default_registry, review_profile
from services.intake.handlers import IntakeContext
from services.intake.settings import SERVICE_NAME, IntakeSettings
from services.intake.validation import DossierValidator

DESCRIPTION = """Tiếp nhận hồ sơ đề nghị khen thưởng — the intake API for integrating systems.

Authenticate with OAuth2 client credentials at the platform's identity provider (its token
endpoint is in `{issuer}/.well-known/openid-configuration`; on the local stack Keycloak's realm
`tdkt`) and send the access token as `Authorization: Bearer …`. A client sees only its own dossiers and
submits only for the organisations it is registered for. The award catalogue and the organisation
registry in force on a day (`/v1/awards`, `/v1/organisations`) are public; `POST /v1/eligibility`
checks a submission without making it.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code` and
messages in Vietnamese (`message_vi`) and English (`message_en`). Every response of a traced
request carries the trace id in `X-Trace-Id`."""


def build(clock: Clock = SYSTEM_CLOCK) -> tuple[FastAPI, ServiceRuntime]:
    """The service's app and runtime, reading ``clock`` (tests give theirs)."""
    settings = IntakeSettings()
    runtime = build_runtime(SERVICE_NAME, settings, Path(__file__).parent / "migrations", clock)
    tokens = TokenService(
        AuthSettings(), audience=views.TOKEN_AUDIENCE, clock=runtime.clock, scheme=views.TOKEN_SCHEME
    )
    ctx = IntakeContext(
        runtime=runtime,
        settings=settings,
        clients=ClientRegistry.load(settings.clients_file),
        tokens=tokens,
        validator=DossierValidator(
            default_catalogue(),
            default_registry(),
            review_profile(settings.review_profile) if settings.review_profile else None,
            [quota.setting() for quota in settings.quotas],
        ),
        store=ContentStore(
            settings.attachments_dir or runtime.kit.data_dir / "attachments",
            settings.max_attachment_bytes,
            settings.attachment_types,
        ),
    )

    async def check_configuration() -> None:
        tokens.check_configured()

    runtime.on_start.append(check_configuration)
    flows.register_subscribers(ctx)
    app = create_app(
        runtime,
        [views.router, staff_views.router, reference.router],
        title="TĐKT Intake API",
        description=DESCRIPTION,
    )
    app.state.context = ctx
    views.describe_limits(app, settings)
    return app, runtime
