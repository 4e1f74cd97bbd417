"""The README's shell walkthroughs (submitting and reviewing by hand; decisions, certificates,
verification and revocation; the feed, preferences and webhooks), run as one bash script exactly as
written, beside a running pipeline: the only rewrites are the pipeline's own ports for the local
stack's 8001–8004, the stack's Keycloak secrets and the pipeline's folder for ``.stack/secrets`` and ``tools.demo`` for ``make -s demo``
(which would start the developer's own stack), and the path of the virtual environment's Python
(the script runs in a folder of its own, where it downloads the PDFs)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
from pathlib import Path

from deploy import infra
from tests.integration.conftest import Pipeline

README = infra.REPO_ROOT / "README.md"
BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)
LOCAL_PORTS = {"8001": "intake", "8002": "review", "8003": "decisions", "8004": "notifications"}


def walkthroughs() -> list[str]:
    """The README's bash blocks that talk to the running services, in the README's order."""
    return [block for block in BLOCK.findall(README.read_text()) if "http://127.0.0.1:80" in block]


def _beside(script: str, pipeline: Pipeline) -> str:
    for port, service in LOCAL_PORTS.items():
        script = script.replace(f"http://127.0.0.1:{port}", getattr(pipeline.endpoints, service))
    script = script.replace(".stack/secrets/keycloak/", "\0keycloak\0")
    script = script.replace(".stack/secrets/", f"{pipeline.state_dir / 'secrets'}/")
    script = script.replace("\0keycloak\0", f"{infra.keycloak_secrets_dir()}/")
    python = str(infra.REPO_ROOT / ".venv/bin/python")
    return script.replace(".venv/bin/python", python).replace("make -s demo", f"{python} -m tools.demo")


def test_the_readme_walks_through_the_services_with_shell_commands() -> None:
    blocks = walkthroughs()
    assert len(blocks) == 5, "by hand, the law and the registry, the pre-check, decisions, notifications"
    assert not [b for b in blocks if re.search(r"<[a-z_]+>", b)], "placeholders a reader cannot run"


async def test_the_readmes_walkthroughs_run_as_written(pipeline: Pipeline, tmp_path: Path) -> None:
    script = "set -euo pipefail\n" + "\n".join(_beside(block, pipeline) for block in walkthroughs())
    env = {name: value for name, value in os.environ.items() if not name.startswith(("TDKT_", "OTEL_"))}
    env["TDKT_STACK_DIR"] = str(pipeline.state_dir)
    env["HOME"] = str(tmp_path)  # a .curlrc that ends each answer with a newline, to read them apart
    (tmp_path / ".curlrc").write_text('write-out = "\\n"\n')
    done = await asyncio.to_thread(
        subprocess.run,
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith(("{", "["))]
    verdicts = [a for a in answers if isinstance(a, dict) and "authentic" in a]
    assert [(v["authentic"], v["valid"]) for v in verdicts] == [(True, True), (True, False)], verdicts
    assert verdicts[-1]["revoked"] is True and verdicts[-1]["revocations"]
    problems = [a for a in answers if isinstance(a, dict) and "code" in a and "message_vi" in a]
    assert problems == [], "a README command was refused"
    accepted = next(a for a in answers if isinstance(a, dict) and a.get("action") == "accept")
    assert accepted["task_id"].endswith(".receipt")
    assert (tmp_path / "quyet-dinh.pdf").read_bytes().startswith(b"%PDF")
