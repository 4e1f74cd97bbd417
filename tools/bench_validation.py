"""How long intake takes over a full dossier (issue 3 §6): parsing a 500-entry JSON body, validating
it with eligibility for every entry, and reading the same entries from an Excel sheet.

``python -m tools.bench_validation [--entries 500] [--repeat 20]`` prints the figures; it asserts
nothing about time, which depends on the machine.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from clients.bulk import read_sheet, write_sheet
from contracts.dossiers import MAX_ENTRIES_PER_DOSSIER, DossierSubmission
from contracts.samples import eligible_record
from services.intake.clients import RegisteredClient
from services.intake.domain.catalogue import AwardSubject, default_catalogue
from services.intake.domain.organisations import default_registry
from services.intake.validation import DossierValidator
from tools.demo import DEMO_ORGANISATION

AWARDS = ("BKTTG", "BANG_KHEN_TINH", "CSTD_TINH")
"""Bằng khen của Thủ tướng and Bằng khen tỉnh take individuals and collectives; CSTĐ tỉnh only
individuals, with a longer chain of titles to check."""

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
_MIDDLE = ("Thị", "Văn", "Minh", "Thu", "Quốc", "Ngọc", "Đức", "Thanh")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Khoa", "Lan", "Nam", "Phương", "Tâm", "Yến", "Hùng")
_SUBJECTS = ("Toán", "Ngữ văn", "Tiếng Anh", "Khoa học tự nhiên", "Lịch sử và Địa lý", "Tin học")


def _merit_record(year: int) -> dict[str, Any]:
    """The demo's teacher (Bằng khen của Thủ tướng) who has gone on: CSTĐCS every year since, the
    last two years rated excellent, and initiatives recognised at school and in the province, so
    that each benchmarked award has nominees who qualify."""
    record = eligible_record(year)
    record["ratings"][-2:] = [{"year": y, "rating": "excellent"} for y in (year - 1, year)]
    record["awards"] += [
        {"award_code": "CSTDCS", "year": y, "commendation_type": "cong_trang"} for y in (year - 1, year)
    ]
    record["initiatives"] = [
        {"year": year - 1, "scope": "grassroots", "kind": "initiative", "title": "Sổ tay ôn tập số"},
        {"year": year, "scope": "grassroots", "kind": "research", "title": "Dạy học theo dự án"},
        {"year": year - 1, "scope": "ministry_province", "kind": "initiative", "title": "Ngân hàng đề"},
    ]
    return record


def _individual(index: int, year: int, rng: random.Random) -> dict[str, Any]:
    """Mostly nominees who qualify, as a unit's list is; the rest fail in the ways lists do: a
    broken run of ratings, a raised status flag, discipline inside the counted years, too short a
    record."""
    record = _merit_record(year) if index % 10 < 3 else eligible_record(year)
    variant = index % 10
    if variant == 6:
        record["ratings"][-3] = {"year": year - 2, "rating": "completed"}
    elif variant == 7:
        record["flags"] = {"under_investigation": True}
    elif variant == 8:
        record["discipline"] = [{"year": year - 2, "level": "khien_trach"}]
    elif variant == 9:
        record = {"ratings": [{"year": y, "rating": "good"} for y in range(year - 2, year + 1)]}
    return {
        "kind": "individual",
        "full_name": f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}",
        "position_title": f"Giáo viên {rng.choice(_SUBJECTS)}",
        "achievement_summary": "Hoàn thành tốt nhiệm vụ nhiều năm liên tục; tích cực đổi mới phương pháp dạy học.",
        "record": record,
    }


def _collective(index: int, year: int, rng: random.Random) -> dict[str, Any]:
    members = rng.randint(8, 40)
    return {
        "kind": "collective",
        "full_name": f"Tổ {rng.choice(_SUBJECTS)} số {index}",
        "achievement_summary": "Tập thể lao động xuất sắc hai năm liền.",
        "record": {
            "collective_rating": [{"year": y, "rating": "excellent"} for y in range(year - 2, year + 1)],
            "awards": [
                {"award_code": "TTLDXS", "year": y, "commendation_type": "cong_trang"}
                for y in (year - 2, year - 1)
            ],
            "collective": {
                "members_total": members,
                "members_lao_dong_tien_tien": members - 1,
                "members_completed_tasks": members,
                "members_cstdcs": members // 4,
                "members_disciplined_warning_or_above": 0,
                "women_share": round(rng.random(), 2),
            },
        },
    }


def dossier_body(award_code: str, entries: int, year: int, seed: int = 2026) -> dict[str, Any]:
    """A dossier of ``entries`` nominees for ``award_code``; one in ten is a collective where the
    award takes collectives."""
    rng = random.Random(seed)
    award = default_catalogue().rule_set_for(date.today()).award(award_code)
    takes_collectives = award is not None and award.subject is not AwardSubject.INDIVIDUAL
    return {
        "submitting_organisation": DEMO_ORGANISATION,
        "award_code": award_code,
        "external_reference": f"BENCH-{award_code}",
        "proposal_year": year,
        "entries": [
            _collective(i, year, rng) if takes_collectives and i % 10 == 4 else _individual(i, year, rng)
            for i in range(entries)
        ],
    }


@dataclass(frozen=True)
class Timing:
    step: str
    award: str
    entries: int
    seconds: list[float]

    def row(self) -> list[str]:
        ordered = sorted(self.seconds)
        p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank: an observed time
        median = statistics.median(ordered)
        return [
            self.step,
            self.award,
            str(self.entries),
            f"{ordered[0] * 1000:.1f}",
            f"{median * 1000:.1f}",
            f"{p95 * 1000:.1f}",
            f"{self.entries / median:,.0f}",
        ]


def timed(step: str, award: str, entries: int, repeat: int, run: Callable[[], object]) -> Timing:
    run()  # once untimed: imports, caches and the catalogue are paid before measuring
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return Timing(step, award, entries, seconds)


def _count(high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        count = int(value)
        if not 1 <= count <= high:
            raise argparse.ArgumentTypeError(f"between 1 and {high}")
        return count

    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_validation", description=__doc__)
    parser.add_argument("--entries", type=_count(MAX_ENTRIES_PER_DOSSIER), default=MAX_ENTRIES_PER_DOSSIER)
    parser.add_argument("--repeat", type=_count(1000), default=20)
    args = parser.parse_args(argv)
    today = date.today()
    validator = DossierValidator(default_catalogue(), default_registry())
    client = RegisteredClient(
        client_id="bench", secret_sha256="0" * 64, organisations=frozenset({DEMO_ORGANISATION})
    )
    timings: list[Timing] = []
    for award_code in AWARDS:
        body = json.dumps(dossier_body(award_code, args.entries, today.year)).encode()
        submission = DossierSubmission.model_validate_json(body)
        outcomes = Counter(
            e.eligibility.outcome for e in validator.validate(submission, client, today).entries
        )
        print(
            f"{award_code}: {', '.join(f'{count} {outcome}' for outcome, count in sorted(outcomes.items()))}"
        )
        if award_code == AWARDS[0]:
            timings.append(
                timed(
                    "parse JSON (pydantic)",
                    award_code,
                    args.entries,
                    args.repeat,
                    partial(DossierSubmission.model_validate_json, body),
                )
            )
        timings.append(
            timed(
                "DossierValidator.validate",
                award_code,
                args.entries,
                args.repeat,
                partial(validator.validate, submission, client, today),
            )
        )
    with tempfile.TemporaryDirectory() as directory:
        sheet = Path(directory) / "danh-sach.xlsx"
        sheet_submission = DossierSubmission.model_validate(dossier_body(AWARDS[0], args.entries, today.year))
        write_sheet(sheet, sheet_submission.entries)
        read = read_sheet(sheet)
        if read.errors or read.entries != sheet_submission.entries:
            print(f"the generated sheet does not read back: {read.errors[:3]}", file=sys.stderr)
            return 1
        timings.append(timed("read_sheet (xlsx)", "—", args.entries, args.repeat, partial(read_sheet, sheet)))
    headers = ["step", "award", "entries", "min ms", "median ms", "p95 ms", "entries/s"]
    rows = [headers, *(timing.row() for timing in timings)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    print(f"\n{args.repeat} runs each, {sys.version.split()[0]}")
    for row in rows:
        print(
            "  ".join(
                cell.ljust(w) if i < 2 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
