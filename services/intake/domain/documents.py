"""A dossier's document checklist: for each document its award requires (in the rule set the dossier
is judged by), the attachments of the dossier's current version that are of that type.

A requirement the catalogue marks UNCONFIRMED (``confirmed: false``: DOMAIN.md does not settle that
the law asks for it, e.g. a Giấy khen's documents) is listed, so the submitter sees it, but an empty
one is not *missing*: intake does not hold a dossier incomplete on a rule it cannot cite, as the
eligibility engine answers ``manual_review`` rather than guess."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.intake.domain.catalogue import RequiredDocument


@dataclass(frozen=True)
class DocumentCheck:
    document: RequiredDocument
    attachment_ids: tuple[str, ...]
    """The current version's attachments of this type, in upload order (empty: none attached)."""

    @property
    def missing(self) -> bool:
        """Required for certain and not attached; an UNCONFIRMED requirement is never missing."""
        return self.document.confirmed and not self.attachment_ids


def checklist(
    required: Iterable[RequiredDocument], attached: Iterable[tuple[str, str]]
) -> tuple[DocumentCheck, ...]:
    """One check per required document, in the catalogue's order; ``attached`` is the current
    version's attachments as (attachment id, document code), in upload order. Attachments of a type
    no requirement names (``OTHER``, or a document another award requires) count for nothing."""
    by_code: dict[str, list[str]] = {}
    for attachment_id, code in attached:
        by_code.setdefault(code, []).append(attachment_id)
    return tuple(DocumentCheck(doc, tuple(by_code.get(doc.code, ()))) for doc in required)


def complete(checks: Iterable[DocumentCheck]) -> bool:
    """No required document is missing (UNCONFIRMED ones never are)."""
    return not any(check.missing for check in checks)
