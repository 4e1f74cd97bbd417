"""The table of review levels: one row per level, read for order, names, limits and councils."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.events import CouncilQuorum, ReviewLevel
from contracts.labels import LEVELS
from contracts.levels import REVIEW_LEVELS, in_review_order, level_name, level_row, rank
from workflows.review.calendar import step_for_level


def test_every_level_has_one_row_in_review_order() -> None:
    assert [row.level for row in REVIEW_LEVELS] == in_review_order(reversed(list(ReviewLevel)))
    assert [rank(level) for level in ("unit", "district", "province", "central")] == [1, 2, 3, 4]
    assert rank("ward") == 5, "a level this build does not know comes after the known ones"


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (date(2025, 6, 30), "vi", "cấp huyện"),
        (date(2025, 7, 1), "vi", "cấp xã"),
        (date(2025, 7, 1), "en", "commune level"),
        (None, "vi", "cấp xã/huyện"),
    ],
)
def test_the_second_level_is_named_by_the_structure_in_force(
    day: date | None, language: str, expected: str
) -> None:
    assert level_name(ReviewLevel.DISTRICT, language, day) == expected


def test_a_level_this_build_does_not_know_reads_as_its_code() -> None:
    assert level_row("ward") is None
    assert level_name("ward") == "ward"
    assert level_name(None) == ""


def test_texts_name_levels_from_the_table() -> None:
    assert {row.level: row.label for row in REVIEW_LEVELS} == LEVELS


@pytest.mark.parametrize(
    ("level", "award", "step"),
    [
        ("central", "BKTTG", "central_appraisal"),
        ("unit", "CSTDCS", "commune_cstdcs_procedure"),
        ("district", "CSTDCS", "commune_cstdcs_procedure"),
        ("district", "BKTTG", "district_review"),
        ("province", "BKTTG", "province_review"),
        ("ward", "BKTTG", "ward_review"),
    ],
)
def test_the_calendar_takes_a_levels_step_from_the_table(level: str, award: str, step: str) -> None:
    assert step_for_level(level, award) == step


def test_each_level_carries_the_default_council_quorum() -> None:
    assert all(row.council_quorum == CouncilQuorum() for row in REVIEW_LEVELS)
