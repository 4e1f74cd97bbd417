"""A dossier's attachments as rows: what was stored (``storage.AttachmentStore`` keeps the bytes),
for which version, and the client's own attachment to download."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from contracts.views import AttachmentView
from services.intake.dossiers import own_dossier
from services.intake.errors import ATTACHMENT_NOT_FOUND
from services.intake.models import Attachment
from services.intake.storage import StoredFile


def add_attachment(
    session: Session, dossier_id: str, client_id: str, stored: StoredFile, file_name: str, now: datetime
) -> AttachmentView:
    """The stored file, attached to the dossier's current version."""
    dossier = own_dossier(session, dossier_id, client_id)
    attachment = Attachment(
        id=str(uuid.uuid4()),
        dossier_id=dossier.id,
        version=dossier.version,
        file_name=file_name,
        media_type=stored.media_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        uploaded_at=now,
    )
    session.add(attachment)
    return attachment_view(attachment)


def find_attachment(session: Session, dossier_id: str, attachment_id: str, client_id: str) -> Attachment:
    own_dossier(session, dossier_id, client_id)
    return attachment_of(session, dossier_id, attachment_id)


def attachment_of(session: Session, dossier_id: str, attachment_id: str) -> Attachment:
    """One of the dossier's attachments (whoever may read the dossier: the caller has checked)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.dossier_id != dossier_id:
        raise ATTACHMENT_NOT_FOUND(attachment_id=attachment_id)
    return attachment


def attachment_view(attachment: Attachment) -> AttachmentView:
    return AttachmentView(
        attachment_id=attachment.id,
        version=attachment.version,
        file_name=attachment.file_name,
        media_type=attachment.media_type,
        size_bytes=attachment.size_bytes,
        sha256=attachment.sha256,
        uploaded_at=attachment.uploaded_at,
    )
