from __future__ import annotations

import shutil
import sys
from pathlib import Path


def venv_executable(name: str) -> str:
    """An executable installed by a wheel into this interpreter's environment (or on PATH)."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    assert found, f"{name} is not installed: run `uv sync`"
    return found
