"""The review levels, as one table of data: rank, names by period, the time limit their tasks run
under, and the council rule a vote at the level follows unless the award says otherwise.

Every part of the platform that needs to know what a level *is* reads this table: intake's
catalogue (the order of an award's review path) and validation (the names it puts on a dossier's
review chain), the workflow's calendar (which limit a task at the level gets), the texts people
read (dossier history, notices) and the tools. Adding a level is one row here (and its value in
``ReviewLevel``, which ``make docs`` reports as "deploy consumers first"); nothing else orders or
names levels by hand.

The platform keeps the four levels it was commissioned with and fills them by the organisation
structure in force on the submission date (DOMAIN.md §3.1, product decision 2026-12-06): the second
level is the district (UBND huyện) until 30/06/2025 and, from 01/07/2025, the commune (UBND xã)
that holds the former district powers (NĐ 129/2025/NĐ-CP Điều 59).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

from contracts.events import CouncilQuorum, ReviewLevel

TWO_TIER_FROM = date(2025, 7, 1)
"""Local government without districts (NĐ 129/2025/NĐ-CP, Luật Tổ chức CQĐP 72/2025/QH15)."""


class Label(NamedTuple):
    vi: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.vi


@dataclass(frozen=True)
class NameInPeriod:
    """What a level is called from ``valid_from`` on (None: since always)."""

    valid_from: date | None
    label: Label


@dataclass(frozen=True)
class LevelRow:
    level: ReviewLevel
    rank: int
    """Lower ranks review first: unit 1, district 2, province 3, central 4."""
    label: Label
    """The level's name where no date is at hand (a text about any dossier: "cấp xã/huyện")."""
    names: tuple[NameInPeriod, ...]
    """In date order; the first has no start."""
    review_step: str
    """The calendar step whose limit a task at this level gets (``workflows.review.calendar``):
    a statutory one where DOMAIN.md §3.5 gives it, otherwise ``<level>_review`` (product default)."""
    review_step_by_award: Mapping[str, str] = field(default_factory=dict)
    """Awards whose procedure at this level has a limit of its own."""
    council_quorum: CouncilQuorum = field(default_factory=CouncilQuorum)
    """Members present for a council's vote at this level to stand, unless the award says otherwise."""

    def name_on(self, day: date | None) -> Label:
        """The level's name for a dossier submitted on ``day`` (the generic name when unknown)."""
        if day is None:
            return self.label
        current = self.names[0].label
        for name in self.names:
            if name.valid_from is None or name.valid_from <= day:
                current = name.label
        return current

    def step_for(self, award_code: str) -> str:
        return self.review_step_by_award.get(award_code, self.review_step)


_CSTDCS_PROCEDURE = "commune_cstdcs_procedure"
"""QĐ 638/QĐ-BNV (2025): the commune's award staff appraise a CSTĐCS and submit it to the commune
chairman within 20 working days. The commune reviews at the unit level for its own staff and, after
the reform, at the second level for the units it manages."""

REVIEW_LEVELS: tuple[LevelRow, ...] = (
    LevelRow(
        ReviewLevel.UNIT,
        rank=1,
        label=Label("cấp cơ sở", "unit level"),
        names=(NameInPeriod(None, Label("cấp cơ sở", "unit level")),),
        review_step="unit_review",
        review_step_by_award=MappingProxyType({"CSTDCS": _CSTDCS_PROCEDURE}),
    ),
    LevelRow(
        ReviewLevel.DISTRICT,
        rank=2,
        label=Label("cấp xã/huyện", "commune/district level"),
        names=(
            NameInPeriod(None, Label("cấp huyện", "district level")),
            NameInPeriod(TWO_TIER_FROM, Label("cấp xã", "commune level")),
        ),
        review_step="district_review",
        review_step_by_award=MappingProxyType({"CSTDCS": _CSTDCS_PROCEDURE}),
    ),
    LevelRow(
        ReviewLevel.PROVINCE,
        rank=3,
        label=Label("cấp tỉnh", "provincial level"),
        names=(NameInPeriod(None, Label("cấp tỉnh", "provincial level")),),
        review_step="province_review",
    ),
    LevelRow(
        ReviewLevel.CENTRAL,
        rank=4,
        label=Label("cấp trung ương", "central level"),
        names=(NameInPeriod(None, Label("cấp trung ương", "central level")),),
        review_step="central_appraisal",
    ),
)

_ROWS: Mapping[str, LevelRow] = MappingProxyType({row.level.value: row for row in REVIEW_LEVELS})


def level_row(level: ReviewLevel | str) -> LevelRow | None:
    """The row of ``level``; None for a level this build does not know (an event may carry one)."""
    return _ROWS.get(str(level))


def rank(level: ReviewLevel | str) -> int:
    """Where ``level`` comes in a review; an unknown level after every known one."""
    row = level_row(level)
    return row.rank if row else len(REVIEW_LEVELS) + 1


def in_review_order(levels: Iterable[ReviewLevel]) -> list[ReviewLevel]:
    return sorted(levels, key=rank)


def level_name(level: ReviewLevel | str | None, language: str = "vi", on: date | None = None) -> str:
    """``level``'s name in ``language`` for a dossier submitted ``on`` (generic without a date);
    the code itself for a level this build does not know."""
    if level is None:
        return ""
    row = level_row(level)
    if row is None:
        return str(level)
    return row.name_on(on).in_language(language)


def _check(rows: tuple[LevelRow, ...]) -> None:
    if {row.level for row in rows} != set(ReviewLevel):
        raise ValueError("every ReviewLevel needs one row in REVIEW_LEVELS")
    if sorted(row.rank for row in rows) != list(range(1, len(rows) + 1)):
        raise ValueError("ranks must be 1..n, each once")
    for row in rows:
        starts = [n.valid_from for n in row.names]
        if not starts or starts[0] is not None or any(s is None for s in starts[1:]):
            raise ValueError(f"{row.level}: the first name has no start, the others have one")
        if starts[1:] != sorted(s for s in starts[1:] if s is not None):
            raise ValueError(f"{row.level}: names must be in date order")


_check(REVIEW_LEVELS)
