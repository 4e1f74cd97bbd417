"""What intake answers about a dossier (``GET /v1/dossiers``, ``GET /v1/dossiers/{id}``, and the
dossier every write returns): the view models of its API, here so that a client — the bulk Excel
tool, an integrator's code — reads them without the server's package."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from contracts.events import NomineeKind, PassedOnLevel, ReviewStep


class DossierStatus(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    DECIDED = "decided"
    REJECTED = "rejected"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class CriterionView(BaseModel):
    code: str
    outcome: str = Field(description="passed | failed | manual_review")
    facts: dict[str, Any]
    legal_basis: str
    message_vi: str
    message_en: str


class EligibilityView(BaseModel):
    outcome: str = Field(description="eligible | ineligible | manual_review")
    rule_set_id: str
    criteria: list[CriterionView]
    council_checks: list[str] = Field(default_factory=list)


class EntryView(BaseModel):
    entry_id: str
    position: int
    kind: NomineeKind
    full_name: str
    eligibility: EligibilityView
    struck_reason: str | None = Field(
        default=None, description="Why the review took the entry out, if it did"
    )
    struck_level: PassedOnLevel | None = None
    line_number: int | None = Field(default=None, description="Số sổ vàng in the decision, once issued")
    revocation_number: str | None = Field(
        default=None, description="The decision revoking this entry's award (Luật TĐKT Điều 93), if any"
    )


class AttachmentView(BaseModel):
    attachment_id: str
    version: int
    file_name: str
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    document_code: str = Field(
        default="OTHER",
        description="The kind of document the file is, from the award catalogue's document table "
        "(TO_TRINH, BAO_CAO_THANH_TICH, BIEN_BAN_BINH_XET, …); OTHER when the uploader named none",
    )
    document_name_vi: str | None = Field(default=None, description="The document type's Vietnamese name")
    document_name_en: str | None = Field(default=None, description="The document type's English name")


class DocumentCheckView(BaseModel):
    """One document the dossier's award requires, and the current version's attachments of it."""

    document_code: str
    name_vi: str
    name_en: str
    legal_basis: str
    confirmed: bool = Field(
        description="False where the catalogue marks the requirement UNCONFIRMED: listed, but never missing"
    )
    template: str | None = Field(default=None, description="The official template (mẫu), where known")
    attachment_ids: list[str] = Field(
        description="The current version's attachments of this type, in upload order (empty: none)"
    )
    missing: bool = Field(
        description="Required (confirmed) and no attachment of this type in the current version"
    )


class HistoryItem(BaseModel):
    event_id: str
    type: str
    occurred_at: datetime
    level: PassedOnLevel | None
    actor: str | None
    organisation: str | None = None
    role: str | None = None
    version: int | None = None
    summary: str
    entry_hash: str | None = Field(
        default=None, description="This entry's link in the dossier's audit hash chain (SHA-256)"
    )


class DossierSummary(BaseModel):
    dossier_id: str
    version: int
    submitting_organisation: str
    award_code: str
    award_name_vi: str | None = Field(
        default=None,
        description="The award's name as people read it (tên hình thức khen thưởng), from the rule set "
        "the dossier is judged by",
    )
    external_reference: str | None
    status: DossierStatus
    decision_number: str | None
    submitted_at: datetime
    updated_at: datetime


class DossierView(DossierSummary):
    submission_date: date
    proposal_year: int
    rule_set_id: str = Field(description="The rule set in force on the submission date, e.g. ND152-2025")
    review_chain: list[ReviewStep] = Field(description="Who reviews the dossier at each level, in order")
    current_level: PassedOnLevel | None
    trace_id: str | None
    entries: list[EntryView]
    attachments: list[AttachmentView]
    history: list[HistoryItem]
    documents: list[DocumentCheckView] = Field(
        default_factory=list,
        description="The checklist: each document the award requires in the dossier's rule set, with "
        "the current version's attachments of that type",
    )
    documents_complete: bool | None = Field(
        default=None,
        description="True when no confirmed required document is missing from the current version; "
        "null when the catalogue no longer holds the dossier's rule set or award",
    )


class VersionSummary(BaseModel):
    version: int
    submitted_at: datetime
    body_sha256: str


class StaffDossierView(DossierView):
    """What a reviewer of the dossier's chain reads (``GET /v1/staff/dossiers/{id}``): the
    integrator's view, and every fact submitted for each entry (the current version's body as it
    was sent), and the versions there are to compare."""

    submission: dict[str, Any] = Field(
        description="The current version exactly as submitted: every entry's facts"
    )
    versions: list[VersionSummary]


class VersionChange(BaseModel):
    """One difference between two versions (RFC 6902 JSON Patch operation, with the old value)."""

    op: str = Field(description="add | remove | replace | move | copy")
    path: str = Field(description="JSON Pointer into the version's body, e.g. /entries/0/record/ratings/3")
    entry_name: str | None = Field(default=None, description="The nominee the change is about, if any")
    before: Any = Field(default=None, description="The value in the earlier version (replace, remove)")
    after: Any = Field(default=None, description="The value in the later version (add, replace)")


class VersionChanges(BaseModel):
    dossier_id: str
    from_version: int
    to_version: int
    changes: list[VersionChange]


class DossierPage(BaseModel):
    items: list[DossierSummary]
    total: int
    limit: int
    offset: int
