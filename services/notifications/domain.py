"""Pure rules: who hears about which event, and what they are told."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.envelope import CloudEvent
from contracts.events import (
    DecisionIssued,
    DossierRejected,
    DossierReturned,
    ReviewTaskEscalated,
    ReviewTaskReminded,
)


@dataclass(frozen=True)
class Message:
    recipient: str
    subject: str
    body: str


def messages_for(event: CloudEvent) -> list[Message]:
    match event:
        case DecisionIssued(data=data):
            return [
                Message(
                    recipient=data.submitting_organisation,
                    subject=f"Quyết định khen thưởng số {data.number} / Decision {data.number} issued",
                    body=(
                        f"Hồ sơ {data.dossier_id} đã có Quyết định số {data.number} "
                        f"ngày {data.issued_on:%d/%m/%Y}. "
                        f"Dossier {data.dossier_id} was decided by decision {data.number}."
                    ),
                )
            ]
        case ReviewTaskReminded(data=data) if data.organisation:
            return [
                Message(
                    recipient=data.organisation,
                    subject=f"Nhắc hạn xét duyệt hồ sơ {data.dossier_id} / Review reminder",
                    body=(
                        f"Nhiệm vụ {data.task_id} đến hạn lúc {data.due_at:%d/%m/%Y} ({data.limit_working_days} ngày làm việc; "
                        f"{data.legal_basis}). Task {data.task_id} is due on {data.due_at:%Y-%m-%d}."
                    ),
                )
            ]
        case ReviewTaskEscalated(data=data) if data.organisation:
            return [
                Message(
                    recipient=f"{data.organisation}#leader",
                    subject=f"Quá hạn xét duyệt hồ sơ {data.dossier_id} / Review overdue",
                    body=(
                        f"Nhiệm vụ {data.task_id} đã quá hạn {data.due_at:%d/%m/%Y}; báo cáo lãnh đạo đơn vị. "
                        f"Task {data.task_id} is overdue since {data.due_at:%Y-%m-%d}: escalated to the leader."
                    ),
                )
            ]
        case DossierRejected(data=data):
            return [
                Message(
                    recipient=data.submitting_organisation,
                    subject="Hồ sơ không được chấp thuận / Dossier rejected",
                    body=f"Cấp {data.level}: {data.reason}",
                )
            ]
        case DossierReturned(data=data):
            return [
                Message(
                    recipient=data.submitting_organisation,
                    subject="Hồ sơ cần bổ sung / Dossier returned for supplement",
                    body=f"Cấp {data.level}: {data.reason}",
                )
            ]
    return []
