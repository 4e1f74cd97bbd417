"""Secrets come from the environment or files outside the repository: no tracked file holds a
private key, a token signing key, a client secret or a webhook secret."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    "webhook secret": re.compile(r"whsec_[A-Za-z0-9_-]{20,}"),
    "client secret": re.compile(r"\"client_secret\"\s*:\s*\"[A-Za-z0-9_-]{16,}\""),
    "signing key assignment": re.compile(r"TDKT_AUTH_SIGNING_KEY\s*[=:]\s*['\"]?[A-Za-z0-9_-]{32,}"),
}


def test_no_tracked_file_holds_a_secret() -> None:
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    found = []
    for name in filter(None, tracked):
        path = ROOT / name
        if not path.is_file() or path.suffix in {".ttf", ".png", ".pdf", ".xlsx"}:
            continue
        text = path.read_text(errors="ignore")
        found += [f"{name}: {kind}" for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)]
    assert not found, found


def test_the_rules_catch_what_they_are_for() -> None:
    assert SECRET_PATTERNS["private key"].search("-----BEGIN EC " + "PRIVATE KEY-----")
    assert SECRET_PATTERNS["webhook secret"].search("whsec_" + "a" * 43)
    assert SECRET_PATTERNS["client secret"].search('{"client_secret": "' + "b" * 43 + '"}')
