"""The decisions registry on its own SQLite database (the service's migrations): what the issued
event says about money, and what verification says about documents whose awards were revoked
(issue 18). Documents are stand-in bytes: signing is tests/unit/test_decision_signing.py's, and
here the signature's verdict is given, so only the registry's judgement is under test."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from contracts.events import (
    DecisionIssued,
    DossierApproved,
    DossierApprovedData,
    EntrySummary,
    NomineeKind,
    RevocationGround,
    RewardMultiple,
)
from servicekit import migrations
from servicekit.auth import Staff
from servicekit.db import make_engine
from servicekit.outbox import OutboxRecord
from services.decisions import issuing, registry, verification
from services.decisions.documents.signing import Verification
from services.decisions.documents.store import certificate_file, document_by_hash, store_certificate
from services.decisions.domain import BatchPeriod, BatchRule
from services.decisions.models import Decision, DocumentKind, RevocationRequest, VerificationView
from services.decisions.revocation import revoke as number_revocation

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
ISSUER = "AH"
LEADER = Staff(
    subject="chu-tich.ah", name="Trần Thị Ngọc Ánh", organisation=ISSUER, roles=frozenset({"leader"})
)
T = TypeVar("T")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'decisions.db'}"
    migrations.upgrade(Path("services") / "decisions" / "migrations", url)
    return make_engine(url)


def write(engine: Engine, work: Callable[[Session], T]) -> T:
    with Session(engine, expire_on_commit=False) as session:
        result = work(session)
        session.commit()
        return result


def approval(dossier_id: str, kinds: list[NomineeKind], multiple: RewardMultiple | None) -> DossierApproved:
    names = ("Nguyễn Thị Minh Khai", "Lê Văn Tám", "Tổ Toán - Tin", "Võ Thị Sáu")
    data = DossierApprovedData(
        dossier_id=dossier_id,
        version=1,
        award_code="BKCT_TINH",
        submitting_organisation="AH-DS-TT-THCS",
        deciding_organisation=ISSUER,
        issuer_code="UBND",
        entries=[
            EntrySummary(entry_id=f"{dossier_id}-{index}", nominee_name=names[index], nominee_kind=kind)
            for index, kind in enumerate(kinds)
        ],
        approved_at=NOW,
        reward_multiple=multiple,
    )
    return DossierApproved(source="test", subject=dossier_id, data=data)


def issue(engine: Engine, approved: DossierApproved) -> Decision:
    """Number the decision, then store its (stand-in) document and stage its events."""
    decision = write(engine, lambda s: issuing.record_approval(s, approved, [], {}, TODAY, NOW, "{}"))
    assert decision is not None
    document = {DocumentKind.DECISION: f"%PDF decision {decision.id}".encode()}
    write(engine, lambda s: issuing.store_documents(s, decision.id, document, "test", NOW))
    return reread(engine, decision)


def reread(engine: Engine, decision: Decision) -> Decision:
    stored = write(engine, lambda s: s.get(Decision, decision.id))
    assert stored is not None
    return stored


def issued_event(engine: Engine, dossier_id: str) -> DecisionIssued:
    records = write(engine, lambda s: s.exec(select(OutboxRecord)).all())
    [value] = [record.value for record in records if record.message_key == dossier_id]
    return DecisionIssued.model_validate_json(value)


BKCT = RewardMultiple(individual=None, collective=Decimal("3"), legal_basis="NĐ 152/2025 Điều 49–54")
"""Bằng khen of a province: 3 × base salary for a collective; the individual multiple UNCONFIRMED."""


@pytest.mark.parametrize(
    ("kinds", "known_sum", "complete"),
    [
        ([NomineeKind.INDIVIDUAL] * 3, 0, None),
        ([NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE], 7_020_000, None),
        ([NomineeKind.COLLECTIVE, NomineeKind.COLLECTIVE], 14_040_000, 14_040_000),
    ],
    ids=["no amount known", "some known", "all known"],
)
def test_the_issued_event_gives_a_total_only_when_every_amount_is_known(
    engine: Engine, kinds: list[NomineeKind], known_sum: int, complete: int | None
) -> None:
    decision = issue(engine, approval("hs-1", kinds, BKCT))
    reward = issued_event(engine, "hs-1").data.reward
    assert reward is not None
    assert reward.complete_total_vnd == complete, "an unknown amount is never counted as 0"
    assert reward.total_vnd == known_sum, "v1's field keeps its meaning: the sum of the known amounts"
    view = write(engine, lambda s: registry.get_decision(s, decision.id))
    assert view.reward is not None and view.reward.complete_total_vnd == complete


def test_one_dossier_of_a_batched_decision_is_totalled_over_its_own_lines(engine: Engine) -> None:
    approvals = [
        approval("hs-a", [NomineeKind.COLLECTIVE], BKCT),
        approval("hs-b", [NomineeKind.INDIVIDUAL, NomineeKind.COLLECTIVE], BKCT),
    ]
    rule = [BatchRule(award_code="BKCT_TINH", period=BatchPeriod.MONTH)]
    for approved in approvals:
        write(
            engine,
            functools.partial(
                issuing.record_approval,
                approved=approved,
                rules=rule,
                signers={},
                today=TODAY,
                now=NOW,
                trace_carrier="{}",
            ),
        )
    [decision] = write(engine, lambda s: issuing.close_batches(s, {}, TODAY, NOW, due_only=False))
    write(
        engine,
        lambda s: issuing.store_documents(s, decision.id, {DocumentKind.DECISION: b"%PDF b"}, "t", NOW),
    )
    own_a, own_b = (issued_event(engine, d).data.reward for d in ("hs-a", "hs-b"))
    assert own_a is not None and own_b is not None
    assert (own_a.complete_total_vnd, own_b.complete_total_vnd) == (7_020_000, None)


# --- verification of documents whose awards were revoked ---------------------------------------


def authentic(sha256: str) -> Verification:
    """The signature's verdict on a file signed by us, intact and whole."""
    return Verification(True, True, True, True, "CN=TĐKT", NOW, (), sha256)


def verify(engine: Engine, sha256: str) -> VerificationView:
    held = write(engine, lambda s: verification.holding(s, sha256))
    return verification.verdict(authentic(sha256), held)


def stored_certificate(
    engine: Engine, decision_id: str, line_number: int | None, at: datetime = NOW
) -> tuple[str, list[int] | None]:
    """Store a certificate file as the desk does on a first request: its hash and the lines it holds."""

    def store(session: Session) -> tuple[str, list[int] | None]:
        wanted = certificate_file(session, decision_id, line_number)
        content = f"%PDF certificate {decision_id} {line_number} {wanted.key}".encode()
        document = store_certificate(session, wanted, content, at)
        return document.sha256, document.lines

    return write(engine, store)


def revoke(engine: Engine, decision_id: str, line_number: int, at: datetime = NOW) -> Decision:
    request = RevocationRequest(
        line_number=line_number,
        ground=RevocationGround.FALSE_DOSSIER,
        reason="Hồ sơ khai sai số năm công tác, theo kết luận thanh tra.",
    )
    revocation = write(
        engine, lambda s: number_revocation(s, decision_id, request, LEADER, {}, date(2026, 12, 5), at, "{}")
    )
    content = {DocumentKind.DECISION: f"%PDF revocation {revocation.id}".encode()}
    write(engine, lambda s: issuing.store_documents(s, revocation.id, content, "test", NOW))
    return reread(engine, revocation)


def test_a_revoked_lines_certificate_is_authentic_but_no_longer_valid(engine: Engine) -> None:
    decision = issue(engine, approval("hs-1", [NomineeKind.INDIVIDUAL, NomineeKind.INDIVIDUAL], BKCT))
    certificate, _ = stored_certificate(engine, decision.id, 1)
    bundle, bundle_lines = stored_certificate(engine, decision.id, None)
    assert bundle_lines == [1, 2]
    assert verify(engine, certificate).valid, "before the revocation"

    revocation = revoke(engine, decision.id, 1)
    verdict = verify(engine, certificate)
    assert (verdict.authentic, verdict.valid, verdict.revoked) == (True, False, True)
    assert verdict.problems == ["revoked"] and [p.code for p in verdict.problem_details] == ["revoked"]
    [notice] = verdict.revocations
    assert (notice.line_number, notice.nominee_name, notice.revocation_number, notice.ground) == (
        1,
        "Nguyễn Thị Minh Khai",
        revocation.number,
        RevocationGround.FALSE_DOSSIER,
    )
    assert notice.revocation_issued_on == date(2026, 12, 5)
    message = verdict.problem_details[0]
    for expected in (
        f"Quyết định số {revocation.number} ngày 05/12/2026",
        "số sổ vàng 1 (Nguyễn Thị Minh Khai)",
        "khai báo thông tin sai sự thật",
        "Văn bản đúng là bản do hệ thống ký số",
        "không còn giá trị khen thưởng",
    ):
        assert expected in message.message_vi, expected
    for expected in (
        f"decision {revocation.number} of 05/12/2026",
        "line 1 (Nguyễn Thị Minh Khai)",
        "authentic",
    ):
        assert expected in message.message_en, expected

    whole = verify(engine, decision.document_sha256 or "")
    assert (whole.authentic, whole.valid, whole.revoked, whole.problems) == (
        True,
        False,
        False,
        ["partly-revoked"],
    )
    assert "các khen thưởng khác vẫn giữ nguyên giá trị" in whole.problem_details[0].message_vi
    assert verify(engine, bundle).problems == ["partly-revoked"], (
        "the bundle still holds line 1's certificate"
    )
    assert verify(engine, revocation.document_sha256 or "").valid, "the revocation decision itself stands"


def test_the_bundle_is_rendered_again_without_a_revoked_line_and_both_verify_truly(engine: Engine) -> None:
    decision = issue(engine, approval("hs-1", [NomineeKind.INDIVIDUAL, NomineeKind.INDIVIDUAL], BKCT))
    before, _ = stored_certificate(engine, decision.id, None)
    revoke(engine, decision.id, 1)
    after, held = stored_certificate(engine, decision.id, None)
    assert after != before and held == [2], "a new bundle of the standing line"
    assert verify(engine, after).valid and not verify(engine, before).valid

    second = revoke(engine, decision.id, 2)
    whole = verify(engine, decision.document_sha256 or "")
    assert (whole.valid, whole.revoked, whole.problems) == (False, True, ["revoked"])
    assert [notice.line_number for notice in whole.revocations] == [1, 2]
    message = whole.problem_details[0].message_vi
    assert message.startswith(f"Quyết định số {decision.number} ngày 24/11/2026 đã bị hủy bỏ: số sổ vàng 1")
    assert f"số sổ vàng 2 (Lê Văn Tám) bị hủy bỏ theo Quyết định số {second.number}" in message
    assert verify(engine, after).revoked and verify(engine, before).revoked


def test_every_problem_has_its_code_and_a_message_in_both_languages() -> None:
    signature_codes = ("not-a-pdf", "unsigned", "malformed-signature", "altered", "content-after-signature")
    for code in (*signature_codes, "untrusted-signer"):
        result = Verification(True, False, False, False, None, None, (code,), "0" * 64)
        verdict = verification.verdict(result, None)
        assert verdict.problems == [code, "unknown-document"]
        assert [p.code for p in verdict.problem_details] == verdict.problems
        assert all(
            p.message_vi and p.message_en and p.message_vi != p.message_en for p in verdict.problem_details
        )
        assert not (verdict.valid or verdict.authentic or verdict.revoked)


def test_the_migration_records_the_lines_of_bundles_stored_before_it(engine: Engine) -> None:
    """A bundle stored before 0006 held the lines standing then: all but those revoked before it."""
    kinds = [NomineeKind.INDIVIDUAL] * 3
    decision = issue(engine, approval("hs-1", kinds, BKCT))
    revoke(engine, decision.id, 1, at=datetime(2026, 12, 1, tzinfo=UTC))
    bundle, held = stored_certificate(engine, decision.id, None, at=datetime(2026, 12, 2, tzinfo=UTC))
    revoke(engine, decision.id, 2, at=datetime(2026, 12, 3, tzinfo=UTC))
    assert held == [2, 3]
    config = migrations.alembic_config(Path("services") / "decisions" / "migrations", str(engine.url))
    command.downgrade(config, "0005")
    command.upgrade(config, "head")
    document = write(engine, lambda s: document_by_hash(s, bundle))
    assert document is not None and document.lines == [2, 3]
