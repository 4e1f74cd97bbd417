"""The line a dossier's history shows for each event, in Vietnamese then English: organisations,
the award, nominees, levels, steps and actions by the names people read (``contracts.labels``),
never by their codes — a code only where an event from an older producer carries no name.

Pure: the names come from the event and from ``HistoryNames``, what intake's own records say
(the review chain stored with the dossier, the entries' nominees)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from contracts.envelope import CloudEvent
from contracts.events import (
    CLIENT_RECIPIENT_PREFIX,
    NOMINEE_RECIPIENT_PREFIX,
    DecisionIssued,
    DecisionRevoked,
    DossierAmended,
    DossierClosedData,
    DossierRejected,
    DossierReturned,
    DossierSubmitted,
    DossierSubmittedData,
    DossierWithdrawalRequested,
    DossierWithdrawn,
    LevelApproved,
    NotificationDelivered,
    NotificationSent,
    ObjectionRecorded,
    PublicCommentOpened,
    ReviewTaskCompleted,
    ReviewTaskCompletedData,
    ReviewTaskEscalated,
    ReviewTaskOpened,
    ReviewTaskReminded,
)
from contracts.labels import ACTIONS, STEPS, Label, both
from contracts.levels import level_name

SUMMARY_LENGTH = 500
CHANNELS = {"email": Label("e-mail", "e-mail"), "webhook": Label("webhook", "webhook")}


@dataclass(frozen=True)
class HistoryNames:
    reviewers: Mapping[str, str] = field(default_factory=dict)
    """The reviewing organisation's name at each level (its code where the chain has no name)."""
    nominees: Mapping[str, str] = field(default_factory=dict)
    """Nominees' names by entry id, for the entries an event names."""
    levels: Mapping[str, Label] = field(default_factory=dict)
    """Each level's name on the dossier's review chain ("cấp xã", "cấp sở"), where intake named it."""
    submission_date: date | None = None
    """For the levels the chain does not name: the structure in force that day names them."""

    def level(self, level: str) -> Label:
        return self.levels.get(level) or Label(
            level_name(level, "vi", self.submission_date), level_name(level, "en", self.submission_date)
        )

    def nominee(self, entry_id: str, name: str | None = None) -> str:
        return name or self.nominees.get(entry_id, entry_id)

    def where(self, level: str, organisation_name: str | None = None) -> Label:
        """ "cấp cơ sở (Ủy ban nhân dân xã Tân Tiến)" / "unit level (…)"."""
        name = organisation_name or self.reviewers.get(level)
        labels = self.level(level)
        return Label(*(f"{text} ({name})" if name else text for text in labels))

    def recipient(self, recipient: str, name: str | None) -> Label:
        if recipient.startswith(CLIENT_RECIPIENT_PREFIX):
            client = recipient.removeprefix(CLIENT_RECIPIENT_PREFIX)
            return Label(f"hệ thống {client}", f"the system {client}")
        if name is None and recipient.startswith(NOMINEE_RECIPIENT_PREFIX):
            name = self.nominee(recipient.removeprefix(NOMINEE_RECIPIENT_PREFIX))
        return Label(name or recipient, name or recipient)


def describe(event: CloudEvent, names: HistoryNames) -> tuple[str | None, str | None, str]:
    """(level, actor, summary) of ``event``'s history entry."""
    level, actor, summary = _describe(event, names)
    return level, actor, summary[:SUMMARY_LENGTH]


def _describe(event: CloudEvent, names: HistoryNames) -> tuple[str | None, str | None, str]:
    match event:
        case DossierSubmitted(data=data):
            return None, None, _received(data)
        case DossierWithdrawalRequested(data=data):
            return None, data.requested_by, f"Đề nghị rút hồ sơ / withdrawal requested: {data.reason}"
        case DossierAmended(data=data):
            return None, None, f"Bổ sung hồ sơ, phiên bản {data.version} / amended, version {data.version}"
        case ReviewTaskOpened(data=data):
            where = names.where(data.level, data.organisation_name)
            if data.step is None:
                return data.level, None, f"Mở xét duyệt ở {where.vi} / review opened at the {where.en}"
            step = both(STEPS, data.step)
            return data.level, None, f"Mở bước {step.vi} ở {where.vi} / {step.en} opened at the {where.en}"
        case ReviewTaskCompleted(data=data):
            return data.level, data.actor, _completed(data, names)
        case PublicCommentOpened(data=data):
            where = names.where(data.level)
            return (
                data.level,
                None,
                f"Công khai lấy ý kiến ở {where.vi} đến {data.closes_at:%d/%m/%Y} / "
                f"public comment at the {where.en} until {data.closes_at:%Y-%m-%d}",
            )
        case ObjectionRecorded():
            # who objected stays with the council, not the submitter
            return None, None, "Có ý kiến phản ánh về hồ sơ / an objection to the dossier was received"
        case ReviewTaskReminded(data=data) | ReviewTaskEscalated(data=data):
            where = names.where(data.level, data.organisation_name)
            due = Label(f"{data.due_at:%d/%m/%Y}", f"{data.due_at:%Y-%m-%d}")
            if isinstance(event, ReviewTaskReminded):
                return (
                    data.level,
                    None,
                    f"Nhắc hạn xét duyệt ở {where.vi} (hạn {due.vi}) / reminder at the {where.en}, due {due.en}",
                )
            return (
                data.level,
                None,
                f"Quá hạn xét duyệt ở {where.vi}, báo lãnh đạo (hạn {due.vi}) / "
                f"overdue at the {where.en}, escalated to the leader (due {due.en})",
            )
        case LevelApproved(data=data):
            where = names.where(data.level)
            return data.level, data.approved_by, f"{_capital(where.vi)} đồng ý / approved at the {where.en}"
        case DossierRejected(data=data):
            return data.level, data.actor, _closed("Không chấp thuận", "rejected", data, names)
        case DossierReturned(data=data):
            return (
                data.level,
                data.actor,
                _closed("Trả lại để bổ sung", "returned for supplement", data, names),
            )
        case DossierWithdrawn(data=data):
            return data.level, data.actor, _closed("Hồ sơ được rút", "withdrawn", data, names)
        case DecisionIssued(data=data):
            issuer = data.issuer_name_vi
            by = Label(f" của {issuer}", f" by {issuer}") if issuer else Label("", "")
            return None, None, f"Quyết định số {data.number}{by.vi} / decision {data.number} issued{by.en}"
        case DecisionRevoked(data=data):
            return (
                None,
                data.revoked_by,
                f"Quyết định số {data.number} hủy bỏ khen thưởng {data.nominee_name} (số sổ vàng "
                f"{data.line_number}, QĐ {data.original_number}) / award revoked: {data.reason}",
            )
        case NotificationSent(data=data):
            told = names.recipient(data.recipient, data.recipient_name)
            return None, None, f"Đã thông báo {told.vi} trong ứng dụng / {told.en} notified in the app"
        case NotificationDelivered(data=data):
            told = names.recipient(data.recipient, data.recipient_name)
            channel = CHANNELS.get(data.channel.value, Label(data.channel.value, data.channel.value))
            return None, None, f"Đã gửi {channel.vi} tới {told.vi} / {channel.en} delivered to {told.en}"
    return None, None, event.type


def _received(data: DossierSubmittedData) -> str:
    particulars = data.particulars
    award = (
        Label(particulars.award_name_vi, data.award_name_en or particulars.award_name_vi)
        if particulars
        else None
    )
    submitter = data.submitting_organisation_name or data.submitting_organisation
    entries = len(data.entries)
    if award is None:
        return f"Tiếp nhận hồ sơ của {submitter} ({entries} trường hợp) / dossier received from {submitter}"
    return (
        f"Tiếp nhận hồ sơ của {submitter} đề nghị tặng {award.vi} ({entries} trường hợp) / "
        f"dossier received: {award.en} for {entries} nominee(s) from {submitter}"
    )


def _completed(data: ReviewTaskCompletedData, names: HistoryNames) -> str:
    where = names.where(data.level)
    action = both(ACTIONS, data.action)
    step = both(STEPS, data.step) if data.step else Label("Xét duyệt", "Review")
    summary = f"{step.vi}: {action.vi}, {where.vi} / {step.en}: {action.en}, {where.en}"
    if data.struck_entries:
        struck = ", ".join(names.nominee(entry.entry_id, entry.nominee_name) for entry in data.struck_entries)
        summary += f" — không đề nghị tiếp / struck: {struck}"
    if data.tally is not None:
        tally = data.tally
        votes = ", ".join(
            f"{names.nominee(vote.entry_id)} {vote.votes_for}/{tally.members_total}" for vote in tally.votes
        )
        summary += (
            f" — Hội đồng / council: {tally.members_present} có mặt / present of {tally.members_total}, "
            f"{tally.written_votes} phiếu bằng văn bản / in writing; phiếu đồng ý / votes for: {votes}"
        )
    if data.comment:
        summary += f" — {data.comment}"
    return summary


def _closed(vi: str, en: str, data: DossierClosedData, names: HistoryNames) -> str:
    where = names.where(data.level)
    return f"{vi} ở {where.vi} / {en} at the {where.en}: {data.reason}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
