"""Pure rules for decisions: numbering (NĐ 30/2020/NĐ-CP; DOMAIN.md key fact 14), reward money and
its combination rules (NĐ 152/2025 Điều 49–54; DOMAIN.md §2.4), and batching periods. Who acts for
an issuing authority is ``domain.authority``; the law of revocation, ``domain.revocation``."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from contracts.events import DecisionReward, EntryReward, EntrySummary, HeldTitle, NomineeKind, RewardMultiple

DECISION_TYPE_CODE = "QĐ"


def format_decision_number(sequence: int, issuer_code: str) -> str:
    """``01/QĐ-TTg``: the register position, zero-padded below 10, then type and issuer codes.

    Individual award decisions carry no year in the number (regulatory ones do)."""
    if sequence < 1:
        raise ValueError("a register starts at 1")
    if not issuer_code:
        raise ValueError("an issuer code is required")
    return f"{sequence:02d}/{DECISION_TYPE_CODE}-{issuer_code}"


@dataclass(frozen=True)
class BaseSalary:
    """Lương cơ sở in force from ``valid_from``; amounts are computed with the one in force on the
    decision date (NĐ 152/2025 Điều 49)."""

    valid_from: date
    amount_vnd: int
    legal_basis: str


BASE_SALARIES: tuple[BaseSalary, ...] = (
    # DOMAIN.md §2.4: 2,340,000 VND since 01/07/2024 (NĐ 73/2024). Earlier amounts are not in
    # DOMAIN.md, so decisions dated before have no amount rather than a guessed one.
    BaseSalary(date(2024, 7, 1), 2_340_000, "NĐ 73/2024/NĐ-CP"),
)

ROUNDING_VND = 10_000
"""Amounts are rounded up to the next 10,000 VND (NĐ 152/2025 Điều 49)."""


def base_salary_on(day: date, table: tuple[BaseSalary, ...] = BASE_SALARIES) -> BaseSalary | None:
    in_force = [salary for salary in table if salary.valid_from <= day]
    return max(in_force, key=lambda salary: salary.valid_from) if in_force else None


def reward_amount(multiple: Decimal, base_salary_vnd: int) -> int:
    """``multiple`` × base salary, rounded UP to the next 10,000 VND (exact decimal arithmetic)."""
    steps = (multiple * base_salary_vnd / ROUNDING_VND).to_integral_value(rounding=ROUND_CEILING)
    return int(steps) * ROUNDING_VND


def decision_reward(
    multiple: RewardMultiple | None, entries: list[EntrySummary], day: date, *, is_title: bool
) -> DecisionReward | None:
    """Per entry and in total, with the combination rule for titles of one period applied to the
    titles each nominee already holds (``EntrySummary.same_period_titles``)."""
    salary = base_salary_on(day)
    if multiple is None or salary is None:
        return None
    rewards = []
    for entry in entries:
        individual = entry.nominee_kind is NomineeKind.INDIVIDUAL
        factor = multiple.individual if individual else multiple.collective
        amount = reward_amount(factor, salary.amount_vnd) if factor is not None else None
        amount, combination = combine_with_held_titles(
            amount, factor, entry.same_period_titles, is_title=is_title
        )
        rewards.append(
            EntryReward(entry_id=entry.entry_id, amount_vnd=amount, multiple=factor, combination=combination)
        )
    return DecisionReward(
        base_salary_vnd=salary.amount_vnd,
        base_salary_basis=salary.legal_basis,
        legal_basis=multiple.legal_basis,
        entries=rewards,
        **_totals(rewards),
    )


def complete_total(amounts: Iterable[int | None]) -> int | None:
    """The sum of ``amounts``, or None when any is unknown: an unknown amount is never counted as 0."""
    total = 0
    for amount in amounts:
        if amount is None:
            return None
        total += amount
    return total


def _totals(entries: list[EntryReward]) -> dict[str, Any]:
    """``complete_total_vnd`` only when every amount is known; ``total_vnd`` the sum of the known
    ones, as the v1 events defined it (0 when none is known, which is why it is not the total)."""
    return {
        "total_vnd": sum(entry.amount_vnd for entry in entries if entry.amount_vnd is not None),
        "complete_total_vnd": complete_total(entry.amount_vnd for entry in entries),
    }


def totalled(reward: DecisionReward, entry_ids: Collection[str] | None = None) -> DecisionReward:
    """``reward`` totalled again over its entries, or over those of ``entry_ids`` alone (one
    dossier's, in a batched decision); also fills ``complete_total_vnd`` in a reward stored before
    that field existed."""
    entries = [entry for entry in reward.entries if entry_ids is None or entry.entry_id in entry_ids]
    return reward.model_copy(update={"entries": entries, **_totals(entries)})


def combine_with_held_titles(
    amount: int | None, multiple: Decimal | None, held: list[HeldTitle], *, is_title: bool
) -> tuple[int | None, str | None]:
    """NĐ 152/2025 Điều 49 k5–k7 (DOMAIN.md §2.4): titles of different periods are each paid; a
    title and a form (hình thức) are both paid; of titles for the SAME period only the highest is.

    So a title is unpaid when the nominee already holds one of the period paying as much or more.
    When the new title is the higher one it is paid in full and the note names the lower ones:
    whether money paid for them is deducted or recovered is a procedure DOMAIN.md does not give
    (UNCONFIRMED), so it is left to the finance office rather than guessed here."""
    if not is_title or amount is None or multiple is None:
        return amount, None
    known = [title for title in held if title.multiple is not None]
    higher = [title for title in known if title.multiple is not None and title.multiple >= multiple]
    if higher:
        best = max(higher, key=lambda title: title.multiple or Decimal(0))
        return 0, (
            f"Cùng kỳ {best.year} đã có danh hiệu {best.award_code} (hệ số {best.multiple}): chỉ hưởng mức "
            f"cao nhất. / Same period {best.year}: {best.award_code} ({best.multiple}×) is already held; "
            "only the highest title of a period is paid."
        )
    if known:
        codes = ", ".join(sorted(title.award_code for title in known))
        return amount, (
            f"Danh hiệu cao nhất của kỳ; không cộng tiền thưởng của {codes}. / The highest title of the "
            f"period; the money of {codes} is not paid on top of it."
        )
    return amount, None


class BatchPeriod(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class BatchWindow:
    key: str
    """``2026-11-24``, ``2026-W48``, ``2026-11``, ``2026-Q4``, ``2026``."""
    closes_on: date
    """The first day after the period: the batch's decision is issued on or after it."""


def batch_window(period: BatchPeriod, day: date) -> BatchWindow:
    """The calendar period (Vietnam time, by the caller's ``day``) an approval of ``day`` joins."""
    if period is BatchPeriod.DAY:
        return BatchWindow(day.isoformat(), day + timedelta(days=1))
    if period is BatchPeriod.WEEK:
        iso = day.isocalendar()
        return BatchWindow(f"{iso.year}-W{iso.week:02d}", day + timedelta(days=8 - iso.weekday))
    if period is BatchPeriod.MONTH:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return BatchWindow(f"{day.year}-{day.month:02d}", following)
    if period is BatchPeriod.QUARTER:
        quarter = (day.month - 1) // 3 + 1
        following = date(day.year + quarter // 4, (quarter % 4) * 3 + 1, 1)
        return BatchWindow(f"{day.year}-Q{quarter}", following)
    return BatchWindow(str(day.year), date(day.year + 1, 1, 1))


class BatchRule(BaseModel):
    """One authority (or every one) issues one decision for all approvals of an award over a period."""

    award_code: str = Field(min_length=1, max_length=50)
    deciding_organisation: str | None = Field(
        default=None, max_length=50, description="None: every deciding organisation"
    )
    period: BatchPeriod


def batch_rule_for(rules: list[BatchRule], award_code: str, deciding_organisation: str) -> BatchRule | None:
    """The rule naming the organisation wins over one for every organisation."""
    matching = [
        rule
        for rule in rules
        if rule.award_code == award_code and rule.deciding_organisation in (None, deciding_organisation)
    ]
    return max(matching, key=lambda rule: rule.deciding_organisation is not None, default=None)
