"""Changing the review workflow must keep already-running reviews correct: histories recorded
with earlier versions of the workflow replay, without non-determinism errors, on the current code
(changes go behind ``workflow.patched``). They were recorded before payloads were encrypted, and
replay with the platform's encrypting converter: its codec passes unencrypted payloads through."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from servicekit.payloads import PayloadKeyring
from servicekit.temporal import data_converter
from workflows.review.workflows import ReviewWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("review_*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: path.stem)
async def test_recorded_history_replays_on_current_code(path: Path) -> None:
    history = WorkflowHistory.from_json(f"review-{path.stem}", path.read_text())
    replayer = Replayer(workflows=[ReviewWorkflow], data_converter=data_converter(PayloadKeyring.generate()))
    await replayer.replay_workflow(history)


def test_histories_are_recorded() -> None:
    assert {path.stem for path in HISTORIES} >= {"review_v1_approved", "review_v1_returned"}
