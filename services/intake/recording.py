"""An event in its dossier: appended once to the dossier's history (a hash chain, ``domain.audit``),
the status recomputed from that history, and what the event says of the entries recorded — struck
by a level, numbered by the decision, revoked. Works in the transaction its caller opened."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from contracts.envelope import CloudEvent
from contracts.events import (
    NOMINEE_RECIPIENT_PREFIX,
    DecisionIssued,
    DecisionRevoked,
    DossierApproved,
    EntrySummary,
    NotificationDelivered,
    NotificationSent,
    ReviewTaskCompleted,
    ReviewTaskOpened,
    StruckEntry,
    client_recipient,
)
from contracts.labels import Label
from services.intake import lifecycle, revocations
from services.intake.domain import audit
from services.intake.history import HistoryNames, describe
from services.intake.models import Dossier, DossierEntry, DossierHistory

OPENED = ReviewTaskOpened.model_fields["type"].default


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
    _append(session, dossier, event)
    _apply(session, dossier, event)
    dossier.updated_at = now
    session.add(dossier)


def _append(session: Session, dossier: Dossier, event: CloudEvent) -> None:
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


def _apply(session: Session, dossier: Dossier, event: CloudEvent) -> None:
    """What the event changes besides the history: struck entries, the status and the level, the
    decision's number and lines, a revocation."""
    if isinstance(event, ReviewTaskCompleted):
        _strike(session, dossier.id, event.data.struck_entries, event.data.level)
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
    opened = [level for event_type, level in history if event_type == OPENED]
    dossier.current_level = opened[-1] if opened and dossier.status == "in_review" else None
    if isinstance(event, DecisionIssued):
        dossier.decision_number = event.data.number
        _number_lines(session, dossier.id, event.data.entries)
    if isinstance(event, DecisionRevoked):
        revocations.record(session, dossier.id, event.data)


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


def _strike(session: Session, dossier_id: str, struck: list[StruckEntry], level: str | None) -> None:
    for item in struck:
        entry = session.get(DossierEntry, item.entry_id)
        if entry is not None and entry.dossier_id == dossier_id and entry.struck_reason is None:
            entry.struck_reason = item.reason
            entry.struck_level = item.level or level
            session.add(entry)


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
