"""``POST /v1/verify``: is a PDF an unaltered document of this registry, and does its award stand?"""

from __future__ import annotations

from io import BytesIO

from reportlab.pdfgen import canvas

from tests.service.conftest import Tokens
from tests.service.decisions.conftest import approval, issue, revoke, verify
from tests.service.harness import InProcess


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
