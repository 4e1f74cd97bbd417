"""Deadlines in Vietnamese working days: holidays, configured swaps, counting rules, time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from workflows.review.calendar import (
    DEFAULT_LIMIT_WORKING_DAYS,
    FIRST_COUNTED_DAY_OFFSET,
    PRODUCT_DEFAULT_LEGAL_BASIS,
    STATUTORY_LIMITS,
    CalendarSettings,
    StepLimit,
    WorkingCalendar,
    is_overdue,
    limit_for,
    local_date,
    reminder_working_day,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar(years=range(2024, 2028))
D = date.fromisoformat


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def _end_of_local_day(text: str) -> datetime:
    """23:59:59.999999 Vietnam time of the given day, in UTC (UTC+7: 16:59:59.999999Z)."""
    return datetime.fromisoformat(f"{text}T16:59:59.999999").replace(tzinfo=UTC)


# --- what the holidays library gives, pinned --------------------------------------------------

WEEKDAYS_OFF_2026 = [
    "2026-01-01",  # Tết Dương lịch (Thu)
    "2026-02-16",  # Giao thừa: last day of Ất Tỵ (Mon)
    "2026-02-17",  # Tết Nguyên Đán, mùng 1 Bính Ngọ (Tue)
    "2026-02-18",  # mùng 2
    "2026-02-19",  # mùng 3
    "2026-02-20",  # mùng 4 (Fri)
    "2026-04-27",  # Giỗ Tổ Hùng Vương falls on Sun 26/4: nghỉ bù Mon
    "2026-04-30",  # Ngày Chiến thắng (Thu)
    "2026-05-01",  # Quốc tế Lao động (Fri)
    "2026-08-31",  # swap: Mon 31/8 off, Sat 22/8 worked
    "2026-09-01",  # Quốc khánh, adjacent day (Tue)
    "2026-09-02",  # Quốc khánh (Wed)
    "2026-11-24",  # Ngày Văn hóa Việt Nam (from 2026, per the library)
]


def test_2026_weekdays_off_are_exactly_the_librarys_list() -> None:
    days = [D("2026-01-01") + timedelta(days=n) for n in range(365)]
    weekdays_off = [d.isoformat() for d in days if d.weekday() < 5 and not CAL.is_working_day(d)]
    weekends_worked = [d.isoformat() for d in days if d.weekday() >= 5 and CAL.is_working_day(d)]
    assert weekdays_off == WEEKDAYS_OFF_2026
    assert weekends_worked == ["2026-08-22"]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-02-13", True),  # Friday before Tết
        ("2026-02-14", False),  # Saturday
        ("2026-02-15", False),  # Sunday
        ("2026-02-16", False),  # giao thừa
        ("2026-02-17", False),  # Tết Bính Ngọ, mùng 1
        ("2026-02-20", False),  # mùng 4
        ("2026-02-21", False),  # Saturday
        ("2026-02-22", False),  # Sunday
        ("2026-02-23", True),  # back to work
        ("2026-04-26", False),  # Giỗ Tổ on a Sunday
        ("2026-04-27", False),  # … observed on Monday
        ("2026-08-22", True),  # the library's make-up Saturday
        ("2026-08-29", False),  # an ordinary Saturday
        ("2026-09-02", False),  # Quốc khánh
        ("2026-09-03", True),
        ("2025-09-01", False),  # 2025: Mon 1/9 + Tue 2/9
        ("2025-09-02", False),
        ("2025-09-03", True),
        ("2027-02-06", False),  # Tết Đinh Mùi 2027 (Sat)
        ("2027-02-04", False),  # Saturday mùng 1 moved before: "29 Tết"
        ("2027-02-10", False),  # Sunday mùng 2 moved after: "Mùng năm"
        ("2027-02-11", True),
        ("2027-04-16", False),  # Giỗ Tổ 2027 (Fri)
        ("2027-05-03", False),  # 1/5/2027 is a Saturday: nghỉ bù Monday
    ],
)
def test_is_working_day(day: str, working: bool) -> None:
    assert CAL.is_working_day(D(day)) is working


def test_years_outside_the_lunar_table_are_refused() -> None:
    with pytest.raises(ValueError, match="lunar"):
        CAL.is_working_day(D("2101-01-03"))


def test_a_datetime_is_not_taken_for_a_date() -> None:
    with pytest.raises(TypeError):
        CAL.is_working_day(_local("2026-02-17T10:00"))


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra_off", "makeup", "day", "working"),
    [
        ((), ("2026-01-10",), "2026-01-10", True),  # a configured make-up Saturday
        (("2026-03-03",), (), "2026-03-03", False),  # a configured day off on a Tuesday
        (("2026-08-22",), (), "2026-08-22", False),  # a day off beats the library's make-up day
        ((), ("2026-11-24",), "2026-11-24", True),  # a make-up day corrects a library holiday
        ((), ("2026-01-10",), "2026-01-17", False),  # only the configured Saturday
    ],
)
def test_configured_days(
    extra_off: tuple[str, ...], makeup: tuple[str, ...], day: str, working: bool
) -> None:
    cal = WorkingCalendar(extra_days_off=map(D, extra_off), makeup_working_days=map(D, makeup))
    assert cal.is_working_day(D(day)) is working


def test_a_day_in_both_lists_is_refused() -> None:
    with pytest.raises(ValueError, match="2026-01-10"):
        WorkingCalendar(extra_days_off=[D("2026-01-10")], makeup_working_days=[D("2026-01-10")])


def test_configured_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        WorkingCalendar(extra_days_off=[_local("2026-01-02T00:00")])


@pytest.mark.parametrize(
    ("extra_off", "makeup", "opened", "limit", "due"),
    [
        # no configuration: Friday → Monday
        ((), (), "2026-01-09T10:00", 1, "2026-01-12"),
        # a configured make-up Saturday counts as day 1
        ((), ("2026-01-10",), "2026-01-09T10:00", 1, "2026-01-10"),
        # Mon + 2 wd = Wed; with Tue off, Thu
        ((), (), "2026-03-02T10:00", 2, "2026-03-04"),
        (("2026-03-03",), (), "2026-03-02T10:00", 2, "2026-03-05"),
    ],
)
def test_configuration_moves_the_deadline(
    extra_off: tuple[str, ...], makeup: tuple[str, ...], opened: str, limit: int, due: str
) -> None:
    cal = WorkingCalendar(extra_days_off=map(D, extra_off), makeup_working_days=map(D, makeup))
    assert cal.deadline_at(_local(opened), limit) == _end_of_local_day(due)


def test_settings_read_json_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TDKT_CALENDAR_EXTRA_DAYS_OFF", '["2027-01-04"]')
    monkeypatch.setenv("TDKT_CALENDAR_MAKEUP_WORKING_DAYS", '["2027-01-09"]')
    monkeypatch.setenv("TDKT_CALENDAR_DEFAULT_LIMIT_WORKING_DAYS", "15")
    s = CalendarSettings()
    assert s.extra_days_off == [D("2027-01-04")]
    assert s.makeup_working_days == [D("2027-01-09")]
    cal = s.calendar()
    assert not cal.is_working_day(D("2027-01-04"))
    assert cal.is_working_day(D("2027-01-09"))
    assert s.limit_for("province_review").working_days == 15


def test_settings_default_to_the_library_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EXTRA_DAYS_OFF", "MAKEUP_WORKING_DAYS", "DEFAULT_LIMIT_WORKING_DAYS"):
        monkeypatch.delenv(f"TDKT_CALENDAR_{name}", raising=False)
    s = CalendarSettings()
    assert (s.extra_days_off, s.makeup_working_days, s.default_limit_working_days) == (
        [],
        [],
        DEFAULT_LIMIT_WORKING_DAYS,
    )
    assert s.calendar().is_working_day(D("2027-01-04"))


def test_settings_refuse_a_day_in_both_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TDKT_CALENDAR_EXTRA_DAYS_OFF", '["2027-01-09"]')
    monkeypatch.setenv("TDKT_CALENDAR_MAKEUP_WORKING_DAYS", '["2027-01-09"]')
    with pytest.raises(ValidationError, match="2027-01-09"):
        CalendarSettings()


# --- counting rules -----------------------------------------------------------------------------


def test_the_event_day_never_counts() -> None:
    assert FIRST_COUNTED_DAY_OFFSET == 1  # BLDS 2015 Điều 147 k2–k3


@pytest.mark.parametrize(
    ("opened", "limit", "due"),
    [
        ("2026-03-06T20:00", 1, "2026-03-09"),  # Friday evening → end of Monday
        ("2026-03-06T08:00", 1, "2026-03-09"),  # Friday morning: the day itself still doesn't count
        ("2026-03-02T09:00", 1, "2026-03-03"),  # Monday → Tuesday
        ("2026-03-07T10:00", 1, "2026-03-09"),  # opened on a Saturday → Monday
        ("2026-03-02T09:00", 5, "2026-03-09"),  # a full week over a weekend
        # Thursday 12/2/2026: day 1 Fri 13/2, 14–22/2 off (weekends and Tết), day 2 Mon 23/2, day 3 Tue 24/2
        ("2026-02-12T15:00", 3, "2026-02-24"),
        # 2/9 2026: opened Fri 28/8; Mon 31/8, Tue 1/9, Wed 2/9 off; Thu 3/9 is day 1
        ("2026-08-28T15:00", 1, "2026-09-03"),
        # … and the library's make-up Saturday 22/8 counts: opened Fri 21/8 → Sat 22/8
        ("2026-08-21T15:00", 1, "2026-08-22"),
        # central appraisal, 20 wd from Mon 2/2/2026 across Tết: Feb 3–13 (9), 23–27 (5), Mar 2–6 (5), Mar 9
        ("2026-02-02T09:00", 20, "2026-03-09"),
    ],
)
def test_deadline_at(opened: str, limit: int, due: str) -> None:
    deadline = CAL.deadline_at(_local(opened), limit)
    assert deadline == _end_of_local_day(due)
    assert deadline.tzinfo is UTC


@pytest.mark.parametrize(
    ("opened_utc", "due"),
    [
        # Thu 5/3/2026 23:30 local = Thu 16:30Z: the event is on Thursday → day 1 is Friday
        ("2026-03-05T16:30:00+00:00", "2026-03-06"),
        # Fri 6/3/2026 00:30 local = still Thu 17:30Z: the event is on Friday → day 1 is Monday
        ("2026-03-05T17:30:00+00:00", "2026-03-09"),
    ],
)
def test_the_local_day_decides_not_the_utc_day(opened_utc: str, due: str) -> None:
    assert CAL.deadline_at(datetime.fromisoformat(opened_utc), 1) == _end_of_local_day(due)


def test_local_date() -> None:
    assert local_date(datetime(2026, 3, 5, 17, 30, tzinfo=UTC)) == D("2026-03-06")
    assert local_date(D("2026-03-05")) == D("2026-03-05")


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.deadline_at(datetime(2026, 3, 5, 10, 0), 1),
        lambda: CAL.reminder_at(datetime(2026, 3, 5, 10, 0), 4),
        lambda: CAL.add_working_days(datetime(2026, 3, 5, 10, 0), 1),
        lambda: CAL.working_days_between(datetime(2026, 3, 5, 10, 0), D("2026-03-09")),
        lambda: is_overdue(datetime(2026, 3, 5, 10, 0), _end_of_local_day("2026-03-05")),
        lambda: is_overdue(datetime(2026, 3, 5, 3, 0, tzinfo=UTC), datetime(2026, 3, 5, 10, 0)),
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.deadline_at(_local("2026-03-05T10:00"), 0),
        lambda: CAL.reminder_at(_local("2026-03-05T10:00"), 0),
        lambda: CAL.add_working_days(D("2026-03-05"), -1),
        lambda: reminder_working_day(0),
        lambda: limit_for("province_review", 0),
    ],
)
def test_limits_below_one_are_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        ("2026-02-12", "2026-02-24", 3),  # across Tết
        ("2026-03-02", "2026-03-02", 0),
        ("2026-03-06", "2026-03-08", 0),  # Friday → Sunday: nothing after Friday yet
        ("2026-03-06", "2026-03-09", 1),
        ("2026-03-09", "2026-03-06", -1),  # backwards is the negative
    ],
)
def test_working_days_between(start: str, end: str, count: int) -> None:
    assert CAL.working_days_between(D(start), D(end)) == count


def test_add_zero_working_days_is_the_local_date() -> None:
    assert CAL.add_working_days(datetime(2026, 3, 5, 17, 30, tzinfo=UTC), 0) == D("2026-03-06")


_DATES = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=_DATES, days=st.integers(min_value=0, max_value=300))
def test_working_days_between_inverts_add_working_days(start: date, days: int) -> None:
    due = CAL.add_working_days(start, days)
    assert CAL.working_days_between(start, due) == days
    if days:
        assert CAL.is_working_day(due)
        assert due > start


@settings(max_examples=300, deadline=None)
@given(start=_DATES, end=_DATES)
def test_add_working_days_lands_on_the_last_working_day_up_to_end(start: date, end: date) -> None:
    elapsed = CAL.working_days_between(start, end)
    assert CAL.working_days_between(end, start) == -elapsed
    if elapsed > 0:
        due = CAL.add_working_days(start, elapsed)
        assert due <= end
        assert all(not CAL.is_working_day(due + timedelta(days=n)) for n in range(1, (end - due).days + 1))


# --- reminder and overdue -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "day"),
    [
        (1, 0),  # ⌈0.75⌉ = 1 would be the deadline itself: capped at 0, the end of the opening day
        (2, 1),  # ⌈1.5⌉ = 2, capped at 1
        (3, 2),  # ⌈2.25⌉ = 3, capped at 2
        (4, 3),
        (5, 4),  # ⌈3.75⌉
        (10, 8),  # ⌈7.5⌉
        (20, 15),
        (25, 19),  # ⌈18.75⌉
    ],
)
def test_reminder_working_day(limit: int, day: int) -> None:
    assert reminder_working_day(limit) == day


@pytest.mark.parametrize(
    ("opened", "limit", "remind"),
    [
        ("2026-03-02T10:00", 4, "2026-03-05"),  # Mon + 3 wd = Thu; deadline Fri
        ("2026-03-02T10:00", 10, "2026-03-12"),  # Mon + 8 wd = Thu next week; deadline Mon 16/3
        ("2026-03-06T20:00", 1, "2026-03-06"),  # Friday evening, 1 wd: end of Friday; deadline Monday
        ("2026-02-12T15:00", 4, "2026-02-24"),  # across Tết: 13/2, 23/2, 24/2
    ],
)
def test_reminder_at(opened: str, limit: int, remind: str) -> None:
    assert CAL.reminder_at(_local(opened), limit) == _end_of_local_day(remind)


@settings(max_examples=200, deadline=None)
@given(
    opened=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    limit=st.integers(min_value=1, max_value=60),
)
def test_the_reminder_comes_after_opening_and_before_the_deadline(opened: datetime, limit: int) -> None:
    reminder = CAL.reminder_at(opened, limit)
    deadline = CAL.deadline_at(opened, limit)
    assert opened <= reminder < deadline
    assert not is_overdue(reminder, deadline)


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (_end_of_local_day("2026-03-09") - timedelta(hours=8), False),
        (_end_of_local_day("2026-03-09"), False),  # the last microsecond is still on time
        (_end_of_local_day("2026-03-09") + timedelta(microseconds=1), True),  # 00:00 local next day
    ],
)
def test_is_overdue(now: datetime, overdue: bool) -> None:
    deadline = CAL.deadline_at(_local("2026-03-06T20:00"), 1)
    assert is_overdue(now, deadline) is overdue


# --- the limits table ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "working_days", "basis", "confirmed"),
    [
        ("central_return_incomplete", 5, "QĐ 311/QĐ-BNV", True),
        ("central_appraisal", 20, "NĐ 98/2023 Điều 32 k2", True),
        ("central_appraisal_after_consultation", 10, "QĐ 311/QĐ-BNV", True),
        ("central_forward_decision", 10, "QĐ 311/QĐ-BNV", True),
        ("submitter_forward_decision", 10, "QĐ 311/QĐ-BNV", True),
        ("central_notify_refusal", 10, "QĐ 311/QĐ-BNV", True),
        ("central_deliver_award_items", 10, "QĐ 311/QĐ-BNV", True),
        ("commune_cstdcs_procedure", 20, "QĐ 638/QĐ-BNV", True),
        ("public_comment_minimum", 10, "Điều 84 k5", False),
        ("ministry_vhttdl_personnel_to_council", 25, "QĐ 987/QĐ-BVHTTDL", False),
    ],
)
def test_statutory_limits(step: str, working_days: int, basis: str, confirmed: bool) -> None:
    limit = STATUTORY_LIMITS[step]
    assert (limit.step, limit.working_days, limit.confirmed) == (step, working_days, confirmed)
    assert basis in limit.legal_basis
    assert limit_for(step) is limit


def test_the_table_has_only_the_listed_steps() -> None:
    assert len(STATUTORY_LIMITS) == 10
    assert all(key == value.step for key, value in STATUTORY_LIMITS.items())


@pytest.mark.parametrize("step", ["district_review", "province_review"])
def test_steps_without_a_statutory_limit_get_the_labelled_product_default(step: str) -> None:
    assert limit_for(step) == StepLimit(step, DEFAULT_LIMIT_WORKING_DAYS, PRODUCT_DEFAULT_LEGAL_BASIS, False)
    assert limit_for(step, 7).working_days == 7
    assert PRODUCT_DEFAULT_LEGAL_BASIS == "product default; no statutory limit in DOMAIN.md"
