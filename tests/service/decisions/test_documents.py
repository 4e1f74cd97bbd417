"""A decision's documents: the signed PDF, and certificates rendered on first request then served
as stored, while their lines stand."""

from __future__ import annotations

import hashlib

import pypdfium2 as pdfium

from tests.service.conftest import Tokens
from tests.service.decisions.conftest import approval, issue, revoke, verify
from tests.service.harness import InProcess


def pdf_text(content: bytes) -> tuple[int, str]:
    document = pdfium.PdfDocument(content)
    return len(document), " ".join(
        " ".join(page.get_textpage().get_text_range() for page in document).split()
    )


async def test_the_decision_pdf_is_served_signed_with_its_hash(service: InProcess) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin"))
    response = await service.http.get(f"/v1/decisions/{decision['decision_id']}/pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    digest = hashlib.sha256(response.content).hexdigest()
    assert (digest, response.headers["etag"]) == (decision["document_sha256"], f'"{digest}"')
    assert (
        response.headers["content-disposition"]
        == f'inline; filename="quyet-dinh-{decision["decision_id"]}.pdf"'
    )
    pages, text = pdf_text(response.content)
    assert pages == 2, "the decision and its annex"
    assert "Số: 01/QĐ-UBND" in text and "Tổ Toán - Tin" in text and "An Hà, ngày 02 tháng 3 năm 2026" in text
    missing = await service.http.get("/v1/decisions/khong-co/pdf")
    assert (missing.status_code, missing.json()["code"]) == (404, "decision-not-found")


async def test_certificates_are_rendered_once_then_served_as_stored(service: InProcess) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin", "Tổ Ngữ văn"))
    url = f"/v1/decisions/{decision['decision_id']}/certificates"
    bundle = await service.http.get(url)
    assert bundle.status_code == 200, bundle.text
    assert bundle.headers["content-disposition"].endswith(f'giay-chung-nhan-{decision["decision_id"]}.pdf"')
    pages, text = pdf_text(bundle.content)
    assert pages == 2 and "Số sổ vàng: 1" in text and "Số sổ vàng: 2" in text
    assert (await service.http.get(url)).content == bundle.content, "served as stored"
    verdict = await verify(service, bundle.content)
    assert verdict["valid"] and verdict["document_kind"] == "certificates", verdict

    one = await service.http.get(f"{url}/2")
    assert one.status_code == 200 and pdf_text(one.content)[0] == 1
    assert "Tổ Ngữ văn" in pdf_text(one.content)[1]
    assert (await service.http.get(f"{url}/2")).content == one.content
    verdict = await verify(service, one.content)
    assert verdict["valid"] and (verdict["document_kind"], verdict["line_number"]) == ("certificate", 2)

    missing = await service.http.get(f"{url}/9")
    assert (missing.status_code, missing.json()["code"]) == (404, "line-not-found")
    assert "01/QĐ-UBND" in missing.json()["message_vi"] and "9" in missing.json()["message_en"]
    unknown = await service.http.get("/v1/decisions/khong-co/certificates/1")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "decision-not-found")


async def test_a_revoked_lines_certificate_is_gone_and_the_bundle_is_made_again_without_it(
    service: InProcess, tokens: Tokens
) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin", "Tổ Ngữ văn"))
    url = f"/v1/decisions/{decision['decision_id']}"
    before = (await service.http.get(f"{url}/certificates")).content
    revocation = await revoke(service, tokens, decision["decision_id"], 1, ground="a")

    gone = await service.http.get(f"{url}/certificates/1")
    assert (gone.status_code, gone.json()["code"], gone.json()["detail"]) == (
        410,
        "line-revoked",
        revocation["decision_id"],
    )
    after = await service.http.get(f"{url}/certificates")
    assert after.status_code == 200 and after.content != before
    pages, text = pdf_text(after.content)
    assert pages == 1 and "Tổ Ngữ văn" in text and "Tổ Toán - Tin" not in text
    assert (await verify(service, before))["problems"] == ["partly-revoked"], (
        "the earlier bundle stays on record"
    )

    await revoke(service, tokens, decision["decision_id"], 2)
    none_left = await service.http.get(f"{url}/certificates")
    assert (none_left.status_code, none_left.json()["code"]) == (410, "all-lines-revoked")
    assert "01/QĐ-UBND" in none_left.json()["message_vi"] and "01/QĐ-UBND" in none_left.json()["message_en"]

    no_certificates = await service.http.get(f"/v1/decisions/{revocation['decision_id']}/certificates")
    assert (no_certificates.status_code, no_certificates.json()["code"]) == (404, "no-certificates")
