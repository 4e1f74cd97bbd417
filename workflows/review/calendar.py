"""Deadlines in Vietnamese working days (ngày làm việc) for review steps.

Pure and fast: no I/O, no clock. The caller passes the instants (``opened_at``, ``now``) and the
configuration (``CalendarSettings`` reads it from the environment when the caller builds it).

Why working days
    The statutory limits for the award procedures are given in working days (DOMAIN.md §3.5:
    QĐ 311/QĐ-BNV, QĐ 638/QĐ-BNV), and public comment lasts ≥10 working days before the council
    meets (DOMAIN.md §3.4). A working day is a day that is neither a weekend day (Saturday, Sunday:
    the public sector's 40-hour week) nor a public holiday, unless the Government has declared it
    a make-up working day (ngày làm bù).

What the ``holidays`` library (PyPI ``holidays``, class ``holidays.Vietnam``) covers
    Checked against holidays 0.109; the tests pin the full 2026 list, so an upgrade that changes
    the days fails them.

    * Labour Code 2019 (45/2019/QH14) Art. 112 k1 public holidays: Tết Dương lịch (1/1); Tết Âm
      lịch, 5 days, which the library fixes as the last day of the lunar year plus mùng 1–4 (4 days
      before 2013); Giỗ Tổ Hùng Vương, 10/3 lunar (from 2007); Ngày Chiến thắng 30/4; Quốc tế Lao
      động 1/5; Quốc khánh 2/9 plus one adjacent day from 2021, the library choosing 1/9 or 3/9 by
      weekday. Lunar dates come from the library's Vietnamese (UTC+7) lunisolar table, 1901–2100,
      hence ``SUPPORTED_YEARS``.
    * Ngày Văn hóa Việt Nam 24/11 from 2026 (the library cites Resolution 80-NQ/TW). Not in
      DOMAIN.md and not checked against an official text: if it is wrong, configure 24/11 as a
      make-up working day (configuration wins over the library, see below).
    * Statutory substitute days (nghỉ bù, Labour Code 2019 Art. 111 k3): a holiday falling on a
      weekend gives the next working day off; for Tết from 2014, a Saturday is moved to the
      working day before ("29 Tết") and a Sunday to the one after ("Mùng năm/sáu Tết").
    * The yearly working-day swaps (hoán đổi ngày làm việc: a bridge day off against a Saturday
      worked) only for the years the library has hard-coded: 2010, 2012–2015, 2018, 2019,
      2024, 2025 and 2026 (2026: Monday 31/8 off, Saturday 22/8 worked). Both halves of each swap
      are applied: the day off, and the Saturday as a working day.

What must be configured
    Art. 112 k3 lets the Prime Minister fix each year which 5 days of Tết (1 before + 4 after, or
    2 + 3) and which day next to 2/9 are off; the library's choice above is an assumption that the
    yearly decision can contradict. The swaps are not law either: the Prime Minister approves them
    each year (announced by Bộ Nội vụ, formerly Bộ LĐ-TB&XH) for cán bộ, công chức, viên chức,
    usually a few months ahead. Each year's decision must be compared with the library, and every
    difference (any swap after 2026, a late decision, another Tết split) configured through
    ``CalendarSettings``: the days off in ``extra_days_off`` and the days worked in
    ``makeup_working_days``. ``extra_days_off`` also takes any other day off the platform's
    operators observe (e.g. a one-off national day off).

Precedence, first match wins
    1. a configured extra day off is never a working day;
    2. a configured make-up working day is always a working day, even a weekend day or a day the
       library lists (the operator's correction of the library);
    3. a day the library lists as a holiday, observed day or swap day off is not a working day;
    4. a Saturday or Sunday is not a working day unless the library lists it as a swap's make-up
       day;
    5. every other day is a working day.
    A date in both configured lists is a configuration error (``ValueError``).

Counting rules (each is a constant or a function below, and pinned by the tests)
    * The day of the event does not count: counting starts with the first working day after the
      local date of the event (``FIRST_COUNTED_DAY_OFFSET``). Bộ luật Dân sự 2015 Điều 147 k2–k3:
      a period counted in days, or starting with an event, starts on the day after. A step opened
      on Friday evening with a 1-working-day limit is due at the end of Monday.
    * A period in days ends at the end of its last day (BLDS 2015 Điều 148 k1; 24:00, k6). The
      last day is always a working day here, so Điều 148 k5's shift off a weekend or holiday is
      built in. ``deadline_at`` returns 23:59:59.999999 local time of that day, as an aware UTC
      instant. (The Civil Code, 91/2015/QH13, is not in DOMAIN.md: it is the general rule for
      periods, Điều 145 k1, which the procedure texts in §3.5 do not override as far as known.)
    * "Local" is Vietnam time (Asia/Ho_Chi_Minh, UTC+7, no DST): an event at 00:30 local is on the
      next day although its UTC date is the day before. Naive datetimes are refused (a naive UTC
      value read back from SQLite would otherwise shift the event by 7 hours).
    * The reminder fires when 75% of the limit has elapsed, at working-day granularity: at the
      end of working day ⌈0.75 × limit⌉, but never later than the end of working day limit − 1, so
      that it always comes at least one working day before the deadline (``reminder_working_day``:
      4 → 3, 10 → 8, 3 → 2, 2 → 1, 1 → 0, the end of the day the step opened).
    * A step is overdue strictly after its deadline (``is_overdue``); escalating to the leader is
      the caller's job.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from fractions import Fraction
from types import MappingProxyType
from typing import Final, Self
from zoneinfo import ZoneInfo

import holidays
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.levels import level_row

VIETNAM_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
"""Vietnam's legal time, UTC+7 all year."""

FIRST_COUNTED_DAY_OFFSET: Final = 1
"""Day 1 of a period is the first working day at least this many days after the event's local date.

1 = the event's own day never counts (BLDS 2015 Điều 147 k2–k3). Fixed by law, not configuration.
"""

REMINDER_FRACTION: Final = Fraction(3, 4)
"""Share of the limit after which the assignee is reminded (issue 4 §5: 75%)."""

SUPPORTED_YEARS: Final = range(1901, 2101)
"""Years for which the library has Vietnamese lunar dates (Tết, Giỗ Tổ); others are refused."""

DEFAULT_LIMIT_WORKING_DAYS: Final = 20
"""PRODUCT DEFAULT, not law: the limit for a step without a statutory one (district/province review).

20 matches the longest statutory review limits of DOMAIN.md §3.5 (central appraisal, commune CSTĐCS
procedure), so no level gets less time than those. Override with ``TDKT_CALENDAR_DEFAULT_LIMIT_WORKING_DAYS``.
"""

_END_OF_DAY: Final = time.max  # 23:59:59.999999


@dataclass(frozen=True)
class StepLimit:
    """A time limit for one step, in working days, with where it comes from."""

    step: str
    working_days: int
    legal_basis: str
    confirmed: bool
    """True where DOMAIN.md labels the source CONFIRMED; False for LIKELY, UNCONFIRMED or product defaults."""


PRODUCT_DEFAULT_LEGAL_BASIS: Final = "product default; no statutory limit in DOMAIN.md"

_QD_311: Final = "QĐ 311/QĐ-BNV (2025), central procedures for BK TTg, Huân chương, Anh hùng"

_STATUTORY_LIMITS: tuple[StepLimit, ...] = (
    # Bộ Nội vụ (Ban TĐKT TW) returns an ineligible or incomplete dossier, from receipt.
    StepLimit("central_return_incomplete", 5, _QD_311, confirmed=True),
    # Bộ Nội vụ appraises and submits to the Prime Minister, from receipt of a complete dossier.
    StepLimit("central_appraisal", 20, f"{_QD_311}; NĐ 98/2023 Điều 32 k2", confirmed=True),
    # … when it has had to consult other bodies: counted from receipt of all opinions.
    StepLimit("central_appraisal_after_consultation", 10, _QD_311, confirmed=True),
    # Bộ Nội vụ copies and sends the PM's / President's decision to the bộ/tỉnh.
    StepLimit("central_forward_decision", 10, _QD_311, confirmed=True),
    # The submitting body copies and sends the decision to the awardees.
    StepLimit("submitter_forward_decision", 10, _QD_311, confirmed=True),
    # Bộ Nội vụ tells the bộ/tỉnh an award was refused, after the VPCP / VPCTN notice.
    StepLimit("central_notify_refusal", 10, _QD_311, confirmed=True),
    # Bộ Nội vụ delivers the award items (hiện vật) after a President's decision.
    StepLimit("central_deliver_award_items", 10, _QD_311, confirmed=True),
    # Commune: award staff appraise and submit to Chủ tịch UBND xã (CSTĐCS procedure).
    StepLimit("commune_cstdcs_procedure", 20, "QĐ 638/QĐ-BNV (2025)", confirmed=True),
    # A MINIMUM, not a maximum: the council may meet only once the period has elapsed.
    # Unconfirmed for the rule set in force, as in the catalogue's ND152-2025 public_comments.
    StepLimit(
        "public_comment_minimum",
        10,
        "Luật TĐKT 2022 Điều 84 k5; NĐ 152/2025 Điều 44 k2 (applied; wording UNCONFIRMED); "
        "NĐ 98/2023 Điều 46 k1–k2 until 30/06/2025",
        confirmed=False,
    ),
    # One ministry's own rule (Cờ thi đua of Bộ VHTTDL), one source without a DOMAIN.md label.
    StepLimit(
        "ministry_vhttdl_personnel_to_council",
        25,
        "QĐ 987/QĐ-BVHTTDL 2024 (Bộ VHTTDL's Cờ thi đua only; single source)",
        confirmed=False,
    ),
)
# Not here: "cấp đổi hiện vật" (15 days, TT 62/2025/TT-BNNMT) is in calendar days and is no review step.

STATUTORY_LIMITS: Final[Mapping[str, StepLimit]] = MappingProxyType({s.step: s for s in _STATUTORY_LIMITS})
"""The working-day limits of DOMAIN.md §3.5 that apply to review steps, by step name."""


def limit_for(step: str, default_working_days: int = DEFAULT_LIMIT_WORKING_DAYS) -> StepLimit:
    """The statutory limit of ``step``, or the product default labelled as such (never invented law)."""
    if default_working_days < 1:
        raise ValueError("a default limit needs at least 1 working day")
    found = STATUTORY_LIMITS.get(step)
    if found is not None:
        return found
    return StepLimit(step, default_working_days, PRODUCT_DEFAULT_LEGAL_BASIS, confirmed=False)


def step_for_level(level: str, award_code: str) -> str:
    """The step whose limit applies to a review task at ``level`` for ``award_code``: the table of
    review levels says (``contracts.levels``: the central appraisal by Bộ Nội vụ at the central
    level, the commune's CSTĐCS procedure where a commune reviews a CSTĐCS, otherwise
    ``<level>_review``, which has no statutory limit and gets the product default)."""
    row = level_row(level)
    return row.step_for(award_code) if row is not None else f"{level}_review"


def reminder_working_day(limit_working_days: int) -> int:
    """Which working day's end the reminder fires at: ⌈¾ × limit⌉, capped at limit − 1.

    Working-day granularity: the first day end at which at least 75% of the limit has elapsed,
    except that a reminder at the deadline itself would be useless (the escalation fires then),
    so it comes at the latest one working day before. 0 means the end of the day the step opened.
    """
    if limit_working_days < 1:
        raise ValueError("a limit needs at least 1 working day")
    share = REMINDER_FRACTION * limit_working_days
    ceiling = -(-share.numerator // share.denominator)
    return min(ceiling, limit_working_days - 1)


def is_overdue(now: datetime, deadline: datetime) -> bool:
    """True strictly after the deadline: a step finished at 23:59:59.999999 of its last day is on time."""
    _require_aware(now, "now")
    _require_aware(deadline, "deadline")
    return now > deadline


@dataclass(frozen=True)
class _LibraryYear:
    days_off: frozenset[date]
    weekend_workdays: frozenset[date]


@functools.cache
def _library_year(year: int) -> _LibraryYear:
    """One year of ``holidays.Vietnam``; the installed library's data never changes, so cache it."""
    if year not in SUPPORTED_YEARS:
        raise ValueError(
            f"{year} is outside the years with Vietnamese lunar dates ({SUPPORTED_YEARS.start}–{SUPPORTED_YEARS.stop - 1})"
        )
    vn = holidays.country_holidays("VN", years=year, observed=True)
    return _LibraryYear(
        days_off=frozenset(d for d in vn if d.year == year),
        weekend_workdays=frozenset(d for d in vn.weekend_workdays if d.year == year),
    )


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (a naive value would be read in the wrong zone)")


def _plain_dates(values: Iterable[date], name: str) -> frozenset[date]:
    result = frozenset(values)
    for value in result:
        if isinstance(value, datetime):
            raise TypeError(f"{name} takes dates, not datetimes: {value!r}")
    return result


def local_date(value: datetime | date, tz: tzinfo = VIETNAM_TZ) -> date:
    """The calendar day of an instant in ``tz``; a ``date`` is taken as already local."""
    if isinstance(value, datetime):
        _require_aware(value, "the instant")
        return value.astimezone(tz).date()
    return value


def _end_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, _END_OF_DAY, tzinfo=tz).astimezone(UTC)


class WorkingCalendar:
    """Vietnamese working days: the library's holidays and swaps, then the configured corrections."""

    def __init__(
        self,
        extra_days_off: Iterable[date] = (),
        makeup_working_days: Iterable[date] = (),
        years: range | None = None,
    ) -> None:
        """``years`` are loaded at once (e.g. at start-up); other supported years load on first use."""
        self._extra_days_off = _plain_dates(extra_days_off, "extra_days_off")
        self._makeup_working_days = _plain_dates(makeup_working_days, "makeup_working_days")
        both = self._extra_days_off & self._makeup_working_days
        if both:
            raise ValueError(
                f"dates both days off and make-up working days: {sorted(d.isoformat() for d in both)}"
            )
        for year in years or ():
            _library_year(year)

    @property
    def extra_days_off(self) -> frozenset[date]:
        return self._extra_days_off

    @property
    def makeup_working_days(self) -> frozenset[date]:
        return self._makeup_working_days

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a local calendar date) is a working day; see the module's precedence."""
        if isinstance(day, datetime):
            raise TypeError("pass a local date; local_date() turns an instant into one")
        if day in self._extra_days_off:
            return False
        if day in self._makeup_working_days:
            return True
        library = _library_year(day.year)
        if day in library.days_off:
            return False
        if day.weekday() >= 5:  # Saturday, Sunday
            return day in library.weekend_workdays
        return True

    def add_working_days(self, start: datetime | date, days: int, *, tz: tzinfo = VIETNAM_TZ) -> date:
        """The local date on which a period of ``days`` working days from ``start`` ends.

        Day 1 is the first working day after ``start``'s local date (BLDS 2015 Điều 147); 0 days
        gives that local date itself.
        """
        if days < 0:
            raise ValueError("days must be >= 0")
        day = local_date(start, tz)
        if days == 0:
            return day
        day += timedelta(days=FIRST_COUNTED_DAY_OFFSET - 1)
        remaining = days
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(
        self, start: datetime | date, end: datetime | date, *, tz: tzinfo = VIETNAM_TZ
    ) -> int:
        """Working days elapsed after ``start``'s local date up to and including ``end``'s.

        The inverse of ``add_working_days``: ``working_days_between(s, add_working_days(s, n)) == n``.
        Negative when ``end`` is before ``start``.
        """
        first, last = local_date(start, tz), local_date(end, tz)
        if last < first:
            return -self.working_days_between(last, first)
        count = 0
        day = first + timedelta(days=FIRST_COUNTED_DAY_OFFSET)
        while day <= last:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count

    def deadline_at(self, opened_at: datetime, limit_working_days: int, tz: tzinfo = VIETNAM_TZ) -> datetime:
        """End (23:59:59.999999 local) of the last working day of the limit, as an aware UTC instant."""
        if limit_working_days < 1:
            raise ValueError("a limit needs at least 1 working day")
        _require_aware(opened_at, "opened_at")
        return _end_of_day(self.add_working_days(opened_at, limit_working_days, tz=tz), tz)

    def reminder_at(self, opened_at: datetime, limit_working_days: int, tz: tzinfo = VIETNAM_TZ) -> datetime:
        """End of working day ``reminder_working_day(limit)`` (local), as an aware UTC instant.

        Always before ``deadline_at`` for the same arguments; for a 1-day limit it is the end of
        the day the step opened.
        """
        _require_aware(opened_at, "opened_at")
        day = reminder_working_day(limit_working_days)
        return _end_of_day(self.add_working_days(opened_at, day, tz=tz), tz)


class CalendarSettings(BaseSettings):
    """The yearly swaps and other days off, from ``TDKT_CALENDAR_*`` (lists as JSON).

    e.g. ``TDKT_CALENDAR_EXTRA_DAYS_OFF='["2027-01-02"]'``,
    ``TDKT_CALENDAR_MAKEUP_WORKING_DAYS='["2027-01-09"]'``.
    """

    model_config = SettingsConfigDict(env_prefix="TDKT_CALENDAR_", extra="ignore")

    extra_days_off: list[date] = Field(default_factory=list)
    makeup_working_days: list[date] = Field(default_factory=list)
    default_limit_working_days: int = Field(default=DEFAULT_LIMIT_WORKING_DAYS, ge=1)
    """The product default for steps without a statutory limit; see ``DEFAULT_LIMIT_WORKING_DAYS``."""

    @model_validator(mode="after")
    def _no_day_in_both_lists(self) -> Self:
        both = set(self.extra_days_off) & set(self.makeup_working_days)
        if both:
            raise ValueError(
                f"dates both days off and make-up working days: {sorted(d.isoformat() for d in both)}"
            )
        return self

    def calendar(self, years: range | None = None) -> WorkingCalendar:
        return WorkingCalendar(self.extra_days_off, self.makeup_working_days, years=years)

    def limit_for(self, step: str) -> StepLimit:
        return limit_for(step, self.default_limit_working_days)
