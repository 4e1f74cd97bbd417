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
from typing import Any
from urllib.parse import unquote

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status

_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2}"
_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    # e-mail: the first character and the domain stay
    (
        re.compile(r"\b([A-Za-z0-9])[A-Za-z0-9._-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"),
        lambda m: f"{m.group(1)}***@{m.group(2)}",
    ),
    # labelled dates of birth and addresses: the label stays, the value goes
    (
        re.compile(
            rf"(?i)\b(ngày sinh|sinh ngày|date[ _]of[ _]birth|birth[ _]?date|dob)(\W{{0,3}})({_DATE})"
        ),
        lambda m: f"{m.group(1)}{m.group(2)}[ngày sinh]",
    ),
    (
        re.compile(r"(?i)\b(địa chỉ|thường trú|tạm trú|address)(\s*[:=]\s*)([^,;\n\"&]{3,120})"),
        lambda m: f"{m.group(1)}{m.group(2)}[địa chỉ]",
    ),
    # phone numbers (Vietnamese mobile and landline, with or without +84), before identity numbers
    (re.compile(r"(?<![\d])(?:\+84|84|0)[235789]\d{8,9}(?![\d])"), lambda _m: "[số điện thoại]"),
    # citizen identity (CCCD, 12 digits) and old identity card (CMND, 9 digits) numbers
    (re.compile(r"(?<![\d])(?:\d{12}|\d{9})(?![\d])"), lambda _m: "[số định danh]"),
)


_FORGING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}")


def escape_controls(text: str) -> str:
    """``text`` on one line, showing what it held: a control character, a line or paragraph
    separator or a bidirectional control as its escape (``\\r\\n``, ``\\x00``, ``\\u202e``)."""
    return _FORGING.sub(_escape, text)


def mask(text: str, *, decode: bool = True) -> str:
    """``text`` with personal data replaced; URL-encoded text (a logged query string) is decoded
    first, so ``%20`` cannot glue an identity number to its neighbours (not a format string:
    ``decode=False``)."""
    if decode and "%" in text:
        text = unquote(text)
    for pattern, replace in _PATTERNS:
        text = pattern.sub(replace, text)
    return text


def _masked(value: Any, *, one_line: bool = False) -> Any:
    """``value`` with personal data masked, and for a log record (``one_line``) its control
    characters escaped (a span's attributes keep their lines: a stack trace is one)."""
    if isinstance(value, str):
        return escape_controls(mask(value)) if one_line else mask(value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple (TopicPartition…)
        return type(value)(*(_masked(item, one_line=one_line) for item in value))
    if isinstance(value, tuple | list):
        return type(value)(_masked(item, one_line=one_line) for item in value)
    if isinstance(value, dict):
        return {key: _masked(item, one_line=one_line) for key, item in value.items()}
    if value is None or isinstance(value, int | float | bool | bytes):
        return value
    return _masked(str(value), one_line=one_line)  # an exception, a model: its text is what is shown


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
            record.msg = escape_controls(mask(str(record.msg), decode=False))
        except Exception:  # never let masking fail the caller (it killed aiokafka's sender once)
            record.msg = "(a log message that cannot be shown)"
        if record.args:
            try:
                record.args = _masked(record.args, one_line=True)
            except Exception:
                shown = escape_controls(mask(f"{record.msg} {record.args!r}", decode=False))
                record.msg, record.args = shown, None
        if record.exc_info and record.exc_info[0] is not None:
            # the formatter uses exc_text when set: the traceback is masked like the message
            record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
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
    return ReadableSpan(
        name=mask(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_masked(dict(span.attributes or {})),
        events=[
            Event(event.name, _masked(dict(event.attributes or {})), event.timestamp) for event in span.events
        ],
        links=span.links,
        kind=span.kind,
        status=Status(span.status.status_code, mask(span.status.description or ""))
        if span.status.description
        else span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )
