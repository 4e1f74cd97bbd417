"""Example request bodies for the decisions API's documentation (Swagger UI's "Try it out")."""

from __future__ import annotations

from fastapi.openapi.models import Example

REVOCATION: dict[str, Example] = {
    "false-record": {
        "summary": "Revoke line 1: the dossier was untrue (ground b)",
        "description": "Luật TĐKT 2022 Điều 93 k2 điểm b; the README's example.",
        "value": {
            "line_number": 1,
            "ground": "b",
            "reason": "Hồ sơ khai sai sự thật theo kết luận thanh tra.",
        },
    }
}
