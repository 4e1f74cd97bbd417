"""Intake's validation, pure: permission, organisation, award, review path, eligibility, quotas."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from contracts.dossiers import DossierSubmission
from contracts.names import search_key
from contracts.samples import eligible_record
from servicekit.errors import DomainError
from services.intake.clients import RegisteredClient
from services.intake.domain.catalogue import default_catalogue
from services.intake.domain.eligibility import QuotaSetting
from services.intake.domain.organisations import default_registry, review_profile
from services.intake.validation import DossierValidator, RevokedTitle
from tools.demo import DEMO_ORGANISATION, demo_dossier

TODAY = date(2026, 11, 24)
CLIENT = RegisteredClient(
    client_id="c", secret_sha256="0" * 64, organisations=frozenset({DEMO_ORGANISATION, "BNV", "NOPE"})
)


def _validator(profile: str | None = None, quotas: tuple[QuotaSetting, ...] = ()) -> DossierValidator:
    forced = review_profile(profile) if profile else None
    return DossierValidator(default_catalogue(), default_registry(), forced, quotas)


def _submission(**changes: Any) -> DossierSubmission:
    return DossierSubmission.model_validate({**demo_dossier(TODAY.year), **changes})


def _problem(submission: DossierSubmission, validator: DossierValidator | None = None) -> str:
    with pytest.raises(DomainError) as raised:
        (validator or _validator()).validate(submission, CLIENT, TODAY)
    return raised.value.code


def test_an_eligible_dossier_is_routed_through_its_review_chain() -> None:
    checked = _validator().validate(_submission(), CLIENT, TODAY)
    assert checked.rule_set_id == "ND152-2025"
    assert [(step.level.value, step.organisation) for step in checked.review_chain] == [
        ("unit", "AH-DS-TT-THCS"),
        ("district", "AH-DS-TT"),
        ("province", "AH"),
        ("central", "TTG"),
    ]
    assert (checked.deciding_organisation, checked.issuer_code) == ("TTG", "TTg")
    assert [entry.eligibility.outcome for entry in checked.entries] == ["eligible"]


def test_the_chain_and_the_award_carry_the_names_people_read() -> None:
    checked = _validator().validate(_submission(), CLIENT, TODAY)
    registry = default_registry()
    assert checked.review_chain and all(
        step.organisation_name == registry.get(step.organisation).name_vi for step in checked.review_chain
    )
    assert checked.award_name_en == "Prime Minister's Certificate of Merit"
    assert checked.particulars is not None
    assert checked.particulars.award_name_vi == "Bằng khen của Thủ tướng Chính phủ"
    assert checked.particulars.proposer_name_vi == "Chủ tịch Ủy ban nhân dân tỉnh An Hà"
    assert [(step.level_name_vi, step.level_name_en) for step in checked.review_chain] == [
        ("cấp cơ sở", "unit level"),
        ("cấp xã", "commune level"),
        ("cấp tỉnh", "provincial level"),
        ("cấp trung ương", "central level"),
    ]


def test_a_forced_profile_overrides_the_date() -> None:
    assert _validator().profile_for(TODAY).name == "two_tier_2025"
    forced = _validator("four_level")
    assert forced.profile_for(TODAY).name == "four_level"
    checked = forced.validate(_submission(), CLIENT, TODAY)
    assert [step.level.value for step in checked.review_chain] == ["unit", "province", "central"]


def test_rules_in_force_on_the_submission_date_are_recorded() -> None:
    checked = _validator().validate(_submission(proposal_year=2025), CLIENT, date(2025, 6, 30))
    assert checked.rule_set_id == "ND98-2023"
    assert {entry.eligibility.rule_set_id for entry in checked.entries} == {"ND98-2023"}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"submitting_organisation": "AH-TL-HB-TYT"}, "organisation-not-permitted"),
        ({"submitting_organisation": "NOPE"}, "unknown-organisation"),
        ({"award_code": "NOPE"}, "unknown-award"),
        ({"submitting_organisation": "BNV", "award_code": "LDTT"}, "no-review-path"),
        ({"entries": [{"full_name": "Chưa đủ"}]}, "all-entries-ineligible"),
    ],
)
def test_refusals(changes: dict[str, Any], code: str) -> None:
    assert _problem(_submission(**changes)) == code


def test_before_the_law_took_effect_no_rule_set_applies() -> None:
    with pytest.raises(DomainError) as raised:
        _validator().validate(_submission(), CLIENT, date(2023, 12, 31))
    assert raised.value.code == "no-rule-set-in-force"


def _cstdcs_entries(count: int) -> list[dict[str, Any]]:
    record = {"ratings": [{"year": TODAY.year, "rating": "excellent"}]}
    return [{"full_name": f"Người {n}", "record": record} for n in range(count)]


def test_quotas_are_off_by_default_and_applied_per_issuer_when_configured() -> None:
    dossier = _submission(award_code="CSTDCS", entries=_cstdcs_entries(3))
    assert [e.eligibility.outcome for e in _validator().validate(dossier, CLIENT, TODAY).entries] == [
        "eligible"
    ] * 3

    quota = QuotaSetting("AH-DS-TT", "CSTDCS", Fraction(1, 10), "configured for the test")
    capped = _validator(quotas=(quota,))
    assert _problem(dossier, capped) == "quota-count-required"
    counted = _submission(award_code="CSTDCS", entries=_cstdcs_entries(3), unit_lao_dong_tien_tien_count=20)
    outcomes = [e.eligibility.outcome for e in capped.validate(counted, CLIENT, TODAY).entries]
    assert outcomes == ["eligible", "eligible", "manual_review"]  # ⌊20 × 1/10⌋ = 2; unconfirmed cap
    elsewhere = QuotaSetting("AH-TL-HB", "CSTDCS", Fraction(1, 10), "another commune's cap")
    assert (
        _validator(quotas=(elsewhere,)).validate(dossier, CLIENT, TODAY).entries[2].eligibility.outcome
        == "eligible"
    )


def test_some_ineligible_entries_are_flagged_not_refused() -> None:
    dossier = _submission(entries=[*demo_dossier(TODAY.year)["entries"], {"full_name": "Chưa đủ"}])
    checked = _validator().validate(dossier, CLIENT, TODAY)
    assert [entry.eligibility.outcome for entry in checked.entries] == ["eligible", "ineligible"]
    assert eligible_record(TODAY.year)["awards"], "the demo record must carry the prerequisite award"


def test_council_and_public_comment_requirements_travel_with_the_dossier() -> None:
    unit_council = (
        _validator()
        .validate(_submission(award_code="CSTDCS", entries=_cstdcs_entries(1)), CLIENT, TODAY)
        .council
    )
    assert unit_council is not None
    assert (
        unit_council.level.value,
        unit_council.threshold_numerator,
        unit_council.threshold_denominator,
    ) == (
        "district",
        4,
        5,
    ), "the commune's council votes on the CSTĐCS its chairman decides"
    bktgg = _validator().validate(_submission(), CLIENT, TODAY)
    assert bktgg.council is None and bktgg.public_comment == []


def test_a_centrally_decided_award_is_voted_by_the_province_council() -> None:
    from services.intake.validation import council_requirement

    rule_set = default_catalogue().rule_set_for(TODAY)
    award = rule_set.award("CSTDTQ")
    assert award is not None
    requirement = council_requirement(award, [step for step in award.review_path])
    assert requirement is not None and requirement.level.value == "province"
    assert (requirement.threshold_numerator, requirement.threshold_denominator) == (9, 10)


def test_the_decision_particulars_come_from_the_catalogue_and_the_organisation_registry() -> None:
    particulars = _validator().validate(_submission(), CLIENT, TODAY).particulars
    assert particulars is not None
    assert (particulars.award_name_vi, particulars.award_is_title) == (
        "Bằng khen của Thủ tướng Chính phủ",
        False,
    )
    assert particulars.period_year == TODAY.year
    assert particulars.issuer.name_vi == "Thủ tướng Chính phủ" and particulars.issuer.place_vi == "Hà Nội"
    assert particulars.issuer.parent_name_vi is None, "a central body prints no parent"
    assert particulars.proposer_name_vi == "Chủ tịch Ủy ban nhân dân tỉnh An Hà"
    assert particulars.legal_basis[0] == "Luật Thi đua, khen thưởng"
    assert particulars.legal_basis[1].startswith("Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025")


def _cstd_tinh(held_cstdcs_numbers: list[str]) -> DossierSubmission:
    """Chiến sĩ thi đua tỉnh: three consecutive CSTĐCS titles and a province-wide initiative."""
    year = TODAY.year
    record = {
        "ratings": [{"year": y, "rating": "excellent"} for y in range(year - 2, year + 1)],
        "awards": [
            {"award_code": "CSTDCS", "year": y, "commendation_type": "cong_trang", "decision_number": number}
            for y, number in zip(range(year - 2, year + 1), held_cstdcs_numbers, strict=True)
        ]
        + [
            {
                "award_code": "LDTT",
                "year": year,
                "commendation_type": "cong_trang",
                "decision_number": "09/QĐ-UBND",
            }
        ],
        "initiatives": [
            {"year": year, "scope": "ministry_province", "kind": "initiative", "title": "Sổ tay số hóa"}
        ],
    }
    entry = {"kind": "individual", "full_name": "Nguyễn Thị Minh Khai", "record": record}
    return _submission(award_code="CSTD_TINH", entries=[entry])


def test_a_revoked_title_stops_counting_toward_a_later_award() -> None:
    submission = _cstd_tinh(["01/QĐ-UBND", "02/QĐ-UBND", "03/QĐ-UBND"])
    validator = _validator()
    assert [e.eligibility.outcome for e in validator.validate(submission, CLIENT, TODAY).entries] == [
        "eligible"
    ]
    other_person = RevokedTitle("02/QĐ-UBND", "CSTDCS", TODAY.year - 1, search_key("Trần Văn Bình"))
    assert [
        e.eligibility.outcome for e in validator.validate(submission, CLIENT, TODAY, [other_person]).entries
    ] == ["eligible"], "a revocation of someone else's line does not touch this nominee"
    revoked = RevokedTitle("02/QĐ-UBND", "CSTDCS", TODAY.year - 1, search_key("Nguyen Thi Minh Khai"))
    with pytest.raises(DomainError) as raised:
        validator.validate(submission, CLIENT, TODAY, [revoked])
    assert raised.value.code == "all-entries-ineligible", "the chain of three CSTĐCS is broken"


def test_titles_already_held_for_the_same_period_travel_with_each_entry() -> None:
    checked = _validator().validate(_cstd_tinh(["01/QĐ-UBND", "02/QĐ-UBND", "03/QĐ-UBND"]), CLIENT, TODAY)
    held = checked.entries[0].same_period_titles
    assert sorted((title.award_code, title.year, str(title.multiple)) for title in held) == [
        ("CSTDCS", TODAY.year, "1.0"),
        ("LDTT", TODAY.year, "0.3"),
    ]
