"""The law of revocation as pure rules (Luật TĐKT 2022 Điều 93; DOMAIN.md §3.7): who may revoke
(k8), on which grounds (k2 a–d), which decisions and lines, and a line once."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from contracts.events import RevocationGround
from services.decisions.domain.authority import LEADER_ROLE, is_leader, leads
from services.decisions.domain.revocation import (
    GROUNDS_EN,
    GROUNDS_VI,
    DecisionOnRecord,
    LineOnRecord,
    RevocationRefused,
    revocation_refused,
)


@dataclass(frozen=True)
class Officer:
    organisation: str
    roles: frozenset[str] = field(default_factory=lambda: frozenset({LEADER_ROLE}))


PROVINCE_LEADER = Officer("AH")
ISSUED_AWARD = DecisionOnRecord(issuing_organisation="AH", is_award=True, is_issued=True)
STANDING_LINE = LineOnRecord(line_number=1, revoked_by=None)


def test_a_leader_of_the_issuing_authority_revokes_a_standing_line_of_an_issued_award() -> None:
    assert revocation_refused(PROVINCE_LEADER, ISSUED_AWARD, STANDING_LINE) is None


@pytest.mark.parametrize(
    "officer",
    [Officer("AH", frozenset({"officer"})), Officer("AH", frozenset()), Officer("AH-DS-TT"), Officer("TTG")],
    ids=["an officer of the issuer", "no role", "a leader of a commune below", "a leader above"],
)
def test_only_a_leader_of_the_authority_that_awarded_revokes_k8(officer: Officer) -> None:
    assert revocation_refused(officer, ISSUED_AWARD, STANDING_LINE) is RevocationRefused.NOT_ISSUING_AUTHORITY


@pytest.mark.parametrize(
    "decision",
    [
        DecisionOnRecord(issuing_organisation="AH", is_award=False, is_issued=True),
        DecisionOnRecord(issuing_organisation="AH", is_award=True, is_issued=False),
    ],
    ids=["a revocation decision", "an award still being signed"],
)
def test_only_an_issued_award_decision_is_revoked(decision: DecisionOnRecord) -> None:
    assert revocation_refused(PROVINCE_LEADER, decision, STANDING_LINE) is RevocationRefused.NOT_REVOCABLE


def test_only_a_line_the_decision_has() -> None:
    assert revocation_refused(PROVINCE_LEADER, ISSUED_AWARD, None) is RevocationRefused.NO_SUCH_LINE


def test_a_line_is_revoked_once() -> None:
    revoked = LineOnRecord(line_number=1, revoked_by="qd-huy-bo")
    assert revocation_refused(PROVINCE_LEADER, ISSUED_AWARD, revoked) is RevocationRefused.ALREADY_REVOKED


def test_who_revokes_is_asked_before_what_is_revoked() -> None:
    """A stranger learns nothing of the decision's state or lines from the refusal."""
    stranger = Officer("AH-DS-TT")
    signing = DecisionOnRecord(issuing_organisation="AH", is_award=True, is_issued=False)
    assert revocation_refused(stranger, signing, None) is RevocationRefused.NOT_ISSUING_AUTHORITY
    assert revocation_refused(PROVINCE_LEADER, signing, None) is RevocationRefused.NOT_REVOCABLE


def test_the_grounds_are_k2_points_a_to_d_each_worded_in_both_languages() -> None:
    assert [ground.value for ground in RevocationGround] == ["a", "b", "c", "d"]
    assert set(GROUNDS_VI) == set(GROUNDS_EN) == set(RevocationGround)
    assert GROUNDS_VI[RevocationGround.FALSE_DOSSIER].startswith("khai báo thông tin sai sự thật")


def test_a_leader_acts_for_their_own_organisation_only() -> None:
    assert is_leader(PROVINCE_LEADER) and leads(PROVINCE_LEADER, "AH")
    assert not leads(PROVINCE_LEADER, "AH-DS-TT")
    assert not is_leader(Officer("AH", frozenset({"officer", "reviewer"})))
