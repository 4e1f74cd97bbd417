"""Personal data is masked in log records and exported spans."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from servicekit.privacy import MaskingSpanExporter, install_log_masking, mask

PERSONAL = ("001203004567", "012345678", "0912345678", "+84912345678", "minh.khai@example.vn", "12/03/1980")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CCCD 001203004567", "CCCD [số định danh]"),
        ("CMND 012345678.", "CMND [số định danh]."),
        ("gọi 0912345678 hoặc +84912345678", "gọi [số điện thoại] hoặc [số điện thoại]"),
        ("thư minh.khai@example.vn", "thư m***@example.vn"),
        ("Ngày sinh: 12/03/1980", "Ngày sinh: [ngày sinh]"),
        ("địa chỉ: số 5 Trần Phú; quê", "địa chỉ: [địa chỉ]; quê"),
        ("?nominee=0912345678%20001203004567", "?nominee=[số điện thoại] [số định danh]"),
    ],
)
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Quyết định số 07/QĐ-TTg ngày 24/11/2026",
        "dossier 5a8fd64b-742d-4a8a-9fc2-e055102d449d, trace 0350ea22cd03b1005ef28c22b057565e",
        "2,340,000 VND; 1880000 VND; offset 23944057082546296455168000",
    ],
)
def test_what_is_not_personal_stays_readable(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gọi 091.234.5678", "gọi [số điện thoại]"),
        ("gọi 0912 345 678.", "gọi [số điện thoại]."),
        ("gọi +84 912 345 678", "gọi [số điện thoại]"),
        ("CCCD 001 085 012 345", "CCCD [số định danh]"),
        ("1985-03-12", "[ngày sinh]"),
        ("sinh 12/03/1985", "sinh [ngày sinh]"),
        ("0912-345-678, 024 3825 1234", "[số điện thoại], [số điện thoại]"),
        ("CMND số: 012.345.678", "CMND số: [số định danh]"),
        ("căn cước công dân 001085012345", "căn cước công dân [số định danh]"),
        ("cccd=038 085 012 345", "cccd=[số định danh]"),
        ("người 038.085.012.345 đề nghị", "người [số định danh] đề nghị"),
        ('{"birth": "1985-03-12", "n": 1}', '{"birth": "[ngày sinh]", "n": 1}'),
    ],
)
def test_grouped_numbers_and_bare_or_briefly_labelled_birth_dates_are_masked(
    text: str, expected: str
) -> None:
    assert mask(text, year=2026) == expected


@pytest.mark.parametrize(
    "text",
    [
        "trace 0350ea22cd03b1005ef28c22b057565e span 5ef28c22b057565e",
        "dossier 5a8fd64b-742d-4a8a-9fc2-e055102d449d, entry 5a8fd64b-742d-4a8a-9fc2-e055102d449d.2",
        "Quyết định số 02/QĐ-TTg; 01/QĐ-UBND ngày 24/11/2026",
        "at 2026-12-06T09:16:55Z, 2026-12-06T09:16:55.123+07:00 and 2026-12-06 09:16:55+00:00",
        "submitted 2026-03-02, closes 2026-03-16, rules ND152-2025 from 2025-07-01",
        "listening on 127.0.0.1:8001, kafka localhost:29092, temporal :17233",
        "took 0.912345678 s; 2494 s; 123 ms; 1733476615.123 epoch",
        "3.500.000 VND; 100.000.000.000 VND; 10.0.12.250; version 0.9.12",
        "Nghị định 91/2017/NĐ-CP ngày 31/07/2017; Luật TĐKT 2022 Điều 84 k5",
        "hs-2024-0001; offset 0912 345; partition 3 offset 1203004",
    ],
)
def test_operational_numbers_and_dates_stay_readable(text: str) -> None:
    assert mask(text, year=2026) == text


def test_a_bare_date_is_judged_by_the_records_own_year(caplog: pytest.LogCaptureFixture) -> None:
    """A date of birth is at least ``BIRTH_DATE_AGE`` years before the record; a recent date is
    an operational one. With no year to judge by, every bare date is taken for one."""
    assert mask("2012-12-06", year=2026) == "[ngày sinh]" and mask("2013-01-01", year=2026) == "2013-01-01"
    assert mask("2026-03-02") == "[ngày sinh]"
    install_log_masking()
    logger = logging.getLogger("tdkt.test.dates")
    with caplog.at_level(logging.INFO, logger="tdkt.test.dates"):
        logger.info("nominee born %s, submitted %s", "1985-03-12", "2026-03-02")
    (record,) = caplog.records
    record_year = datetime.fromtimestamp(record.created, UTC).year
    assert record.getMessage() == (
        f"nominee born [ngày sinh], submitted {'2026-03-02' if record_year < 2040 else '[ngày sinh]'}"
    )


def test_log_records_are_masked_in_message_and_arguments(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    logger = logging.getLogger("tdkt.test")
    with caplog.at_level(logging.INFO):
        logger.info("nominee %s, phone %s", "minh.khai@example.vn", "0912345678")
        logger.info("CCCD 001203004567 in the message itself")
    text = caplog.text
    assert not [value for value in PERSONAL if value in text], text
    assert "[số điện thoại]" in text and "m***@example.vn" in text


def test_exported_spans_carry_masked_attributes() -> None:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(MaskingSpanExporter(exported)))
    with provider.get_tracer("t").start_as_current_span("GET /v1/decisions") as span:
        span.set_attribute("url.query", "nominee=0912345678&cccd=001203004567")
        span.add_event("note", {"text": "thư minh.khai@example.vn"})
    (finished,) = exported.get_finished_spans()
    assert finished.attributes == {"url.query": "nominee=[số điện thoại]&cccd=[số định danh]"}
    assert finished.events[0].attributes == {"text": "thư m***@example.vn"}
    assert finished.context == span.get_span_context()


def test_tracebacks_are_masked_and_format_strings_left_intact(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    logger = logging.getLogger("tdkt.test")
    with caplog.at_level(logging.INFO):
        logger.info("%02d attempts for %s", 3, ValueError("gửi tới minh.khai@example.vn"))
        try:
            raise RuntimeError("CCCD 001203004567 refused")
        except RuntimeError:
            logger.exception("failed")
    text = caplog.text
    assert "03 attempts for gửi tới m***@example.vn" in text
    assert "CCCD [số định danh] refused" in text and "001203004567" not in text


def test_a_span_status_description_is_masked() -> None:
    from opentelemetry.trace import Status, StatusCode

    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(MaskingSpanExporter(exported)))
    with provider.get_tracer("t").start_as_current_span("send") as span:
        span.set_status(Status(StatusCode.ERROR, "SMTP refused minh.khai@example.vn"))
    (finished,) = exported.get_finished_spans()
    assert finished.status.description == "SMTP refused m***@example.vn"


def test_named_tuples_and_odd_arguments_never_make_logging_raise(caplog: pytest.LogCaptureFixture) -> None:
    """aiokafka's sender logs a TopicPartition (a named tuple); rebuilding it as ``type(generator)``
    raised inside the log call and killed the producer for good (found by ``make chaos``)."""
    from aiokafka import TopicPartition

    class Unbuildable(tuple):  # type: ignore[type-arg]
        def __new__(cls, first: object, second: object) -> Unbuildable:
            return super().__new__(cls, (first, second))

    install_log_masking()
    logger = logging.getLogger("tdkt.test.privacy")
    with caplog.at_level(logging.WARNING, logger="tdkt.test.privacy"):
        logger.warning("got error for %s: %s", TopicPartition("t", 2), "CCCD 001203004567")
        logger.warning("odd %s", Unbuildable("a", "b"))
    assert "TopicPartition(topic='t', partition=2)" in caplog.text and "001203004567" not in caplog.text
    assert "odd" in caplog.text


def _formatted(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return [formatter.format(record) for record in caplog.records]


def test_an_encoded_line_break_in_a_request_cannot_forge_an_access_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """uvicorn logs the path percent-encoded and the query as sent; masking decodes both (so that
    ``%20`` cannot hide an identity number) and must not let the decoded CR LF through."""
    from uvicorn.protocols.utils import get_path_with_query_string

    install_log_masking()
    scope: Any = {"path": "/v1/x\r\nFAKE LOG LINE", "query_string": b"q=%0d%0a2026-12-06 INFO forged&n=%00"}
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", get_path_with_query_string(scope), "1.1", 404
        )
    [line] = _formatted(caplog)
    assert "\n" not in line and "\r" not in line and "\x00" not in line
    assert line.endswith('"GET /v1/x\\r\\nFAKE LOG LINE?q=\\r\\n2026-12-06 INFO forged&n=\\x00 HTTP/1.1" 404')


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("a\x00b", "a\\x00b"),
        ("a\x1b[31mred", "a\\x1b[31mred"),
        ("a\x85b\u2028c", "a\\x85b\\u2028c"),
        ("tên \u202egpj.exe", "tên \\u202egpj.exe"),
        ("tab\there", "tab\\there"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
    ],
)
def test_control_characters_are_escaped_in_messages_and_arguments(
    caplog: pytest.LogCaptureFixture, sent: str, shown: str
) -> None:
    install_log_masking()
    logger = logging.getLogger("tdkt.test.escape")
    with caplog.at_level(logging.INFO, logger="tdkt.test.escape"):
        logger.info("argument %s", sent)
        logger.info(f"message {sent}")
        logger.info({"mapping": sent})  # not a string: shown as its text
    assert caplog.messages[:2] == [f"argument {shown}", f"message {shown}"]
    assert not [char for char in sent if char not in shown and char in caplog.messages[2]]
    assert all(line.count("\n") == 0 for line in _formatted(caplog))


def test_a_traceback_keeps_its_lines_and_a_span_its_text(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    logger = logging.getLogger("tdkt.test.escape")
    with caplog.at_level(logging.INFO, logger="tdkt.test.escape"):
        try:
            raise RuntimeError("refused")
        except RuntimeError:
            logger.exception("failed\nFAKE")
    [line] = _formatted(caplog)
    assert line.splitlines()[0].endswith("failed\\nFAKE") and "Traceback (most recent call last):" in line
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(MaskingSpanExporter(exported)))
    with provider.get_tracer("t").start_as_current_span("x") as span:
        span.set_attribute("exception.stacktrace", "line 1\nline 2")
    assert exported.get_finished_spans()[0].attributes == {"exception.stacktrace": "line 1\nline 2"}
