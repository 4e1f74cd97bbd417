"""The staff's reads of a dossier: officers, council members and leaders of the organisations on
its review chain once the review has reached them, and the submitting organisation's own staff
(``readers``). Read-only: one transaction each, nothing staged."""

from __future__ import annotations

from sqlmodel import Session

from contracts.dossiers import DossierSubmission
from contracts.views import StaffDossierView, VersionChanges
from servicekit.auth import Staff
from servicekit.db import run_in_session
from services.intake import attachments, queries, readers
from services.intake.handlers import Download, IntakeContext


async def get_dossier(ctx: IntakeContext, staff: Staff, dossier_id: str) -> StaffDossierView:
    def read(session: Session) -> StaffDossierView:
        dossier = readers.readable_dossier(session, dossier_id, staff.organisation)
        return queries.staff_view(session, ctx.validator.catalogue, dossier)

    return await run_in_session(ctx.runtime.engine, read)


async def get_version(ctx: IntakeContext, staff: Staff, dossier_id: str, version: int) -> DossierSubmission:
    def read(session: Session) -> DossierSubmission:
        readers.readable_dossier(session, dossier_id, staff.organisation)
        return DossierSubmission.model_validate(queries.version_body(session, dossier_id, version))

    return await run_in_session(ctx.runtime.engine, read)


async def get_changes(
    ctx: IntakeContext, staff: Staff, dossier_id: str, earlier: int, later: int
) -> VersionChanges:
    def read(session: Session) -> VersionChanges:
        readers.readable_dossier(session, dossier_id, staff.organisation)
        return queries.version_changes(session, dossier_id, earlier, later)

    return await run_in_session(ctx.runtime.engine, read)


async def download(ctx: IntakeContext, staff: Staff, dossier_id: str, attachment_id: str) -> Download:
    def read(session: Session) -> Download:
        readers.readable_dossier(session, dossier_id, staff.organisation)
        attachment = attachments.attachment_of(session, dossier_id, attachment_id)
        return Download(ctx.store.path_of(attachment.sha256), attachment.media_type, attachment.file_name)

    return await run_in_session(ctx.runtime.engine, read)
