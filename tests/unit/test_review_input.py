"""What the review workflow calls the submitter: the name intake gave, never the decision's proposer."""

from __future__ import annotations

from contracts.workflow import ReviewInput
from tests.support import events

PROVINCE_CHAIRMAN = "Chủ tịch Ủy ban nhân dân tỉnh An Hà"


def _review(submitter_name: str | None) -> ReviewInput:
    named = events.review_input("d-1", named=True)
    return named.model_copy(
        update={
            "submitting_organisation": events.CHAIN[0].organisation,
            "particulars": events.particulars(proposer=PROVINCE_CHAIRMAN),
            "submitter_name": submitter_name,
        }
    )


def test_the_submitter_is_named_as_intake_named_it() -> None:
    assert _review("Trường Trung học cơ sở Tân Tiến").submitting_organisation_name == (
        "Trường Trung học cơ sở Tân Tiến"
    )


def test_an_older_input_names_the_submitter_by_its_own_unit_level_not_by_the_proposer() -> None:
    assert _review(None).submitting_organisation_name == events.CHAIN[0].organisation_name
