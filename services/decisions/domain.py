"""Pure numbering rules for decisions (NĐ 30/2020/NĐ-CP; DOMAIN.md key fact 14)."""

from __future__ import annotations

DECISION_TYPE_CODE = "QĐ"


def format_decision_number(sequence: int, issuer_code: str) -> str:
    """``01/QĐ-TTg``: the register position, zero-padded below 10, then type and issuer codes.

    Individual award decisions carry no year in the number (regulatory ones do)."""
    if sequence < 1:
        raise ValueError("a register starts at 1")
    if not issuer_code:
        raise ValueError("an issuer code is required")
    return f"{sequence:02d}/{DECISION_TYPE_CODE}-{issuer_code}"
