"""The decisions service in process: its real app on SQLite, signing with a development CA made in
the test's folder, its desk sweeping every tenth of a second; approvals arrive as events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from contracts.events import (
    DecisionParticulars,
    DossierApproved,
    DossierApprovedData,
    DossierSubmitted,
    EntrySummary,
    IssuingBody,
    NomineeKind,
    RewardMultiple,
)
from contracts.nominee import CommendationType
from contracts.topics import Topic
from servicekit.clock import ManualClock
from services.decisions import app as decisions
from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.support import events

PROVINCE = "AH"
"""Ủy ban nhân dân tỉnh An Hà: issues the Bằng khen of the province."""
PROVINCE_NAME = "ỦY BAN NHÂN DÂN TỈNH AN HÀ"
COMMUNE = "AH-DS-TT"
BATCHED_AWARD = "LDTT"
"""Lao động tiên tiến: the communes' approvals wait for one decision a month."""
ISSUED = "vn.tdkt.decision.issued.v1"
REVOKED = "vn.tdkt.decision.revoked.v1"
APPROVED_AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def approval(
    dossier_id: str,
    *names: str,
    award_code: str = "BKCT_TINH",
    deciding_organisation: str = PROVINCE,
    kind: NomineeKind = NomineeKind.COLLECTIVE,
) -> DossierApproved:
    """``dossier.approved`` of one dossier whose entries are ``names`` (a collective's Bằng khen of
    the province pays 3 × the base salary; the commune's LĐTT 0.3 × to an individual)."""
    province = deciding_organisation == PROVINCE
    issuer = IssuingBody(
        organisation=deciding_organisation,
        name_vi=PROVINCE_NAME if province else "ỦY BAN NHÂN DÂN XÃ TÂN TIẾN",
        parent_name_vi=None if province else "TỈNH AN HÀ",
        place_vi="An Hà" if province else "Tân Tiến",
        signer_title_vi="CHỦ TỊCH",
    )
    data = DossierApprovedData(
        dossier_id=dossier_id,
        version=1,
        award_code=award_code,
        submitting_organisation="AH-DS-TT-THCS",
        deciding_organisation=deciding_organisation,
        issuer_code="UBND",
        entries=[
            EntrySummary(entry_id=f"{dossier_id}.{n}", nominee_name=name, nominee_kind=kind)
            for n, name in enumerate(names, start=1)
        ],
        approved_at=APPROVED_AT,
        reward_multiple=RewardMultiple(
            individual=Decimal("0.3") if not province else None,
            collective=Decimal("3") if province else None,
            legal_basis="NĐ 152/2025/NĐ-CP Điều 49–54",
        ),
        particulars=DecisionParticulars(
            award_name_vi="Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" if province else "Lao động tiên tiến",
            award_is_title=not province,
            commendation_type=CommendationType.MERIT,
            period_year=2025,
            legal_basis=["Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;"],
            issuer=issuer,
            proposer_name_vi="Giám đốc Sở Giáo dục và Đào tạo",
        ),
        approved_by="ah.leader",
        approved_by_name="Trần Thị Ngọc Ánh",
        approved_by_title="PHÓ CHỦ TỊCH",
    )
    return DossierApproved(source="/tdkt/review", subject=dossier_id, data=data)


@pytest.fixture
async def service(
    stack_env: dict[str, str], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[InProcess]:
    monkeypatch.setenv(
        "TDKT_DECISIONS_BATCHES", json.dumps([{"award_code": BATCHED_AWARD, "period": "month"}])
    )
    monkeypatch.setenv("TDKT_DECISIONS_SWEEP_SECONDS", "0.1")
    async with InProcess(*decisions.build(clock), clock) as running:
        yield running


def submission_of(event: DossierApproved) -> DossierSubmitted:
    """What intake published for the dossier the approval approves: same award, organisation and
    entries (the service matches an approval with it)."""
    base = events.submitted(event.data.dossier_id)
    data = base.data.model_copy(
        update={
            "award_code": event.data.award_code,
            "submitting_organisation": event.data.submitting_organisation,
            "entries": event.data.entries,
            "version": event.data.version,
        }
    )
    return base.model_copy(update={"data": data})


async def announce(service: InProcess, event: DossierApproved) -> None:
    """What the service sees of a dossier before its approval: intake's submission and the first
    review task the workflow opened."""
    await service.deliver(Topic.INTAKE_EVENTS, submission_of(event))
    await service.deliver(Topic.REVIEW_EVENTS, events.task_opened(event.data.dossier_id))


async def approve(service: InProcess, event: DossierApproved) -> None:
    """Deliver an approval the way it comes on the bus: after its dossier's submission and review."""
    await announce(service, event)
    await service.deliver(Topic.REVIEW_EVENTS, event)


async def issue(service: InProcess, event: DossierApproved) -> dict[str, Any]:
    """Deliver the approval and wait for its decision's ``decision.issued``; the decision's view."""
    await approve(service, event)
    issued = await issued_event(service, event.data.dossier_id)
    response = await service.http.get(f"/v1/decisions/{issued['data']['decision_id']}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


async def issued_event(service: InProcess, dossier_id: str) -> dict[str, Any]:
    """The ``decision.issued`` event the service published for ``dossier_id`` (waits for it)."""
    return await service.published_event(Topic.DECISION_EVENTS, ISSUED, lambda e: e["subject"] == dossier_id)


REASON = "Hồ sơ khai sai số năm công tác, theo kết luận thanh tra."


async def revoke(
    service: InProcess, tokens: Tokens, decision_id: str, line_number: int, ground: str = "b"
) -> dict[str, Any]:
    """The province's leader revokes one line of its decision; the revocation decision's view."""
    response = await service.http.post(
        f"/v1/decisions/{decision_id}/revocations",
        json={"line_number": line_number, "ground": ground, "reason": REASON},
        headers=tokens.staff(PROVINCE, "leader", subject="chu-tich.ah"),
    )
    assert response.status_code == 201, response.text
    view: dict[str, Any] = response.json()
    return view


async def verify(service: InProcess, content: bytes) -> dict[str, Any]:
    response = await service.http.post("/v1/verify", files={"file": ("f.pdf", content, "application/pdf")})
    assert response.status_code == 200, response.text
    verdict: dict[str, Any] = response.json()
    return verdict
