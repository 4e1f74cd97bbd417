"""``POST /v1/verify``: is a PDF an unaltered document of this registry, and does its award stand?"""

from __future__ import annotations

import resource
from collections.abc import AsyncIterator
from io import BytesIO
from typing import Any

import pytest
from reportlab.pdfgen import canvas

from servicekit.clock import ManualClock
from services.decisions import app as decisions
from tests.service.conftest import Tokens
from tests.service.decisions.conftest import approval, issue, revoke, verify
from tests.service.harness import InProcess
from tests.support import hostile


def unsigned_pdf() -> bytes:
    buffer = BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 770, "Quyet dinh so 01/QD-UBND")
    page.showPage()
    page.save()
    return buffer.getvalue()


async def test_a_decision_verifies_and_an_altered_unsigned_or_foreign_file_does_not(
    service: InProcess,
) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin"))
    pdf = (await service.http.get(f"/v1/decisions/{decision['decision_id']}/pdf")).content
    verdict = await verify(service, pdf)
    assert (verdict["valid"], verdict["authentic"], verdict["known"], verdict["problems"]) == (
        True,
        True,
        True,
        [],
    )
    assert (verdict["decision"]["number"], verdict["document_kind"]) == ("01/QĐ-UBND", "decision")
    assert verdict["signed_at"].startswith("2026-03-02T02:00:00"), "signed at the service's time"

    tampered = bytearray(pdf)
    tampered[pdf.index(b"/Title") + 1] = ord("X")
    verdict = await verify(service, bytes(tampered))
    assert not verdict["valid"] and "altered" in verdict["problems"]
    altered = verdict["problem_details"][verdict["problems"].index("altered")]
    assert (
        "bị thay đổi sau khi ký" in altered["message_vi"] and "changed after signing" in altered["message_en"]
    )

    verdict = await verify(service, unsigned_pdf())
    assert (verdict["valid"], verdict["signed"], verdict["problems"]) == (
        False,
        False,
        ["unsigned", "unknown-document"],
    )
    verdict = await verify(service, b"%PDF-1.7 not really")
    assert not verdict["valid"] and verdict["problems"][0] == "not-a-pdf"


async def test_a_revoked_lines_certificate_is_authentic_but_no_longer_valid(
    service: InProcess, tokens: Tokens
) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin", "Tổ Ngữ văn"))
    certificate = (await service.http.get(f"/v1/decisions/{decision['decision_id']}/certificates/1")).content
    revocation = await revoke(service, tokens, decision["decision_id"], 1)
    verdict = await verify(service, certificate)
    assert (verdict["authentic"], verdict["valid"], verdict["revoked"], verdict["problems"]) == (
        True,
        False,
        True,
        ["revoked"],
    )
    [notice] = verdict["revocations"]
    assert (notice["line_number"], notice["nominee_name"], notice["revocation_number"]) == (
        1,
        "Tổ Toán - Tin",
        revocation["number"],
    )
    assert "số sổ vàng 1 (Tổ Toán - Tin)" in verdict["problem_details"][0]["message_vi"]


async def test_a_file_over_the_limit_is_refused(service: InProcess) -> None:
    response = await service.http.post(
        "/v1/verify", files={"file": ("big.pdf", b"%PDF" + b"0" * (50 * 1024 * 1024), "application/pdf")}
    )
    problem = response.json()
    assert (response.status_code, problem["code"]) == (413, "file-too-large")
    assert "50 MB" in problem["message_vi"] and "50 MB" in problem["message_en"]


# --- hostile uploads: read in a confined child, refused with the limit they exceed ---------------


def peak_rss_megabytes() -> int:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


async def refused(service: InProcess, content: bytes, status: int, code: str) -> dict[str, Any]:
    response = await service.http.post("/v1/verify", files={"file": ("f.pdf", content, "application/pdf")})
    assert response.headers["content-type"] == "application/problem+json", response.text
    problem: dict[str, Any] = response.json()
    assert (response.status_code, problem["code"]) == (status, code), problem
    return problem


async def test_a_compression_bomb_is_refused_by_the_limit_it_exceeds_and_the_service_does_not_grow(
    service: InProcess,
) -> None:
    before = peak_rss_megabytes()
    bomb = hostile.xref_bomb(10_000_000)  # 30 KB; read in process: 41 s and 1.6 GB
    problem = await refused(service, bomb, 422, "pdf-too-many-objects")
    assert "10000000 đối tượng" in problem["message_vi"] and "more than the 200000" in problem["message_en"]

    lying = hostile.xref_bomb(10_000_000, declared=10)  # declares 10 objects, inflates to 30 MB
    problem = await refused(service, lying, 422, "pdf-too-much-data")
    assert "32 MB" in problem["message_vi"] and "128 MB for the whole file" in problem["message_en"]

    problem = await refused(service, hostile.nested(100_000), 422, "pdf-too-complex")
    assert "lồng nhau quá sâu" in problem["message_vi"] and problem["detail"].startswith("too-deep")
    assert peak_rss_megabytes() - before < 100, "the service's own memory did not balloon"


@pytest.fixture
async def generous(
    stack_env: dict[str, str], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[InProcess]:
    """Decisions whose object and decoding limits let the bomb through: only time and memory stop it."""
    for name, value in {
        "VERIFY_MAX_OBJECTS": "100000000",
        "VERIFY_MAX_STREAM_BYTES": str(1024 * 1024 * 1024),
        "VERIFY_MAX_DECODED_BYTES": str(1024 * 1024 * 1024),
        "VERIFY_TIMEOUT_SECONDS": "1",
    }.items():
        monkeypatch.setenv(f"TDKT_DECISIONS_{name}", value)
    async with InProcess(*decisions.build(clock), clock) as running:
        yield running


async def test_a_file_whose_reading_outlasts_the_limit_is_stopped_and_the_child_killed(
    generous: InProcess,
) -> None:
    before = peak_rss_megabytes()
    problem = await refused(generous, hostile.xref_bomb(10_000_000), 422, "pdf-took-too-long")
    assert "quá 1 giây" in problem["message_vi"] and "more than 1 seconds" in problem["message_en"]
    assert peak_rss_megabytes() - before < 100, "the child grew, not the service"


async def test_verifications_past_the_concurrency_are_refused_with_retry_after(service: InProcess) -> None:
    sandbox = service.app.state.context.sandbox
    with sandbox.slot(), sandbox.slot():  # two verifications under way: the default concurrency
        response = await service.http.post(
            "/v1/verify", files={"file": ("f.pdf", unsigned_pdf(), "application/pdf")}
        )
        problem = response.json()
        assert (response.status_code, problem["code"]) == (503, "verification-busy")
        assert response.headers["retry-after"] == "5" and "5 giây" in problem["message_vi"]
    assert (await verify(service, unsigned_pdf()))["problems"] == ["unsigned", "unknown-document"]
