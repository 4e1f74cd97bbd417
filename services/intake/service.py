"""Intake's use cases: store a submitted dossier with its event, and fold later events into its
history. Each function runs inside one database transaction given by the caller."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from contracts.dossiers import DossierSubmission
from contracts.envelope import CloudEvent, utc_now
from contracts.events import (
    DecisionIssued,
    DossierRejected,
    DossierReturned,
    DossierSubmitted,
    DossierSubmittedData,
    EntrySummary,
    LevelApproved,
    NotificationSent,
    ReviewTaskCompleted,
    ReviewTaskOpened,
)
from contracts.topics import Topic
from servicekit.outbox import add_to_outbox
from servicekit.problems import ProblemError
from services.intake import lifecycle, routing
from services.intake.models import (
    Dossier,
    DossierEntry,
    DossierHistory,
    DossierView,
    EntryView,
    HistoryItem,
)


def submit_dossier(
    session: Session, submission: DossierSubmission, source: str, trace_id: str | None
) -> Dossier:
    route = routing.route_for(submission.award_code)
    if route is None:
        raise ProblemError(
            422,
            "unknown-award",
            f"Không có danh hiệu/hình thức khen thưởng mã '{submission.award_code}'.",
            f"There is no award with code '{submission.award_code}'.",
        )
    dossier_id = str(uuid.uuid4())
    dossier = Dossier(
        id=dossier_id,
        submitting_organisation=submission.submitting_organisation,
        award_code=submission.award_code,
        external_reference=submission.external_reference,
        trace_id=trace_id,
    )
    entries = [
        DossierEntry(
            id=f"{dossier_id}.{position}",
            dossier_id=dossier_id,
            position=position,
            kind=nominee.kind,
            full_name=nominee.full_name,
            achievement_summary=nominee.achievement_summary,
        )
        for position, nominee in enumerate(submission.entries, start=1)
    ]
    session.add(dossier)
    session.flush()
    session.add_all(entries)
    event = DossierSubmitted(
        source=source,
        subject=dossier_id,
        data=DossierSubmittedData(
            dossier_id=dossier_id,
            version=dossier.version,
            submitting_organisation=dossier.submitting_organisation,
            award_code=dossier.award_code,
            entries=[
                EntrySummary(entry_id=entry.id, nominee_name=entry.full_name, nominee_kind=entry.kind)
                for entry in entries
            ],
            review_levels=list(route.review_levels),
            deciding_organisation=route.deciding_organisation,
            issuer_code=route.issuer_code,
        ),
    )
    add_to_outbox(session, Topic.INTAKE_EVENTS, event)
    record_event(session, event)
    return dossier


def record_event(session: Session, event: CloudEvent) -> None:
    """Append ``event`` to its dossier's history (once) and recompute the dossier's status."""
    dossier = session.get(Dossier, event.subject)
    if dossier is None:
        return  # not a dossier of this intake (e.g. another environment sharing the topic)
    exists = session.exec(
        select(DossierHistory.id).where(
            DossierHistory.source == event.source, DossierHistory.event_id == event.id
        )
    ).first()
    if exists is not None:
        return
    level, actor, summary = _describe(event)
    session.add(
        DossierHistory(
            dossier_id=dossier.id,
            event_id=event.id,
            source=event.source,
            type=event.type,
            occurred_at=event.time,
            level=level,
            actor=actor,
            summary=summary,
        )
    )
    session.flush()
    history = _history(session, dossier.id)
    dossier.status = lifecycle.status_from_history(item.type for item in history)
    opened = [item for item in history if item.type == ReviewTaskOpened.model_fields["type"].default]
    dossier.current_level = opened[-1].level if opened and dossier.status == "in_review" else None
    if isinstance(event, DecisionIssued):
        dossier.decision_number = event.data.number
    dossier.updated_at = utc_now()
    session.add(dossier)


def _describe(event: CloudEvent) -> tuple[str | None, str | None, str]:
    match event:
        case DossierSubmitted():
            return None, None, "Tiếp nhận hồ sơ / dossier received"
        case ReviewTaskOpened(data=data):
            return data.level, None, f"Mở bước xét duyệt cấp {data.level} / review opened at {data.level}"
        case ReviewTaskCompleted(data=data):
            return data.level, data.actor, f"{data.action} at {data.level}"
        case LevelApproved(data=data):
            return data.level, data.approved_by, f"Cấp {data.level} đồng ý / approved at {data.level}"
        case DossierRejected(data=data) | DossierReturned(data=data):
            return data.level, data.actor, data.reason[:500]
        case DecisionIssued(data=data):
            return None, None, f"Quyết định số {data.number} / decision {data.number} issued"
        case NotificationSent(data=data):
            return None, None, f"Đã thông báo {data.recipient} / notified {data.recipient}"
    return None, None, event.type


def _history(session: Session, dossier_id: str) -> list[DossierHistory]:
    statement = (
        select(DossierHistory)
        .where(DossierHistory.dossier_id == dossier_id)
        .order_by(col(DossierHistory.occurred_at), col(DossierHistory.id))
    )
    return list(session.exec(statement).all())


def dossier_view(session: Session, dossier_id: str) -> DossierView:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise ProblemError(
            404,
            "dossier-not-found",
            f"Không tìm thấy hồ sơ '{dossier_id}'.",
            f"No dossier with id '{dossier_id}'.",
        )
    entries = session.exec(
        select(DossierEntry).where(DossierEntry.dossier_id == dossier_id).order_by(col(DossierEntry.position))
    ).all()
    return DossierView(
        dossier_id=dossier.id,
        version=dossier.version,
        submitting_organisation=dossier.submitting_organisation,
        award_code=dossier.award_code,
        external_reference=dossier.external_reference,
        status=lifecycle.DossierStatus(dossier.status),
        current_level=dossier.current_level,
        decision_number=dossier.decision_number,
        trace_id=dossier.trace_id,
        submitted_at=dossier.submitted_at,
        updated_at=dossier.updated_at,
        entries=[EntryView(entry_id=e.id, kind=e.kind, full_name=e.full_name) for e in entries],
        history=[
            HistoryItem(
                event_id=item.event_id,
                type=item.type,
                occurred_at=item.occurred_at,
                level=item.level,
                actor=item.actor,
                summary=item.summary,
            )
            for item in _history(session, dossier_id)
        ],
    )
