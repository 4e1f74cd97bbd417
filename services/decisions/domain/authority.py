"""Who acts for an issuing authority (pure).

A staff token names the officer's organisation and roles; the organisation's leaders (role
``leader``) act for it. Luật TĐKT 2022 Điều 93 k8: whoever had the power to award has the power
to revoke, so only a leader of the authority that issued a decision revokes it. Issuing an
organisation's batched decisions before their period ends is its leader's act too (a product
rule: DOMAIN.md names no one for it)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

LEADER_ROLE = "leader"


class Officer(Protocol):
    """Who acts, as their token names them (``servicekit.auth.Staff`` is one)."""

    @property
    def organisation(self) -> str: ...

    @property
    def roles(self) -> Collection[str]: ...


def is_leader(officer: Officer) -> bool:
    return LEADER_ROLE in officer.roles


def leads(officer: Officer, organisation: str) -> bool:
    """``officer`` is a leader of ``organisation``."""
    return officer.organisation == organisation and is_leader(officer)
