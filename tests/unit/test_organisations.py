"""The organisation registry over time, its relations on a day, and review chains under both
review profiles (the structures before and after 01/07/2025)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from contracts.events import ReviewLevel
from services.intake.domain.catalogue import AwardDefinition, default_catalogue
from services.intake.domain.errors import (
    NoActingOrganisation,
    NoReviewProfileInForce,
    OrganisationNotInForce,
    UnknownOrganisation,
    UnknownReviewProfile,
)
from services.intake.domain.organisations import (
    Organisation,
    OrganisationRegistry,
    OrgLevel,
    ParentLink,
    Relation,
    ReviewProfile,
    ReviewStep,
    default_registry,
    proposer_vi,
    review_chain,
    review_profile,
    review_profile_for,
    review_profiles,
)

SCHOOL = "AH-DS-TT-THCS"  # until 30/06/2025 under district AH-DS; since, under commune AH-DS-TT
COMMUNE = "AH-DS-TT"  # until 30/06/2025 under district AH-DS; since, under the province AH
DISTRICT = "AH-DS"  # abolished from 01/07/2025
HIGH_SCHOOL = "AH-SGDDT-THPT"  # under the Sở GD&ĐT
BEFORE = date(2025, 6, 30)
AFTER = date(2025, 7, 1)
NOW = date(2026, 12, 1)

U, D, P, C = ReviewLevel.UNIT, ReviewLevel.DISTRICT, ReviewLevel.PROVINCE, ReviewLevel.CENTRAL


def _award(code: str, rule_set: str = "ND152-2025") -> AwardDefinition:
    award = default_catalogue().rule_set(rule_set).award(code)
    assert award is not None
    return award


def _org(
    code: str,
    level: OrgLevel,
    *parents: ParentLink | str,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Organisation:
    return Organisation(
        code=code,
        name_vi=code,
        level=level,
        parents=tuple(ParentLink(code=p) if isinstance(p, str) else p for p in parents),
        issuer_code="UBND",
        signer_title_vi="Chủ tịch",
        place_vi="An Hà",
        valid_from=valid_from,
        valid_to=valid_to,
    )


# --- the registry -------------------------------------------------------------------------


def test_sample_seed_is_marked_sample_and_holds_the_expected_bodies() -> None:
    registry = default_registry()
    assert registry.sample is True
    levels = [o.level for o in registry]
    assert levels.count(OrgLevel.DISTRICT) == 2
    assert levels.count(OrgLevel.COMMUNE) == 4
    assert levels.count(OrgLevel.UNIT) == 5
    assert levels.count(OrgLevel.PROVINCE_DEPARTMENT) == 3
    assert {"TTG", "CTN", "BNV"} <= {o.code for o in registry}
    assert registry.get("TTG").issuer_code == "TTg"
    assert registry.get("CTN").issuer_code == "CTN"
    assert registry.get("AH").issuer_code == "UBND"
    assert registry.get("AH-SGDDT").issuer_code == "SGDĐT"
    assert len(registry) == len(list(registry))


def test_default_registry_is_loaded_once() -> None:
    assert default_registry() is default_registry()


@pytest.mark.parametrize(
    ("day", "ancestors"),
    [
        pytest.param(date(2024, 1, 1), [DISTRICT, "AH", "TTG"], id="2024"),
        pytest.param(BEFORE, [DISTRICT, "AH", "TTG"], id="last-day-of-districts"),
        pytest.param(AFTER, [COMMUNE, "AH", "TTG"], id="first-day-of-the-commune"),
        pytest.param(NOW, [COMMUNE, "AH", "TTG"], id="2026"),
    ],
)
def test_a_schools_managing_organisation_depends_on_the_day(day: date, ancestors: list[str]) -> None:
    tree = default_registry().as_of(day)
    assert [o.code for o in tree.ancestors(SCHOOL)] == ancestors
    assert tree.ancestors("TTG") == ()


def test_a_district_exists_until_the_reform_and_stays_in_the_registry() -> None:
    registry = default_registry()
    assert DISTRICT in registry.as_of(BEFORE) and DISTRICT not in registry.as_of(AFTER)
    assert registry.get(DISTRICT).name_vi == "Ủy ban nhân dân huyện Đông Sơn", "old decisions keep its name"
    with pytest.raises(OrganisationNotInForce) as caught:
        registry.as_of(AFTER).get(DISTRICT)
    assert (caught.value.code, caught.value.day) == (DISTRICT, AFTER)


def test_children_are_direct_and_ordered_by_code() -> None:
    before, after = default_registry().as_of(BEFORE), default_registry().as_of(AFTER)
    assert [o.code for o in before.children(DISTRICT)] == ["AH-DS-DH", COMMUNE, "AH-DS-TT-TH", SCHOOL]
    assert before.children(COMMUNE) == ()
    assert [o.code for o in after.children(COMMUNE)] == ["AH-DS-TT-TH", SCHOOL]
    assert [o.code for o in after.children(SCHOOL)] == ["AH-DS-TT-THCS-KHTN"]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param(SCHOOL, SCHOOL, Relation.OWN, id="own"),
        pytest.param(SCHOOL, COMMUNE, Relation.PARENT, id="parent"),
        pytest.param(COMMUNE, SCHOOL, Relation.CHILD, id="child"),
        pytest.param(SCHOOL, "AH", Relation.ANCESTOR, id="ancestor"),
        pytest.param("AH", SCHOOL, Relation.DESCENDANT, id="descendant"),
        pytest.param("AH-DS-TT", "AH-DS-DH", Relation.SIBLING, id="sibling"),
        pytest.param("AH-SNV", "AH-DS-TT", Relation.SIBLING, id="sibling-different-levels"),
        pytest.param(SCHOOL, "AH-TL-HB-TYT", Relation.UNRELATED, id="cousins-are-unrelated"),
        pytest.param("TTG", "CTN", Relation.UNRELATED, id="two-roots"),
    ],
)
def test_relation(a: str, b: str, expected: Relation) -> None:
    assert default_registry().as_of(NOW).relation(a, b) is expected


def test_relations_follow_the_day() -> None:
    assert default_registry().as_of(BEFORE).relation(SCHOOL, COMMUNE) is Relation.SIBLING
    assert default_registry().as_of(BEFORE).relation(SCHOOL, DISTRICT) is Relation.PARENT


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda r: r.get("NOPE"), id="get"),
        pytest.param(lambda r: r.as_of(NOW).get("NOPE"), id="get-on-a-day"),
        pytest.param(lambda r: r.as_of(NOW).ancestors("NOPE"), id="ancestors"),
        pytest.param(lambda r: r.as_of(NOW).children("NOPE"), id="children"),
        pytest.param(lambda r: r.as_of(NOW).relation(SCHOOL, "NOPE"), id="relation"),
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
            [_org("A", OrgLevel.PROVINCE), _org("A", OrgLevel.COMMUNE)],
            "duplicate",
            id="duplicate",
        ),
        pytest.param([_org("A", OrgLevel.COMMUNE, "B")], "unknown parent", id="unknown-parent"),
        pytest.param(
            [_org("A", OrgLevel.COMMUNE, "B"), _org("B", OrgLevel.DISTRICT, "A")], "cycle", id="cycle"
        ),
        pytest.param([_org("A", OrgLevel.COMMUNE, "A")], "cycle", id="self-parent"),
        pytest.param(
            [
                _org("P", OrgLevel.PROVINCE),
                _org("D", OrgLevel.DISTRICT, "P", valid_to=BEFORE),
                _org("C", OrgLevel.COMMUNE, "D"),
            ],
            "does not exist then",
            id="parent-abolished-before-the-child-moves",
        ),
        pytest.param(
            [
                _org("P", OrgLevel.PROVINCE),
                _org(
                    "C",
                    OrgLevel.COMMUNE,
                    ParentLink(code="P", valid_to=AFTER),
                    ParentLink(code="P", valid_from=AFTER),
                ),
            ],
            "overlap",
            id="two-parents-on-one-day",
        ),
        pytest.param(
            [_org("P", OrgLevel.PROVINCE, valid_from=AFTER, valid_to=BEFORE)],
            "before it starts",
            id="interval",
        ),
    ],
)
def test_registry_refuses_a_broken_seed(organisations: list[Organisation], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OrganisationRegistry(organisations)


def test_a_cycle_on_one_day_only_is_refused_at_load() -> None:
    later = date(2030, 1, 1)
    with pytest.raises(ValueError, match="cycle"):
        OrganisationRegistry(
            [
                _org("A", OrgLevel.COMMUNE, ParentLink(code="B", valid_from=later)),
                _org("B", OrgLevel.DISTRICT, "A"),
            ]
        )


def test_seed_rejects_unknown_fields() -> None:
    seed = {"sample": True, "organisations": [{**_org("A", OrgLevel.UNIT).__dict__, "extra": 1}]}
    with pytest.raises(ValueError, match="extra"):
        OrganisationRegistry.from_json(json.dumps(seed, default=str))


# --- review profiles ------------------------------------------------------------------------


def test_the_profile_is_chosen_by_date_like_the_rule_set() -> None:
    assert set(review_profiles()) == {"four_level", "two_tier_2025"}
    assert review_profile_for(date(2024, 1, 1)).name == "four_level"
    assert review_profile_for(BEFORE).name == "four_level"
    assert review_profile_for(AFTER).name == "two_tier_2025"
    assert review_profile_for(NOW).name == "two_tier_2025"
    two_tier = review_profile("two_tier_2025")
    assert two_tier.tier_of(OrgLevel.COMMUNE) is D
    assert two_tier.tier_of(OrgLevel.DISTRICT) is None
    assert two_tier.nominates(OrgLevel.COMMUNE) and not two_tier.nominates(OrgLevel.DISTRICT)
    assert OrgLevel.COMMUNE in two_tier.may_decide([OrgLevel.DISTRICT])
    assert "NĐ 129/2025/NĐ-CP Điều 59" in two_tier.legal_basis


@pytest.mark.parametrize(
    ("day", "acting", "vi", "en"),
    [
        pytest.param(BEFORE, None, "cấp huyện", "district level", id="district-before"),
        pytest.param(AFTER, None, "cấp xã", "commune level", id="commune-after"),
        pytest.param(AFTER, OrgLevel.COMMUNE, "cấp xã", "commune level", id="commune-acting"),
        pytest.param(
            AFTER, OrgLevel.PROVINCE_DEPARTMENT, "cấp sở", "provincial department level", id="department"
        ),
    ],
)
def test_the_second_level_is_named_after_who_holds_it(
    day: date, acting: OrgLevel | None, vi: str, en: str
) -> None:
    name = review_profile_for(day).level_name(D, day, acting)
    assert (name.vi, name.en) == (vi, en)
    assert review_profile_for(day).level_name(P, day).vi == "cấp tỉnh"


def test_unknown_profile_is_a_domain_error() -> None:
    with pytest.raises(UnknownReviewProfile):
        review_profile("three_level")


def test_a_day_no_profile_covers_is_a_domain_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.intake.domain import organisations

    only_after = {"two_tier_2025": review_profile("two_tier_2025")}
    monkeypatch.setattr(organisations, "review_profiles", lambda: only_after)
    with pytest.raises(NoReviewProfileInForce):
        review_profile_for(BEFORE)


def _profile(**changes: object) -> dict[str, object]:
    tiers = {U: ("unit",), D: ("district",), P: ("province",), C: ("central",)}
    return {
        "name": "x",
        "description_vi": "x",
        "description_en": "x",
        "legal_basis": [],
        "tiers": tiers,
        **changes,
    }


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(
            _profile(tiers={U: ("unit",), D: ("province",), P: ("province",), C: ("central",)}),
            id="level-in-two-tiers",
        ),
        pytest.param(
            _profile(tiers={U: ("unit",), P: ("province",), C: ("central",)}), id="missing-review-level"
        ),
    ],
)
def test_profile_validation(profile: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ReviewProfile.model_validate(profile)


def test_profiles_may_not_overlap_in_time() -> None:
    from services.intake.domain.organisations import _ProfilesFile

    both = [
        review_profile("four_level"),
        review_profile("two_tier_2025").model_copy(update={"valid_from": BEFORE}),
    ]
    with pytest.raises(ValueError, match="overlap"):
        _ProfilesFile.model_validate({"profiles": [p.model_dump() for p in both]})


def test_a_nominating_kind_may_also_act_above_others() -> None:
    profile = ReviewProfile.model_validate(
        _profile(tiers={U: ("unit", "commune"), D: ("commune",), P: ("province",), C: ("central",)})
    )
    assert profile.nominates(OrgLevel.COMMUNE) and profile.tier_of(OrgLevel.COMMUNE) is D


# --- review chains --------------------------------------------------------------------------


def _chain(day: date, org: str, award: str, profile: str | None = None) -> list[tuple[ReviewLevel, str]]:
    rules = default_catalogue().rule_set_for(day)
    chosen = review_profile(profile) if profile else review_profile_for(day)
    steps = review_chain(default_registry().as_of(day), chosen, org, _award(award, rules.id))
    return [(s.level, s.organisation_code) for s in steps]


BASIC = ("LDTT", "CSTDCS", "TTLDTT", "GIAY_KHEN")
"""Decided at the cơ sở tier (Luật Điều 80): by the head of a unit's managing body."""
COMMUNE_MAY = ("LDTT", "GIAY_KHEN")
"""What Luật Điều 80 k3 let the commune chairman decide before the reform."""
HCLD = "HCLD_HANG_BA"

# (organisation, day) → the chain of every award of a kind; rows are the sample's organisations
ROUTES: list[tuple[str, date, str, list[tuple[ReviewLevel, str]]]] = [
    # the school: its own review, then its district (before) or commune (after)
    *((SCHOOL, BEFORE, a, [(U, SCHOOL), (D, DISTRICT)]) for a in BASIC),
    *((SCHOOL, AFTER, a, [(U, SCHOOL), (D, COMMUNE)]) for a in BASIC),
    (SCHOOL, BEFORE, "BANG_KHEN_TINH", [(U, SCHOOL), (D, DISTRICT), (P, "AH")]),
    (SCHOOL, AFTER, "BANG_KHEN_TINH", [(U, SCHOOL), (D, COMMUNE), (P, "AH")]),
    (SCHOOL, BEFORE, "BKTTG", [(U, SCHOOL), (D, DISTRICT), (P, "AH"), (C, "TTG")]),
    (SCHOOL, AFTER, "BKTTG", [(U, SCHOOL), (D, COMMUNE), (P, "AH"), (C, "TTG")]),
    (SCHOOL, AFTER, HCLD, [(U, SCHOOL), (D, COMMUNE), (P, "AH"), (C, "CTN")]),
    # a tổ of the school is nominated through the school
    ("AH-DS-TT-THCS-KHTN", AFTER, "TTLDTT", [(U, SCHOOL), (D, COMMUNE)]),
    # the health station: its district, then its commune
    ("AH-TL-HB-TYT", BEFORE, "LDTT", [(U, "AH-TL-HB-TYT"), (D, "AH-TL")]),
    ("AH-TL-HB-TYT", AFTER, "LDTT", [(U, "AH-TL-HB-TYT"), (D, "AH-TL-HB")]),
    # the commune's own staff: k3 titles at home, k2 titles at the district before the reform
    *((COMMUNE, BEFORE, a, [(U, COMMUNE)]) for a in COMMUNE_MAY),
    *((COMMUNE, BEFORE, a, [(U, COMMUNE), (D, DISTRICT)]) for a in BASIC if a not in COMMUNE_MAY),
    *((COMMUNE, AFTER, a, [(U, COMMUNE)]) for a in BASIC),
    (COMMUNE, BEFORE, "BKTTG", [(U, COMMUNE), (D, DISTRICT), (P, "AH"), (C, "TTG")]),
    (COMMUNE, AFTER, "BKTTG", [(U, COMMUNE), (P, "AH"), (C, "TTG")]),
    # the district nominating its own staff, before the reform
    (DISTRICT, BEFORE, "CSTDCS", [(U, DISTRICT)]),
    (DISTRICT, BEFORE, "BANG_KHEN_TINH", [(U, DISTRICT), (P, "AH")]),
    # a school under a provincial department, and the department itself
    *((HIGH_SCHOOL, day, a, [(U, HIGH_SCHOOL), (D, "AH-SGDDT")]) for day in (BEFORE, AFTER) for a in BASIC),
    (HIGH_SCHOOL, AFTER, "BKTTG", [(U, HIGH_SCHOOL), (D, "AH-SGDDT"), (P, "AH"), (C, "TTG")]),
    *(("AH-SGDDT", AFTER, a, [(U, "AH-SGDDT")]) for a in BASIC),
    ("AH-SGDDT", AFTER, "CSTD_TINH", [(U, "AH-SGDDT"), (P, "AH")]),
    # the province and a ministry nominating their own
    ("AH", AFTER, "BANG_KHEN_TINH", [(P, "AH")]),
    ("AH", AFTER, "BKTTG", [(P, "AH"), (C, "TTG")]),
    ("BNV", AFTER, "BANG_KHEN_TINH", [(P, "BNV")]),
    ("BNV", AFTER, HCLD, [(P, "BNV"), (C, "CTN")]),
]


@pytest.mark.parametrize(
    ("org", "day", "award", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}-{row[2]}") for row in ROUTES],
)
def test_review_chain(org: str, day: date, award: str, expected: list[tuple[ReviewLevel, str]]) -> None:
    assert _chain(day, org, award) == expected


def test_review_chain_returns_steps() -> None:
    steps = review_chain(default_registry().as_of(NOW), review_profile_for(NOW), SCHOOL, _award("BKTTG"))
    assert steps[-1] == ReviewStep(C, "TTG")


def test_a_forced_profile_routes_by_its_own_tiers() -> None:
    """The structure can be forced (``TDKT_INTAKE_REVIEW_PROFILE``); the tree is still the day's."""
    assert _chain(NOW, SCHOOL, "BKTTG", "four_level") == [(U, SCHOOL), (P, "AH"), (C, "TTG")]
    assert _chain(BEFORE, SCHOOL, "BKTTG", "two_tier_2025") == [(U, SCHOOL), (P, "AH"), (C, "TTG")]


@pytest.mark.parametrize(
    ("org", "award"),
    [
        pytest.param("AH", "LDTT", id="province-above-the-cơ-sở-tier"),
        pytest.param("BNV", "GIAY_KHEN", id="ministry"),
    ],
)
def test_a_submitter_above_the_deciding_level_has_no_chain(org: str, award: str) -> None:
    with pytest.raises(NoActingOrganisation, match="may decide"):
        _chain(NOW, org, award)


def test_a_kind_the_profile_does_not_nominate_has_no_chain() -> None:
    with pytest.raises(NoActingOrganisation, match="cannot nominate"):
        _chain(BEFORE, DISTRICT, "BKTTG", "two_tier_2025")


def test_decider_of_a_level_the_award_does_not_allow_is_refused() -> None:
    award = _award("LDTT")
    communes_only = award.model_copy(
        update={"deciding": award.deciding.model_copy(update={"organisation_levels": (OrgLevel.COMMUNE,)})}
    )
    with pytest.raises(NoActingOrganisation, match="may decide"):
        review_chain(default_registry().as_of(NOW), review_profile_for(NOW), HIGH_SCHOOL, communes_only)


def test_unknown_submitter_is_a_domain_error() -> None:
    with pytest.raises(UnknownOrganisation):
        _chain(NOW, "NOPE", "BKTTG")


NOMINATORS = [
    o.code
    for o in default_registry()
    if o.level not in (OrgLevel.CENTRAL, OrgLevel.MINISTRY, OrgLevel.PROVINCE)
]


@pytest.mark.parametrize("day", [date(2024, 6, 1), BEFORE, AFTER, NOW], ids=str)
def test_every_award_routes_sensibly_from_every_sample_organisation(day: date) -> None:
    """Awards × organisations × dates: the chain rises, starts with the nominating unit's own
    review, holds only organisations of that day above the submitter, ends at an organisation the
    award allows to decide at or below its deciding level, names no district after the reform, and
    its decision names a proposer that can sign a submission to the decider."""
    tree = default_registry().as_of(day)
    profile = review_profile_for(day)
    rule_set = default_catalogue().rule_set_for(day)
    bodies = {o.proposer_title_vi: o for o in tree} | {o.council_name_vi: o for o in tree}
    checked = 0
    for org in (code for code in NOMINATORS if code in tree):
        above = {org, *(o.code for o in tree.ancestors(org))}
        for award in rule_set.awards.values():
            steps = review_chain(tree, profile, org, award)
            levels = [s.level for s in steps]
            assert levels == sorted(set(levels), key=list(ReviewLevel).index), (org, award.code, steps)
            assert levels[0] is U and steps[0].organisation_code in above - {"AH"}
            assert {s.organisation_code for s in steps[:-1]} <= above
            decider = tree.get(steps[-1].organisation_code)
            assert decider.level in profile.may_decide(award.deciding.organisation_levels)
            assert list(ReviewLevel).index(levels[-1]) <= list(ReviewLevel).index(award.deciding.level)
            assert award.deciding.organisation_code in (None, decider.code)
            if day >= AFTER:
                assert all(tree.get(s.organisation_code).level is not OrgLevel.DISTRICT for s in steps)
            # the decision is proposed by a body of that day, not by its own signer, and to a
            # province or central decider never by the nominating unit itself
            proposer = proposer_vi(tree, steps)
            assert proposer in bodies and proposer != decider.proposer_title_vi, (org, award.code, proposer)
            if decider.level in (OrgLevel.PROVINCE, OrgLevel.MINISTRY, OrgLevel.CENTRAL):
                assert bodies[proposer].level not in (OrgLevel.UNIT, OrgLevel.ENTERPRISE), (org, award.code)
            checked += 1
    assert checked >= 10 * len(rule_set.awards)
