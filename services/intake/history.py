"""The line a dossier's history shows for each event, in Vietnamese then English: organisations,
the award, nominees, levels, steps and actions by the names people read (``contracts.labels``),
never by their codes — a code only where an event from an older producer carries no name.

Pure: the names come from the event and from ``HistoryNames``, what intake's own records say
(the review chain stored with the dossier, the entries' nominees)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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
    NoteKind,
    NoteShared,
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


Line = tuple[str | None, str | None, str]
"""(level, actor, summary) of a history entry."""


def describe(event: CloudEvent, names: HistoryNames) -> Line:
    """(level, actor, summary) of ``event``'s history entry; an event of a type this table does not
    know reads as its type."""
    describer = _DESCRIBERS.get(type(event))
    level, actor, summary = describer(event, names) if describer else (None, None, event.type)
    return level, actor, summary[:SUMMARY_LENGTH]


def _submitted(event: DossierSubmitted, names: HistoryNames) -> Line:
    return None, None, _received(event.data)


def _withdrawal_requested(event: DossierWithdrawalRequested, names: HistoryNames) -> Line:
    data = event.data
    return None, data.requested_by, f"Đề nghị rút hồ sơ / withdrawal requested: {data.reason}"


def _amended(event: DossierAmended, names: HistoryNames) -> Line:
    version = event.data.version
    return None, None, f"Bổ sung hồ sơ, phiên bản {version} / amended, version {version}"


def _opened(event: ReviewTaskOpened, names: HistoryNames) -> Line:
    data = event.data
    where = names.where(data.level, data.organisation_name)
    if data.step is None:
        return data.level, None, f"Mở xét duyệt ở {where.vi} / review opened at the {where.en}"
    step = both(STEPS, data.step)
    return data.level, None, f"Mở bước {step.vi} ở {where.vi} / {step.en} opened at the {where.en}"


def _task_completed(event: ReviewTaskCompleted, names: HistoryNames) -> Line:
    return event.data.level, event.data.actor, _completed(event.data, names)


def _public_comment(event: PublicCommentOpened, names: HistoryNames) -> Line:
    data = event.data
    where = names.where(data.level)
    return (
        data.level,
        None,
        f"Công khai lấy ý kiến ở {where.vi} đến {data.closes_at:%d/%m/%Y} / "
        f"public comment at the {where.en} until {data.closes_at:%Y-%m-%d}",
    )


def _objection(event: ObjectionRecorded, names: HistoryNames) -> Line:
    # who objected stays with the council, not the submitter
    return None, None, "Có ý kiến phản ánh về hồ sơ / an objection to the dossier was received"


def _note(event: NoteShared, names: HistoryNames) -> Line:
    """A reviewer's comment or file marked for the submitter: who wrote it, for which organisation,
    by name; a file by its name, size and description (its bytes stay with the reviewers). The
    text comes once, after both languages, as a reason does; a comment longer than the line holds
    ends with "…" (the whole of it stays in review)."""
    data = event.data
    organisation = data.organisation_name or names.reviewers.get(data.level) or data.organisation
    signed = ", ".join(part for part in (data.author_name or data.author, data.author_title) if part)
    by = f"{organisation} ({signed})"
    if data.kind == NoteKind.FILE and data.file is not None:
        file = data.file
        size = _size(file.size_bytes)
        about = f" — {file.description}" if file.description else ""
        head = f"Tệp của {by}, {size.vi} / file from {by}, {size.en}: "
        return data.level, data.author, _fitted(head, f"{file.file_name}{about}")
    return data.level, data.author, _fitted(f"Ý kiến của {by} / comment from {by}: ", data.text or "")


def _fitted(head: str, text: str) -> str:
    room = SUMMARY_LENGTH - len(head)
    return head + (text if len(text) <= room else text[: max(room - 1, 0)] + "…")


def _size(size_bytes: int) -> Label:
    if size_bytes < 1024:
        return Label(f"{size_bytes} byte", f"{size_bytes} bytes")
    if size_bytes < 1024 * 1024:
        kilobytes = f"{size_bytes / 1024:.0f}"
        return Label(f"{kilobytes} KB", f"{kilobytes} KB")
    megabytes = f"{size_bytes / (1024 * 1024):.1f}"
    return Label(f"{megabytes.replace('.', ',')} MB", f"{megabytes} MB")


def _deadline(event: ReviewTaskReminded | ReviewTaskEscalated, names: HistoryNames) -> Line:
    data = event.data
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


def _level_approved(event: LevelApproved, names: HistoryNames) -> Line:
    where = names.where(event.data.level)
    return (
        event.data.level,
        event.data.approved_by,
        f"{_capital(where.vi)} đồng ý / approved at the {where.en}"
        + _by(event.data.approved_by_name, event.data.approved_by_title),
    )


def _rejected(event: DossierRejected, names: HistoryNames) -> Line:
    return event.data.level, event.data.actor, _closed("Không chấp thuận", "rejected", event.data, names)


def _returned(event: DossierReturned, names: HistoryNames) -> Line:
    data = event.data
    return data.level, data.actor, _closed("Trả lại để bổ sung", "returned for supplement", data, names)


def _withdrawn(event: DossierWithdrawn, names: HistoryNames) -> Line:
    return event.data.level, event.data.actor, _closed("Hồ sơ được rút", "withdrawn", event.data, names)


def _decided(event: DecisionIssued, names: HistoryNames) -> Line:
    data = event.data
    issuer = data.issuer_name_vi
    by = Label(f" của {issuer}", f" by {issuer}") if issuer else Label("", "")
    return None, None, f"Quyết định số {data.number}{by.vi} / decision {data.number} issued{by.en}"


def _revoked(event: DecisionRevoked, names: HistoryNames) -> Line:
    data = event.data
    return (
        None,
        data.revoked_by,
        f"Quyết định số {data.number} hủy bỏ khen thưởng {data.nominee_name} (số sổ vàng "
        f"{data.line_number}, QĐ {data.original_number}) / award revoked: {data.reason}",
    )


def _notified(event: NotificationSent, names: HistoryNames) -> Line:
    told = names.recipient(event.data.recipient, event.data.recipient_name)
    return None, None, f"Đã thông báo {told.vi} trong ứng dụng / {told.en} notified in the app"


def _delivered(event: NotificationDelivered, names: HistoryNames) -> Line:
    data = event.data
    told = names.recipient(data.recipient, data.recipient_name)
    channel = CHANNELS.get(data.channel.value, Label(data.channel.value, data.channel.value))
    return None, None, f"Đã gửi {channel.vi} tới {told.vi} / {channel.en} delivered to {told.en}"


_DESCRIBERS: dict[type[CloudEvent], Callable[[Any, HistoryNames], Line]] = {
    DossierSubmitted: _submitted,
    DossierWithdrawalRequested: _withdrawal_requested,
    DossierAmended: _amended,
    ReviewTaskOpened: _opened,
    ReviewTaskCompleted: _task_completed,
    PublicCommentOpened: _public_comment,
    ObjectionRecorded: _objection,
    NoteShared: _note,
    ReviewTaskReminded: _deadline,
    ReviewTaskEscalated: _deadline,
    LevelApproved: _level_approved,
    DossierRejected: _rejected,
    DossierReturned: _returned,
    DossierWithdrawn: _withdrawn,
    DecisionIssued: _decided,
    DecisionRevoked: _revoked,
    NotificationSent: _notified,
    NotificationDelivered: _delivered,
}
"""Each event type's line: one function a type, so a new event adds a row."""


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
    summary += _by(data.actor_name, data.actor_title)
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
    return (
        f"{vi} ở {where.vi} / {en} at the {where.en}{_by(data.actor_name, data.actor_title)}: {data.reason}"
    )


def _by(name: str | None, title: str | None) -> str:
    """Who acted, as people read it: " (Trần Thị Hoa, Hiệu trưởng)" — events from before identities
    carried names have none, and their lines keep the login in ``actor`` only."""
    who = ", ".join(part for part in (name, title) if part)
    return f" ({who})" if who else ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
