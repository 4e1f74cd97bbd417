"""Review's process: task API + event consumers + the Temporal client."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from servicekit.auth import REVIEW_AUDIENCE, AuthSettings, TokenService
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.files import ContentStore
from servicekit.service import ServiceRuntime, build_runtime, create_app
from services.review import flows, views
from services.review.handlers import ObjectionLimits, ReviewContext
from services.review.settings import SERVICE_NAME, ReviewSettings
from services.review.workflow_client import ReviewWorkflows

DESCRIPTION = """Xét duyệt hồ sơ — the reviewers' task inbox and actions.

Reviewers sign in through the platform's OpenID Connect provider (Keycloak on the local stack) and
send its access token (audience `tdkt-review`, scope `tasks`), whose claims name their
`organisation`, `roles` (officer, council_member, leader, clerk), full `name` and `title`; a leader
signs off only with a name and a title, which the decision's signature block prints. A reviewer sees and acts only on their
own organisation's tasks. Approve, reject and return are Temporal Updates on the dossier's review
workflow: a task that is no longer awaiting action is refused with 409 `task-not-actionable`."""


def build(
    clock: Clock = SYSTEM_CLOCK, workflows: ReviewWorkflows | None = None
) -> tuple[FastAPI, ServiceRuntime]:
    """The service's app and runtime, reading ``clock`` and driving reviews through ``workflows``
    (tests give theirs: a time-skipping Temporal server's client)."""
    settings = ReviewSettings()
    runtime = build_runtime(SERVICE_NAME, settings, Path(__file__).parent / "migrations", clock)
    ctx = ReviewContext(
        runtime=runtime,
        settings=settings,
        workflows=workflows or ReviewWorkflows(runtime.kit),
        tokens=TokenService(AuthSettings(), audience=REVIEW_AUDIENCE, clock=runtime.clock),
        store=ContentStore(
            settings.note_files_dir or runtime.kit.data_dir / "review-files",
            settings.max_note_file_bytes,
            settings.note_file_types,
        ),
        objection_limits=ObjectionLimits(settings),
    )

    async def check_configuration() -> None:
        ctx.tokens.check_configured()

    runtime.on_start.extend([check_configuration, ctx.workflows.connect])
    runtime.readiness["temporal"] = ctx.workflows.reachable
    flows.register_subscribers(runtime, ctx)
    app = create_app(runtime, [views.router], title="TĐKT Review API", description=DESCRIPTION)
    app.state.context = ctx
    views.describe_limits(app, settings)
    return app, runtime
