"""The registry: search, one decision, its lines page by page."""

from __future__ import annotations

from typing import Any

from tests.service.decisions.conftest import approval, issue
from tests.service.harness import InProcess


async def search(service: InProcess, **params: Any) -> list[str]:
    response = await service.http.get("/v1/decisions", params=params)
    assert response.status_code == 200, response.text
    return [decision["number"] for decision in response.json()]


async def test_the_registry_is_searched_by_dossier_number_issuer_year_award_and_nominee(
    service: InProcess,
) -> None:
    await issue(service, approval("hs-1", "Tổ Toán - Tin", "Tổ Ngữ văn"))
    await issue(service, approval("hs-2", "Trường Tiểu học Tân Tiến"))
    assert await search(service) == ["02/QĐ-UBND", "01/QĐ-UBND"], "the newest first"
    assert await search(service, dossier_id="hs-1") == ["01/QĐ-UBND"]
    assert await search(service, number="02/QĐ-UBND") == ["02/QĐ-UBND"]
    assert await search(service, issuer="AH", year=2026, award_code="BKCT_TINH") == [
        "02/QĐ-UBND",
        "01/QĐ-UBND",
    ]
    assert await search(service, issuer="AH-DS-TT") == [] and await search(service, year=2025) == []
    assert await search(service, nominee="ngu van") == ["01/QĐ-UBND"], "without diacritics"
    assert await search(service, nominee="Tiểu học") == ["02/QĐ-UBND"]
    assert await search(service, limit=1, offset=1) == ["01/QĐ-UBND"]
    refused = await service.http.get("/v1/decisions", params={"year": 1999})
    assert (refused.status_code, refused.json()["code"]) == (422, "validation-failed")


async def test_one_decision_and_its_lines_page_by_page(service: InProcess) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Tiếng Anh"))
    url = f"/v1/decisions/{decision['decision_id']}"
    assert (await service.http.get(url)).json() == decision
    page = (await service.http.get(f"{url}/entries", params={"limit": 2, "offset": 1})).json()
    assert [(line["line_number"], line["nominee_name"], line["amount_vnd"]) for line in page] == [
        (2, "Tổ Ngữ văn", 7_020_000),
        (3, "Tổ Tiếng Anh", 7_020_000),
    ]
    assert page[0]["dossier_id"] == "hs-1" and page[0]["revocation_id"] is None


async def test_an_unknown_decision_is_refused_by_name(service: InProcess) -> None:
    for path in ("/v1/decisions/khong-co", "/v1/decisions/khong-co/entries"):
        response = await service.http.get(path)
        problem = response.json()
        assert (response.status_code, problem["code"]) == (404, "decision-not-found"), path
        assert "khong-co" in problem["message_vi"] and "khong-co" in problem["message_en"]
