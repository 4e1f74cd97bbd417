"""Intake's HTTP API (``/v1``)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlmodel import Session

from contracts.dossiers import DossierSubmission
from servicekit.db import run_in_session
from servicekit.problems import problem_responses
from servicekit.service import ServiceRuntime
from servicekit.telemetry import current_trace_id
from services.intake import service
from services.intake.models import DossierView


def build_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["dossiers"])

    @router.post(
        "/dossiers",
        status_code=status.HTTP_201_CREATED,
        summary="Submit a nomination dossier (tờ trình)",
        responses=problem_responses(422),
    )
    async def submit(submission: DossierSubmission, response: Response) -> DossierView:
        trace_id = current_trace_id()

        def work(session: Session) -> DossierView:
            dossier = service.submit_dossier(session, submission, runtime.source, trace_id)
            session.flush()
            return service.dossier_view(session, dossier.id)

        view = await run_in_session(runtime.engine, work)
        runtime.relay.notify()
        response.headers["Location"] = f"/v1/dossiers/{view.dossier_id}"
        return view

    @router.get(
        "/dossiers/{dossier_id}",
        summary="A dossier with its status and full history",
        responses=problem_responses(404),
    )
    async def get_dossier(dossier_id: str) -> DossierView:
        return await run_in_session(runtime.engine, lambda session: service.dossier_view(session, dossier_id))

    return router
