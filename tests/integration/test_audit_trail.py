"""The dossier's audit trail is a hash chain that a command verifies: intact after a whole review
(entries recorded by consumers of four topics at once), broken by any change made behind it."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from deploy import infra
from tests.integration.conftest import Pipeline
from tools.demo import run_demo
from tools.waiting import eventually


def _verify(pipeline: Pipeline, dossier_id: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.intake.audit", "verify", "--dossier", dossier_id],
        env=pipeline.env,
        cwd=infra.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_the_audit_chain_holds_after_a_review_and_breaks_when_an_entry_is_changed(
    pipeline: Pipeline,
) -> None:
    result = await run_demo(pipeline.endpoints, pipeline.credentials, say=lambda _line: None)
    headers = await pipeline.integrator_headers()

    async def notified() -> dict[str, Any] | None:
        async with httpx.AsyncClient(headers=headers) as http:
            view: dict[str, Any] = (
                await http.get(f"{pipeline.endpoints.intake}/v1/dossiers/{result.dossier_id}")
            ).json()
        return (
            view
            if sum(item["type"].startswith("vn.tdkt.notification.") for item in view["history"]) >= 5
            else None
        )

    view = await eventually(notified, timeout=30, what="the whole history, notifications included")
    assert all(len(item["entry_hash"]) == 64 for item in view["history"])

    intact = _verify(pipeline, result.dossier_id)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "1 dossier(s) checked, 0 broken" in intact.stdout

    engine = create_engine(pipeline.database_url("intake"))
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE dossier_history SET actor = 'nguoi-khac' WHERE id = "
                "(SELECT id FROM dossier_history WHERE dossier_id = :dossier AND type LIKE :approved "
                "ORDER BY id LIMIT 1)"
            ),
            {"dossier": result.dossier_id, "approved": "%level.approved%"},
        )
    engine.dispose()
    tampered = _verify(pipeline, result.dossier_id)
    assert tampered.returncode == 1
    assert f"BROKEN {result.dossier_id}: entry" in tampered.stdout
    assert "its content does not match its hash" in tampered.stdout

    engine = create_engine(pipeline.database_url("intake"))
    with engine.begin() as connection:  # the changed entry and everything after it, gone
        connection.execute(
            text(
                "DELETE FROM dossier_history WHERE dossier_id = :dossier AND id >= "
                "(SELECT id FROM dossier_history WHERE dossier_id = :dossier AND actor = 'nguoi-khac')"
            ),
            {"dossier": result.dossier_id},
        )
    engine.dispose()
    truncated = _verify(pipeline, result.dossier_id)
    assert truncated.returncode == 1 and "were removed" in truncated.stdout, truncated.stdout
