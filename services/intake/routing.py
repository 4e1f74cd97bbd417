"""Where a dossier is routed (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.events import ReviewLevel


@dataclass(frozen=True)
class AwardRoute:
    review_levels: tuple[ReviewLevel, ...]
    deciding_organisation: str
    issuer_code: str


FOUR_LEVELS = (ReviewLevel.UNIT, ReviewLevel.DISTRICT, ReviewLevel.PROVINCE, ReviewLevel.CENTRAL)

# The walking skeleton knows one award: Bằng khen của Thủ tướng Chính phủ, decided by the Prime
# Minister (Luật TĐKT 2022 Điều 73; DOMAIN.md key fact 5) after every level below has reviewed it.
# The versioned award catalogue of issue 3 replaces this table.
AWARD_ROUTES: dict[str, AwardRoute] = {
    "BKTTG": AwardRoute(FOUR_LEVELS, deciding_organisation="TTG", issuer_code="TTg"),
}


def route_for(award_code: str) -> AwardRoute | None:
    return AWARD_ROUTES.get(award_code)
