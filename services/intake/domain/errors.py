"""Domain exceptions: callers map them to problem responses; nothing here knows about HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every intake-domain error."""


class UnknownOrganisation(DomainError, LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown organisation: {code!r}")
        self.code = code


class UnknownReviewProfile(DomainError, LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown review profile: {name!r}")
        self.name = name


class NoActingOrganisation(DomainError):
    """No organisation above the submitter can act at a level the award's review path needs."""


class UnknownRuleSet(DomainError, LookupError):
    def __init__(self, rule_set_id: str) -> None:
        super().__init__(f"unknown rule set: {rule_set_id!r}")
        self.rule_set_id = rule_set_id


class NoRuleSetInForce(DomainError):
    """No rule set covers the date: before Luật TĐKT 2022 took effect (01/01/2024)."""
