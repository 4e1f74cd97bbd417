"""Notices name a level as the structure in force on the submission date names it ("cấp xã" for the
second level from 01/07/2025), as intake put it on the review chain; the generic name otherwise."""

from __future__ import annotations

from contracts.events import ReviewLevel, ReviewTaskOpened
from services.notifications.domain import facts_of_submission, notices_for
from services.notifications.rendering import wording
from tests.support import events


def _opened(dossier: str) -> ReviewTaskOpened:
    return events.task_opened(dossier)


def _where(submitted: ReviewTaskOpened, chain_names: tuple[str, str] | None, language: str) -> str:
    event = events.submitted("d-1")
    if chain_names is not None:
        chain = [
            step.model_copy(update={"level_name_vi": chain_names[0], "level_name_en": chain_names[1]})
            if step.level is ReviewLevel.DISTRICT
            else step
            for step in event.data.review_chain
        ]
        event = event.model_copy(update={"data": event.data.model_copy(update={"review_chain": chain})})
    (draft,) = notices_for(submitted, facts_of_submission(event))
    where: str = wording(language, draft.facts)["where"]
    return where


def test_a_notice_names_the_level_as_the_review_chain_does() -> None:
    opened = _opened("d-1")
    assert _where(opened, ("cấp xã", "commune level"), "vi").startswith("cấp xã (")
    assert _where(opened, ("cấp xã", "commune level"), "en").startswith("commune level (")


def test_without_the_chains_name_a_notice_uses_the_generic_name() -> None:
    assert _where(_opened("d-1"), None, "vi").startswith("cấp xã/huyện (")
