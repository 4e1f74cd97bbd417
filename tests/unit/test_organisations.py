"""The organisation registry, its relations, and review chains under both review profiles."""

from __future__ import annotations

import json
from datetime import date

import pytest

from contracts.events import ReviewLevel
from services.intake.domain.catalogue import AwardDefinition, default_catalogue
from services.intake.domain.errors import NoActingOrganisation, UnknownOrganisation, UnknownReviewProfile
from services.intake.domain.organisations import (
    DEFAULT_REVIEW_PROFILE,
    Organisation,
    OrganisationRegistry,
    OrgLevel,
    Relation,
    ReviewProfile,
    ReviewStep,
    default_registry,
    review_chain,
    review_profile,
    review_profiles,
)

SCHOOL = "AH-DS-TT-THCS"  # unit → commune AH-DS-TT → district AH-DS → province AH → TTG
COMMUNE = "AH-DS-TT"
HIGH_SCHOOL = "AH-SGDDT-THPT"  # unit → Sở GD&ĐT → province

U, D, P, C = ReviewLevel.UNIT, ReviewLevel.DISTRICT, ReviewLevel.PROVINCE, ReviewLevel.CENTRAL
RULES = default_catalogue().rule_set("ND152-2025")


def _award(code: str) -> AwardDefinition:
    award = RULES.award(code)
    assert award is not None
    return award


def _org(code: str, level: OrgLevel, parent: str | None) -> Organisation:
    return Organisation(
        code=code,
        name_vi=code,
        level=level,
        parent_code=parent,
        issuer_code="UBND",
        signer_title_vi="Chủ tịch",
        place_vi="An Hà",
    )


# --- the registry -------------------------------------------------------------------------


def test_sample_seed_is_marked_sample_and_holds_the_expected_bodies() -> None:
    registry = default_registry()
    assert registry.sample is True
    levels = [o.level for o in registry]
    assert levels.count(OrgLevel.DISTRICT) == 2
    assert levels.count(OrgLevel.COMMUNE) == 4
    assert levels.count(OrgLevel.UNIT) == 3
    assert levels.count(OrgLevel.PROVINCE_DEPARTMENT) == 3
    assert {"TTG", "CTN", "BNV"} <= {o.code for o in registry}
    assert registry.get("TTG").issuer_code == "TTg"
    assert registry.get("CTN").issuer_code == "CTN"
    assert registry.get("AH").issuer_code == "UBND"
    assert registry.get("AH-SGDDT").issuer_code == "SGDĐT"
    assert len(registry) == len(list(registry))


def test_default_registry_is_loaded_once() -> None:
    assert default_registry() is default_registry()


def test_ancestors_are_nearest_first() -> None:
    registry = default_registry()
    assert [o.code for o in registry.ancestors(SCHOOL)] == ["AH-DS-TT", "AH-DS", "AH", "TTG"]
    assert registry.ancestors("TTG") == ()


def test_children_are_direct_and_ordered_by_code() -> None:
    assert [o.code for o in default_registry().children("AH-DS")] == ["AH-DS-DH", "AH-DS-TT"]
    assert default_registry().children(SCHOOL) == ()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param(SCHOOL, SCHOOL, Relation.OWN, id="own"),
        pytest.param(SCHOOL, COMMUNE, Relation.PARENT, id="parent"),
        pytest.param(COMMUNE, SCHOOL, Relation.CHILD, id="child"),
        pytest.param(SCHOOL, "AH", Relation.ANCESTOR, id="ancestor"),
        pytest.param("AH", SCHOOL, Relation.DESCENDANT, id="descendant"),
        pytest.param("AH-DS-TT", "AH-DS-DH", Relation.SIBLING, id="sibling"),
        pytest.param("AH-SNV", "AH-DS", Relation.SIBLING, id="sibling-different-levels"),
        pytest.param(SCHOOL, "AH-TL-HB-TYT", Relation.UNRELATED, id="cousins-are-unrelated"),
        pytest.param("TTG", "CTN", Relation.UNRELATED, id="two-roots"),
    ],
)
def test_relation(a: str, b: str, expected: Relation) -> None:
    assert default_registry().relation(a, b) is expected


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda r: r.get("NOPE"), id="get"),
        pytest.param(lambda r: r.ancestors("NOPE"), id="ancestors"),
        pytest.param(lambda r: r.children("NOPE"), id="children"),
        pytest.param(lambda r: r.relation(SCHOOL, "NOPE"), id="relation"),
    ],
)
def test_unknown_organisation_is_a_domain_error(call) -> None:
    with pytest.raises(UnknownOrganisation) as caught:
        call(default_registry())
    assert caught.value.code == "NOPE"
    assert "NOPE" not in default_registry()


@pytest.mark.parametrize(
    ("organisations", "message"),
    [
        pytest.param(
            [_org("A", OrgLevel.PROVINCE, None), _org("A", OrgLevel.COMMUNE, None)],
            "duplicate",
            id="duplicate",
        ),
        pytest.param([_org("A", OrgLevel.COMMUNE, "B")], "unknown parent", id="unknown-parent"),
        pytest.param(
            [_org("A", OrgLevel.COMMUNE, "B"), _org("B", OrgLevel.DISTRICT, "A")], "cycle", id="cycle"
        ),
        pytest.param([_org("A", OrgLevel.COMMUNE, "A")], "cycle", id="self-parent"),
    ],
)
def test_registry_refuses_a_broken_seed(organisations: list[Organisation], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OrganisationRegistry(organisations)


def test_seed_rejects_unknown_fields() -> None:
    seed = {"sample": True, "organisations": [{**_org("A", OrgLevel.UNIT, None).__dict__, "extra": 1}]}
    with pytest.raises(ValueError, match="extra"):
        OrganisationRegistry.from_json(json.dumps(seed))


# --- review profiles and chains -------------------------------------------------------------


def test_profiles_are_data_selected_by_name() -> None:
    assert set(review_profiles()) == {"four_level", "two_tier_2025"}
    assert review_profile(DEFAULT_REVIEW_PROFILE).name == "four_level"
    two_tier = review_profile("two_tier_2025")
    assert two_tier.tiers[D] == ()
    assert two_tier.tier_of(OrgLevel.COMMUNE) is U
    assert two_tier.tier_of(OrgLevel.DISTRICT) is None
    assert "NĐ 129/2025/NĐ-CP Điều 59" in two_tier.legal_basis


def test_unknown_profile_is_a_domain_error() -> None:
    with pytest.raises(UnknownReviewProfile):
        review_profile("three_level")


@pytest.mark.parametrize(
    "tiers",
    [
        pytest.param(
            {U: ("unit",), D: ("unit",), P: ("province",), C: ("central",)}, id="level-in-two-tiers"
        ),
        pytest.param({U: ("unit",), P: ("province",), C: ("central",)}, id="missing-review-level"),
    ],
)
def test_profile_validation(tiers: dict[ReviewLevel, tuple[str, ...]]) -> None:
    with pytest.raises(ValueError):
        ReviewProfile.model_validate(
            {"name": "x", "description_vi": "x", "description_en": "x", "legal_basis": [], "tiers": tiers}
        )


def _chain(profile: str, org: str, award: str) -> list[tuple[ReviewLevel, str]]:
    steps = review_chain(default_registry(), review_profile(profile), org, _award(award))
    return [(s.level, s.organisation_code) for s in steps]


@pytest.mark.parametrize(
    ("profile", "org", "award", "expected"),
    [
        pytest.param(
            "four_level", SCHOOL, "BKTTG", [(U, COMMUNE), (D, "AH-DS"), (P, "AH"), (C, "TTG")], id="4l-bkttg"
        ),
        pytest.param(
            "two_tier_2025",
            SCHOOL,
            "BKTTG",
            [(U, COMMUNE), (P, "AH"), (C, "TTG")],
            id="2t-bkttg-skips-district",
        ),
        pytest.param(
            "four_level",
            SCHOOL,
            "HCLD_HANG_BA",
            [(U, COMMUNE), (D, "AH-DS"), (P, "AH"), (C, "CTN")],
            id="4l-hcld",
        ),
        pytest.param(
            "two_tier_2025", SCHOOL, "HCLD_HANG_BA", [(U, COMMUNE), (P, "AH"), (C, "CTN")], id="2t-hcld"
        ),
        pytest.param("four_level", SCHOOL, "LDTT", [(U, COMMUNE)], id="4l-ldtt-commune-decides"),
        pytest.param("two_tier_2025", SCHOOL, "LDTT", [(U, COMMUNE)], id="2t-ldtt-commune-decides"),
        pytest.param("four_level", SCHOOL, "TTLDXS", [(U, COMMUNE), (D, "AH-DS"), (P, "AH")], id="4l-ttldxs"),
        pytest.param("two_tier_2025", SCHOOL, "TTLDXS", [(U, COMMUNE), (P, "AH")], id="2t-ttldxs"),
        pytest.param(
            "four_level",
            HIGH_SCHOOL,
            "BKTTG",
            [(U, "AH-SGDDT"), (P, "AH"), (C, "TTG")],
            id="4l-department-unit",
        ),
        pytest.param(
            "two_tier_2025", HIGH_SCHOOL, "LDTT", [(U, "AH-SGDDT")], id="2t-department-decides-ldtt"
        ),
        pytest.param(
            "two_tier_2025", COMMUNE, "BKTTG", [(U, COMMUNE), (P, "AH"), (C, "TTG")], id="2t-commune-itself"
        ),
        pytest.param("four_level", "AH", "BKTTG", [(P, "AH"), (C, "TTG")], id="province-submits"),
    ],
)
def test_review_chain(profile: str, org: str, award: str, expected: list[tuple[ReviewLevel, str]]) -> None:
    assert _chain(profile, org, award) == expected


def test_review_chain_returns_steps() -> None:
    steps = review_chain(default_registry(), review_profile("two_tier_2025"), SCHOOL, _award("BKTTG"))
    assert steps[-1] == ReviewStep(C, "TTG")


def test_submitter_above_the_deciding_level_has_no_chain() -> None:
    with pytest.raises(NoActingOrganisation, match="unit level"):
        _chain("four_level", "AH", "LDTT")


def test_decider_of_a_level_the_award_does_not_allow_is_refused() -> None:
    award = _award("LDTT")
    communes_only = award.model_copy(
        update={"deciding": award.deciding.model_copy(update={"organisation_levels": (OrgLevel.COMMUNE,)})}
    )
    with pytest.raises(NoActingOrganisation, match="may not decide"):
        review_chain(default_registry(), review_profile("two_tier_2025"), HIGH_SCHOOL, communes_only)


def test_unknown_submitter_is_a_domain_error() -> None:
    with pytest.raises(UnknownOrganisation):
        _chain("four_level", "NOPE", "BKTTG")


@pytest.mark.parametrize("profile", ["four_level", "two_tier_2025"])
@pytest.mark.parametrize("on", [date(2024, 6, 1), date(2025, 7, 1)], ids=["ND98", "ND152"])
def test_every_award_has_a_chain_from_every_unit(profile: str, on: date) -> None:
    registry = default_registry()
    rule_set = default_catalogue().rule_set_for(on)
    units = [o.code for o in registry if o.level is OrgLevel.UNIT]
    for award in rule_set.awards.values():
        for unit in units:
            steps = review_chain(registry, review_profile(profile), unit, award)
            assert steps[-1].level is award.deciding.level
            assert [s.level for s in steps] == [
                lvl for lvl in award.review_path if lvl in {s.level for s in steps}
            ]
            assert registry.get(steps[-1].organisation_code).level in award.deciding.organisation_levels
