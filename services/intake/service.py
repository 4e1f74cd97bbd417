"""Intake's use cases: store a validated dossier (and its amendments) with the event announcing
it, keep attachments, and fold later events into the dossier's history. Each function runs inside
one database transaction given by the caller; validation happens before, in ``validation``."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from contracts.dossiers import DossierSubmission
from contracts.envelope import CloudEvent
from contracts.events import (
    NOMINEE_RECIPIENT_PREFIX,
    DecisionIssued,
    DecisionRevoked,
    DecisionRevokedData,
    DossierAmended,
    DossierApproved,
    DossierSubmitted,
    DossierSubmittedData,
    DossierWithdrawalRequested,
    EligibilityOutcome,
    EntrySummary,
    NomineeContact,
    NomineeKind,
    NotificationDelivered,
    NotificationSent,
    ReviewStep,
    ReviewTaskCompleted,
    ReviewTaskOpened,
    StruckEntry,
    WithdrawalRequestedData,
    client_recipient,
)
from contracts.labels import Label
from contracts.names import search_key
from contracts.topics import Topic
from servicekit.outbox import add_to_outbox
from servicekit.problems import ProblemError
from services.intake import lifecycle
from services.intake.domain import audit
from services.intake.history import HistoryNames, describe
from services.intake.models import (
    Attachment,
    AttachmentView,
    Dossier,
    DossierEntry,
    DossierHistory,
    DossierPage,
    DossierSummary,
    DossierVersion,
    DossierView,
    EligibilityView,
    EntryView,
    HistoryItem,
    IdempotencyRecord,
    RevokedAward,
)
from services.intake.storage import StoredFile
from services.intake.validation import RevokedTitle, ValidatedDossier

AMENDABLE = frozenset({lifecycle.DossierStatus.SUBMITTED, lifecycle.DossierStatus.RETURNED})
WITHDRAWABLE = frozenset(
    {lifecycle.DossierStatus.SUBMITTED, lifecycle.DossierStatus.IN_REVIEW, lifecycle.DossierStatus.RETURNED}
)
"""Until the last level approves: after that the decision is being issued and runs its course."""


def request_digest(submission: DossierSubmission) -> str:
    """The identity of a request body for ``Idempotency-Key`` (canonical JSON, so key order and
    white space do not matter)."""
    canonical = json.dumps(submission.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay_of(session: Session, client_id: str, key: str, digest: str) -> str | None:
    """The dossier a repeated ``Idempotency-Key`` created, or None for a new key; 409 when the key
    was used for a different body."""
    record = session.get(IdempotencyRecord, (client_id, key))
    if record is None:
        return None
    if record.request_sha256 != digest:
        raise ProblemError(
            409,
            "idempotency-key-reused",
            "Idempotency-Key này đã được dùng cho một hồ sơ có nội dung khác.",
            "This Idempotency-Key was already used with a different request body.",
        )
    return record.dossier_id


def submit_dossier(
    session: Session,
    validated: ValidatedDossier,
    *,
    client_id: str,
    source: str,
    trace_id: str | None,
    now: datetime,
    idempotency_key: str | None = None,
) -> Dossier:
    submission = validated.submission
    dossier = Dossier(
        id=str(uuid.uuid4()),
        client_id=client_id,
        submitting_organisation=submission.submitting_organisation,
        award_code=submission.award_code,
        external_reference=submission.external_reference,
        submission_date=validated.submission_date,
        proposal_year=validated.proposal_year,
        rule_set_id=validated.rule_set_id,
        review_chain=[step.model_dump(mode="json") for step in validated.review_chain],
        trace_id=trace_id,
        submitted_at=now,
        updated_at=now,
    )
    session.add(dossier)
    session.flush()
    if idempotency_key is not None:
        session.add(
            IdempotencyRecord(
                client_id=client_id,
                key=idempotency_key,
                request_sha256=request_digest(submission),
                dossier_id=dossier.id,
                created_at=now,
            )
        )
    event = DossierSubmitted(
        source=source, subject=dossier.id, time=now, data=_store_version(session, dossier, validated, now)
    )
    add_to_outbox(session, Topic.INTAKE_EVENTS, event)
    record_event(session, event, now)
    return dossier


def amend_dossier(
    session: Session,
    dossier_id: str,
    validated: ValidatedDossier,
    *,
    client_id: str,
    source: str,
    now: datetime,
) -> Dossier:
    """A new version of the same dossier (bổ sung), while it is still open to amendment."""
    dossier = own_dossier(session, dossier_id, client_id)
    check_amendment(dossier, validated.submission)
    submission = validated.submission
    dossier.version += 1
    dossier.external_reference = submission.external_reference
    dossier.submission_date = validated.submission_date
    dossier.proposal_year = validated.proposal_year
    dossier.rule_set_id = validated.rule_set_id
    dossier.review_chain = [step.model_dump(mode="json") for step in validated.review_chain]
    dossier.updated_at = now
    session.add(dossier)
    event = DossierAmended(
        source=source, subject=dossier.id, time=now, data=_store_version(session, dossier, validated, now)
    )
    add_to_outbox(session, Topic.INTAKE_EVENTS, event)
    record_event(session, event, now)
    return dossier


def request_withdrawal(
    session: Session, dossier_id: str, client_id: str, reason: str, source: str, now: datetime
) -> None:
    """The submitter withdraws the dossier (rút hồ sơ); the review ends when the workflow confirms."""
    dossier = own_dossier(session, dossier_id, client_id)
    if dossier.status not in WITHDRAWABLE:
        raise ProblemError(
            409,
            "dossier-not-withdrawable",
            f"Hồ sơ đang ở trạng thái '{dossier.status}', không thể rút.",
            f"The dossier is '{dossier.status}' and can no longer be withdrawn.",
        )
    event = DossierWithdrawalRequested(
        source=source,
        subject=dossier.id,
        time=now,
        data=WithdrawalRequestedData(dossier_id=dossier.id, requested_by=client_id, reason=reason, at=now),
    )
    add_to_outbox(session, Topic.INTAKE_EVENTS, event)
    record_event(session, event, now)


def check_amendment(dossier: Dossier, submission: DossierSubmission) -> None:
    """An amendment keeps the dossier's identity and comes while the dossier is open to it."""
    if dossier.status not in AMENDABLE:
        raise ProblemError(
            409,
            "dossier-not-amendable",
            f"Hồ sơ đang ở trạng thái '{dossier.status}', không thể bổ sung.",
            f"The dossier is '{dossier.status}' and cannot be amended.",
        )
    if (submission.submitting_organisation, submission.award_code) != (
        dossier.submitting_organisation,
        dossier.award_code,
    ):
        raise ProblemError(
            422,
            "amendment-changes-identity",
            "Bản bổ sung không được đổi đơn vị trình hoặc hình thức khen thưởng.",
            "An amendment cannot change the submitting organisation or the award.",
        )


def _store_version(
    session: Session, dossier: Dossier, validated: ValidatedDossier, now: datetime
) -> DossierSubmittedData:
    """Store the version's body and entries; return the event data announcing it."""
    submission = validated.submission
    session.add(
        DossierVersion(
            dossier_id=dossier.id,
            version=dossier.version,
            body=submission.model_dump(mode="json"),
            body_sha256=request_digest(submission),
            created_at=now,
        )
    )
    for stale in session.exec(select(DossierEntry).where(DossierEntry.dossier_id == dossier.id)).all():
        session.delete(stale)
    entries = [
        DossierEntry(
            id=f"{dossier.id}.v{dossier.version}.{position}",
            dossier_id=dossier.id,
            version=dossier.version,
            position=position,
            kind=entry.nominee.kind,
            full_name=entry.nominee.full_name,
            achievement_summary=entry.nominee.achievement_summary,
            record=entry.nominee.record.model_dump(mode="json"),
            eligibility_outcome=entry.eligibility.outcome,
            eligibility=entry.eligibility.model_dump(mode="json"),
        )
        for position, entry in enumerate(validated.entries, start=1)
    ]
    session.add_all(entries)
    session.flush()
    return DossierSubmittedData(
        dossier_id=dossier.id,
        version=dossier.version,
        submitting_organisation=dossier.submitting_organisation,
        award_code=dossier.award_code,
        entries=[
            EntrySummary(
                entry_id=entry.id,
                nominee_name=entry.full_name,
                nominee_kind=NomineeKind(entry.kind),
                eligibility=EligibilityOutcome(entry.eligibility_outcome),
                position_title=validated_entry.nominee.position_title,
                same_period_titles=list(validated_entry.same_period_titles),
            )
            for entry, validated_entry in zip(entries, validated.entries, strict=True)
        ],
        review_levels=[step.level for step in validated.review_chain],
        review_chain=validated.review_chain,
        council=validated.council,
        reward_multiple=validated.reward_multiple,
        public_comment=validated.public_comment,
        deciding_organisation=validated.deciding_organisation,
        issuer_code=validated.issuer_code,
        rule_set_id=validated.rule_set_id,
        submission_date=validated.submission_date,
        external_reference=dossier.external_reference,
        particulars=validated.particulars,
        client_id=dossier.client_id,
        nominee_contacts=[
            NomineeContact(entry_id=entry.id, email=validated_entry.nominee.email)
            for entry, validated_entry in zip(entries, validated.entries, strict=True)
            if validated_entry.nominee.email
        ],
        award_name_en=validated.award_name_en,
        submitting_organisation_name=validated.submitting_organisation_name,
    )


def record_event(session: Session, event: CloudEvent, now: datetime) -> None:
    """Append ``event`` to its dossier's history (once) and recompute the dossier's status."""
    dossier = session.get(Dossier, event.subject)
    if dossier is None:
        return  # not a dossier of this intake (e.g. another environment sharing the topic)
    if isinstance(event, NotificationSent | NotificationDelivered) and not _tells_the_submitter(
        dossier, event.data.recipient
    ):
        return  # reviewers' notices are the reviewing organisations' business, not the submitter's
    exists = session.exec(
        select(DossierHistory.id).where(
            DossierHistory.source == event.source, DossierHistory.event_id == event.id
        )
    ).first()
    if exists is not None:
        return
    level, actor, summary = describe(event, _history_names(session, dossier, event))
    completed = event.data if isinstance(event, ReviewTaskCompleted) else None
    entry = DossierHistory(
        dossier_id=dossier.id,
        event_id=event.id,
        source=event.source,
        type=event.type,
        occurred_at=event.time,
        level=level,
        actor=actor,
        organisation=completed.organisation if completed else None,
        role=completed.role if completed else None,
        version=completed.version if completed else None,
        summary=summary,
    )
    _chain(session, entry)
    session.add(entry)
    if completed is not None:
        _strike(session, dossier.id, completed.struck_entries, completed.level)
    if isinstance(event, DossierApproved):
        _strike(session, dossier.id, event.data.struck_entries, None)
    session.flush()
    # the type and level of each entry only: a dossier's history is read after each of its events
    history = session.exec(
        select(DossierHistory.type, DossierHistory.level)
        .where(DossierHistory.dossier_id == dossier.id)
        .order_by(col(DossierHistory.occurred_at), col(DossierHistory.id))
    ).all()
    dossier.status = lifecycle.status_from_history(event_type for event_type, _ in history)
    opened = [
        level for event_type, level in history if event_type == ReviewTaskOpened.model_fields["type"].default
    ]
    dossier.current_level = opened[-1] if opened and dossier.status == "in_review" else None
    if isinstance(event, DecisionIssued):
        dossier.decision_number = event.data.number
        _number_lines(session, dossier.id, event.data.entries)
    if isinstance(event, DecisionRevoked):
        _record_revocation(session, dossier.id, event.data)
    dossier.updated_at = now
    session.add(dossier)


def _history_names(session: Session, dossier: Dossier, event: CloudEvent) -> HistoryNames:
    """The names ``event``'s history line needs from intake's records: the reviewing
    organisations (the review chain stored with the dossier) and the nominees it names."""
    entry_ids: list[str] = []
    if isinstance(event, ReviewTaskCompleted):
        entry_ids += [item.entry_id for item in event.data.struck_entries if not item.nominee_name]
        entry_ids += [vote.entry_id for vote in event.data.tally.votes] if event.data.tally else []
    if isinstance(event, NotificationSent | NotificationDelivered) and not event.data.recipient_name:
        recipient = event.data.recipient
        if recipient.startswith(NOMINEE_RECIPIENT_PREFIX):
            entry_ids.append(recipient.removeprefix(NOMINEE_RECIPIENT_PREFIX))
    nominees = {}
    for entry_id in entry_ids:
        entry = session.get(DossierEntry, entry_id)
        if entry is not None and entry.dossier_id == dossier.id:
            nominees[entry_id] = entry.full_name
    reviewers = {
        step["level"]: step.get("organisation_name") or step["organisation"] for step in dossier.review_chain
    }
    levels = {
        step["level"]: Label(step["level_name_vi"], step.get("level_name_en") or step["level_name_vi"])
        for step in dossier.review_chain
        if step.get("level_name_vi")
    }
    return HistoryNames(
        reviewers=reviewers, nominees=nominees, levels=levels, submission_date=dossier.submission_date
    )


def _number_lines(session: Session, dossier_id: str, entries: list[EntrySummary]) -> None:
    for summary in entries:
        entry = session.get(DossierEntry, summary.entry_id)
        if entry is not None and entry.dossier_id == dossier_id:
            entry.line_number = summary.line_number
            session.add(entry)


def _record_revocation(session: Session, dossier_id: str, revoked: DecisionRevokedData) -> None:
    if session.get(RevokedAward, revoked.revocation_id) is None:
        session.add(
            RevokedAward(
                revocation_id=revoked.revocation_id,
                decision_number=revoked.original_number,
                award_code=revoked.award_code,
                period_year=revoked.period_year,
                nominee_key=search_key(revoked.nominee_name),
                revocation_number=revoked.number,
                revoked_on=revoked.issued_on,
                entry_id=revoked.entry_id,
            )
        )
    entry = session.get(DossierEntry, revoked.entry_id)
    if entry is not None and entry.dossier_id == dossier_id:
        entry.revocation_number = revoked.number
        session.add(entry)


def revoked_titles(session: Session, submission: DossierSubmission) -> list[RevokedTitle]:
    """The revocations matching a decision number the submission's records cite."""
    numbers = {
        award.decision_number
        for nominee in submission.entries
        for award in nominee.record.awards
        if award.decision_number is not None
    }
    if not numbers:
        return []
    rows = session.exec(select(RevokedAward).where(col(RevokedAward.decision_number).in_(numbers))).all()
    return [
        RevokedTitle(
            decision_number=row.decision_number,
            award_code=row.award_code,
            year=row.period_year,
            nominee_key=row.nominee_key,
        )
        for row in rows
    ]


def _strike(session: Session, dossier_id: str, struck: list[StruckEntry], level: str | None) -> None:
    for item in struck:
        entry = session.get(DossierEntry, item.entry_id)
        if entry is not None and entry.dossier_id == dossier_id and entry.struck_reason is None:
            entry.struck_reason = item.reason
            entry.struck_level = item.level or level
            session.add(entry)


def _history(session: Session, dossier_id: str) -> list[DossierHistory]:
    statement = (
        select(DossierHistory)
        .where(DossierHistory.dossier_id == dossier_id)
        .order_by(col(DossierHistory.occurred_at), col(DossierHistory.id))
    )
    return list(session.exec(statement).all())


def _chain(session: Session, entry: DossierHistory) -> None:
    """Link ``entry`` to the dossier's last one. The dossier's row is locked first, so entries
    recorded at once by consumers of different topics still form one chain."""
    dossier = session.exec(
        select(Dossier)
        .where(Dossier.id == entry.dossier_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    entry.previous_hash = dossier.audit_head or audit.GENESIS
    entry.entry_hash = audit.entry_hash(entry.previous_hash, entry.model_dump())
    dossier.audit_head = entry.entry_hash
    session.add(dossier)


def _tells_the_submitter(dossier: Dossier, recipient: str) -> bool:
    return recipient in {
        dossier.submitting_organisation,
        client_recipient(dossier.client_id),
    } or recipient.startswith(NOMINEE_RECIPIENT_PREFIX)


def own_dossier(session: Session, dossier_id: str, client_id: str) -> Dossier:
    """A client sees only its own dossiers; another's is answered as missing, not as forbidden,
    so ids cannot be probed."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or dossier.client_id != client_id:
        raise ProblemError(
            404,
            "dossier-not-found",
            f"Không tìm thấy hồ sơ '{dossier_id}'.",
            f"No dossier with id '{dossier_id}'.",
        )
    return dossier


def dossier_view(session: Session, dossier_id: str, client_id: str) -> DossierView:
    dossier = own_dossier(session, dossier_id, client_id)
    entries = session.exec(
        select(DossierEntry).where(DossierEntry.dossier_id == dossier_id).order_by(col(DossierEntry.position))
    ).all()
    attachments = session.exec(
        select(Attachment).where(Attachment.dossier_id == dossier_id).order_by(col(Attachment.uploaded_at))
    ).all()
    return DossierView(
        **_summary(dossier).model_dump(),
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
        attachments=[_attachment_view(item) for item in attachments],
        history=[
            HistoryItem.model_validate(item, from_attributes=True) for item in _history(session, dossier_id)
        ],
    )


def _summary(dossier: Dossier) -> DossierSummary:
    return DossierSummary(
        dossier_id=dossier.id,
        version=dossier.version,
        submitting_organisation=dossier.submitting_organisation,
        award_code=dossier.award_code,
        external_reference=dossier.external_reference,
        status=lifecycle.DossierStatus(dossier.status),
        decision_number=dossier.decision_number,
        submitted_at=dossier.submitted_at,
        updated_at=dossier.updated_at,
    )


def list_dossiers(
    session: Session,
    client_id: str,
    *,
    status: lifecycle.DossierStatus | None,
    external_reference: str | None,
    limit: int,
    offset: int,
) -> DossierPage:
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
    return DossierPage(items=[_summary(row) for row in rows], total=total, limit=limit, offset=offset)


def dossier_version(session: Session, dossier_id: str, version: int, client_id: str) -> dict[str, Any]:
    own_dossier(session, dossier_id, client_id)
    stored = session.get(DossierVersion, (dossier_id, version))
    if stored is None:
        raise ProblemError(
            404,
            "version-not-found",
            f"Hồ sơ không có phiên bản {version}.",
            f"The dossier has no version {version}.",
        )
    return stored.body


def add_attachment(
    session: Session, dossier_id: str, client_id: str, stored: StoredFile, file_name: str, now: datetime
) -> AttachmentView:
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
    return _attachment_view(attachment)


def find_attachment(session: Session, dossier_id: str, attachment_id: str, client_id: str) -> Attachment:
    own_dossier(session, dossier_id, client_id)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.dossier_id != dossier_id:
        raise ProblemError(
            404,
            "attachment-not-found",
            f"Không tìm thấy tệp đính kèm '{attachment_id}'.",
            f"No attachment with id '{attachment_id}'.",
        )
    return attachment


def _attachment_view(attachment: Attachment) -> AttachmentView:
    return AttachmentView(
        attachment_id=attachment.id,
        version=attachment.version,
        file_name=attachment.file_name,
        media_type=attachment.media_type,
        size_bytes=attachment.size_bytes,
        sha256=attachment.sha256,
        uploaded_at=attachment.uploaded_at,
    )
