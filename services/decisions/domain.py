"""Pure rules for decisions: numbering (NĐ 30/2020/NĐ-CP; DOMAIN.md key fact 14) and reward money
(NĐ 152/2025 Điều 49–54; DOMAIN.md §2.4)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from contracts.events import DecisionReward, EntryReward, EntrySummary, NomineeKind, RewardMultiple

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
    multiple: RewardMultiple | None, entries: list[EntrySummary], day: date
) -> DecisionReward | None:
    """Per entry and in total. Combination rules across decisions (same period: only the highest;
    NĐ 152 Điều 49 k5–k7) need the nominee's other awards and are not applied here."""
    salary = base_salary_on(day)
    if multiple is None or salary is None:
        return None
    rewards = []
    for entry in entries:
        individual = entry.nominee_kind is NomineeKind.INDIVIDUAL
        factor = multiple.individual if individual else multiple.collective
        amount = reward_amount(factor, salary.amount_vnd) if factor is not None else None
        rewards.append(EntryReward(entry_id=entry.entry_id, amount_vnd=amount, multiple=factor))
    return DecisionReward(
        base_salary_vnd=salary.amount_vnd,
        base_salary_basis=salary.legal_basis,
        legal_basis=multiple.legal_basis,
        entries=rewards,
        total_vnd=sum(reward.amount_vnd or 0 for reward in rewards),
    )


def search_key(text: str) -> str:
    """Lower case without diacritics (đ → d), so "Nguyen Thi" finds "Nguyễn Thị"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
