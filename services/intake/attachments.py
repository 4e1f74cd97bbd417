"""A dossier's attachments as rows: what was stored (``servicekit.files.ContentStore`` keeps the bytes),
for which version, of which document type, and the client's own attachment to download."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from contracts.views import AttachmentView
from servicekit.files import StoredFile
from services.intake.domain.catalogue import OTHER_DOCUMENT, Catalogue, DocumentType
from services.intake.dossiers import own_dossier
from services.intake.errors import ATTACHMENT_NOT_FOUND, UNKNOWN_DOCUMENT_CODE
from services.intake.models import Attachment


def document_type(catalogue: Catalogue, document_code: str | None) -> DocumentType:
    """The document type an upload names, judged before any byte is read.

    Omitted means ``OTHER`` (tài liệu khác) rather than a refusal: uploads without a code were the
    whole API until documents were typed, and integrators, the bulk tool and scripts still send
    them — requiring the field would turn a working request into a 422. The default cannot hide a
    gap either: an ``OTHER`` file fulfils no required document, so the dossier's checklist still
    shows what is missing. A code that is given must be one of the catalogue's (exactly, upper
    case): a misspelt code silently filed as ``OTHER`` would look attached to its uploader and
    missing to everyone else."""
    code = OTHER_DOCUMENT if document_code is None else document_code
    found = catalogue.document(code)
    if found is None:
        known = ", ".join(catalogue.documents)
        raise UNKNOWN_DOCUMENT_CODE(document_code=code, known=known)
    return found


def add_attachment(
    session: Session,
    dossier_id: str,
    client_id: str,
    stored: StoredFile,
    file_name: str,
    document: DocumentType,
    now: datetime,
) -> AttachmentView:
    """The stored file, attached to the dossier's current version as a ``document``."""
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
        document_code=document.code,
    )
    session.add(attachment)
    return attachment_view(attachment, document)


def find_attachment(session: Session, dossier_id: str, attachment_id: str, client_id: str) -> Attachment:
    own_dossier(session, dossier_id, client_id)
    return attachment_of(session, dossier_id, attachment_id)


def attachment_of(session: Session, dossier_id: str, attachment_id: str) -> Attachment:
    """One of the dossier's attachments (whoever may read the dossier: the caller has checked)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.dossier_id != dossier_id:
        raise ATTACHMENT_NOT_FOUND(attachment_id=attachment_id)
    return attachment


def attachment_view(attachment: Attachment, document: DocumentType | None) -> AttachmentView:
    """``document``: the attachment's type as the catalogue names it (``None`` for a code the
    packaged catalogue no longer holds: the code is still shown)."""
    return AttachmentView(
        attachment_id=attachment.id,
        version=attachment.version,
        file_name=attachment.file_name,
        media_type=attachment.media_type,
        size_bytes=attachment.size_bytes,
        sha256=attachment.sha256,
        uploaded_at=attachment.uploaded_at,
        document_code=attachment.document_code,
        document_name_vi=document.name_vi if document else None,
        document_name_en=document.name_en if document else None,
    )
