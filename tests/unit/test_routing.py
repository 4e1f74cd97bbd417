"""Issue 18: a dossier climbs the four review levels as the organisation structure in force on its
submission date fills them (DOMAIN.md §3.1, "The four review levels after the reform"), and its
decision names the body that proposed it to the signer (Luật TĐKT Điều 83; DOMAIN.md §4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.dossiers import DossierSubmission
from contracts.samples import eligible_record
from servicekit.errors import DomainError
from services.intake.clients import RegisteredClient
from services.intake.domain.catalogue import default_catalogue
from services.intake.domain.organisations import default_registry
from services.intake.validation import DossierValidator, ValidatedDossier

SCHOOL = "AH-DS-TT-THCS"  # Trường Trung học cơ sở Tân Tiến
COMMUNE = "AH-DS-TT"  # xã Tân Tiến: under huyện Đông Sơn until 30/06/2025, under the province since
DISTRICT = "AH-DS"  # huyện Đông Sơn, abolished from 01/07/2025
LAST_DAY_OF_DISTRICTS = date(2025, 6, 30)
FIRST_DAY_OF_COMMUNES = date(2025, 7, 1)
LATER = date(2026, 12, 1)

CLIENT = RegisteredClient(
    client_id="c", secret_sha256="0" * 64, organisations=frozenset(o.code for o in default_registry())
)


def _validate(organisation: str, award: str, day: date, **entry: Any) -> ValidatedDossier:
    nominee = {"kind": "individual", "full_name": "Nguyễn Thị Minh Khai", "record": eligible_record(day.year)}
    body = {
        "submitting_organisation": organisation,
        "award_code": award,
        "proposal_year": day.year,
        "entries": [{**nominee, **entry}],
    }
    validator = DossierValidator(default_catalogue(), default_registry())
    return validator.validate(DossierSubmission.model_validate(body), CLIENT, day)


def _chain(checked: ValidatedDossier) -> list[tuple[str, str]]:
    return [(step.level.value, step.organisation) for step in checked.review_chain]


@pytest.mark.parametrize(
    ("day", "second_level"),
    [
        pytest.param(LAST_DAY_OF_DISTRICTS, DISTRICT, id="2025-06-30-the-district"),
        pytest.param(FIRST_DAY_OF_COMMUNES, COMMUNE, id="2025-07-01-the-commune"),
        pytest.param(LATER, COMMUNE, id="2026-12-01-the-commune"),
    ],
)
def test_a_schools_prime_minister_award_climbs_the_four_levels_of_its_day(
    day: date, second_level: str
) -> None:
    checked = _validate(SCHOOL, "BKTTG", day)
    assert _chain(checked) == [
        ("unit", SCHOOL),
        ("district", second_level),
        ("province", "AH"),
        ("central", "TTG"),
    ]
    assert (checked.deciding_organisation, checked.rule_set_id) == (
        "TTG",
        "ND98-2023" if day < FIRST_DAY_OF_COMMUNES else "ND152-2025",
    )


@pytest.mark.parametrize(
    ("organisation", "award", "day", "entry", "expected"),
    [
        pytest.param(
            SCHOOL,
            "GIAY_KHEN",
            LATER,
            {},
            [("unit", SCHOOL), ("district", COMMUNE)],
            id="a-commune-chairmans-giay-khen-ends-at-the-commune",
        ),
        pytest.param(
            SCHOOL,
            "GIAY_KHEN",
            LAST_DAY_OF_DISTRICTS,
            {},
            [("unit", SCHOOL), ("district", DISTRICT)],
            id="before-the-reform-the-district-chairman-decided-it",
        ),
        pytest.param(
            COMMUNE,
            "BKTTG",
            LATER,
            {},
            [("unit", COMMUNE), ("province", "AH"), ("central", "TTG")],
            id="a-commune-goes-from-the-unit-level-straight-to-the-province",
        ),
        pytest.param(
            "AH-SGDDT",
            "BANG_KHEN_TINH",
            LATER,
            {},
            [("unit", "AH-SGDDT"), ("province", "AH")],
            id="a-provincial-department-too",
        ),
        pytest.param(
            COMMUNE,
            "CSTDCS",
            LATER,
            {"record": {"ratings": [{"year": LATER.year, "rating": "excellent"}]}},
            [("unit", COMMUNE)],
            id="the-commune-holds-the-former-district-power-over-cstdcs",
        ),
        pytest.param(
            COMMUNE,
            "CSTDCS",
            LAST_DAY_OF_DISTRICTS,
            {"record": {"ratings": [{"year": 2025, "rating": "excellent"}]}},
            [("unit", COMMUNE), ("district", DISTRICT)],
            id="which-the-district-held-before",
        ),
    ],
)
def test_where_a_dossier_ends(
    organisation: str, award: str, day: date, entry: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert _chain(_validate(organisation, award, day, **entry)) == expected


def test_an_abolished_district_cannot_submit_after_the_reform() -> None:
    with pytest.raises(DomainError) as raised:
        _validate(DISTRICT, "BKTTG", LATER)
    assert raised.value.code == "organisation-not-in-force"
    assert "Ủy ban nhân dân huyện Đông Sơn" in raised.value.message_vi
    assert _chain(_validate(DISTRICT, "BKTTG", LAST_DAY_OF_DISTRICTS))[0] == ("unit", DISTRICT)


@pytest.mark.parametrize(
    ("organisation", "award", "day", "entry", "proposer"),
    [
        pytest.param(
            SCHOOL,
            "BKTTG",
            LATER,
            {},
            "Chủ tịch Ủy ban nhân dân tỉnh An Hà",
            id="prime-minister-the-province",
        ),
        pytest.param(
            SCHOOL,
            "HCLD_HANG_BA",
            LATER,
            {"kind": "collective", "full_name": "Tổ Toán", "record": {}},
            "Thủ tướng Chính phủ",
            id="state-president-the-prime-minister",
        ),
        pytest.param(
            SCHOOL, "BANG_KHEN_TINH", LATER, {}, "Giám đốc Sở Nội vụ", id="province-its-standing-body"
        ),
        pytest.param(
            SCHOOL,
            "GIAY_KHEN",
            LATER,
            {},
            "Hiệu trưởng Trường Trung học cơ sở Tân Tiến",
            id="commune-the-school-below-it",
        ),
        pytest.param(
            SCHOOL,
            "GIAY_KHEN",
            LAST_DAY_OF_DISTRICTS,
            {},
            "Hiệu trưởng Trường Trung học cơ sở Tân Tiến",
            id="district-the-school-below-it",
        ),
        pytest.param(
            COMMUNE,
            "LDTT",
            LATER,
            {"record": {"ratings": [{"year": LATER.year, "rating": "good"}]}},
            "Hội đồng Thi đua - Khen thưởng xã Tân Tiến",
            id="unit-its-own-council",
        ),
    ],
)
def test_the_decision_names_who_proposed_it_to_the_signer(
    organisation: str, award: str, day: date, entry: dict[str, Any], proposer: str
) -> None:
    particulars = _validate(organisation, award, day, **entry).particulars
    assert particulars is not None
    assert particulars.proposer_name_vi == proposer
