"""What the API reads (``contracts.views``): a dossier with its entries, attachments, document
checklist and history, a page of the client's dossiers, a version's body as submitted. The award
and its required documents come from the rule set the dossier is judged by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jsonpatch
import jsonpointer
from sqlalchemy import func
from sqlmodel import Session, col, select

from contracts.events import NomineeKind, ReviewStep
from contracts.views import (
    DocumentCheckView,
    DossierPage,
    DossierStatus,
    DossierSummary,
    DossierView,
    EligibilityView,
    EntryView,
    HistoryItem,
    StaffDossierView,
    VersionChange,
    VersionChanges,
    VersionSummary,
)
from services.intake.attachments import attachment_view
from services.intake.domain import documents
from services.intake.domain.catalogue import AwardDefinition, Catalogue
from services.intake.domain.errors import UnknownRuleSet
from services.intake.dossiers import own_dossier
from services.intake.errors import VERSION_NOT_FOUND
from services.intake.models import Attachment, Dossier, DossierEntry, DossierHistory, DossierVersion


def dossier_view(session: Session, catalogue: Catalogue, dossier_id: str, client_id: str) -> DossierView:
    return view_of(session, catalogue, own_dossier(session, dossier_id, client_id))


def view_of(session: Session, catalogue: Catalogue, dossier: Dossier) -> DossierView:
    """The dossier as its readers see it (whoever may read it: the caller has checked)."""
    dossier_id = dossier.id
    entries = session.exec(
        select(DossierEntry).where(DossierEntry.dossier_id == dossier_id).order_by(col(DossierEntry.position))
    ).all()
    attachments = session.exec(
        select(Attachment).where(Attachment.dossier_id == dossier_id).order_by(col(Attachment.uploaded_at))
    ).all()
    history = session.exec(
        select(DossierHistory)
        .where(DossierHistory.dossier_id == dossier_id)
        .order_by(col(DossierHistory.occurred_at), col(DossierHistory.id))
    ).all()
    checklist, complete = _checklist(
        _award(catalogue, dossier.rule_set_id, dossier.award_code), dossier, attachments
    )
    return DossierView(
        **_summary(catalogue, dossier).model_dump(),
        submission_date=dossier.submission_date,
        proposal_year=dossier.proposal_year,
        rule_set_id=dossier.rule_set_id,
        review_chain=[ReviewStep.model_validate(step) for step in dossier.review_chain],
        current_level=dossier.current_level,
        trace_id=dossier.trace_id,
        entries=[
            EntryView(
                entry_id=entry.id,
                position=entry.position,
                kind=NomineeKind(entry.kind),
                full_name=entry.full_name,
                eligibility=EligibilityView.model_validate(entry.eligibility),
                struck_reason=entry.struck_reason,
                struck_level=entry.struck_level,
                line_number=entry.line_number,
                revocation_number=entry.revocation_number,
            )
            for entry in entries
        ],
        attachments=[attachment_view(item, catalogue.document(item.document_code)) for item in attachments],
        history=[HistoryItem.model_validate(item, from_attributes=True) for item in history],
        documents=checklist,
        documents_complete=complete,
    )


def _checklist(
    award: AwardDefinition | None, dossier: Dossier, attachments: Sequence[Attachment]
) -> tuple[list[DocumentCheckView], bool | None]:
    """The ``documents`` and ``documents_complete`` of a dossier's view, judged against its current
    version's attachments only: an amendment (bổ sung) is a new version whose files are uploaded
    with it, as every attachment belongs to the version current at its upload. A file uploaded
    again costs nothing (the store is content-addressed). For an award the catalogue no longer
    holds there is nothing to judge: an empty list, and ``documents_complete`` null."""
    if award is None:
        return [], None
    checks = documents.checklist(
        award.required_documents,
        ((item.id, item.document_code) for item in attachments if item.version == dossier.version),
    )
    return (
        [
            DocumentCheckView(
                document_code=check.document.code,
                name_vi=check.document.name_vi,
                name_en=check.document.name_en,
                legal_basis=check.document.legal_basis,
                confirmed=check.document.confirmed,
                template=check.document.template,
                attachment_ids=list(check.attachment_ids),
                missing=check.missing,
            )
            for check in checks
        ],
        documents.complete(checks),
    )


def list_dossiers(
    session: Session,
    catalogue: Catalogue,
    client_id: str,
    *,
    status: DossierStatus | None,
    external_reference: str | None,
    limit: int,
    offset: int,
) -> DossierPage:
    """The client's dossiers, the latest submitted first."""
    conditions = [col(Dossier.client_id) == client_id]
    if status is not None:
        conditions.append(col(Dossier.status) == status)
    if external_reference is not None:
        conditions.append(col(Dossier.external_reference) == external_reference)
    total = session.exec(select(func.count()).select_from(Dossier).where(*conditions)).one()
    rows = session.exec(
        select(Dossier)
        .where(*conditions)
        .order_by(col(Dossier.submitted_at).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return DossierPage(
        items=[_summary(catalogue, row) for row in rows], total=total, limit=limit, offset=offset
    )


def dossier_version(session: Session, dossier_id: str, version: int, client_id: str) -> dict[str, Any]:
    own_dossier(session, dossier_id, client_id)
    return version_body(session, dossier_id, version)


def version_body(session: Session, dossier_id: str, version: int) -> dict[str, Any]:
    stored = session.get(DossierVersion, (dossier_id, version))
    if stored is None:
        raise VERSION_NOT_FOUND(dossier_id=dossier_id, version=version)
    return stored.body


def staff_view(session: Session, catalogue: Catalogue, dossier: Dossier) -> StaffDossierView:
    """The reviewers' view: the dossier, every fact of its current version, its versions."""
    versions = session.exec(
        select(DossierVersion)
        .where(DossierVersion.dossier_id == dossier.id)
        .order_by(col(DossierVersion.version))
    ).all()
    return StaffDossierView(
        **view_of(session, catalogue, dossier).model_dump(),
        submission=version_body(session, dossier.id, dossier.version),
        versions=[
            VersionSummary(version=item.version, submitted_at=item.created_at, body_sha256=item.body_sha256)
            for item in versions
        ],
    )


def version_changes(session: Session, dossier_id: str, earlier: int, later: int) -> VersionChanges:
    """What changed from one version to another, as JSON Patch operations (``jsonpatch``) with the
    value each replaced, and the nominee each is about."""
    before, after = version_body(session, dossier_id, earlier), version_body(session, dossier_id, later)
    changes = []
    for operation in jsonpatch.make_patch(before, after):
        path = operation["path"]
        changes.append(
            VersionChange(
                op=operation["op"],
                path=path,
                entry_name=_entry_name(before, after, path),
                before=jsonpointer.resolve_pointer(before, path, None)
                if operation["op"] in ("replace", "remove")
                else None,
                after=operation.get("value"),
            )
        )
    return VersionChanges(dossier_id=dossier_id, from_version=earlier, to_version=later, changes=changes)


def _entry_name(before: dict[str, Any], after: dict[str, Any], path: str) -> str | None:
    parts = path.split("/")
    if len(parts) < 3 or parts[1] != "entries" or not parts[2].isdigit():
        return None
    index = int(parts[2])
    for body in (after, before):
        entries = body.get("entries", [])
        if index < len(entries) and isinstance(entries[index], dict):
            return str(entries[index].get("full_name")) or None
    return None


def award_name(catalogue: Catalogue, rule_set_id: str, award_code: str) -> str | None:
    """The award's Vietnamese name in the dossier's rule set (``None`` for a rule set or award the
    packaged catalogue no longer holds)."""
    award = _award(catalogue, rule_set_id, award_code)
    return award.name_vi if award is not None else None


def _award(catalogue: Catalogue, rule_set_id: str, award_code: str) -> AwardDefinition | None:
    try:
        return catalogue.rule_set(rule_set_id).award(award_code)
    except UnknownRuleSet:
        return None


def _summary(catalogue: Catalogue, dossier: Dossier) -> DossierSummary:
    return DossierSummary(
        dossier_id=dossier.id,
        version=dossier.version,
        submitting_organisation=dossier.submitting_organisation,
        award_code=dossier.award_code,
        award_name_vi=award_name(catalogue, dossier.rule_set_id, dossier.award_code),
        external_reference=dossier.external_reference,
        status=DossierStatus(dossier.status),
        decision_number=dossier.decision_number,
        submitted_at=dossier.submitted_at,
        updated_at=dossier.updated_at,
    )
