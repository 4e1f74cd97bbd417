"""A dossier's rows: the client's own dossier, a validated version stored with the event announcing
it (a submission, an amendment), a withdrawal request, and the ``Idempotency-Key`` records. Each
function works in the transaction its caller (a handler) opened; validation happened before."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime

from sqlmodel import Session, select

from contracts.dossiers import DossierSubmission
from contracts.envelope import CloudEvent
from contracts.events import (
    DossierAmended,
    DossierSubmitted,
    DossierSubmittedData,
    DossierWithdrawalRequested,
    EligibilityOutcome,
    EntrySummary,
    NomineeContact,
    NomineeKind,
    WithdrawalRequestedData,
)
from contracts.topics import Topic
from servicekit.outbox import add_to_outbox
from services.intake import lifecycle
from services.intake.errors import DOSSIER_NOT_FOUND, IDEMPOTENCY_KEY_REUSED
from services.intake.models import Dossier, DossierEntry, DossierVersion, IdempotencyRecord
from services.intake.recording import record_event
from services.intake.validation import ValidatedDossier


def own_dossier(session: Session, dossier_id: str, client_id: str) -> Dossier:
    """A client sees only its own dossiers; another's is answered as missing, not as forbidden,
    so ids cannot be probed."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or dossier.client_id != client_id:
        raise DOSSIER_NOT_FOUND(dossier_id=dossier_id)
    return dossier


def request_digest(submission: DossierSubmission) -> str:
    """The identity of a request body for ``Idempotency-Key`` (canonical JSON, so key order and
    white space do not matter)."""
    canonical = json.dumps(submission.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay_of(session: Session, client_id: str, key: str, digest: str) -> str | None:
    """The dossier a repeated ``Idempotency-Key`` created, or None for a new key; refused when
    the key was used for a different body."""
    record = session.get(IdempotencyRecord, (client_id, key))
    if record is None:
        return None
    if record.request_sha256 != digest:
        raise IDEMPOTENCY_KEY_REUSED(key=key)
    return record.dossier_id


def store_submission(
    session: Session,
    validated: ValidatedDossier,
    *,
    client_id: str,
    source: str,
    trace_id: str | None,
    now: datetime,
    idempotency_key: str | None = None,
) -> Dossier:
    """A new dossier, its first version, its idempotency record and ``dossier.submitted``. A
    second record of the same (client, key) fails the transaction on the table's primary key."""
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
    _announce(session, event, now)
    return dossier


def store_amendment(
    session: Session,
    dossier_id: str,
    validated: ValidatedDossier,
    *,
    client_id: str,
    source: str,
    now: datetime,
) -> Dossier:
    """A new version of the same dossier (bổ sung), while it is still open to amendment (checked
    again here, in the transaction that stores it)."""
    dossier = own_dossier(session, dossier_id, client_id)
    submission = validated.submission
    lifecycle.check_amendment(dossier.status, dossier.submitting_organisation, dossier.award_code, submission)
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
    _announce(session, event, now)
    return dossier


def store_withdrawal_request(
    session: Session, dossier_id: str, client_id: str, reason: str, source: str, now: datetime
) -> None:
    """The submitter withdraws the dossier (rút hồ sơ); the review ends when the workflow confirms."""
    dossier = own_dossier(session, dossier_id, client_id)
    lifecycle.check_withdrawal(dossier.status)
    event = DossierWithdrawalRequested(
        source=source,
        subject=dossier.id,
        time=now,
        data=WithdrawalRequestedData(dossier_id=dossier.id, requested_by=client_id, reason=reason, at=now),
    )
    _announce(session, event, now)


def _announce(session: Session, event: CloudEvent, now: datetime) -> None:
    """``event`` staged for the bus (the outbox) and in the dossier's history, in the transaction
    that made it true."""
    add_to_outbox(session, Topic.INTAKE_EVENTS, event)
    record_event(session, event, now)


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
