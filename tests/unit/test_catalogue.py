"""The versioned award catalogue: rule-set selection by date, award data, what differs per rule set."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from typing import Any

import pytest

from contracts.events import NomineeKind, ReviewLevel
from services.intake.domain.catalogue import (
    OTHER_DOCUMENT,
    AwardDefinition,
    AwardSubject,
    Catalogue,
    CouncilVote,
    RuleSet,
    default_catalogue,
)
from services.intake.domain.errors import NoRuleSetInForce, UnknownRuleSet

CAT = default_catalogue()
ND98 = CAT.rule_set("ND98-2023")
ND152 = CAT.rule_set("ND152-2025")
U, D, P, C = ReviewLevel.UNIT, ReviewLevel.DISTRICT, ReviewLevel.PROVINCE, ReviewLevel.CENTRAL
TO_PROVINCE = (U, D, P)
TO_CENTRAL = (U, D, P, C)


def _award(rule_set: RuleSet, code: str) -> AwardDefinition:
    award = rule_set.award(code)
    assert award is not None, code
    return award


def _source() -> dict[str, Any]:
    text = resources.files("services.intake.domain").joinpath("data", "catalogue.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


# --- rule sets by date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(date(2024, 1, 1), "ND98-2023", id="law-in-force"),
        pytest.param(date(2025, 6, 30), "ND98-2023", id="last-day-of-nd98"),
        pytest.param(date(2025, 7, 1), "ND152-2025", id="first-day-of-nd152"),
        pytest.param(date(2031, 12, 31), "ND152-2025", id="open-ended"),
    ],
)
def test_rule_set_for_date(on: date, expected: str) -> None:
    assert CAT.rule_set_for(on).id == expected


def test_dates_before_the_law_took_effect_are_refused() -> None:
    with pytest.raises(NoRuleSetInForce, match="2023-12-31"):
        CAT.rule_set_for(date(2023, 12, 31))


def test_rule_set_by_id_for_transitional_dossiers() -> None:
    assert CAT.rule_set("ND98-2023").valid_to == date(2025, 6, 30)
    with pytest.raises(UnknownRuleSet):
        CAT.rule_set("ND91-2017")


def test_default_catalogue_is_loaded_once() -> None:
    assert default_catalogue() is CAT


def test_both_rule_sets_list_the_same_awards() -> None:
    assert set(ND98.awards) == set(ND152.awards)
    for rule_set in (ND98, ND152):
        for code, award in rule_set.awards.items():
            assert award.code == code
            assert award.rule_set_id == rule_set.id
            assert (award.valid_from, award.valid_to) == (rule_set.valid_from, rule_set.valid_to)
            assert award.name_vi and award.name_en and award.legal_basis


def test_unknown_award_is_none() -> None:
    assert ND152.award("NOPE") is None


# --- award facts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "subject", "path", "fixed_decider"),
    [
        ("LDTT", AwardSubject.INDIVIDUAL, (U, D), None),
        ("CSTDCS", AwardSubject.INDIVIDUAL, (U, D), None),
        ("TTLDTT", AwardSubject.COLLECTIVE, (U, D), None),
        ("GIAY_KHEN", AwardSubject.BOTH, (U, D), None),
        ("CSTD_TINH", AwardSubject.INDIVIDUAL, TO_PROVINCE, None),
        ("TTLDXS", AwardSubject.COLLECTIVE, TO_PROVINCE, None),
        ("CO_THI_DUA_TINH", AwardSubject.COLLECTIVE, TO_PROVINCE, None),
        ("BANG_KHEN_TINH", AwardSubject.BOTH, TO_PROVINCE, None),
        ("CSTDTQ", AwardSubject.INDIVIDUAL, TO_CENTRAL, "TTG"),
        ("CO_THI_DUA_CP", AwardSubject.COLLECTIVE, TO_CENTRAL, "TTG"),
        ("BKTTG", AwardSubject.BOTH, TO_CENTRAL, "TTG"),
        ("BKTTG_DOT_XUAT", AwardSubject.BOTH, TO_CENTRAL, "TTG"),
        ("HCLD_HANG_BA", AwardSubject.BOTH, TO_CENTRAL, "CTN"),
        ("HCLD_HANG_BA_CONG_HIEN", AwardSubject.INDIVIDUAL, TO_CENTRAL, "CTN"),
        ("HCLD_HANG_NHI", AwardSubject.BOTH, TO_CENTRAL, "CTN"),
        ("HCLD_HANG_NHAT", AwardSubject.BOTH, TO_CENTRAL, "CTN"),
        ("AHLD", AwardSubject.BOTH, TO_CENTRAL, "CTN"),
    ],
)
def test_award_routes(
    code: str, subject: AwardSubject, path: tuple[ReviewLevel, ...], fixed_decider: str | None
) -> None:
    for rule_set in (ND98, ND152):
        award = _award(rule_set, code)
        assert award.subject is subject
        assert award.review_path == path
        assert award.deciding.level is path[-1]
        assert award.deciding.organisation_code == fixed_decider


@pytest.mark.parametrize(
    ("code", "confirmed"),
    [
        ("LDTT", True),
        ("CSTDCS", True),
        ("GIAY_KHEN", True),
        ("AHLD", True),
        ("BKTTG", False),
        ("CO_THI_DUA_CP", False),
        ("HCLD_HANG_NHI", False),
        ("HCLD_HANG_NHAT", False),
        ("HCLD_HANG_BA_CONG_HIEN", False),
    ],
)
def test_criteria_confirmed_flag(code: str, confirmed: bool) -> None:
    """BKTTG is unconfirmed because its collective criteria (Điều 73 k2–k3) are."""
    assert _award(ND152, code).criteria_confirmed is confirmed


def test_criteria_for_each_subject() -> None:
    bk = _award(ND152, "BANG_KHEN_TINH")
    assert bk.criteria_for(NomineeKind.INDIVIDUAL) is bk.criteria.individual
    assert bk.criteria_for(NomineeKind.COLLECTIVE) is bk.criteria.collective
    assert _award(ND152, "LDTT").criteria_for(NomineeKind.COLLECTIVE) is None


def test_commendation_types() -> None:
    assert _award(ND152, "BKTTG_DOT_XUAT").commendation_type == "dot_xuat"
    assert _award(ND152, "HCLD_HANG_BA_CONG_HIEN").commendation_type == "cong_hien"
    assert _award(ND152, "BKTTG").commendation_type == "cong_trang"


# --- what differs between NĐ 98 and NĐ 152 ---------------------------------------------------


@pytest.mark.parametrize(
    ("code", "threshold"),
    [
        ("AHLD", Fraction(9, 10)),
        ("CSTDTQ", Fraction(9, 10)),
        ("CSTD_TINH", Fraction(9, 10)),
        ("CSTDCS", Fraction(4, 5)),
        ("CO_THI_DUA_TINH", Fraction(4, 5)),
        ("CO_THI_DUA_CP", Fraction(4, 5)),
    ],
)
def test_council_votes_confirmed_under_nd98_only(code: str, threshold: Fraction) -> None:
    old, new = _award(ND98, code).council_vote, _award(ND152, code).council_vote
    assert old is not None and new is not None
    assert old.threshold == new.threshold == threshold
    assert old.confirmed is True and old.legal_basis == "NĐ 98/2023 Điều 30 k7"
    assert new.confirmed is False and "UNCONFIRMED" in new.legal_basis


@pytest.mark.parametrize("code", ["LDTT", "TTLDTT", "BKTTG", "BANG_KHEN_TINH", "HCLD_HANG_BA"])
def test_no_mandatory_vote(code: str) -> None:
    assert _award(ND152, code).council_vote is None


@pytest.mark.parametrize(
    ("threshold", "votes", "members", "passes"),
    [
        pytest.param(Fraction(9, 10), 9, 10, True, id="90%-of-10"),
        pytest.param(Fraction(9, 10), 8, 10, False, id="80%-of-10"),
        pytest.param(Fraction(9, 10), 8, 9, False, id="8-of-9-is-88.9%"),
        pytest.param(Fraction(4, 5), 8, 10, True, id="80%-of-10"),
        pytest.param(Fraction(4, 5), 7, 9, False, id="7-of-9-is-77.8%"),
        pytest.param(Fraction(4, 5), 12, 15, True, id="12-of-15-exactly-80%"),
    ],
)
def test_council_vote_threshold_counts_total_membership_exactly(
    threshold: Fraction, votes: int, members: int, passes: bool
) -> None:
    vote = CouncilVote(threshold=threshold, legal_basis="x", confirmed=True)
    assert vote.passes(votes, members) is passes


@pytest.mark.parametrize(
    "code", ["HCLD_HANG_BA", "HCLD_HANG_NHI", "HCLD_HANG_NHAT", "HCLD_HANG_BA_CONG_HIEN", "AHLD"]
)
def test_public_comment_for_orders_and_honorary_titles(code: str) -> None:
    old, new = _award(ND98, code).public_comment, _award(ND152, code).public_comment
    assert old[0].working_days == new[0].working_days == 10
    assert old[0].before_level is new[0].before_level is P
    assert old[0].confirmed is True and "NĐ 98/2023 Điều 46 k2" in old[0].legal_basis
    assert new[0].confirmed is False and "NĐ 152/2025 Điều 44 k2" in new[0].legal_basis


def test_labour_hero_has_a_second_comment_period_at_the_ministry() -> None:
    stages = _award(ND98, "AHLD").public_comment
    assert [(s.before_level, s.working_days) for s in stages] == [(P, 10), (C, 10)]
    assert _award(ND152, "AHLD").public_comment[1].confirmed is False


@pytest.mark.parametrize("code", ["LDTT", "CSTDTQ", "BKTTG", "BANG_KHEN_TINH"])
def test_no_public_comment(code: str) -> None:
    assert _award(ND152, code).public_comment == ()


@pytest.mark.parametrize(
    ("code", "individual", "collective"),
    [
        ("CSTDTQ", Decimal("4.5"), None),
        ("CSTD_TINH", Decimal("3.0"), None),
        ("CSTDCS", Decimal("1.0"), None),
        ("LDTT", Decimal("0.3"), None),
        ("TTLDXS", None, Decimal("1.5")),
        ("TTLDTT", None, Decimal("0.8")),
        ("CO_THI_DUA_CP", None, Decimal("12.0")),
        ("CO_THI_DUA_TINH", None, Decimal("8.0")),
        pytest.param("BKTTG", None, Decimal("7"), id="BKTTG-individual-unconfirmed"),
        pytest.param("BANG_KHEN_TINH", None, Decimal("3"), id="BK-tinh-individual-unconfirmed"),
        ("GIAY_KHEN", None, Decimal("0.6")),
        ("HCLD_HANG_BA", None, Decimal("9")),
        ("HCLD_HANG_NHI", None, Decimal("15")),
        ("HCLD_HANG_NHAT", None, Decimal("18")),
        ("AHLD", None, Decimal("31")),
    ],
)
def test_reward_multiples_under_nd152(
    code: str, individual: Decimal | None, collective: Decimal | None
) -> None:
    reward = _award(ND152, code).reward_multiple
    assert reward is not None
    assert (reward.individual, reward.collective) == (individual, collective)
    assert "NĐ 152/2025 Điều 49–54" in reward.legal_basis


def test_reward_multiples_under_nd98_are_unknown_except_the_historical_hero_rate() -> None:
    assert _award(ND98, "CSTDCS").reward_multiple is None
    hero = _award(ND98, "AHLD").reward_multiple
    assert hero is not None and hero.individual == Decimal("15.5") and "HISTORICAL" in hero.legal_basis
    assert _award(ND152, "HCLD_HANG_BA_CONG_HIEN").reward_multiple is None


def test_required_documents_for_a_grassroots_fighter() -> None:
    docs = {d.code: d for d in _award(ND152, "CSTDCS").required_documents}
    assert list(docs) == [
        "TO_TRINH",
        "BAO_CAO_THANH_TICH",
        "BIEN_BAN_BINH_XET",
        "KET_QUA_BO_PHIEU",
        "XAC_NHAN_SANG_KIEN",
    ]
    assert docs["TO_TRINH"].name_vi == "Tờ trình đề nghị khen thưởng"
    assert docs["TO_TRINH"].template == "Mẫu số 01, Phụ lục NĐ 152/2025/NĐ-CP"
    assert (
        docs["BAO_CAO_THANH_TICH"].template is not None and "Mẫu số 05" in docs["BAO_CAO_THANH_TICH"].template
    )
    assert all(d.confirmed for d in docs.values())
    assert all(d.template is None for d in _award(ND98, "CSTDCS").required_documents)


def test_central_dossiers_go_through_the_e_dossier_system() -> None:
    for code in ("BKTTG", "HCLD_HANG_BA", "AHLD", "CSTDTQ", "CO_THI_DUA_CP"):
        codes = [d.code for d in _award(ND152, code).required_documents]
        assert "HO_SO_DIEN_TU" in codes, code
    assert "XAC_NHAN_THANH_TICH_DOT_XUAT" in [
        d.code for d in _award(ND152, "BKTTG_DOT_XUAT").required_documents
    ]


def test_the_document_table_names_every_type_an_attachment_can_be() -> None:
    catalogue = default_catalogue()
    other = catalogue.document(OTHER_DOCUMENT)
    assert other is not None and (other.name_vi, other.name_en) == ("Tài liệu khác", "Other document")
    required = {
        d.code for rs in catalogue.rule_sets for a in rs.awards.values() for d in a.required_documents
    }
    assert required | {OTHER_DOCUMENT} == set(catalogue.documents)
    assert catalogue.document("bao_cao_thanh_tich") is None, "codes are exact"


@pytest.mark.parametrize("code", ["BANG_KHEN_TINH", "GIAY_KHEN"])
def test_unconfirmed_dossier_contents_are_marked(code: str) -> None:
    docs = _award(ND152, code).required_documents
    assert docs and not any(d.confirmed for d in docs)
    assert "UNCONFIRMED" in docs[0].legal_basis


def test_chain_principles_confirmed_only_from_nd152() -> None:
    for name in ("merit_only_chains", "blocking_status", "discipline_period"):
        assert getattr(ND152.principles, name).confirmed is True
        assert getattr(ND152.principles, name).legal_basis == "NĐ 152/2025 Điều 4"
        assert getattr(ND98.principles, name).confirmed is False


# --- the data file is validated when loaded ---------------------------------------------------


def _mutated(change: Any) -> str:
    data = _source()
    change(data)
    return json.dumps(data, ensure_ascii=False)


def _award_source(data: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in data["awards"] if a["code"] == code)
    return found


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda d: d["rule_sets"][0].update(valid_to="2025-07-01"), "overlap", id="overlapping-rule-sets"
        ),
        pytest.param(
            lambda d: d["rule_sets"][0].update(valid_to=None), "overlap", id="open-ended-earlier-set"
        ),
        pytest.param(
            lambda d: d["rule_sets"][1]["council_votes"]["thresholds"].update(NOPE="1/2"),
            "unknown award codes",
            id="vote-for-unknown-award",
        ),
        pytest.param(
            lambda d: _award_source(d, "CSTD_TINH")["criteria"]["individual"]["rule"].update(titles=["NOPE"]),
            "unknown award codes",
            id="rule-references-unknown-award",
        ),
        pytest.param(
            lambda d: _award_source(d, "LDTT")["required_documents"]["codes"].append("NOPE"),
            "unknown documents",
            id="unknown-document",
        ),
        pytest.param(
            lambda d: d["rule_sets"][1]["document_templates"].update(NOPE="x"),
            "unknown documents",
            id="template-for-unknown-document",
        ),
        pytest.param(lambda d: d["documents"].pop("OTHER"), "must name OTHER", id="no-other-document"),
        pytest.param(
            lambda d: _award_source(d, "LDTT")["required_documents"]["codes"].append("OTHER"),
            "OTHER cannot be a required document",
            id="other-required",
        ),
        pytest.param(lambda d: d["awards"].append(d["awards"][0]), "duplicate", id="duplicate-award"),
        pytest.param(
            lambda d: _award_source(d, "BKTTG").update(review_path=["unit", "province"]),
            "end at the deciding level",
            id="path-not-ending-at-decider",
        ),
        pytest.param(
            lambda d: _award_source(d, "BKTTG").update(review_path=["province", "unit", "central"]),
            "rise strictly",
            id="path-not-rising",
        ),
        pytest.param(
            lambda d: _award_source(d, "LDTT").update(subject="both"),
            "match subject",
            id="subject-without-criteria",
        ),
        pytest.param(lambda d: _award_source(d, "LDTT").update(surprise=1), "surprise", id="unknown-field"),
    ],
)
def test_catalogue_refuses_inconsistent_data(change: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Catalogue.from_json(_mutated(change))


def test_catalogue_round_trips_from_its_own_file() -> None:
    rebuilt = Catalogue.from_json(_mutated(lambda d: None))
    assert [rs.id for rs in rebuilt.rule_sets] == ["ND98-2023", "ND152-2025"]
    assert rebuilt.rule_set("ND152-2025") == ND152
