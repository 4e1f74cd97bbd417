"""Revocation (Luật TĐKT 2022 Điều 93): a leader of the issuing authority revokes one line, once,
of an issued award decision; the revocation is numbered, signed and announced."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium

from contracts.topics import Topic
from tests.service.conftest import Tokens
from tests.service.decisions.conftest import COMMUNE, PROVINCE, PROVINCE_NAME, REVOKED, approval, issue
from tests.service.harness import InProcess

BODY = {"line_number": 1, "ground": "b", "reason": "Hồ sơ khai sai số năm công tác, theo kết luận thanh tra."}


async def test_the_issuing_leader_revokes_a_line_and_it_is_announced(
    service: InProcess, tokens: Tokens
) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin", "Tổ Ngữ văn"))
    leader = tokens.staff(PROVINCE, "leader", subject="chu-tich.ah", name="Lê Văn Minh", title="CHỦ TỊCH")
    response = await service.http.post(
        f"/v1/decisions/{decision['decision_id']}/revocations", json=BODY, headers=leader
    )
    assert response.status_code == 201, response.text
    revocation = response.json()
    assert (revocation["kind"], revocation["number"], revocation["status"]) == (
        "revocation",
        "02/QĐ-UBND",
        "numbered",
    ), "numbered in the issuer's register; its PDF follows"
    assert revocation["revokes"] == {
        "decision_id": decision["decision_id"],
        "line_number": 1,
        "ground": "b",
        "reason": BODY["reason"],
        "revoked_by": "chu-tich.ah",
    }
    event = await service.published_event(Topic.DECISION_EVENTS, REVOKED)
    assert (event["subject"], event["data"]["original_number"], event["data"]["nominee_name"]) == (
        "hs-1",
        "01/QĐ-UBND",
        "Tổ Toán - Tin",
    )
    issued = (await service.http.get(f"/v1/decisions/{revocation['decision_id']}")).json()
    pdf = pdfium.PdfDocument(
        (await service.http.get(f"/v1/decisions/{revocation['decision_id']}/pdf")).content
    )
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    assert "Lê Văn Minh" in text and "chu-tich.ah" not in text, "the revoking leader signs, by name"
    assert issued["status"] == "issued" and issued["document_sha256"] == event["data"]["document_sha256"]
    lines = (await service.http.get(f"/v1/decisions/{decision['decision_id']}/entries")).json()
    assert [line["revocation_id"] for line in lines] == [revocation["decision_id"], None]


async def refused(
    service: InProcess, decision_id: str, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await service.http.post(
        f"/v1/decisions/{decision_id}/revocations", json={**BODY, **body}, headers=headers
    )
    problem: dict[str, Any] = response.json()
    problem["status"] = response.status_code
    return problem


async def test_each_refusal_names_its_cause(service: InProcess, tokens: Tokens) -> None:
    decision = await issue(service, approval("hs-1", "Tổ Toán - Tin"))
    decision_id, leader = decision["decision_id"], tokens.staff(PROVINCE, "leader")

    anonymous = await service.http.post(f"/v1/decisions/{decision_id}/revocations", json=BODY)
    assert anonymous.status_code == 401
    for headers in (tokens.staff(PROVINCE, "officer"), tokens.staff(COMMUNE, "leader")):
        problem = await refused(service, decision_id, headers)
        assert (problem["status"], problem["code"]) == (403, "not-issuing-authority")
        assert problem["message_vi"].startswith(
            f"Chỉ lãnh đạo {PROVINCE_NAME}, cơ quan đã ban hành Quyết định số 01/QĐ-UBND"
        )
        assert "Điều 93 khoản 8" in problem["message_vi"]
        assert f"Only a leader of {PROVINCE_NAME}, which issued decision 01/QĐ-UBND" in problem["message_en"]
    problem = await refused(service, "khong-co", leader)
    assert (problem["status"], problem["code"]) == (404, "decision-not-found")
    unnamed = tokens.staff(PROVINCE, "leader", subject="chu-tich.ah", name="", title="")
    problem = await refused(service, decision_id, unnamed)
    assert (problem["status"], problem["code"]) == (403, "signer-not-named"), (
        "the revocation prints who signs"
    )
    assert "họ tên và chức vụ" in problem["message_vi"] and "full name and title" in problem["message_en"]
    problem = await refused(service, decision_id, leader, line_number=9)
    assert (problem["status"], problem["code"]) == (404, "line-not-found")
    assert problem["message_vi"] == "Quyết định số 01/QĐ-UBND không có số sổ vàng 9."
    assert problem["message_en"] == "Decision 01/QĐ-UBND has no line 9."
    for body in ({"ground": "z"}, {"reason": "ngắn"}, {"line_number": 0}):
        problem = await refused(service, decision_id, leader, **body)
        assert (problem["status"], problem["code"]) == (422, "validation-failed"), body
    problem = await refused(service, decision_id, leader, reason="Khai sai \u202egnăn ốs ,nêiv gnôc")
    assert (problem["status"], problem["code"]) == (422, "text-bidi-control")
    assert "reason" in problem["message_vi"] and "reason" in problem["message_en"]

    revocation = (
        await service.http.post(f"/v1/decisions/{decision_id}/revocations", json=BODY, headers=leader)
    ).json()
    problem = await refused(service, decision_id, leader)
    assert (problem["status"], problem["code"], problem["detail"]) == (
        409,
        "already-revoked",
        revocation["decision_id"],
    )
    assert problem["message_vi"] == (
        "Số sổ vàng 1 của Quyết định số 01/QĐ-UBND đã bị hủy bỏ theo Quyết định số 02/QĐ-UBND."
    )
    assert (
        problem["message_en"] == "Line 1 of decision 01/QĐ-UBND was already revoked by decision 02/QĐ-UBND."
    )
    problem = await refused(service, revocation["decision_id"], leader)
    assert (problem["status"], problem["code"]) == (409, "decision-not-revocable"), (
        "a revocation is not revoked"
    )
    assert "Quyết định số 02/QĐ-UBND là quyết định hủy bỏ" in problem["message_vi"]
    assert "decision 02/QĐ-UBND is a revocation" in problem["message_en"]
