"""Eligibility rules, one table per award, with the boundary cases of each, plus properties."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts.events import NomineeKind
from contracts.nominee import (
    AwardRecord,
    CollectiveStats,
    CommendationType,
    DisciplineLevel,
    DisciplineRecord,
    Initiative,
    InitiativeKind,
    InitiativeScope,
    NomineeRecord,
    PerformanceRating,
    StatusFlags,
    YearRating,
)
from services.intake.domain.catalogue import AwardDefinition, RuleSet, default_catalogue
from services.intake.domain.eligibility import (
    CriterionOutcome,
    EligibilityResult,
    Outcome,
    QuotaSetting,
    apply_quota,
    evaluate,
    maximal_runs,
    run_ending,
)

CAT = default_catalogue()
ND98 = CAT.rule_set("ND98-2023")
ND152 = CAT.rule_set("ND152-2025")
IND, COL = NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE
Y = 2025

ELIGIBLE, INELIGIBLE, MANUAL = Outcome.ELIGIBLE, Outcome.INELIGIBLE, Outcome.MANUAL_REVIEW
PASSED, FAILED, REVIEW = CriterionOutcome.PASSED, CriterionOutcome.FAILED, CriterionOutcome.MANUAL_REVIEW
EXC, GOOD, DONE, NOT_DONE = "excellent", "good", "completed", "not_completed"
MERIT, AD_HOC, CAMPAIGN = CommendationType.MERIT, CommendationType.AD_HOC, CommendationType.CAMPAIGN


# --- building records -----------------------------------------------------------------------


def ratings(spec: dict[int, str]) -> list[YearRating]:
    return [YearRating(year=y, rating=PerformanceRating(r)) for y, r in spec.items()]


def span(first: int, last: int, rating: str) -> dict[int, str]:
    return dict.fromkeys(range(first, last + 1), rating)


def aw(code: str, year: int, kind: CommendationType = MERIT, *, revoked: bool = False) -> AwardRecord:
    return AwardRecord(award_code=code, year=year, commendation_type=kind, revoked=revoked)


def titles(code: str, *years: int) -> list[AwardRecord]:
    return [aw(code, y) for y in years]


def work(year: int, scope: str = "grassroots", kind: str = "initiative") -> Initiative:
    return Initiative(
        year=year, scope=InitiativeScope(scope), kind=InitiativeKind(kind), title=f"Sáng kiến {year}"
    )


def person(
    rated: dict[int, str] | None = None,
    awards: list[AwardRecord] | None = None,
    works: list[Initiative] | None = None,
    **extra: Any,
) -> NomineeRecord:
    return NomineeRecord(ratings=ratings(rated or {}), awards=awards or [], initiatives=works or [], **extra)


def group(
    rated: dict[int, str] | None = None,
    stats: CollectiveStats | None = None,
    awards: list[AwardRecord] | None = None,
) -> NomineeRecord:
    return NomineeRecord(collective_rating=ratings(rated or {}), collective=stats, awards=awards or [])


def stats(
    total: int = 10, ldtt: int = 7, done: int | None = None, cstdcs: int = 1, disciplined: int = 0
) -> CollectiveStats:
    return CollectiveStats(
        members_total=total,
        members_lao_dong_tien_tien=ldtt,
        members_completed_tasks=total if done is None else done,
        members_cstdcs=cstdcs,
        members_disciplined_warning_or_above=disciplined,
    )


def award(code: str, rule_set: RuleSet = ND152) -> AwardDefinition:
    found = rule_set.award(code)
    assert found is not None, code
    return found


def check(
    code: str, record: NomineeRecord, kind: NomineeKind = IND, year: int = Y, rule_set: RuleSet = ND152
) -> EligibilityResult:
    return evaluate(award(code, rule_set), rule_set, record, kind, year)


def criterion(result: EligibilityResult, code: str) -> CriterionOutcome:
    matches = [c.outcome for c in result.criteria if c.code == code]
    assert len(matches) == 1, (code, [c.code for c in result.criteria])
    return matches[0]


@dataclass(frozen=True)
class Case:
    """One row of a rule table: the record, the expected outcome, and optionally one criterion."""

    record: NomineeRecord
    outcome: Outcome
    criterion: tuple[str, CriterionOutcome] | None = None
    kind: NomineeKind = IND


def table(**cases: Case) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [pytest.param(c, id=name) for name, c in cases.items()])


def assert_case(code: str, case: Case, rule_set: RuleSet = ND152) -> EligibilityResult:
    result = check(code, case.record, case.kind, rule_set=rule_set)
    assert result.outcome is case.outcome, [(c.code, c.outcome, c.message_en) for c in result.criteria]
    if case.criterion is not None:
        assert criterion(result, case.criterion[0]) is case.criterion[1]
    return result


# --- Lao động tiên tiến (Luật Điều 24) ---------------------------------------------------------


@table(
    excellent=Case(person({Y: EXC}), ELIGIBLE, ("rating", PASSED)),
    good=Case(person({Y: GOOD}), ELIGIBLE, ("rating", PASSED)),
    completed=Case(person({Y: DONE}), INELIGIBLE, ("rating", FAILED)),
    not_completed=Case(person({Y: NOT_DONE}), INELIGIBLE, ("rating", FAILED)),
    no_rating=Case(person(), INELIGIBLE, ("rating", FAILED)),
    rating_of_another_year=Case(person({Y - 1: EXC}), INELIGIBLE, ("rating", FAILED)),
)
def test_lao_dong_tien_tien(case: Case) -> None:
    assert_case("LDTT", case)


def test_qualitative_conditions_are_council_checks_not_criteria() -> None:
    result = check("LDTT", person({Y: GOOD}))
    assert result.outcome is ELIGIBLE
    assert [c.code for c in result.council_checks] == ["self_reliance_and_solidarity"]
    assert all(c.message_vi and c.message_en for c in result.council_checks)


# --- Chiến sĩ thi đua cơ sở (Luật Điều 23) ----------------------------------------------------


@table(
    recorded_ldtt_and_excellent=Case(
        person({Y: EXC}, titles("LDTT", Y)), ELIGIBLE, ("prerequisite_title", PASSED)
    ),
    ldtt_judged_in_the_same_round=Case(person({Y: EXC}), ELIGIBLE, ("prerequisite_title", PASSED)),
    good_with_grassroots_initiative=Case(
        person({Y: GOOD}, works=[work(Y)]), ELIGIBLE, ("excellence_or_initiative", PASSED)
    ),
    good_with_research=Case(person({Y: GOOD}, works=[work(Y, kind="research")]), ELIGIBLE),
    good_with_wartime_ingenuity=Case(person({Y: GOOD}, works=[work(Y, kind="wartime_ingenuity")]), ELIGIBLE),
    initiative_of_another_year=Case(
        person({Y: GOOD}, works=[work(Y - 1)]), INELIGIBLE, ("excellence_or_initiative", FAILED)
    ),
    good_without_initiative=Case(person({Y: GOOD}), INELIGIBLE, ("excellence_or_initiative", FAILED)),
    not_ldtt=Case(person({Y: DONE}, works=[work(Y)]), INELIGIBLE, ("prerequisite_title", FAILED)),
    revoked_ldtt=Case(
        person({Y: EXC}, [aw("LDTT", Y, revoked=True)]), INELIGIBLE, ("prerequisite_title", FAILED)
    ),
)
def test_chien_si_thi_dua_co_so(case: Case) -> None:
    assert_case("CSTDCS", case)


def test_same_round_ldtt_passes_its_council_checks_on() -> None:
    derived = check("CSTDCS", person({Y: EXC}))
    recorded = check("CSTDCS", person({Y: EXC}, titles("LDTT", Y)))
    assert [c.code for c in derived.council_checks] == ["self_reliance_and_solidarity"]
    assert recorded.council_checks == ()
    facts = next(c.facts for c in derived.criteria if c.code == "prerequisite_title")
    assert facts["source"] == "criteria"


# --- Chiến sĩ thi đua bộ/tỉnh (Luật Điều 22) ---------------------------------------------------

PROVINCIAL_WORK = [work(Y - 1, "ministry_province")]


@table(
    three_in_a_row=Case(person(awards=titles("CSTDCS", 2023, 2024, 2025), works=PROVINCIAL_WORK), ELIGIBLE),
    four_in_a_row=Case(
        person(awards=titles("CSTDCS", 2022, 2023, 2024, 2025), works=PROVINCIAL_WORK), ELIGIBLE
    ),
    national_work_counts_for_province=Case(
        person(awards=titles("CSTDCS", 2023, 2024, 2025), works=[work(Y, "national")]), ELIGIBLE
    ),
    grassroots_work_is_too_narrow=Case(
        person(awards=titles("CSTDCS", 2023, 2024, 2025), works=[work(Y)]),
        INELIGIBLE,
        ("initiative_scope", FAILED),
    ),
    broken_run=Case(
        person(awards=titles("CSTDCS", 2022, 2023, 2025), works=PROVINCIAL_WORK),
        INELIGIBLE,
        ("title_run", FAILED),
    ),
    run_ends_before_the_proposal_year=Case(
        person(awards=titles("CSTDCS", 2022, 2023, 2024), works=PROVINCIAL_WORK),
        INELIGIBLE,
        ("title_run", FAILED),
    ),
    campaign_title_is_not_counted=Case(
        person(awards=[aw("CSTDCS", 2023, CAMPAIGN), *titles("CSTDCS", 2024, 2025)], works=PROVINCIAL_WORK),
        INELIGIBLE,
        ("title_run", FAILED),
    ),
    revoked_title_is_not_counted=Case(
        person(
            awards=[aw("CSTDCS", 2023, revoked=True), *titles("CSTDCS", 2024, 2025)], works=PROVINCIAL_WORK
        ),
        INELIGIBLE,
        ("title_run", FAILED),
    ),
    work_before_the_run_needs_review=Case(
        person(awards=titles("CSTDCS", 2023, 2024, 2025), works=[work(2019, "ministry_province")]),
        MANUAL,
        ("initiative_scope", REVIEW),
    ),
    work_after_the_proposal_year_does_not_count=Case(
        person(awards=titles("CSTDCS", 2023, 2024, 2025), works=[work(Y + 1, "ministry_province")]),
        INELIGIBLE,
        ("initiative_scope", FAILED),
    ),
)
def test_chien_si_thi_dua_tinh(case: Case) -> None:
    assert_case("CSTD_TINH", case)


# --- Chiến sĩ thi đua toàn quốc (Luật Điều 21) ------------------------------------------------

NATIONAL_WORK = [work(Y, "national")]


@table(
    adjacent_years=Case(person(awards=titles("CSTD_TINH", 2024, 2025), works=NATIONAL_WORK), ELIGIBLE),
    non_adjacent_titles_need_review=Case(
        person(awards=titles("CSTD_TINH", 2022, 2025), works=NATIONAL_WORK), MANUAL, ("title_run", REVIEW)
    ),
    only_one_title=Case(
        person(awards=titles("CSTD_TINH", 2025), works=NATIONAL_WORK), INELIGIBLE, ("title_run", FAILED)
    ),
    none_in_the_proposal_year=Case(
        person(awards=titles("CSTD_TINH", 2022, 2024), works=NATIONAL_WORK), INELIGIBLE, ("title_run", FAILED)
    ),
    provincial_work_is_too_narrow=Case(
        person(awards=titles("CSTD_TINH", 2024, 2025), works=PROVINCIAL_WORK),
        INELIGIBLE,
        ("initiative_scope", FAILED),
    ),
)
def test_chien_si_thi_dua_toan_quoc(case: Case) -> None:
    assert_case("CSTDTQ", case)


# --- collectives: TTLĐTT (Luật Điều 28) and TTLĐXS (Luật Điều 27) ------------------------------


@table(
    seven_of_ten=Case(group({Y: GOOD}, stats(10, 7)), ELIGIBLE, ("lao_dong_tien_tien_share", PASSED), COL),
    seventy_of_hundred=Case(
        group({Y: GOOD}, stats(100, 70)), ELIGIBLE, ("lao_dong_tien_tien_share", PASSED), COL
    ),
    sixty_nine_of_hundred=Case(
        group({Y: GOOD}, stats(100, 69)), INELIGIBLE, ("lao_dong_tien_tien_share", FAILED), COL
    ),
    two_of_three_is_below=Case(
        group({Y: GOOD}, stats(3, 2)), INELIGIBLE, ("lao_dong_tien_tien_share", FAILED), COL
    ),
    one_member_disciplined=Case(
        group({Y: GOOD}, stats(10, 7, disciplined=1)), INELIGIBLE, ("no_member_disciplined", FAILED), COL
    ),
    rated_completed=Case(group({Y: DONE}, stats(10, 7)), INELIGIBLE, ("collective_rating", FAILED), COL),
    no_statistics=Case(group({Y: GOOD}), INELIGIBLE, ("member_statistics", FAILED), COL),
)
def test_tap_the_lao_dong_tien_tien(case: Case) -> None:
    assert_case("TTLDTT", case)


@table(
    all_met=Case(group({Y: EXC}, stats(10, 7, cstdcs=1)), ELIGIBLE, kind=COL),
    one_member_short_of_tasks=Case(
        group({Y: EXC}, stats(10, 7, done=9)), INELIGIBLE, ("all_members_completed_tasks", FAILED), COL
    ),
    no_grassroots_fighter=Case(
        group({Y: EXC}, stats(10, 7, cstdcs=0)), INELIGIBLE, ("cstdcs_members", FAILED), COL
    ),
    rated_good=Case(group({Y: GOOD}, stats(10, 7)), INELIGIBLE, ("collective_rating", FAILED), COL),
    sixty_nine_percent=Case(
        group({Y: EXC}, stats(100, 69)), INELIGIBLE, ("lao_dong_tien_tien_share", FAILED), COL
    ),
)
def test_tap_the_lao_dong_xuat_sac(case: Case) -> None:
    assert_case("TTLDXS", case)


# --- Bằng khen bộ/tỉnh (Luật Điều 74 k1 điểm d) ------------------------------------------------

EXCELLENT_2Y = span(2024, 2025, EXC)


@table(
    two_consecutive_cstdcs=Case(person(awards=titles("CSTDCS", 2024, 2025)), ELIGIBLE),
    broken_cstdcs=Case(
        person(awards=titles("CSTDCS", 2023, 2025)), INELIGIBLE, ("consecutive_merit", FAILED)
    ),
    excellent_with_two_initiatives=Case(person(EXCELLENT_2Y, works=[work(2024), work(2025)]), ELIGIBLE),
    excellent_with_two_research_works=Case(
        person(EXCELLENT_2Y, works=[work(2024, kind="research"), work(2025, kind="research")]), ELIGIBLE
    ),
    mix_of_initiative_and_research_needs_review=Case(
        person(EXCELLENT_2Y, works=[work(2024), work(2025, kind="research")]),
        MANUAL,
        ("consecutive_merit", REVIEW),
    ),
    excellent_with_one_initiative=Case(person(EXCELLENT_2Y, works=[work(2025)]), INELIGIBLE),
    initiatives_outside_the_excellent_run=Case(
        person(EXCELLENT_2Y, works=[work(2022), work(2023)]), INELIGIBLE
    ),
    one_excellent_year=Case(person({2024: EXC, 2025: GOOD}, works=[work(2024), work(2025)]), INELIGIBLE),
    old_run_needs_review=Case(
        person(awards=titles("CSTDCS", 2019, 2020)), MANUAL, ("consecutive_merit", REVIEW)
    ),
    collective_excellent_twice=Case(group(EXCELLENT_2Y), ELIGIBLE, kind=COL),
    collective_ttldxs_then_excellent=Case(
        group({Y: EXC}, awards=titles("TTLDXS", Y - 1)), ELIGIBLE, kind=COL
    ),
    collective_gap=Case(group({2023: EXC, 2025: EXC}), INELIGIBLE, kind=COL),
)
def test_bang_khen_tinh(case: Case) -> None:
    assert_case("BANG_KHEN_TINH", case)


# --- Bằng khen Thủ tướng (Luật Điều 73 k1 điểm b) and HCLĐ hạng Ba (Điều 44 k1 điểm e) ---------

GOOD_SINCE_2020 = span(2020, 2025, GOOD)
THREE_CSTDCS = titles("CSTDCS", 2021, 2023, 2025)


@table(
    six_good_years=Case(person(GOOD_SINCE_2020, [aw("BANG_KHEN_TINH", 2019), *THREE_CSTDCS]), ELIGIBLE),
    exactly_five_years=Case(
        person(span(2021, 2025, GOOD), [aw("BANG_KHEN_TINH", 2020), *THREE_CSTDCS]), ELIGIBLE
    ),
    four_years=Case(
        person(span(2022, 2025, GOOD), [aw("BANG_KHEN_TINH", 2021), *titles("CSTDCS", 2022, 2023, 2025)]),
        INELIGIBLE,
        ("rated_years", FAILED),
    ),
    broken_run_of_ratings=Case(
        person({**GOOD_SINCE_2020, 2022: DONE}, [aw("BANG_KHEN_TINH", 2019), *THREE_CSTDCS]),
        INELIGIBLE,
        ("rated_years", FAILED),
    ),
    cstdcs_in_the_prerequisite_year_is_not_after_it=Case(
        person(GOOD_SINCE_2020, [aw("BANG_KHEN_TINH", 2019), *titles("CSTDCS", 2019, 2021, 2023)]),
        INELIGIBLE,
        ("title_count", FAILED),
    ),
    no_prerequisite=Case(person(GOOD_SINCE_2020, THREE_CSTDCS), INELIGIBLE, ("prerequisite", FAILED)),
    campaign_prerequisite=Case(
        person(GOOD_SINCE_2020, [aw("BANG_KHEN_TINH", 2019, CAMPAIGN), *THREE_CSTDCS]),
        INELIGIBLE,
        ("prerequisite", FAILED),
    ),
    ad_hoc_prerequisite=Case(
        person(GOOD_SINCE_2020, [aw("BANG_KHEN_TINH", 2019, AD_HOC), *THREE_CSTDCS]),
        INELIGIBLE,
        ("prerequisite", FAILED),
    ),
    revoked_prerequisite=Case(
        person(GOOD_SINCE_2020, [aw("BANG_KHEN_TINH", 2019, revoked=True), *THREE_CSTDCS]),
        INELIGIBLE,
        ("prerequisite", FAILED),
    ),
    counted_from_the_latest_prerequisite=Case(
        person(GOOD_SINCE_2020, [aw("BANG_KHEN_TINH", 2015), aw("BANG_KHEN_TINH", 2023), *THREE_CSTDCS]),
        INELIGIBLE,
        ("rated_years", FAILED),
    ),
    collective_criteria_unconfirmed=Case(
        group(span(2015, 2025, EXC)), MANUAL, ("criteria_unconfirmed", REVIEW), COL
    ),
)
def test_bang_khen_thu_tuong(case: Case) -> None:
    assert_case("BKTTG", case)


def test_since_then_window_is_reported() -> None:
    result = check("BKTTG", person(GOOD_SINCE_2020, [aw("BANG_KHEN_TINH", 2019), *THREE_CSTDCS]))
    facts = {c.code: c.facts for c in result.criteria}
    assert facts["prerequisite"]["counted_from"] == 2019
    assert facts["rated_years"]["window"] == [2020, 2025]
    assert facts["title_count"]["years"] == [2021, 2023, 2025]
    assert facts["discipline_period"]["period"] == [2020, 2025]


ONE_EXCELLENT = {**GOOD_SINCE_2020, 2022: EXC}


@table(
    with_one_excellent_year=Case(person(ONE_EXCELLENT, [aw("BKTTG", 2019), *THREE_CSTDCS]), ELIGIBLE),
    without_an_excellent_year=Case(
        person(GOOD_SINCE_2020, [aw("BKTTG", 2019), *THREE_CSTDCS]), INELIGIBLE, ("excellent_years", FAILED)
    ),
    excellent_only_before_the_window=Case(
        person({**GOOD_SINCE_2020, 2019: EXC}, [aw("BKTTG", 2019), *THREE_CSTDCS]),
        INELIGIBLE,
        ("excellent_years", FAILED),
    ),
    ad_hoc_prime_minister_award_does_not_chain=Case(
        person(ONE_EXCELLENT, [aw("BKTTG", 2019, AD_HOC), *THREE_CSTDCS]),
        INELIGIBLE,
        ("prerequisite", FAILED),
    ),
    ad_hoc_code_does_not_chain=Case(
        person(ONE_EXCELLENT, [aw("BKTTG_DOT_XUAT", 2019, AD_HOC), *THREE_CSTDCS]),
        INELIGIBLE,
        ("prerequisite", FAILED),
    ),
    collective_criteria_unconfirmed=Case(group(span(2015, 2025, EXC)), MANUAL, kind=COL),
)
def test_huan_chuong_lao_dong_hang_ba(case: Case) -> None:
    assert_case("HCLD_HANG_BA", case)


# --- awards the engine must not decide --------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind", "criterion_code"),
    [
        ("HCLD_HANG_NHI", IND, "criteria_unconfirmed"),
        ("HCLD_HANG_NHAT", COL, "criteria_unconfirmed"),
        ("HCLD_HANG_BA_CONG_HIEN", IND, "criteria_unconfirmed"),
        ("CO_THI_DUA_CP", COL, "criteria_unconfirmed"),
        ("AHLD", IND, "qualitative_criteria"),
        ("GIAY_KHEN", IND, "qualitative_criteria"),
        ("GIAY_KHEN", COL, "qualitative_criteria"),
        ("CO_THI_DUA_TINH", COL, "qualitative_criteria"),
        ("BKTTG_DOT_XUAT", IND, "qualitative_criteria"),
    ],
)
def test_unconfirmed_or_qualitative_awards_need_manual_review(
    code: str, kind: NomineeKind, criterion_code: str
) -> None:
    record = person(span(2000, 2025, EXC)) if kind is IND else group(span(2000, 2025, EXC), stats())
    result = check(code, record, kind)
    assert result.outcome is MANUAL
    [manual] = [c for c in result.criteria if c.code == criterion_code]
    assert manual.outcome is REVIEW and manual.legal_basis and manual.message_vi and manual.message_en
    if criterion_code == "criteria_unconfirmed":
        assert "UNCONFIRMED" in manual.message_en and "UNCONFIRMED" in manual.message_vi


def test_a_failed_criterion_outweighs_manual_review() -> None:
    blocked = person(flags=StatusFlags(under_investigation=True))
    assert check("HCLD_HANG_NHI", blocked).outcome is INELIGIBLE


# --- subject, blocking flags, discipline --------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("LDTT", COL),
        ("CSTDTQ", COL),
        ("HCLD_HANG_BA_CONG_HIEN", COL),
        ("TTLDTT", IND),
        ("CO_THI_DUA_CP", IND),
    ],
)
def test_subject_mismatch_is_ineligible(code: str, kind: NomineeKind) -> None:
    result = check(code, person(span(2000, 2025, EXC)), kind)
    assert result.outcome is INELIGIBLE
    assert [c.code for c in result.criteria] == ["subject"]
    assert result.criteria[0].message_vi and result.criteria[0].message_en


FLAGS = list(StatusFlags.model_fields)


@pytest.mark.parametrize("flag", FLAGS)
def test_each_status_flag_blocks_the_nomination(flag: str) -> None:
    record = person({Y: GOOD}, flags=StatusFlags(**{flag: True}))
    result = check("LDTT", record)
    assert result.outcome is INELIGIBLE
    blocked = next(c for c in result.criteria if c.code == "status_flags")
    assert blocked.outcome is FAILED
    assert blocked.facts["raised"] == [flag]
    assert blocked.legal_basis == "NĐ 152/2025 Điều 4"


@pytest.mark.parametrize("flag", FLAGS)
def test_status_flags_need_review_where_blocking_is_unconfirmed(flag: str) -> None:
    record = person({2024: GOOD}, flags=StatusFlags(**{flag: True}))
    result = check("LDTT", record, year=2024, rule_set=ND98)
    assert result.outcome is MANUAL
    assert criterion(result, "status_flags") is REVIEW


def test_all_raised_flags_are_reported() -> None:
    record = person({Y: GOOD}, flags=StatusFlags(**dict.fromkeys(FLAGS, True)))
    facts = next(c.facts for c in check("LDTT", record).criteria if c.code == "status_flags")
    assert facts["raised"] == FLAGS


@table(
    discipline_inside_the_window=Case(
        person(
            GOOD_SINCE_2020,
            [aw("BANG_KHEN_TINH", 2019), *THREE_CSTDCS],
            discipline=[DisciplineRecord(year=2022, level=DisciplineLevel.REPRIMAND)],
        ),
        MANUAL,
        ("discipline_period", REVIEW),
    ),
    discipline_before_the_window=Case(
        person(
            GOOD_SINCE_2020,
            [aw("BANG_KHEN_TINH", 2019), *THREE_CSTDCS],
            discipline=[DisciplineRecord(year=2018, level=DisciplineLevel.WARNING)],
        ),
        ELIGIBLE,
        ("discipline_period", PASSED),
    ),
)
def test_discipline_period(case: Case) -> None:
    assert_case("BKTTG", case)


# --- rule sets by date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "rule_set_id"),
    [(date(2025, 6, 30), "ND98-2023"), (date(2025, 7, 1), "ND152-2025")],
    ids=["2025-06-30", "2025-07-01"],
)
def test_result_records_the_rule_set_chosen_by_date(submitted: date, rule_set_id: str) -> None:
    rule_set = CAT.rule_set_for(submitted)
    result = evaluate(award("LDTT", rule_set), rule_set, person({2025: GOOD}), IND, 2025)
    assert result.rule_set_id == rule_set_id
    assert result.outcome is ELIGIBLE


def test_award_of_another_rule_set_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="belongs to rule set"):
        evaluate(award("LDTT", ND98), ND152, person({Y: GOOD}), IND, Y)


@table(
    ad_hoc_prerequisite_needs_review=Case(
        person(GOOD_SINCE_2020, [aw("BANG_KHEN_TINH", 2019, AD_HOC), *THREE_CSTDCS]),
        MANUAL,
        ("prerequisite", REVIEW),
    ),
    merit_prerequisite_is_eligible=Case(
        person(GOOD_SINCE_2020, [aw("BANG_KHEN_TINH", 2019), *THREE_CSTDCS]), ELIGIBLE
    ),
    campaign_award_that_would_not_help_changes_nothing=Case(
        person(GOOD_SINCE_2020, [aw("GIAY_KHEN", 2021, CAMPAIGN), *THREE_CSTDCS]),
        INELIGIBLE,
        ("prerequisite", FAILED),
    ),
)
def test_merit_only_chains_unconfirmed_under_nd98(case: Case) -> None:
    result = assert_case("BKTTG", case, rule_set=ND98)
    if case.outcome is MANUAL:
        facts = next(c.facts for c in result.criteria if c.code == "prerequisite")
        assert facts["counts_non_merit_awards"] is True


# --- quota (UNCONFIRMED, off unless configured) --------------------------------------------------


def _eligible_cstdcs(n: int) -> list[EligibilityResult]:
    return [check("CSTDCS", person({Y: EXC})) for _ in range(n)]


def test_quota_caps_eligible_nominees_in_dossier_order() -> None:
    setting = QuotaSetting(
        issuer_code="UBND", award_code="CSTDCS", max_share=Fraction(15, 100), legal_basis="x"
    )
    ineligible = check("CSTDCS", person({Y: DONE}))
    other_award = check("LDTT", person({Y: GOOD}))
    results = [ineligible, *_eligible_cstdcs(3), other_award]
    capped = apply_quota(results, setting, unit_lao_dong_tien_tien_count=10)  # ⌊10 × 15%⌋ = 1
    assert capped[0] is ineligible and capped[-1] is other_award
    assert [r.outcome for r in capped[1:4]] == [ELIGIBLE, MANUAL, MANUAL]
    assert [criterion(r, "quota") for r in capped[1:4]] == [PASSED, REVIEW, REVIEW]
    assert capped[2].criteria[-1].facts["position"] == 2


def test_confirmed_quota_makes_the_overflow_ineligible() -> None:
    setting = QuotaSetting("UBND", "CSTDCS", Fraction(3, 20), "QĐ x/2026/QĐ-UBND", confirmed=True)
    capped = apply_quota(_eligible_cstdcs(4), setting, unit_lao_dong_tien_tien_count=20)  # exactly 3
    assert [r.outcome for r in capped] == [ELIGIBLE, ELIGIBLE, ELIGIBLE, INELIGIBLE]


def test_quota_is_off_by_default() -> None:
    assert "quota" not in {c.code for r in _eligible_cstdcs(5) for c in r.criteria}


# --- the record contract ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(lambda: stats(10, 11), "members_lao_dong_tien_tien exceeds", id="ldtt-over-total"),
        pytest.param(lambda: stats(10, 7, done=11), "members_completed_tasks exceeds", id="done-over-total"),
        pytest.param(lambda: stats(0, 0, cstdcs=0), "greater than or equal to 1", id="empty-collective"),
        pytest.param(lambda: stats(10, -1), "greater than or equal to 0", id="negative"),
        pytest.param(
            lambda: stats(10, 10, done=10, cstdcs=10, disciplined=10), None, id="counts-equal-to-total"
        ),
        pytest.param(
            lambda: YearRating(year=1944, rating=PerformanceRating.GOOD), "1945", id="year-too-early"
        ),
        pytest.param(
            lambda: YearRating(year=2101, rating=PerformanceRating.GOOD), "2100", id="year-too-late"
        ),
        pytest.param(
            lambda: NomineeRecord.model_validate({"ratings": [{"year": 2024, "rating": "good"}] * 2}),
            "more than one rating",
            id="duplicate-year",
        ),
        pytest.param(
            lambda: NomineeRecord.model_validate(
                {"awards": [{"award_code": "LDTT", "year": 2024, "commendation_type": "cong_trang"}] * 101}
            ),
            "at most 100",
            id="too-many-awards",
        ),
        pytest.param(
            lambda: NomineeRecord.model_validate({"surprise": 1}), "Extra inputs", id="unknown-field"
        ),
    ],
)
def test_record_validation(build: Any, message: str | None) -> None:
    if message is None:
        build()
        return
    with pytest.raises(ValidationError, match=message):
        build()


def test_orderings() -> None:
    assert PerformanceRating.EXCELLENT.at_least(PerformanceRating.GOOD)
    assert not PerformanceRating.COMPLETED.at_least(PerformanceRating.GOOD)
    assert DisciplineLevel.DISMISSAL.at_least(DisciplineLevel.WARNING)
    assert not DisciplineLevel.REPRIMAND.at_least(DisciplineLevel.WARNING)
    assert (
        InitiativeScope.NATIONAL.rank
        > InitiativeScope.MINISTRY_PROVINCE.rank
        > InitiativeScope.GRASSROOTS.rank
    )


# --- run arithmetic -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "end", "expected"),
    [
        ({2023, 2024, 2025}, 2025, 3),
        ({2022, 2024, 2025}, 2025, 2),
        ({2023, 2024}, 2025, 0),
        (set(), 2025, 0),
        ({2025, 2026}, 2025, 1),
    ],
    ids=["unbroken", "gap", "absent-end", "empty", "later-years-ignored"],
)
def test_run_ending(years: set[int], end: int, expected: int) -> None:
    assert run_ending(years, end) == expected


def test_maximal_runs() -> None:
    assert maximal_runs([2025, 2019, 2020, 2023, 2024, 2020]) == [(2019, 2020), (2023, 2025)]
    assert maximal_runs([]) == []


# --- properties -------------------------------------------------------------------------------------

YEARS = st.integers(min_value=2012, max_value=2026)
CHAIN_CODES = ["LDTT", "CSTDCS", "CSTD_TINH", "BANG_KHEN_TINH", "BKTTG", "TTLDXS"]
RATING_MAPS = st.dictionaries(YEARS, st.sampled_from(list(PerformanceRating)), max_size=15)
AWARDS = st.lists(
    st.builds(
        AwardRecord,
        award_code=st.sampled_from(CHAIN_CODES),
        year=YEARS,
        commendation_type=st.sampled_from([MERIT, MERIT, MERIT, AD_HOC, CAMPAIGN]),
        revoked=st.booleans(),
    ),
    max_size=20,
)
WORKS = st.lists(
    st.builds(
        Initiative,
        year=YEARS,
        scope=st.sampled_from(list(InitiativeScope)),
        kind=st.sampled_from(list(InitiativeKind)),
        title=st.just("Sáng kiến"),
    ),
    max_size=5,
)
INDIVIDUAL_AWARDS = sorted(c for c, a in ND152.awards.items() if a.criteria.individual is not None)


@st.composite
def individual_records(draw: st.DrawFn) -> NomineeRecord:
    return NomineeRecord(
        ratings=[YearRating(year=y, rating=r) for y, r in draw(RATING_MAPS).items()],
        awards=draw(AWARDS),
        initiatives=draw(WORKS),
        discipline=draw(
            st.lists(
                st.builds(DisciplineRecord, year=YEARS, level=st.sampled_from(list(DisciplineLevel))),
                max_size=2,
            )
        ),
    )


def _summary(result: EligibilityResult) -> tuple[Outcome, list[tuple[str, CriterionOutcome]]]:
    return result.outcome, [(c.code, c.outcome) for c in result.criteria]


@settings(max_examples=200, deadline=None)
@given(
    record=individual_records(),
    code=st.sampled_from(INDIVIDUAL_AWARDS),
    extra=st.builds(
        AwardRecord,
        award_code=st.sampled_from([*CHAIN_CODES, "BKTTG_DOT_XUAT", "GIAY_KHEN"]),
        year=YEARS,
        commendation_type=st.sampled_from([AD_HOC, CAMPAIGN]),
    ),
)
def test_adding_an_ad_hoc_or_campaign_award_never_changes_an_outcome(
    record: NomineeRecord, code: str, extra: AwardRecord
) -> None:
    with_extra = record.model_copy(update={"awards": [*record.awards, extra]})
    assert _summary(check(code, with_extra)) == _summary(check(code, record))


@settings(max_examples=200, deadline=None)
@given(
    record=individual_records(),
    code=st.sampled_from(INDIVIDUAL_AWARDS),
    rule_set=st.sampled_from([ND98, ND152]),
    revoked=st.builds(
        AwardRecord,
        award_code=st.sampled_from(CHAIN_CODES),
        year=YEARS,
        commendation_type=st.just(MERIT),
        revoked=st.just(True),
    ),
)
def test_a_revoked_award_never_helps(
    record: NomineeRecord, code: str, rule_set: RuleSet, revoked: AwardRecord
) -> None:
    before = check(code, record, rule_set=rule_set, year=2025)
    after = check(
        code, record.model_copy(update={"awards": [*record.awards, revoked]}), rule_set=rule_set, year=2025
    )
    rank = {ELIGIBLE: 2, MANUAL: 1, INELIGIBLE: 0}
    assert rank[after.outcome] <= rank[before.outcome]


@settings(max_examples=200, deadline=None)
@given(record=individual_records(), code=st.sampled_from(INDIVIDUAL_AWARDS), seed=st.integers())
def test_outcome_is_invariant_to_list_order(record: NomineeRecord, code: str, seed: int) -> None:
    shuffle = random.Random(seed).sample
    shuffled = record.model_copy(
        update={
            "ratings": shuffle(record.ratings, len(record.ratings)),
            "awards": shuffle(record.awards, len(record.awards)),
            "initiatives": shuffle(record.initiatives, len(record.initiatives)),
            "discipline": shuffle(record.discipline, len(record.discipline)),
        }
    )
    assert _summary(check(code, shuffled)) == _summary(check(code, record))


@given(years=st.sets(YEARS, max_size=15), end=YEARS)
def test_run_ending_agrees_with_maximal_runs(years: set[int], end: int) -> None:
    expected = next((end - first + 1 for first, last in maximal_runs(years) if first <= end <= last), 0)
    assert run_ending(years, end) == expected


_ELIGIBLE_POOL = _eligible_cstdcs(12)


@given(count=st.integers(min_value=0, max_value=200), eligible=st.integers(min_value=0, max_value=12))
def test_quota_passes_exactly_the_cap(count: int, eligible: int) -> None:
    setting = QuotaSetting("UBND", "CSTDCS", Fraction(15, 100), "x", confirmed=True)
    capped = apply_quota(_ELIGIBLE_POOL[:eligible], setting, count)
    assert sum(r.outcome is ELIGIBLE for r in capped) == min(eligible, count * 15 // 100)


def test_evaluate_is_fast() -> None:
    """No I/O and no re-parsing: a realistic record evaluates in well under a millisecond."""
    record = person(GOOD_SINCE_2020 | {2022: EXC}, [aw("BKTTG", 2019), *THREE_CSTDCS], [work(2024)])
    hcld = award("HCLD_HANG_BA")
    started = time.perf_counter()
    for _ in range(1000):
        evaluate(hcld, ND152, record, IND, Y)
    assert (time.perf_counter() - started) / 1000 < 0.001
