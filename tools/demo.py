"""The demo: one nomination through all four review levels, decided and notified.

A teacher of Trường THCS Tân Tiến is nominated for the Prime Minister's Bằng khen; the review
chain intake answers with names the reviewers: the school itself (unit), xã Tân Tiến (the district
level since 01/07/2025), the province An Hà and the Prime Minister. Each level's reviewer gets a
person: the organisation's clerk receives, its officer appraises, its leader signs off — the
sample people of the stack's Keycloak realm, signed in with their own passwords (``tools.people``).

``python -m tools.demo`` talks to the running stack over HTTP only, like an integrating system
and its reviewers would, and prints ``decision: <number>`` and ``trace: <trace id>``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from clients.intake import ClientCredentials, access_token
from clients.oidc import OidcError
from contracts.samples import eligible_record
from servicekit.settings import service_url
from tools.people import People
from tools.waiting import eventually

STEP_ACTIONS = (
    ("accept", "received", "clerk"),
    ("recommend", "appraised", "officer"),
    ("approve", "signed off", "leader"),
)
"""The steps of a level for an award without council vote or public comment (BKTTG), and who
takes each."""

STEP_TIMEOUT = 60.0
"""Seconds each step may take before the demo gives up."""

DEMO_ORGANISATION = "AH-DS-TT-THCS"
"""A lower secondary school in the sample province (services/intake/domain/data/organisations.json)."""


def demo_dossier(proposal_year: int | None = None) -> dict[str, Any]:
    year = proposal_year or date.today().year
    return {
        "submitting_organisation": DEMO_ORGANISATION,
        "award_code": "BKTTG",
        "external_reference": "DEMO-0001",
        "proposal_year": year,
        "entries": [
            {
                "kind": "individual",
                "full_name": "Nguyễn Thị Minh Khai",
                "position_title": "Giáo viên Trường Trung học cơ sở Tân Tiến",
                "email": "minhkhai@example.vn",
                "achievement_summary": "Hoàn thành tốt nhiệm vụ 7 năm liên tục, 3 lần Chiến sĩ thi đua cơ sở.",
                "record": eligible_record(year),
            }
        ],
    }


@dataclass(frozen=True)
class Endpoints:
    intake: str
    review: str
    decisions: str
    notifications: str

    @classmethod
    def from_environment(cls) -> Endpoints:
        """``TDKT_<SERVICE>_URL``, else the port of the running stack (``service_url``)."""
        return cls(
            service_url("intake", 8001),
            service_url("review", 8002),
            service_url("decisions", 8003),
            service_url("notifications", 8004),
        )


@dataclass(frozen=True)
class DemoResult:
    dossier_id: str
    decision_number: str
    trace_id: str
    dossier: dict[str, Any]


async def submit_and_review(
    http: httpx.AsyncClient,
    endpoints: Endpoints,
    integrator: dict[str, str],
    dossier: dict[str, Any],
    say: Callable[[str], None] = print,
    struck_at_unit: Callable[[dict[str, Any]], list[dict[str, str]]] | None = None,
    people: People | None = None,
) -> tuple[dict[str, Any], str]:
    """Submit, then walk every step of every level to the last sign-off; returns the submitted
    view and its trace id. ``struck_at_unit`` gives the entries the unit's appraisal takes out."""
    response = await http.post(f"{endpoints.intake}/v1/dossiers", json=dossier, headers=integrator)
    response.raise_for_status()
    submitted: dict[str, Any] = response.json()
    dossier_id, trace_id = submitted["dossier_id"], response.headers["X-Trace-Id"]
    say(f"submitted dossier {dossier_id} (status {submitted['status']})")
    people = people or People.of_stack()
    for step in submitted["review_chain"]:
        level, organisation = step["level"], step["organisation"]
        for action, what, role in STEP_ACTIONS:
            reviewer = await people.headers(organisation, role)

            async def open_task(reviewer: dict[str, str] = reviewer) -> dict[str, Any] | None:
                page = (
                    await http.get(
                        f"{endpoints.review}/v1/tasks",
                        params={"dossier_id": dossier_id, "state": "open"},
                        headers=reviewer,
                    )
                ).json()
                return page["items"][0] if page["items"] else None

            task = await eventually(open_task, timeout=STEP_TIMEOUT, what=f"the open task at {organisation}")
            body: dict[str, Any] = {"comment": "Đồng ý đề nghị khen thưởng."}
            if action == "recommend" and level == "unit" and struck_at_unit is not None:
                body["struck_entries"] = struck_at_unit(submitted)
            response = await http.post(
                f"{endpoints.review}/v1/tasks/{task['task_id']}/{action}", json=body, headers=reviewer
            )
            response.raise_for_status()
            say(f"{level}: {what} at {organisation} by {people.username(organisation, role)}")
    return submitted, trace_id


async def wait_decided(
    http: httpx.AsyncClient,
    endpoints: Endpoints,
    integrator: dict[str, str],
    dossier_id: str,
    people: People | None = None,
) -> dict[str, Any]:
    """The dossier's view once decided, the submitting organisation told in its feed, and the
    notification in the dossier's history."""

    async def decided() -> dict[str, Any] | None:
        view = (await http.get(f"{endpoints.intake}/v1/dossiers/{dossier_id}", headers=integrator)).json()
        return view if view["status"] == "decided" and view["decision_number"] else None

    await eventually(decided, timeout=STEP_TIMEOUT, what="decision")

    officer = await (people or People.of_stack()).headers(DEMO_ORGANISATION, "clerk")

    async def notified() -> list[Any] | None:
        feed = (
            await http.get(
                f"{endpoints.notifications}/v1/feed", params={"dossier_id": dossier_id}, headers=officer
            )
        ).json()
        return [item for item in feed["items"] if item["kind"] == "decided"] or None

    await eventually(notified, timeout=STEP_TIMEOUT, what="notification")

    async def history_complete() -> dict[str, Any] | None:
        view = (await http.get(f"{endpoints.intake}/v1/dossiers/{dossier_id}", headers=integrator)).json()
        types = {item["type"] for item in view["history"]}
        return view if "vn.tdkt.notification.sent.v1" in types else None

    view: dict[str, Any] = await eventually(
        history_complete, timeout=STEP_TIMEOUT, what="notification in the dossier's history"
    )
    return view


async def run_demo(
    endpoints: Endpoints,
    credentials: ClientCredentials,
    dossier: dict[str, Any] | None = None,
    say: Callable[[str], None] = print,
    struck_at_unit: Callable[[dict[str, Any]], list[dict[str, str]]] | None = None,
    people: People | None = None,
) -> DemoResult:
    """Submit, walk every step of every level, wait for the decision and its notification."""
    people = people or People.of_stack()
    async with httpx.AsyncClient(timeout=30) as http:
        token = await access_token(credentials)
        integrator = {"Authorization": f"Bearer {token}"}
        submitted, trace_id = await submit_and_review(
            http, endpoints, integrator, dossier or demo_dossier(), say, struck_at_unit, people
        )
        view = await wait_decided(http, endpoints, integrator, submitted["dossier_id"], people)
        return DemoResult(submitted["dossier_id"], view["decision_number"], trace_id, view)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.demo", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.parse_args(argv)
    endpoints = Endpoints.from_environment()
    try:
        result = asyncio.run(run_demo(endpoints, ClientCredentials.load()))
    except (httpx.HTTPError, AssertionError, OidcError, OSError) as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    print(f"\ndossier: {endpoints.intake}/v1/dossiers/{result.dossier_id}")
    print(f"decision: {result.decision_number}")
    print(f"trace: {result.trace_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
