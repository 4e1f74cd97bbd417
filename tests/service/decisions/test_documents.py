"""A decision's documents: the signed PDF, and certificates rendered on first request then served
as stored, while their lines stand."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pypdfium2 as pdfium
import pytest
from sqlmodel import Session, col, delete

from contracts.topics import Topic
from services.decisions.documents import pipeline
from services.decisions.models import DecisionDocument, DocumentKind
from tests.service.conftest import Tokens
from tests.service.decisions.conftest import PROVINCE, approval, approve, issue, issued_event, revoke, verify
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
    name = f"quyet-dinh-{decision['decision_id']}.pdf"
    assert response.headers["content-disposition"] == f"inline; filename=\"{name}\"; filename*=UTF-8''{name}"
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
    assert bundle.headers["content-disposition"].endswith(f"''giay-chung-nhan-{decision['decision_id']}.pdf")
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
    assert gone.json()["message_vi"] == (
        "Khen thưởng tại số sổ vàng 1 của Quyết định số 01/QĐ-UBND đã bị hủy bỏ theo Quyết định số 02/QĐ-UBND."
    )
    assert (
        gone.json()["message_en"]
        == "The award of line 1 of decision 01/QĐ-UBND was revoked by decision 02/QĐ-UBND."
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
    assert "Quyết định số 02/QĐ-UBND là quyết định hủy bỏ" in no_certificates.json()["message_vi"]


async def test_while_a_decision_is_being_signed_its_documents_are_not_ready(
    service: InProcess, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk holds the decision between its number and its signature: it is ``numbered``, its
    documents answer ``document-not-ready`` and it cannot be revoked yet."""
    release, sign = threading.Event(), pipeline.decision_documents

    def held(*args: Any) -> dict[DocumentKind, bytes]:
        release.wait(timeout=10)
        return sign(*args)

    monkeypatch.setattr(pipeline, "decision_documents", held)
    try:
        await approve(service, approval("hs-1", "Tổ Toán - Tin"))
        [decision] = (await service.http.get("/v1/decisions", params={"dossier_id": "hs-1"})).json()
        assert (decision["status"], decision["document_sha256"]) == ("numbered", None)
        url = f"/v1/decisions/{decision['decision_id']}"
        for path in ("pdf", "certificates", "certificates/1"):
            response = await service.http.get(f"{url}/{path}")
            problem = response.json()
            assert (response.status_code, problem["code"]) == (409, "document-not-ready"), path
            assert "01/QĐ-UBND" in problem["message_vi"] and "01/QĐ-UBND" in problem["message_en"]
        revoking = await service.http.post(
            f"{url}/revocations",
            json={"line_number": 1, "ground": "b", "reason": "Hồ sơ khai sai sự thật."},
            headers=tokens.staff(PROVINCE, "leader"),
        )
        assert (revoking.status_code, revoking.json()["code"]) == (409, "decision-not-revocable")
        assert service.events(Topic.DECISION_EVENTS) == [], "nothing is announced before it is signed"
    finally:
        release.set()
    await issued_event(service, "hs-1")
    assert (await service.http.get(f"{url}/pdf")).status_code == 200


async def test_a_decision_issued_before_the_registry_kept_documents_has_none_to_serve(
    service: InProcess,
) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin"))
    with Session(service.runtime.engine) as session:
        session.exec(
            delete(DecisionDocument).where(col(DecisionDocument.decision_id) == decision["decision_id"])
        )
        session.commit()
    response = await service.http.get(f"/v1/decisions/{decision['decision_id']}/pdf")
    assert (response.status_code, response.json()["code"]) == (404, "document-not-available")
    assert (
        response.json()["message_en"]
        == "Decision 01/QĐ-UBND was issued before this registry kept its documents."
    )


async def test_a_line_number_beyond_any_column_is_refused_not_a_500(service: Any, tokens: Tokens) -> None:
    """Issue 21: a line number past 64 bits once overflowed in the database (text/plain 500)."""
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin"))
    url = f"/v1/decisions/{decision['decision_id']}"
    for huge in (2**31, 2**70):
        certificate = await service.http.get(f"{url}/certificates/{huge}")
        assert (certificate.status_code, certificate.json()["code"]) == (422, "validation-failed"), huge
        revocation = await service.http.post(
            f"{url}/revocations",
            json={"line_number": huge, "ground": "b", "reason": "Khai sai thành tích theo kết luận."},
            headers=tokens.staff(PROVINCE, "leader"),
        )
        assert (revocation.status_code, revocation.json()["code"]) == (422, "validation-failed"), huge
