"""The command line: ``python -m clients.bulk template | import | export``."""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TextIO, TypeVar
from zoneinfo import ZoneInfo

import httpx
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError
from tqdm import tqdm

from clients.bulk import api
from clients.bulk.reading import (
    read_sheet,
)
from clients.bulk.results import (
    criteria_codes,
    outcome_labels,
    write_dossier,
)
from clients.bulk.template import (
    write_template,
)
from contracts.dossiers import DossierSubmission
from contracts.views import DossierView

_T = TypeVar("_T")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
"""The year of the template's example is Vietnam's year."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The machine's clock: a client runs beside the system, at the real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def _bar(rows: Iterable[_T], total: int) -> Iterable[_T]:
    return tqdm(rows, total=total, desc="Đọc danh sách / reading", unit=" dòng")


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], file: TextIO) -> None:
    texts = [[("" if value is None else str(value)) for value in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in texts)]) for i, h in enumerate(headers)]
    for row in [list(headers), *texts]:
        print(
            "  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip(), file=file
        )


def _print_problem(response: httpx.Response, rows: Sequence[int] = ()) -> None:
    """A problem response; with the import's ``rows``, entries are named by their Excel row."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        print(f"HTTP {response.status_code}: {response.text[:500]}", file=sys.stderr)
        return
    problem = response.json()
    print(f"HTTP {response.status_code} {problem.get('code')}", file=sys.stderr)
    print(f"  {problem.get('message_vi')}", file=sys.stderr)
    print(f"  {problem.get('message_en')}", file=sys.stderr)
    if problem.get("detail"):
        print(f"  {problem['detail']}", file=sys.stderr)
    for error in problem.get("errors") or []:
        if "failed" in error:  # all-entries-ineligible: each entry with the criteria it failed
            entry = error["entry"]
            where = f"dòng / row {rows[entry - 1]}" if rows else f"trường hợp / entry {entry}"
            print(f"  - {where}: {error['full_name']}", file=sys.stderr)
            for criterion in error["failed"]:
                print(f"      {criterion['code']}: {criterion['message_vi']}", file=sys.stderr)
                print(f"      {' ' * len(criterion['code'])}  {criterion['message_en']}", file=sys.stderr)
        else:
            print(f"  - {json.dumps(error, ensure_ascii=False)}", file=sys.stderr)


def _import(args: argparse.Namespace) -> int:
    try:
        sheet = read_sheet(args.file, progress=_bar)
    except (OSError, zipfile.BadZipFile, InvalidFileException) as error:
        print(f"Không mở được tệp / cannot open {args.file}: {error}", file=sys.stderr)
        return 2
    if sheet.errors:
        _print_table(
            ["Dòng/Row", "Cột/Column", "Lỗi / Error"],
            [
                line
                for e in sheet.errors
                for line in ((e.row, e.column, e.message_vi), (None, None, e.message_en))
            ],
            sys.stderr,
        )
        rows = len({e.row for e in sheet.errors})
        print(
            f"\nSố dòng có lỗi / rows with errors: {rows}. Chưa gửi hồ sơ / nothing was submitted.",
            file=sys.stderr,
        )
        return 2
    try:
        submission = DossierSubmission(
            submitting_organisation=args.organisation,
            award_code=args.award,
            external_reference=args.external_reference,
            proposal_year=args.proposal_year,
            entries=sheet.entries,
        )
    except ValidationError as error:  # no entries, too many, or a bad option: nothing to send
        for item in error.errors():
            print(f"{'.'.join(map(str, item['loc']))}: {item['msg']}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(
            f"{len(sheet.entries)} trường hợp đọc được; không gửi (--dry-run). / "
            f"{len(sheet.entries)} entries read; not submitted."
        )
        return 0
    headers = {"Idempotency-Key": args.idempotency_key} if args.idempotency_key else {}
    response = api.call(
        args.credentials, "POST", "/v1/dossiers", json=submission.model_dump(mode="json"), headers=headers
    )
    if response is None:
        return 1
    if not response.is_success:
        _print_problem(response, sheet.rows)
        return 1
    view = DossierView.model_validate(response.json())
    print(f"Hồ sơ / dossier: {view.dossier_id} ({view.status.value}, v{view.version}, {view.rule_set_id})")
    _print_table(
        ["Dòng/Row", "Họ và tên / Name", "Kết quả", "Outcome", "Không đạt / Failed"],
        [
            (
                row,
                entry.full_name,
                *outcome_labels(entry.eligibility.outcome),
                criteria_codes(entry.eligibility.criteria, "failed"),
            )
            for row, entry in zip(sheet.rows, view.entries, strict=True)
        ],
        sys.stdout,
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    response = api.call(args.credentials, "GET", f"/v1/dossiers/{args.dossier_id}")
    if response is None:
        return 1
    if not response.is_success:
        _print_problem(response)
        return 1
    view = DossierView.model_validate(response.json())
    write_dossier(view, args.output)
    print(f"{args.output}: {len(view.entries)} trường hợp / entries")
    return 0


def _template(args: argparse.Namespace) -> int:
    write_template(args.output, args.clock.now().astimezone(VIETNAM).year)
    print(args.output)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m clients.bulk",
        description="Nhập / xuất hồ sơ đề nghị khen thưởng bằng Excel — dossiers from and to Excel.",
    )
    commands = parser.add_subparsers(required=True)
    credentials = argparse.ArgumentParser(add_help=False)
    credentials.add_argument(
        "--credentials",
        type=Path,
        help="JSON file with client_id and client_secret (default: TDKT_DEMO_CLIENT_FILE or .stack/secrets)",
    )

    importing = commands.add_parser("import", parents=[credentials], help="submit a dossier from a sheet")
    importing.add_argument("file", type=Path)
    importing.add_argument("--organisation", required=True, help="submitting organisation code")
    importing.add_argument("--award", required=True, help="award catalogue code, e.g. BKTTG")
    importing.add_argument("--proposal-year", type=int)
    importing.add_argument("--external-reference")
    importing.add_argument("--idempotency-key")
    importing.add_argument("--dry-run", action="store_true", help="only read and check the sheet")
    importing.set_defaults(run=_import)

    exporting = commands.add_parser("export", parents=[credentials], help="write a dossier's results")
    exporting.add_argument("dossier_id")
    exporting.add_argument("-o", "--output", type=Path, required=True)
    exporting.set_defaults(run=_export)

    template = commands.add_parser("template", help="write an empty sheet with an example row")
    template.add_argument("-o", "--output", type=Path, required=True)
    template.set_defaults(run=_template)
    return parser


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> int:
    """The command; ``clock`` gives the time (the template's year), the machine's by default."""
    args = _parser().parse_args(argv)
    args.clock = clock or SystemClock()
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)
