"""The error catalogue: typed refusals with their messages, mapped once at the HTTP edge."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from servicekit.errors import Catalogue, ErrorCode, Refusal
from servicekit.problems import HTTP_STATUS, error_responses, install_problem_handlers

LINE_REVOKED = ErrorCode(
    "line-revoked",
    Refusal.GONE,
    "Số sổ vàng {line} của quyết định {number} đã bị hủy bỏ.",
    "Line {line} of decision {number} has been revoked.",
    meaning="The award on this line was revoked (Luật TĐKT Điều 93).",
)
BUSY = ErrorCode("engine-busy", Refusal.UNAVAILABLE, "Hệ thống đang bận.", "The engine is busy.")


def test_an_error_formats_its_messages_with_its_values() -> None:
    error = LINE_REVOKED(line=3, number="07/QĐ-UBND", detail="revocation 12/QĐ-UBND")
    assert (error.code, error.kind) == ("line-revoked", Refusal.GONE)
    assert error.message_vi == "Số sổ vàng 3 của quyết định 07/QĐ-UBND đã bị hủy bỏ."
    assert error.message_en == "Line 3 of decision 07/QĐ-UBND has been revoked."
    assert str(error) == error.message_en and error.detail == "revocation 12/QĐ-UBND"


def test_an_error_needs_every_value_its_messages_name() -> None:
    with pytest.raises(TypeError, match="needs number"):
        LINE_REVOKED(line=3)


def test_both_languages_name_the_same_values() -> None:
    with pytest.raises(ValueError, match="different fields"):
        ErrorCode("x", Refusal.INVALID, "Thiếu {field}.", "Missing {name}.")
    with pytest.raises(ValueError, match="named"):
        ErrorCode("y", Refusal.INVALID, "Thiếu {0}.", "Missing {0}.")


def test_a_catalogue_lists_each_code_once() -> None:
    catalogue = Catalogue("decisions", LINE_REVOKED, BUSY)
    assert [spec.code for spec in catalogue] == ["line-revoked", "engine-busy"]
    assert "line-revoked" in catalogue and catalogue["engine-busy"] is BUSY
    with pytest.raises(ValueError, match="twice"):
        Catalogue("decisions", LINE_REVOKED, LINE_REVOKED)


def test_every_kind_of_refusal_has_one_http_status() -> None:
    assert set(HTTP_STATUS) == set(Refusal)
    assert all(400 <= status < 600 for status in HTTP_STATUS.values())


def test_the_http_edge_answers_a_refusal_as_problem_details() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/lines/{line}", responses=error_responses(LINE_REVOKED, BUSY))
    async def line(line: int) -> dict[str, int]:
        if line == 3:
            raise LINE_REVOKED(line=line, number="07/QĐ-UBND")
        error = BUSY()
        error.headers["Retry-After"] = "5"
        raise error

    client = TestClient(app)
    revoked = client.get("/lines/3")
    assert revoked.status_code == 410
    assert revoked.headers["content-type"].startswith("application/problem+json")
    assert revoked.json() == {
        "type": "urn:tdkt:problem:line-revoked",
        "title": "Line 3 of decision 07/QĐ-UBND has been revoked.",
        "status": 410,
        "code": "line-revoked",
        "message_vi": "Số sổ vàng 3 của quyết định 07/QĐ-UBND đã bị hủy bỏ.",
        "message_en": "Line 3 of decision 07/QĐ-UBND has been revoked.",
    }
    busy = client.get("/lines/4")
    assert (busy.status_code, busy.headers["retry-after"]) == (503, "5")
    documented = app.openapi()["paths"]["/lines/{line}"]["get"]["responses"]
    assert "`line-revoked`" in documented["410"]["description"]
    assert "`engine-busy`" in documented["503"]["description"]
