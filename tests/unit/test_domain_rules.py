"""Pure rules: decision numbers, dossier status from history, the CloudEvents envelope."""

from __future__ import annotations

import json
from datetime import date

import pytest

from contracts.envelope import CLOUDEVENTS_CONTENT_TYPE, kafka_headers
from contracts.events import (
    DossierSubmitted,
    DossierSubmittedData,
    EntrySummary,
    ReviewLevel,
    review_event_adapter,
)
from contracts.topics import Topic, all_topic_names, dead_letter_topic, topic_name
from contracts.views import DossierStatus
from services.decisions.domain import format_decision_number
from services.intake.lifecycle import status_from_history


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [(1, "01/QĐ-TTg"), (9, "09/QĐ-TTg"), (10, "10/QĐ-TTg"), (123, "123/QĐ-TTg")],
)
def test_decision_number_is_zero_padded_below_ten(sequence: int, expected: str) -> None:
    assert format_decision_number(sequence, "TTg") == expected


@pytest.mark.parametrize(("sequence", "issuer"), [(0, "TTg"), (1, "")])
def test_decision_number_refuses_impossible_input(sequence: int, issuer: str) -> None:
    with pytest.raises(ValueError):
        format_decision_number(sequence, issuer)


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], DossierStatus.SUBMITTED),
        (["vn.tdkt.dossier.submitted.v1"], DossierStatus.SUBMITTED),
        (["vn.tdkt.dossier.submitted.v1", "vn.tdkt.review.task.opened.v1"], DossierStatus.IN_REVIEW),
        # consumed out of order across topics: the decision still wins over a late task event
        (["vn.tdkt.decision.issued.v1", "vn.tdkt.review.task.opened.v1"], DossierStatus.DECIDED),
        (["vn.tdkt.dossier.approved.v1", "vn.tdkt.notification.sent.v1"], DossierStatus.APPROVED),
        (["vn.tdkt.review.task.opened.v1", "vn.tdkt.dossier.rejected.v1"], DossierStatus.REJECTED),
        (["vn.tdkt.review.task.opened.v1", "vn.tdkt.dossier.returned.v1"], DossierStatus.RETURNED),
        # an amendment (bổ sung) after a return starts the progress again
        (
            ["vn.tdkt.review.task.opened.v1", "vn.tdkt.dossier.returned.v1", "vn.tdkt.dossier.amended.v1"],
            DossierStatus.SUBMITTED,
        ),
    ],
)
def test_status_is_the_furthest_the_history_proves(history: list[str], expected: DossierStatus) -> None:
    assert status_from_history(history) == expected


def _submitted() -> DossierSubmitted:
    return DossierSubmitted(
        source="/tdkt/intake",
        subject="d-1",
        data=DossierSubmittedData(
            dossier_id="d-1",
            version=1,
            submitting_organisation="UBND-X",
            award_code="BKTTG",
            entries=[EntrySummary(entry_id="d-1.1", nominee_name="Nguyễn Văn A", nominee_kind="individual")],
            review_levels=[ReviewLevel.UNIT],
            deciding_organisation="TTG",
            issuer_code="TTg",
        ),
    )


def test_structured_cloudevent_round_trips_with_required_attributes() -> None:
    event = _submitted()
    value = json.loads(event.to_kafka_value())
    for attribute in (
        "id",
        "source",
        "specversion",
        "type",
        "time",
        "subject",
        "datacontenttype",
        "dataschema",
    ):
        assert value[attribute], attribute
    assert value["specversion"] == "1.0"
    assert value["dataschema"] == "contracts/schemas/vn.tdkt.dossier.submitted.v1.json"
    assert event.kafka_key == b"d-1"
    assert kafka_headers() == {"content-type": CLOUDEVENTS_CONTENT_TYPE}
    assert DossierSubmitted.model_validate(value) == event


def test_review_topic_union_refuses_an_unknown_type() -> None:
    value = json.loads(_submitted().to_kafka_value())
    with pytest.raises(ValueError, match=r"union_tag_invalid|does not match any of the expected tags"):
        review_event_adapter.validate_python(value)


def test_topics_have_dead_letter_twins_and_prefixes() -> None:
    assert topic_name(Topic.REVIEW_EVENTS, "t1.") == "t1.tdkt.review.events"
    assert dead_letter_topic("tdkt.review.events") == "tdkt.review.events.dlq"
    names = all_topic_names()
    assert len(names) == 2 * len(Topic)
    assert all(dead_letter_topic(topic.value) in names for topic in Topic)


def test_reward_money_is_rounded_up_to_ten_thousand_dong_on_the_base_salary_of_the_day() -> None:
    from datetime import date
    from decimal import Decimal

    from contracts.events import RewardMultiple
    from services.decisions.domain import base_salary_on, decision_reward, reward_amount

    assert reward_amount(Decimal("0.3"), 2_340_000) == 710_000  # 702,000 rounds up
    assert reward_amount(Decimal("1.0"), 2_340_000) == 2_340_000  # already round
    assert reward_amount(Decimal("7"), 2_340_000) == 16_380_000
    assert base_salary_on(date(2024, 6, 30)) is None, "no amount before the first known base salary"
    multiple = RewardMultiple(individual=None, collective=Decimal("0.8"), legal_basis="NĐ 152/2025 Điều 50")
    entries = [
        EntrySummary(entry_id="a", nominee_name="Tổ Văn", nominee_kind="collective"),
        EntrySummary(entry_id="b", nominee_name="Cô Lan", nominee_kind="individual"),
    ]
    reward = decision_reward(multiple, entries, date(2026, 11, 24), is_title=False)
    assert reward is not None
    assert [(r.entry_id, r.amount_vnd) for r in reward.entries] == [("a", 1_880_000), ("b", None)]
    assert reward.total_vnd == 1_880_000 and reward.base_salary_vnd == 2_340_000
    assert decision_reward(None, entries, date(2026, 11, 24), is_title=False) is None


def test_registry_search_keys_ignore_case_and_diacritics() -> None:
    from contracts.names import search_key

    assert search_key("Nguyễn Thị Minh Khai") == "nguyen thi minh khai"
    assert search_key("ĐẶNG Văn Đức") == "dang van duc"


def test_of_titles_for_one_period_only_the_highest_is_paid() -> None:
    """NĐ 152/2025 Điều 49 k5–k7: same period → the highest title only; a form is paid beside a title."""
    from decimal import Decimal

    from contracts.events import HeldTitle
    from services.decisions.domain import combine_with_held_titles

    ldtt = HeldTitle(award_code="LDTT", year=2026, multiple=Decimal("0.3"))
    cstd_tinh = HeldTitle(award_code="CSTD_TINH", year=2026, multiple=Decimal("3.0"))
    cstdcs = Decimal("1.0")
    assert combine_with_held_titles(2_340_000, cstdcs, [], is_title=True) == (2_340_000, None)
    amount, note = combine_with_held_titles(2_340_000, cstdcs, [ldtt], is_title=True)
    assert amount == 2_340_000 and note is not None and "LDTT" in note, "the higher title is paid"
    amount, note = combine_with_held_titles(2_340_000, cstdcs, [ldtt, cstd_tinh], is_title=True)
    assert amount == 0 and note is not None and "CSTD_TINH" in note, "a higher title of the period was paid"
    same = HeldTitle(award_code="CSTDCS", year=2026, multiple=cstdcs)
    assert combine_with_held_titles(2_340_000, cstdcs, [same], is_title=True)[0] == 0
    assert combine_with_held_titles(7_020_000, Decimal("3"), [cstd_tinh], is_title=False) == (7_020_000, None)
    unknown = HeldTitle(award_code="X", year=2026, multiple=None)
    assert combine_with_held_titles(2_340_000, cstdcs, [unknown], is_title=True) == (2_340_000, None)


def test_the_combination_rule_reaches_the_decision_amounts() -> None:
    from decimal import Decimal

    from contracts.events import HeldTitle, RewardMultiple
    from services.decisions.domain import decision_reward

    multiple = RewardMultiple(individual=Decimal("1.0"), legal_basis="NĐ 152/2025 Điều 49–54")
    holder = EntrySummary(
        entry_id="a",
        nominee_name="Cô Lan",
        nominee_kind="individual",
        same_period_titles=[HeldTitle(award_code="CSTD_TINH", year=2026, multiple=Decimal("3.0"))],
    )
    fresh = EntrySummary(entry_id="b", nominee_name="Thầy Nam", nominee_kind="individual")
    reward = decision_reward(multiple, [holder, fresh], date(2026, 11, 24), is_title=True)
    assert reward is not None
    assert [(r.entry_id, r.amount_vnd) for r in reward.entries] == [("a", 0), ("b", 2_340_000)]
    assert reward.total_vnd == 2_340_000 and reward.entries[0].combination is not None


@pytest.mark.parametrize(
    ("period", "day", "key", "closes_on"),
    [
        ("day", date(2026, 12, 31), "2026-12-31", date(2027, 1, 1)),
        ("week", date(2026, 11, 24), "2026-W48", date(2026, 11, 30)),
        ("week", date(2026, 11, 29), "2026-W48", date(2026, 11, 30)),
        ("week", date(2027, 1, 1), "2026-W53", date(2027, 1, 4)),
        ("month", date(2026, 12, 5), "2026-12", date(2027, 1, 1)),
        ("month", date(2026, 2, 28), "2026-02", date(2026, 3, 1)),
        ("quarter", date(2026, 3, 31), "2026-Q1", date(2026, 4, 1)),
        ("quarter", date(2026, 10, 1), "2026-Q4", date(2027, 1, 1)),
        ("year", date(2026, 6, 15), "2026", date(2027, 1, 1)),
    ],
)
def test_batch_windows_are_calendar_periods(period: str, day: date, key: str, closes_on: date) -> None:
    from services.decisions.domain import BatchPeriod, batch_window

    window = batch_window(BatchPeriod(period), day)
    assert (window.key, window.closes_on) == (key, closes_on)
    assert window.closes_on > day


def test_a_batch_rule_for_the_organisation_wins_over_one_for_all() -> None:
    from services.decisions.domain import BatchPeriod, BatchRule, batch_rule_for

    everyone = BatchRule(award_code="LDTT", period=BatchPeriod.YEAR)
    commune = BatchRule(award_code="LDTT", deciding_organisation="AH-DS-TT", period=BatchPeriod.MONTH)
    rules = [commune, everyone]
    assert batch_rule_for(rules, "LDTT", "AH-DS-TT") == commune
    assert batch_rule_for(rules, "LDTT", "AH-TL-HB") == everyone
    assert batch_rule_for(rules, "CSTDCS", "AH-DS-TT") is None
