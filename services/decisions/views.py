"""Decisions' HTTP API: the registry of issued decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from servicekit.db import run_in_session
from servicekit.problems import problem_responses
from servicekit.service import ServiceRuntime
from services.decisions import service
from services.decisions.models import DecisionQuery, DecisionView


def build_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(prefix="/v1/decisions", tags=["decisions"])

    @router.get("", summary="Search the registry: by dossier, number, issuer, year, award or nominee")
    async def find(query: Annotated[DecisionQuery, Query()]) -> list[DecisionView]:
        return await run_in_session(runtime.engine, lambda s: service.find_decisions(s, query))

    @router.get("/{decision_id}", summary="One decision", responses=problem_responses(404))
    async def get(decision_id: str) -> DecisionView:
        return await run_in_session(runtime.engine, lambda s: service.get_decision(s, decision_id))

    return router
