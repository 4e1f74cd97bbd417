"""The demo: one nomination through all four review levels, decided and notified.

``python -m tools.demo`` talks to the running stack over HTTP only, like an integrating system
and its reviewers would, and prints ``decision: <number>`` and ``trace: <trace id>``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tools.waiting import eventually

STEP_TIMEOUT = 60.0
"""Seconds each step may take before the demo gives up."""

DEMO_DOSSIER: dict[str, Any] = {
    "submitting_organisation": "UBND-XA-DEMO",
    "award_code": "BKTTG",
    "external_reference": "DEMO-0001",
    "entries": [
        {
            "kind": "individual",
            "full_name": "Nguyễn Thị Minh Khai",
            "achievement_summary": "Hoàn thành xuất sắc nhiệm vụ 5 năm liên tục, 3 lần Chiến sĩ thi đua cơ sở.",
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
        def url(name: str, port: int) -> str:
            return os.environ.get(f"TDKT_{name.upper()}_URL") or (
                f"http://127.0.0.1:{os.environ.get(f'TDKT_{name.upper()}_HTTP_PORT', port)}"
            )

        return cls(
            url("intake", 8001), url("review", 8002), url("decisions", 8003), url("notifications", 8004)
        )


@dataclass(frozen=True)
class DemoResult:
    dossier_id: str
    decision_number: str
    trace_id: str
    dossier: dict[str, Any]


async def run_demo(
    endpoints: Endpoints, dossier: dict[str, Any] | None = None, say: Callable[[str], None] = print
) -> DemoResult:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(f"{endpoints.intake}/v1/dossiers", json=dossier or DEMO_DOSSIER)
        response.raise_for_status()
        submitted = response.json()
        dossier_id, trace_id = submitted["dossier_id"], response.headers["X-Trace-Id"]
        say(f"submitted dossier {dossier_id} (status {submitted['status']})")

        acted: set[str] = set()

        async def open_task() -> dict[str, Any] | None:
            page = (
                await http.get(
                    f"{endpoints.review}/v1/tasks", params={"dossier_id": dossier_id, "state": "open"}
                )
            ).json()
            fresh = [task for task in page["items"] if task["task_id"] not in acted]
            return fresh[0] if fresh else None

        for _ in range(4):
            task = await eventually(open_task, timeout=STEP_TIMEOUT, what="open review task")
            level = task["level"]
            approval = await http.post(
                f"{endpoints.review}/v1/tasks/{task['task_id']}/approve",
                json={"actor": f"demo-reviewer-{level}", "comment": "Đồng ý đề nghị khen thưởng."},
            )
            approval.raise_for_status()
            acted.add(task["task_id"])
            say(f"approved at level {level} by demo-reviewer-{level}")

        async def decided() -> dict[str, Any] | None:
            view = (await http.get(f"{endpoints.intake}/v1/dossiers/{dossier_id}")).json()
            return view if view["status"] == "decided" and view["decision_number"] else None

        view = await eventually(decided, timeout=STEP_TIMEOUT, what="decision")

        async def notified() -> list[Any] | None:
            found = (
                await http.get(
                    f"{endpoints.notifications}/v1/notifications", params={"dossier_id": dossier_id}
                )
            ).json()
            return found or None

        await eventually(notified, timeout=STEP_TIMEOUT, what="notification")

        async def history_complete() -> dict[str, Any] | None:
            view = (await http.get(f"{endpoints.intake}/v1/dossiers/{dossier_id}")).json()
            types = {item["type"] for item in view["history"]}
            return view if "vn.tdkt.notification.sent.v1" in types else None

        view = await eventually(
            history_complete, timeout=STEP_TIMEOUT, what="notification in the dossier's history"
        )
        return DemoResult(dossier_id, view["decision_number"], trace_id, view)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.demo", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.parse_args(argv)
    endpoints = Endpoints.from_environment()
    try:
        result = asyncio.run(run_demo(endpoints))
    except (httpx.HTTPError, AssertionError) as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    print(f"\ndossier: {endpoints.intake}/v1/dossiers/{result.dossier_id}")
    print(f"decision: {result.decision_number}")
    print(f"trace: {result.trace_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
