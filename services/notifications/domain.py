"""Pure rules: who hears about which event, who may read and manage which notices, and when a
failed delivery is tried again. No I/O: the service stores what these functions decide; how an
audience is reached is each channel's business (``channels/``)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.envelope import CloudEvent
from contracts.events import (
    CLIENT_RECIPIENT_PREFIX,
    NOMINEE_RECIPIENT_PREFIX,
    DecisionIssued,
    DecisionIssuedData,
    DecisionRevoked,
    DecisionRevokedData,
    DossierAmended,
    DossierRejected,
    DossierReturned,
    DossierSubmitted,
    DossierSubmittedData,
    DossierWithdrawn,
    ReviewTaskCompleted,
    ReviewTaskDeadlineData,
    ReviewTaskEscalated,
    ReviewTaskOpened,
    ReviewTaskOpenedData,
    ReviewTaskReminded,
    client_recipient,
    nominee_recipient,
)
from contracts.labels import ROLES, label
from contracts.webhooks import NoticeKind

LEADER_ROLE = "leader"


def role_audience(organisation: str, role: str) -> str:
    """The officers of ``organisation`` holding ``role``: ``"<code>#<role>"``."""
    return f"{organisation}#{role}"


def organisation_of(audience: str) -> str | None:
    """The organisation an officers' audience belongs to; None for clients and nominees."""
    if audience.startswith((CLIENT_RECIPIENT_PREFIX, NOMINEE_RECIPIENT_PREFIX)):
        return None
    return audience.partition("#")[0]


def client_of(audience: str) -> str | None:
    """The integrating system an audience is (``client:<id>``); None for any other."""
    return (
        audience.removeprefix(CLIENT_RECIPIENT_PREFIX)
        if audience.startswith(CLIENT_RECIPIENT_PREFIX)
        else None
    )


def staff_audiences(organisation: str, roles: frozenset[str]) -> list[str]:
    """What an officer's feed shows: their organisation's notices and their roles' in it."""
    return [organisation, *(role_audience(organisation, role) for role in sorted(roles))]


def may_manage(organisation: str, roles: frozenset[str], recipient: str) -> bool:
    """Officers manage their roles' preferences; the organisation's own are its leader's."""
    owner, _, role = recipient.partition("#")
    if owner != organisation:
        return False
    return LEADER_ROLE in roles or (bool(role) and role in roles)


@dataclass(frozen=True)
class DossierNames:
    """The names the submission gave, which later events mostly do not carry: the submitter, the
    award, the reviewing organisations and the nominees. Each is None (or missing) where an
    older submission event gave no name; texts then print the code."""

    submitting_organisation: str | None = None
    award_vi: str | None = None
    award_en: str | None = None
    award_is_title: bool = False
    period_year: int | None = None
    reviewers: Mapping[str, str] = field(default_factory=dict)
    """The reviewing organisation's name at each level (``ReviewLevel`` value)."""
    nominees: Mapping[str, str] = field(default_factory=dict)
    """Nominees' names by entry id."""
    levels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Each level's name (Vietnamese, English) under the structure in force on the submission date
    ("cấp xã" for the second level from 01/07/2025), where intake named it."""

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "reviewers": dict(self.reviewers),
            "nominees": dict(self.nominees),
            "levels": {level: list(names) for level, names in self.levels.items()},
        }

    def level_facts(self, level: str) -> dict[str, str]:
        named = self.levels.get(level)
        return {"level_name_vi": named[0], "level_name_en": named[1]} if named else {}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> DossierNames:
        values = {name: stored[name] for name in cls.__dataclass_fields__ if name in stored}
        if "levels" in values:
            values["levels"] = {level: (vi, en) for level, (vi, en) in values["levels"].items()}
        return cls(**values)


@dataclass(frozen=True)
class DossierFacts:
    """What the submission event told about a dossier: who sent it, how nominees are reached,
    and the names people read."""

    dossier_id: str
    submitting_organisation: str
    client_id: str | None
    external_reference: str | None
    award_code: str
    nominee_emails: Mapping[str, str] = field(default_factory=dict)
    names: DossierNames = field(default_factory=DossierNames)


@dataclass(frozen=True)
class NoticeDraft:
    """One audience's notice of one event; ``facts`` are the template's and the webhook's fields
    (JSON values only, so they can be stored as they are). Which channels reach the audience is
    theirs to say (``channels/``): the feed reaches officers, e-mail whoever has a mailbox, a
    webhook an integrating system."""

    audience: str
    kind: NoticeKind
    facts: dict[str, Any]
    attachment: tuple[str, int] | None = None
    """(decision id, line) of the certificate an e-mail to a nominee carries."""
    email_address: str | None = None
    """A nominee's own address, from the submission."""
    recipient_name: str | None = None
    """The audience as people read it: an organisation's, a nominee's name."""


def _unit_name(data: DossierSubmittedData) -> str | None:
    """An older submission event names the submitter only as the reviewer of its own unit level."""
    first = data.review_chain[0] if data.review_chain else None
    return first.organisation_name if first and first.organisation == data.submitting_organisation else None


def facts_of_submission(event: DossierSubmitted | DossierAmended) -> DossierFacts:
    data = event.data
    particulars = data.particulars
    return DossierFacts(
        dossier_id=data.dossier_id,
        submitting_organisation=data.submitting_organisation,
        client_id=data.client_id,
        external_reference=data.external_reference,
        award_code=data.award_code,
        nominee_emails={contact.entry_id: contact.email for contact in data.nominee_contacts},
        names=DossierNames(
            submitting_organisation=data.submitting_organisation_name or _unit_name(data),
            award_vi=particulars.award_name_vi if particulars else None,
            award_en=data.award_name_en,
            award_is_title=particulars.award_is_title if particulars else False,
            period_year=particulars.period_year if particulars else None,
            reviewers={
                step.level.value: step.organisation_name
                for step in data.review_chain
                if step.organisation_name
            },
            nominees={entry.entry_id: entry.nominee_name for entry in data.entries},
            levels={
                step.level.value: (step.level_name_vi, step.level_name_en or step.level_name_vi)
                for step in data.review_chain
                if step.level_name_vi
            },
        ),
    )


def needs_dossier_facts(event: CloudEvent) -> bool:
    """Events whose audiences include the submitting system or the nominees, which only the
    submission event names; consumed before it (another topic), they wait for it."""
    if isinstance(event, ReviewTaskCompleted):
        return bool(event.data.struck_entries)
    return isinstance(
        event, DossierReturned | DossierRejected | DossierWithdrawn | DecisionIssued | DecisionRevoked
    )


def settles_tasks(event: CloudEvent) -> bool:
    """Events after which reviewers' notices of a task need no one's attention: the task done,
    or the dossier withdrawn (which ends its open task)."""
    return isinstance(event, ReviewTaskCompleted | DossierWithdrawn)


def may_notify(event: CloudEvent) -> bool:
    """Whether handling ``event`` can record anything: a submission (remembered for the notices
    that follow), an event whose audiences wait for one, one with notices of its own, or one
    that settles reviewers' task notices. The others (a level approved, a public comment
    opened…) need no transaction at all."""
    return (
        isinstance(event, DossierSubmitted | DossierAmended)
        or needs_dossier_facts(event)
        or settles_tasks(event)
        or bool(notices_for(event, None))  # without facts alike: they are not needed
    )


def notices_for(event: CloudEvent, dossier: DossierFacts | None) -> list[NoticeDraft]:
    """The notices ``event`` calls for. Without ``dossier`` (not yet known) the submitting
    system and the nominees are left out; called again once it is known."""
    names = dossier.names if dossier else DossierNames()
    match event:
        case DossierSubmitted(data=data) | DossierAmended(data=data):
            facts: dict[str, Any] = {"version": data.version, "entries": len(data.entries)}
            return _to_submitter(NoticeKind.RECEIVED, data.submitting_organisation, dossier, facts)
        case DossierReturned(data=data) | DossierRejected(data=data) | DossierWithdrawn(data=data):
            kind = {
                DossierReturned: NoticeKind.RETURNED,
                DossierRejected: NoticeKind.REJECTED,
                DossierWithdrawn: NoticeKind.WITHDRAWN,
            }[type(event)]
            facts = {**_level_facts(data.level, names), "reason": data.reason}
            return _to_submitter(kind, data.submitting_organisation, dossier, facts)
        case ReviewTaskCompleted(data=data) if data.struck_entries:
            submitter = data.submitting_organisation or (dossier.submitting_organisation if dossier else None)
            if submitter is None:
                return []
            facts = {
                **_level_facts(data.level, names),
                "struck_entries": [
                    {
                        **entry.model_dump(mode="json"),
                        "nominee_name": entry.nominee_name or names.nominees.get(entry.entry_id),
                    }
                    for entry in data.struck_entries
                ],
            }
            return _to_submitter(NoticeKind.STRUCK, submitter, dossier, facts)
        case DecisionIssued(data=data):
            return _decided(data, dossier)
        case DecisionRevoked(data=data) if dossier is not None:
            return _revoked(data, dossier)
        case ReviewTaskOpened(data=data) if data.organisation:
            return [
                NoticeDraft(
                    audience=role_audience(data.organisation, data.role) if data.role else data.organisation,
                    kind=NoticeKind.TASK_OPENED,
                    facts={
                        **_task_facts(data, dossier),
                        "step": data.step.value if data.step else None,
                        "role": data.role,
                        "due_at": data.due_at.isoformat() if data.due_at else None,
                    },
                    recipient_name=_reviewers_name(data, dossier, data.role),
                )
            ]
        case ReviewTaskReminded(data=data) | ReviewTaskEscalated(data=data) if data.organisation:
            escalated = isinstance(event, ReviewTaskEscalated)
            role = LEADER_ROLE if escalated else data.role
            return [
                NoticeDraft(
                    audience=role_audience(data.organisation, role) if role else data.organisation,
                    kind=NoticeKind.TASK_ESCALATED if escalated else NoticeKind.TASK_REMINDER,
                    facts={
                        **_task_facts(data, dossier),
                        "role": data.role,
                        "due_at": data.due_at.isoformat(),
                        "limit_working_days": data.limit_working_days,
                        "legal_basis": data.legal_basis,
                    },
                    recipient_name=_reviewers_name(data, dossier, role),
                )
            ]
    return []


def _level_facts(level: str, names: DossierNames) -> dict[str, Any]:
    return {
        "level": str(level),
        "level_organisation_name": names.reviewers.get(str(level)),
        **names.level_facts(str(level)),
    }


def _dossier_facts(dossier: DossierFacts | None) -> dict[str, Any]:
    """What names a dossier in a text: the submitting system's reference, the award, the submitter."""
    names = dossier.names if dossier else DossierNames()
    return {
        "external_reference": dossier.external_reference if dossier else None,
        "award_code": dossier.award_code if dossier else None,
        "award_name_vi": names.award_vi,
        "award_name_en": names.award_en,
        "award_is_title": names.award_is_title,
        "period_year": names.period_year,
        "submitting_organisation": dossier.submitting_organisation if dossier else None,
        "submitting_organisation_name": names.submitting_organisation,
    }


def _task_facts(
    data: ReviewTaskOpenedData | ReviewTaskDeadlineData, dossier: DossierFacts | None
) -> dict[str, Any]:
    """A reviewer's task: the names its event carries, or else those the submission gave."""
    facts = _dossier_facts(dossier)
    if isinstance(data, ReviewTaskOpenedData):
        facts["award_code"] = data.award_code
        facts["submitting_organisation"] = data.submitting_organisation
    return {
        **facts,
        "award_name_vi": data.award_name or facts["award_name_vi"],
        "submitting_organisation_name": data.submitting_organisation_name
        or facts["submitting_organisation_name"],
        "level": str(data.level),
        "level_organisation_name": _reviewing_organisation_name(data, dossier),
        **(dossier.names.level_facts(str(data.level)) if dossier else {}),
        "task_id": data.task_id,
        "organisation": data.organisation,
    }


def _reviewing_organisation_name(
    data: ReviewTaskOpenedData | ReviewTaskDeadlineData, dossier: DossierFacts | None
) -> str | None:
    return data.organisation_name or (dossier.names.reviewers.get(str(data.level)) if dossier else None)


def _reviewers_name(
    data: ReviewTaskOpenedData | ReviewTaskDeadlineData, dossier: DossierFacts | None, role: str | None
) -> str | None:
    """ "Ủy ban nhân dân huyện Đông Sơn (chuyên viên)"; None where the organisation has no name."""
    organisation = _reviewing_organisation_name(data, dossier)
    if organisation is None:
        return None
    return f"{organisation} ({label(ROLES, role)})" if role else organisation


def _decided(data: DecisionIssuedData, dossier: DossierFacts | None) -> list[NoticeDraft]:
    facts: dict[str, Any] = {
        "decision_id": data.decision_id,
        "decision_number": data.number,
        "decided_on": data.issued_on.isoformat(),
        "issuer_name": data.issuer_name_vi,
        "entries": len(data.entries),
        "award_code": data.award_code,
    }
    drafts = _to_submitter(NoticeKind.DECIDED, data.submitting_organisation, dossier, facts)
    if dossier is None:
        return drafts
    return drafts + [
        NoticeDraft(
            audience=nominee_recipient(entry.entry_id),
            kind=NoticeKind.DECIDED,
            facts={
                **drafts[0].facts,
                "nominee_name": entry.nominee_name,
                "nominee_kind": entry.nominee_kind.value,
                "line_number": entry.line_number,
            },
            attachment=(data.decision_id, entry.line_number) if entry.line_number else None,
            email_address=dossier.nominee_emails[entry.entry_id],
            recipient_name=entry.nominee_name,
        )
        for entry in data.entries
        if entry.entry_id in dossier.nominee_emails
    ]


def _revoked(data: DecisionRevokedData, dossier: DossierFacts) -> list[NoticeDraft]:
    facts = {
        "decision_number": data.number,
        "decided_on": data.issued_on.isoformat(),
        "original_number": data.original_number,
        "nominee_name": data.nominee_name,
        "line_number": data.line_number,
        "reason": data.reason,
        "award_code": data.award_code,
    }
    drafts = _to_submitter(NoticeKind.REVOKED, dossier.submitting_organisation, dossier, facts)
    if data.entry_id in dossier.nominee_emails:
        drafts.append(
            NoticeDraft(
                audience=nominee_recipient(data.entry_id),
                kind=NoticeKind.REVOKED,
                facts=drafts[0].facts,
                email_address=dossier.nominee_emails[data.entry_id],
                recipient_name=data.nominee_name,
            )
        )
    return drafts


def _to_submitter(
    kind: NoticeKind, organisation: str, dossier: DossierFacts | None, facts: dict[str, Any]
) -> list[NoticeDraft]:
    about = _dossier_facts(dossier)
    about["submitting_organisation"] = organisation
    facts = {"organisation": organisation, **about, **facts}
    name = about["submitting_organisation_name"]
    drafts = [NoticeDraft(audience=organisation, kind=kind, facts=facts, recipient_name=name)]
    if dossier is not None and dossier.client_id:
        drafts.append(
            NoticeDraft(
                audience=client_recipient(dossier.client_id),
                kind=kind,
                facts=facts,
            )
        )
    return drafts


# --- retries and digests -------------------------------------------------------------------


def retry_delay(attempt: int, base_seconds: float, cap_seconds: float, rng: random.Random) -> timedelta:
    """Exponential backoff with jitter after failed attempt number ``attempt`` (1, 2, …): half of
    ``min(cap, base·2^(attempt−1))`` fixed, the other half random, so retries of many failed
    deliveries spread out instead of arriving together."""
    ceiling = min(cap_seconds, base_seconds * 2 ** (attempt - 1))
    return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


def next_digest_at(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first moment after ``now`` when the clock in ``zone`` shows ``at`` (in UTC)."""
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate.astimezone(UTC)


def held_for_digest(kind: NoticeKind, digest_reminders: bool) -> bool:
    """Reminders wait for the recipient's daily digest when they asked for one (on the channels
    that gather digests: ``Channel.digests``)."""
    return digest_reminders and kind is NoticeKind.TASK_REMINDER
