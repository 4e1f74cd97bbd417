"""``python -m tools.payloads keys``: an operator writes a keyring once and rotates it, keeping
the older keys for the histories they encrypted."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from servicekit.payloads import read_keyring
from tools.payloads import main


def test_init_writes_a_keyring_once_and_rotate_keeps_the_older_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "keys.json"
    assert main(["keys", "init", str(path), "--key-id", "2026-q1"]) == 0
    first = read_keyring(path)
    assert first.current == "2026-q1"
    assert main(["keys", "init", str(path)]) == 0
    assert read_keyring(path) == first
    assert main(["keys", "rotate", str(path), "--key-id", "2026-q2"]) == 0
    rotated = read_keyring(path)
    assert rotated.current == "2026-q2"
    assert rotated.keys[first.current] == first.keys[first.current]
    out = capsys.readouterr().out
    assert "current key 2026-q2" in out and first.current in out
    for key in rotated.keys.values():
        assert base64.b64encode(key).decode() not in out, "key material printed"


def test_rotating_a_missing_keyring_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "rotate", str(tmp_path / "none.json")]) == 2
    assert "cannot read the payload keyring" in capsys.readouterr().err
