"""Domain exceptions: callers map them to problem responses; nothing here knows about HTTP."""

from __future__ import annotations

from datetime import date


class DomainError(Exception):
    """Base of every intake-domain error."""


class UnknownOrganisation(DomainError, LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown organisation: {code!r}")
        self.code = code


class OrganisationNotInForce(DomainError, LookupError):
    """The organisation is in the registry but did not exist on the day asked about (a district
    after 30/06/2025, a body not yet founded)."""

    def __init__(self, code: str, name_vi: str, day: date) -> None:
        super().__init__(f"organisation {code!r} ({name_vi}) does not exist on {day.isoformat()}")
        self.code = code
        self.name_vi = name_vi
        self.day = day


class UnknownReviewProfile(DomainError, LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown review profile: {name!r}")
        self.name = name


class NoReviewProfileInForce(DomainError):
    """No review profile (organisation structure) covers the date."""


class NoActingOrganisation(DomainError):
    """No organisation in the submitter's review chain may decide the award, or the submitter
    cannot nominate under the review profile."""


class UnknownRuleSet(DomainError, LookupError):
    def __init__(self, rule_set_id: str) -> None:
        super().__init__(f"unknown rule set: {rule_set_id!r}")
        self.rule_set_id = rule_set_id


class NoRuleSetInForce(DomainError):
    """No rule set covers the date: before Luật TĐKT 2022 took effect (01/01/2024)."""
