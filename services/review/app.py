"""Review's process: task API + event consumers + the Temporal client."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from servicekit.service import ServiceRuntime, build_runtime, create_app
from services.review import flows, views
from services.review.settings import SERVICE_NAME, ReviewSettings
from services.review.workflow_client import ReviewWorkflows

DESCRIPTION = """Xét duyệt hồ sơ — the reviewers' task inbox and actions.

Approve, reject and return are Temporal Updates on the dossier's review workflow: a task that is
no longer awaiting action is refused with 409 `task-not-actionable`."""


def build() -> tuple[FastAPI, ServiceRuntime]:
    runtime = build_runtime(SERVICE_NAME, ReviewSettings(), Path(__file__).parent / "migrations")
    workflows = ReviewWorkflows(runtime.kit)
    runtime.on_start.append(workflows.connect)
    flows.register_subscribers(runtime, workflows)
    app = create_app(
        runtime, [views.build_router(runtime, workflows)], title="TĐKT Review API", description=DESCRIPTION
    )
    return app, runtime
