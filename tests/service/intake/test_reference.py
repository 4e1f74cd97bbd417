"""Intake in process: what integrators need to build a correct submission (issue 20 §2) — the award
catalogue and the organisation registry as they stand on a day, public and dated like the law, and
an eligibility pre-check that judges a body as a submission would and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.topics import Topic
from deploy.devsecrets import DEMO_CLIENT_ID
from services.intake.domain.organisations import OrgLevel
from services.intake.reference_handlers import ORGANISATION_LEVEL_NAMES
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import OTHER_CLIENT, dossier, ineligible_entry, refused, submitted
from tests.support.issuer import CLIENT_AUDIENCES

BEFORE, AFTER = "2025-06-30", "2025-07-01"
"""The last day of NĐ 98/2023 and of the districts, and the first of NĐ 152/2025 and the communes."""


async def _ok(service: InProcess, url: str, **params: str) -> dict[str, Any]:
    response = await service.http.get(url, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- the award catalogue --------------------------------------------------------------------------


async def test_the_catalogue_changes_with_the_rule_set_on_1_july_2025(service: InProcess) -> None:
    before = await _ok(service, "/v1/awards", on=BEFORE)
    after = await _ok(service, "/v1/awards", on=AFTER)
    assert (before["on"], before["rule_set_id"], before["valid_to"]) == (BEFORE, "ND98-2023", BEFORE)
    assert (after["on"], after["rule_set_id"], after["valid_from"]) == (AFTER, "ND152-2025", AFTER)
    assert {award["rule_set_id"] for award in before["awards"]} == {"ND98-2023"}
    assert {award["rule_set_id"] for award in after["awards"]} == {"ND152-2025"}

    def by_code(catalogue: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {award["code"]: award for award in catalogue["awards"]}

    ldtt_before, ldtt_after = by_code(before)["LDTT"], by_code(after)["LDTT"]
    # the second level is the district until the reform, the commune from it
    assert [(s["level"], s["name_vi"]) for s in ldtt_before["review_path"]] == [
        ("unit", "cấp cơ sở"),
        ("district", "cấp huyện"),
    ]
    assert [(s["level"], s["name_vi"]) for s in ldtt_after["review_path"]] == [
        ("unit", "cấp cơ sở"),
        ("district", "cấp xã"),
    ]
    assert ldtt_after["deciding"]["level"]["name_en"] == "commune level"
    # …and the commune chairman holds the district chairman's power to decide (NĐ 129/2025 Điều 59)
    assert "commune" in [k["level"] for k in ldtt_after["deciding"]["organisation_levels_in_force"]]
    assert ldtt_after["is_title"] and ldtt_after["subjects"] == ["individual"]
    # NĐ 152 names the templates of the documents; NĐ 98 named none
    [to_trinh_before] = [d for d in ldtt_before["required_documents"] if d["code"] == "TO_TRINH"]
    [to_trinh_after] = [d for d in ldtt_after["required_documents"] if d["code"] == "TO_TRINH"]
    assert to_trinh_before["name_vi"] == "Tờ trình đề nghị khen thưởng"
    assert to_trinh_before["name_en"] == "Submission letter"
    assert to_trinh_before["template"] is None
    assert "NĐ 152/2025" in to_trinh_after["template"]


async def test_one_award_by_its_code_defaults_to_today_in_vietnam(service: InProcess) -> None:
    bkttg = await _ok(service, "/v1/awards/BKTTG")
    assert bkttg["rule_set_id"] == "ND152-2025"  # the tests' clock: 2 March 2026
    assert bkttg["name_vi"] == "Bằng khen của Thủ tướng Chính phủ"
    assert (bkttg["is_title"], bkttg["kind"]) == (False, "commendation_form")
    assert bkttg["deciding"]["organisation"] == "TTG"
    assert [s["level"] for s in bkttg["review_path"]][-1] == "central"
    assert all(d["code"] and d["name_vi"] and d["legal_basis"] for d in bkttg["required_documents"])
    assert bkttg["legal_basis"]
    ttldxs = await _ok(service, "/v1/awards/TTLDXS", on=BEFORE)
    assert (ttldxs["rule_set_id"], ttldxs["subjects"]) == ("ND98-2023", ["collective"])


async def test_the_reference_data_is_public(service: InProcess) -> None:
    for url in ("/v1/awards", "/v1/awards/BKTTG", "/v1/organisations", "/v1/organisations/AH"):
        response = await service.http.get(url)
        assert response.status_code == 200, (url, response.text)
    paths = service.app.openapi()["paths"]
    for path in ("/v1/awards", "/v1/awards/{code}", "/v1/organisations", "/v1/organisations/{code}"):
        assert paths[path]["get"]["security"] == [], path
    assert paths["/v1/eligibility"]["post"]["security"] == [{"integratorToken": []}]
    documented = paths["/v1/eligibility"]["post"]["responses"]
    assert {"401", "403", "422"} <= set(documented)
    assert "organisation-not-permitted" in documented["403"]["description"]
    assert "all-entries-ineligible" in documented["422"]["description"]


@pytest.mark.parametrize("bad", ["2025-13-01", "2025-02-30", "yesterday", "20250701", "01/07/2025"])
async def test_a_bad_date_is_refused_naming_it(service: InProcess, bad: str) -> None:
    for url in ("/v1/awards", "/v1/awards/BKTTG", "/v1/organisations", "/v1/organisations/AH"):
        problem = refused(await service.http.get(url, params={"on": bad}), 422, "invalid-date")
        assert bad in problem["message_vi"] and bad in problem["message_en"]


async def test_a_day_before_any_rule_set_is_refused(service: InProcess) -> None:
    refused(await service.http.get("/v1/awards", params={"on": "2023-12-31"}), 422, "no-rule-set-in-force")


async def test_an_unknown_award_is_not_found_naming_it(service: InProcess) -> None:
    problem = refused(await service.http.get("/v1/awards/NO-SUCH-AWARD"), 404, "award-not-found")
    assert "NO-SUCH-AWARD" in problem["message_vi"] and "NO-SUCH-AWARD" in problem["message_en"]
    assert "BKTTG" in problem["detail"]


# --- the organisation registry --------------------------------------------------------------------


async def test_the_registry_changes_with_the_structure_on_1_july_2025(service: InProcess) -> None:
    before = await _ok(service, "/v1/organisations", on=BEFORE)
    after = await _ok(service, "/v1/organisations", on=AFTER)
    old = {org["code"]: org for org in before["organisations"]}
    new = {org["code"]: org for org in after["organisations"]}
    assert before["sample"] is True
    assert "AH-DS" in old and "AH-DS" not in new
    assert old["AH-DS-TT"]["parent"] == "AH-DS" and new["AH-DS-TT"]["parent"] == "AH"
    assert old["AH-DS"]["level"] == {"level": "district", "name_vi": "Huyện", "name_en": "district"}
    assert new["AH"]["issuer_code"] and new["AH"]["name_vi"]
    assert new["TTG"]["parent"] is None


def test_every_kind_of_organisation_has_a_name() -> None:
    assert set(ORGANISATION_LEVEL_NAMES) == set(OrgLevel)


async def test_one_organisation_with_its_chain_of_parents_on_a_day(service: InProcess) -> None:
    before = await _ok(service, "/v1/organisations/AH-DS-TT-THCS", on=BEFORE)
    after = await _ok(service, "/v1/organisations/AH-DS-TT-THCS", on=AFTER)
    assert before["level"]["level"] == "unit" and before["on"] == BEFORE
    # the district managed the school until the reform; the commune manages it from 01/07/2025
    assert [p["code"] for p in before["parents"]] == ["AH-DS", "AH", "TTG"]
    assert [p["code"] for p in after["parents"]] == ["AH-DS-TT", "AH", "TTG"]
    assert (before["parent"], after["parent"]) == ("AH-DS", "AH-DS-TT")
    assert after["parents"][0]["parent"] == "AH"


async def test_an_unknown_or_abolished_organisation_is_not_found_naming_it(service: InProcess) -> None:
    unknown = refused(await service.http.get("/v1/organisations/NO-SUCH-ORG"), 404, "organisation-not-found")
    assert "NO-SUCH-ORG" in unknown["message_vi"] and "NO-SUCH-ORG" in unknown["message_en"]
    district = refused(
        await service.http.get("/v1/organisations/AH-DS", params={"on": AFTER}), 404, "organisation-not-found"
    )
    assert "AH-DS" in district["message_en"] and "2025-06-30" in district["detail"]
    assert (await service.http.get("/v1/organisations/AH-DS", params={"on": BEFORE})).status_code == 200


# --- the eligibility pre-check --------------------------------------------------------------------


async def test_a_pre_check_answers_what_a_submission_would_store_and_stores_nothing(
    service: InProcess, tokens: Tokens
) -> None:
    body = dossier()
    body["entries"].append(ineligible_entry())
    response = await service.http.post("/v1/eligibility", json=body, headers=tokens.client(write=False))
    assert response.status_code == 200, response.text
    check = response.json()
    assert (check["submission_date"], check["rule_set_id"], check["award_name_vi"]) == (
        "2026-03-02",
        "ND152-2025",
        "Bằng khen của Thủ tướng Chính phủ",
    )
    assert [(e["position"], e["eligibility"]["outcome"]) for e in check["entries"]] == [
        (1, "eligible"),
        (2, "ineligible"),
    ]
    await service.relayed()
    assert service.events(Topic.INTAKE_EVENTS) == []
    page = await service.http.get("/v1/dossiers", headers=tokens.client())
    assert page.json()["total"] == 0

    view = await submitted(service, tokens, body)
    assert [e["eligibility"] for e in view["entries"]] == [e["eligibility"] for e in check["entries"]]
    assert view["review_chain"] == check["review_chain"]
    assert view["rule_set_id"] == check["rule_set_id"]


async def test_a_writer_may_pre_check_too(service: InProcess, tokens: Tokens) -> None:
    write_only = tokens.issuer.token(
        {
            "sub": f"service-account-{DEMO_CLIENT_ID}",
            "aud": CLIENT_AUDIENCES,
            "azp": DEMO_CLIENT_ID,
            "scope": "dossiers:write",
        }
    )
    headers = {"Authorization": f"Bearer {write_only}"}
    response = await service.http.post("/v1/eligibility", json=dossier(), headers=headers)
    assert response.status_code == 200, response.text


async def test_a_pre_check_is_refused_as_a_submission_would_be(service: InProcess, tokens: Tokens) -> None:
    not_permitted = await service.http.post(
        "/v1/eligibility", json=dossier(), headers=tokens.client(OTHER_CLIENT)
    )
    refused(not_permitted, 403, "organisation-not-permitted")
    as_submission = await service.http.post(
        "/v1/dossiers", json=dossier(), headers=tokens.client(OTHER_CLIENT)
    )
    refused(as_submission, 403, "organisation-not-permitted")

    hopeless = dossier(entries=[ineligible_entry()])
    problem = refused(
        await service.http.post("/v1/eligibility", json=hopeless, headers=tokens.client()),
        422,
        "all-entries-ineligible",
    )
    assert problem["errors"][0]["full_name"] == "Lê Văn Chưa Đủ"
    refused(await service.http.post("/v1/eligibility", json=dossier()), 401, "missing-token")
    refused(
        await service.http.post(
            "/v1/eligibility", json=dossier(), headers=tokens.staff("AH-DS-TT-THCS", "clerk")
        ),
        403,
        "insufficient-scope",
    )
    refused(
        await service.http.post("/v1/eligibility", json={"award_code": "BKTTG"}, headers=tokens.client()),
        422,
        "validation-failed",
    )
    await service.relayed()
    assert service.events(Topic.INTAKE_EVENTS) == []
