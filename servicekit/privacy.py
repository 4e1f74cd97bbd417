"""Personal data kept out of logs and traces: citizen identity numbers, phone numbers, e-mail
addresses, dates of birth and addresses given with their label are masked in every log record
(a record factory, so uvicorn's access log too) and in every exported span (an exporter
wrapper). Events carry personal data only where a consumer needs it (nominee contacts, for the
notifications service), and never these.

The same factory keeps a record on its line: control characters (CR, LF, NUL, the rest of C0 and
C1), Unicode line and paragraph separators and bidirectional controls in its message and arguments
are written as escapes (``\\n``, ``\\x00``, ``\\u202e``) after URL-decoding, so a request for
``/v1/x%0d%0aFAKE LOG LINE`` cannot add a line of its own to the access log, nor a NUL a raw byte to
a log file. A traceback (``exc_text``) stays on its lines."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status

_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2}"
_NOT_AFTER = r"(?<![\w.+-])"
"""Not inside a word, an id (``5a8f-0912-…``), a decimal or a timestamp (``T09:16``)."""
_NOT_BEFORE = r"(?![\w]|[.-]\d)"
_WHOLE_AFTER = r"(?<!\d)(?<!\d[.,])"
_WHOLE_BEFORE = r"(?!\d|[.,]\d)"
"""A whole number, not the digits of a decimal (a duration: ``0.912345678 s``)."""
_IDENTITY_LABEL = (
    r"CCCD(?:/CMND)?|CMND|CMT|căn cước(?: công dân)?|chứng minh(?: nhân dân| thư)?"
    r"|số định danh(?: cá nhân)?|định danh|identity(?: number| card)?|national id|id card"
)
PHONE = "[số điện thoại]"
IDENTITY = "[số định danh]"
BIRTH_DATE = "[ngày sinh]"


def _phone(match: re.Match[str]) -> str:
    """A grouped number is a phone number if it has a mobile's (9) or a landline's (10) digits
    after its 0 or +84."""
    digits = len(re.sub(r"\D", "", match.group())) - (2 if match.group().startswith("+") else 1)
    return PHONE if digits in (9, 10) else match.group()


_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    # e-mail: the first character and the domain stay
    (
        re.compile(r"\b([A-Za-z0-9])[A-Za-z0-9._-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"),
        lambda m: f"{m.group(1)}***@{m.group(2)}",
    ),
    # labelled dates of birth, addresses and identity numbers: the label stays, the value goes
    (
        re.compile(
            rf"(?i)\b(ngày sinh|sinh ngày|sinh|date[ _]of[ _]birth|birth[ _]?date|dob)(\W{{0,3}})({_DATE})"
        ),
        lambda m: f"{m.group(1)}{m.group(2)}{BIRTH_DATE}",
    ),
    (
        re.compile(r"(?i)\b(địa chỉ|thường trú|tạm trú|address)(\s*[:=]\s*)([^,;\n\"&]{3,120})"),
        lambda m: f"{m.group(1)}{m.group(2)}[địa chỉ]",
    ),
    (
        re.compile(
            rf"(?i)\b({_IDENTITY_LABEL})(\W{{0,3}}(?:(?:số|no\.?|number)\W{{0,3}})?)(\d(?:[ .-]?\d){{8,11}})(?!\d)"
        ),
        lambda m: f"{m.group(1)}{m.group(2)}{IDENTITY}",
    ),
    # phone numbers (Vietnamese mobile and landline, with or without +84), before identity numbers:
    # whole, or in groups split by spaces, dots or dashes (091.234.5678, 0912 345 678, +84 912 345 678)
    (re.compile(rf"{_WHOLE_AFTER}(?:\+84[ .-]?|84|0)[235789]\d{{8,9}}{_WHOLE_BEFORE}"), lambda _m: PHONE),
    (
        re.compile(rf"{_NOT_AFTER}(?:\+84[ .-]?|0)[235789]\d{{1,3}}(?:[ .-]\d{{2,4}}){{1,3}}{_NOT_BEFORE}"),
        _phone,
    ),
    # citizen identity (CCCD, 12 digits) and old identity card (CMND, 9 digits) numbers; a CCCD
    # (it starts with its province's 0xx) also in groups of three or four
    (re.compile(rf"{_NOT_AFTER}0\d\d([ .])\d{{3}}\1\d{{3}}\1\d{{3}}{_NOT_BEFORE}"), lambda _m: IDENTITY),
    (re.compile(rf"{_NOT_AFTER}0\d{{3}}([ .])\d{{4}}\1\d{{4}}{_NOT_BEFORE}"), lambda _m: IDENTITY),
    (re.compile(rf"{_WHOLE_AFTER}(?:\d{{12}}|\d{{9}})(?![\d]|[.,]\d)"), lambda _m: IDENTITY),
)
_BARE_DATE = re.compile(
    r"(?<![\w.:/+-])((?:19|20)\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\w:.+-]|[ T]\d{1,2}:\d\d)"
)
BIRTH_DATE_AGE = 14
"""A bare calendar date at least this many years before the record is taken for a date of birth."""


def _birth_date(year: int | None) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return BIRTH_DATE if year is None or int(match.group(1)) <= year - BIRTH_DATE_AGE else match.group()

    return replace


_FORGING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}")


def escape_controls(text: str) -> str:
    """``text`` on one line, showing what it held: a control character, a line or paragraph
    separator or a bidirectional control as its escape (``\\r\\n``, ``\\x00``, ``\\u202e``)."""
    return _FORGING.sub(_escape, text)


def mask(text: str, *, decode: bool = True, year: int | None = None) -> str:
    """``text`` with personal data replaced; URL-encoded text (a logged query string) is decoded
    first, so ``%20`` cannot glue an identity number to its neighbours (not a format string:
    ``decode=False``).

    A bare ISO date (``1985-03-12``, not a timestamp's ``2026-12-06T09:16:55Z`` or ``2026-12-06
    09:16``) is masked when its year is ``BIRTH_DATE_AGE`` or more before ``year`` (the record's or
    the span's own; every one when no year is given). Logs carry operational dates too — a
    submission date, a public-comment period, a decision's date — and those are recent: masking
    every date would hide what an operator reads the log for, masking none would let a date of
    birth logged from a model's JSON through. A person must be well past 14 to be proposed for an
    award (a labour title, a certificate of merit), while no date the platform works with is that
    old. The dates people write (``12/03/1985``) are masked only after a label (``ngày sinh``,
    ``sinh``, ``DOB`` …): unlabelled, they are mostly the dates of decisions and laws cited
    (``ngày 24/11/2026``), which must stay readable."""
    if decode and "%" in text:
        text = unquote(text)
    for pattern, replace in _PATTERNS:
        text = pattern.sub(replace, text)
    return _BARE_DATE.sub(_birth_date(year), text)


def _masked(value: Any, *, one_line: bool = False, year: int | None = None) -> Any:
    """``value`` with personal data masked, and for a log record (``one_line``) its control
    characters escaped (a span's attributes keep their lines: a stack trace is one)."""
    if isinstance(value, str):
        return escape_controls(mask(value, year=year)) if one_line else mask(value, year=year)
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple (TopicPartition…)
        return type(value)(*(_masked(item, one_line=one_line, year=year) for item in value))
    if isinstance(value, tuple | list):
        return type(value)(_masked(item, one_line=one_line, year=year) for item in value)
    if isinstance(value, dict):
        return {key: _masked(item, one_line=one_line, year=year) for key, item in value.items()}
    if value is None or isinstance(value, int | float | bool | bytes):
        return value
    # an exception, a model: its text is what is shown
    return _masked(str(value), one_line=one_line, year=year)


def install_log_masking() -> None:
    """Mask every log record's message and arguments as it is made, and keep it on one line (once
    per process)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "masks_personal_data", False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            # a format string: its % are directives, not URL escapes
            year = datetime.fromtimestamp(record.created, UTC).year
            record.msg = escape_controls(mask(str(record.msg), decode=False, year=year))
        except Exception:  # never let masking fail the caller (it killed aiokafka's sender once)
            record.msg, year = "(a log message that cannot be shown)", None
        if record.args:
            try:
                record.args = _masked(record.args, one_line=True, year=year)
            except Exception:
                shown = escape_controls(mask(f"{record.msg} {record.args!r}", decode=False, year=year))
                record.msg, record.args = shown, None
        if record.exc_info and record.exc_info[0] is not None:
            # the formatter uses exc_text when set: the traceback is masked like the message
            traced = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = mask(traced, year=year)
        return record

    masking_factory.masks_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)


class MaskingSpanExporter(SpanExporter):
    """Exports copies of the spans with their string attributes (and their events') masked."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._inner.export([_masked_span(span) for span in spans])

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def _masked_span(span: ReadableSpan) -> ReadableSpan:
    year = datetime.fromtimestamp(span.start_time / 1e9, UTC).year if span.start_time else None
    return ReadableSpan(
        name=mask(span.name, year=year),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_masked(dict(span.attributes or {}), year=year),
        events=[
            Event(event.name, _masked(dict(event.attributes or {}), year=year), event.timestamp)
            for event in span.events
        ],
        links=span.links,
        kind=span.kind,
        status=Status(span.status.status_code, mask(span.status.description or "", year=year))
        if span.status.description
        else span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )
