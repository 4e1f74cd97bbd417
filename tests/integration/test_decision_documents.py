"""Issued decisions end to end (issue 5): signed PDFs and certificates that verify, the hash in the
event, sổ vàng lines, the batched decision, and revocation by the issuing authority only."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pypdfium2 as pdfium

from contracts.events import DecisionIssued, DecisionRevoked
from contracts.topics import Topic, topic_name
from contracts.workflow import review_workflow_id
from tests.integration.conftest import BATCHED_AWARD, Pipeline
from tools.demo import DEMO_ORGANISATION, run_demo, submit_and_review, wait_decided
from tools.waiting import eventually


def _pdf_text(content: bytes) -> tuple[int, str]:
    document = pdfium.PdfDocument(content)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return len(document), " ".join(text.split())


async def _decision_of(http: httpx.AsyncClient, pipeline: Pipeline, dossier_id: str) -> dict[str, Any]:
    found = (
        await http.get(f"{pipeline.endpoints.decisions}/v1/decisions", params={"dossier_id": dossier_id})
    ).json()
    assert len(found) == 1, found
    decision: dict[str, Any] = found[0]
    return decision


async def _verify(http: httpx.AsyncClient, pipeline: Pipeline, content: bytes) -> dict[str, Any]:
    response = await http.post(
        f"{pipeline.endpoints.decisions}/v1/verify",
        files={"file": ("quyet-dinh.pdf", content, "application/pdf")},
    )
    assert response.status_code == 200, response.text
    verdict: dict[str, Any] = response.json()
    return verdict


async def test_an_issued_decision_is_a_signed_pdf_that_verifies_with_certificates(pipeline: Pipeline) -> None:
    result = await run_demo(pipeline.endpoints, pipeline.credentials, say=lambda _line: None)
    registry = f"{pipeline.endpoints.decisions}/v1/decisions"
    async with httpx.AsyncClient(timeout=30) as http:
        decision = await _decision_of(http, pipeline, result.dossier_id)
        assert (decision["status"], decision["kind"], decision["entries_total"]) == ("issued", "award", 1)
        pdf = await http.get(f"{registry}/{decision['decision_id']}/pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(pdf.content).hexdigest() == decision["document_sha256"]
        pages, text = _pdf_text(pdf.content)
        assert pages == 2, "the decision and its annex"
        for expected in (
            "THỦ TƯỚNG CHÍNH PHỦ",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            f"Số: {result.decision_number}",
            "Về việc tặng Bằng khen của Thủ tướng Chính phủ",
            "Theo đề nghị của Chủ tịch Ủy ban nhân dân tỉnh An Hà",  # who submits to the Prime Minister
            "Nguyễn Thị Minh Khai",
        ):
            assert expected in text, expected
        # BKTTG's individual multiple is UNCONFIRMED: no amount, so no total — never "0 đồng" (issue 18)
        assert "tổng số tiền thưởng" not in text and "Mức tiền thưởng kèm theo" in text, text

        verdict = await _verify(http, pipeline, pdf.content)
        assert verdict["valid"] and verdict["authentic"] and verdict["known"], verdict
        assert (verdict["problems"], verdict["problem_details"], verdict["revoked"]) == ([], [], False)
        assert (verdict["decision"]["number"], verdict["document_kind"]) == (
            result.decision_number,
            "decision",
        )

        tampered = bytearray(pdf.content)
        position = pdf.content.index(b"/Title")
        tampered[position + 1] = ord("X")
        verdict = await _verify(http, pipeline, bytes(tampered))
        assert not verdict["valid"] and "altered" in verdict["problems"], verdict
        assert [p["code"] for p in verdict["problem_details"]] == verdict["problems"]
        altered = verdict["problem_details"][verdict["problems"].index("altered")]
        assert (
            "bị thay đổi sau khi ký" in altered["message_vi"]
            and "changed after signing" in altered["message_en"]
        )
        verdict = await _verify(http, pipeline, b"%PDF-1.7 not really")
        assert not verdict["valid"] and "not-a-pdf" in verdict["problems"]

        lines = (await http.get(f"{registry}/{decision['decision_id']}/entries")).json()
        assert [(line["line_number"], line["nominee_name"]) for line in lines] == [
            (1, "Nguyễn Thị Minh Khai")
        ]
        certificates = await http.get(f"{registry}/{decision['decision_id']}/certificates")
        pages, text = _pdf_text(certificates.content)
        assert pages == 1 and "Số sổ vàng: 1" in text and result.decision_number in text
        # rendered on the first request (not at issuance), then served as stored, so it verifies
        again = await http.get(f"{registry}/{decision['decision_id']}/certificates")
        assert certificates.content == again.content
        verdict = await _verify(http, pipeline, certificates.content)
        assert verdict["valid"] and verdict["document_kind"] == "certificates", verdict
        one = await http.get(f"{registry}/{decision['decision_id']}/certificates/1")
        again = await http.get(f"{registry}/{decision['decision_id']}/certificates/1")
        assert one.content == again.content, "a certificate is rendered once and served as stored"
        verdict = await _verify(http, pipeline, one.content)
        assert verdict["valid"] and (verdict["document_kind"], verdict["line_number"]) == ("certificate", 1)
        missing = await http.get(f"{registry}/{decision['decision_id']}/certificates/9")
        assert (missing.status_code, missing.json()["code"]) == (404, "line-not-found")

    topic = topic_name(Topic.DECISION_EVENTS, pipeline.kit.topic_prefix)
    raw = await pipeline.find_record(topic, lambda record: record.key == result.dossier_id.encode())
    issued = DecisionIssued.model_validate_json(raw)
    assert issued.data.document_sha256 == decision["document_sha256"]
    assert issued.data.reward is not None and issued.data.reward.complete_total_vnd is None, "no false total"
    assert decision["reward"]["complete_total_vnd"] is None
    assert [(e.line_number, e.nominee_name) for e in issued.data.entries] == [(1, "Nguyễn Thị Minh Khai")]
    assert (issued.data.signer_title_vi, issued.data.issuer_name_vi) == (
        "Thủ tướng Chính phủ",
        "Thủ tướng Chính phủ",
    )
    assert result.dossier["entries"][0]["line_number"] == 1


def _ldtt_dossier(name: str) -> dict[str, Any]:
    return {
        "submitting_organisation": DEMO_ORGANISATION,
        "award_code": BATCHED_AWARD,
        "proposal_year": 2026,
        "entries": [
            {
                "kind": "individual",
                "full_name": name,
                "position_title": "Giáo viên Trường Trung học cơ sở Tân Tiến",
                "record": {"ratings": [{"year": 2026, "rating": "good"}]},
            }
        ],
    }


async def test_approvals_of_a_batched_award_wait_for_one_decision_of_the_period(pipeline: Pipeline) -> None:
    headers = await pipeline.integrator_headers()
    async with httpx.AsyncClient(timeout=30) as http:
        submitted = [
            (
                await submit_and_review(
                    http, pipeline.endpoints, headers, _ldtt_dossier(name), say=lambda _: None
                )
            )[0]
            for name in ("Lê Văn Tám", "Võ Thị Sáu")
        ]
        dossier_ids = [view["dossier_id"] for view in submitted]

        async def held() -> list[Any] | None:
            found = [
                (
                    await http.get(f"{pipeline.endpoints.decisions}/v1/decisions", params={"dossier_id": d})
                ).json()
                for d in dossier_ids
            ]
            views = [
                (await http.get(f"{pipeline.endpoints.intake}/v1/dossiers/{d}", headers=headers)).json()
                for d in dossier_ids
            ]
            approved = all(view["status"] == "approved" for view in views)
            return found if approved else None

        found = await eventually(held, timeout=30, what="both dossiers approved")
        await pipeline.caught_up("decisions", Topic.REVIEW_EVENTS)  # both approvals kept
        found = [
            (await http.get(f"{pipeline.endpoints.decisions}/v1/decisions", params={"dossier_id": d})).json()
            for d in dossier_ids
        ]
        assert found == [[], []], "a batched approval waits for its period's decision"

        commune = "AH-DS-TT"
        officer = await pipeline.reviewer_headers(commune, "officer")
        refused = await http.post(
            f"{pipeline.endpoints.decisions}/v1/decisions/batches/issue", headers=officer
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "leader-required")
        leader = await pipeline.reviewer_headers(commune, "leader", subject="chu-tich.tan-tien")
        response = await http.post(
            f"{pipeline.endpoints.decisions}/v1/decisions/batches/issue",
            params={"award_code": BATCHED_AWARD},
            headers=leader,
        )
        assert response.status_code == 200, response.text
        issued = [d for d in response.json() if set(dossier_ids) <= set(d["dossier_ids"])]
        assert len(issued) == 1 and issued[0]["entries_total"] >= 2, response.json()
        decided = [await wait_decided(http, pipeline.endpoints, headers, d) for d in dossier_ids]
        assert {view["decision_number"] for view in decided} == {issued[0]["number"]}
        lines = (
            await http.get(f"{pipeline.endpoints.decisions}/v1/decisions/{issued[0]['decision_id']}/entries")
        ).json()
        numbers = {line["dossier_id"]: line["line_number"] for line in lines}
        assert [view["entries"][0]["line_number"] for view in decided] == [numbers[d] for d in dossier_ids]
        assert sorted(numbers.values()) == list(range(1, len(lines) + 1))
        amounts = {line["amount_vnd"] for line in lines}
        assert amounts == {710_000}, "LĐTT pays 0.3 × 2,340,000 rounded up to 10,000 VND"

    temporal = await pipeline.temporal()
    for dossier_id in dossier_ids:
        described = await temporal.get_workflow_handle(review_workflow_id(dossier_id)).describe()
        assert described.status is not None and described.status.name == "COMPLETED"


async def test_only_the_issuing_authority_revokes_a_line_and_everyone_hears_of_it(pipeline: Pipeline) -> None:
    result = await run_demo(pipeline.endpoints, pipeline.credentials, say=lambda _line: None)
    registry = f"{pipeline.endpoints.decisions}/v1/decisions"
    body = {
        "line_number": 1,
        "ground": "b",
        "reason": "Hồ sơ khai sai số năm công tác, đã được cơ quan thanh tra kết luận.",
    }
    async with httpx.AsyncClient(timeout=30) as http:
        decision = await _decision_of(http, pipeline, result.dossier_id)
        url = f"{registry}/{decision['decision_id']}/revocations"
        # the citizen's copies, downloaded while the award stood
        certificate = (await http.get(f"{registry}/{decision['decision_id']}/certificates/1")).content
        bundle = (await http.get(f"{registry}/{decision['decision_id']}/certificates")).content
        decision_pdf = (await http.get(f"{registry}/{decision['decision_id']}/pdf")).content
        assert (await _verify(http, pipeline, certificate))["valid"]
        anonymous = await http.post(url, json=body)
        assert anonymous.status_code == 401
        province = await pipeline.reviewer_headers("AH", "leader")
        refused = await http.post(url, json=body, headers=province)
        assert (refused.status_code, refused.json()["code"]) == (403, "not-issuing-authority")
        bad = await http.post(url, json={**body, "ground": "z"}, headers=province)
        assert bad.status_code == 422
        prime_minister = await pipeline.reviewer_headers("TTG", "leader", subject="van-phong.ttg")
        revoked = await http.post(url, json=body, headers=prime_minister)
        assert revoked.status_code == 201, revoked.text
        revocation = revoked.json()
        assert revocation["kind"] == "revocation" and revocation["revokes"]["line_number"] == 1
        assert revocation["number"] != decision["number"], "a revocation takes its own number in the register"
        twice = await http.post(url, json=body, headers=prime_minister)
        assert (twice.status_code, twice.json()["code"]) == (409, "already-revoked")

        async def issued() -> dict[str, Any] | None:
            view: dict[str, Any] = (await http.get(f"{registry}/{revocation['decision_id']}")).json()
            return view if view["status"] == "issued" else None

        await eventually(issued, timeout=30, what="the revocation decision issued")
        pdf = await http.get(f"{registry}/{revocation['decision_id']}/pdf")
        _, text = _pdf_text(pdf.content)
        assert decision["number"] in text and "Nguyễn Thị Minh Khai" in text
        verdict = await _verify(http, pipeline, pdf.content)
        assert verdict["valid"] and verdict["decision"]["kind"] == "revocation"
        gone = await http.get(f"{registry}/{decision['decision_id']}/certificates/1")
        assert (gone.status_code, gone.json()["code"]) == (410, "line-revoked")
        none_left = await http.get(f"{registry}/{decision['decision_id']}/certificates")
        assert (none_left.status_code, none_left.json()["code"]) == (410, "all-lines-revoked")

        # issue 18: the revoked line's certificate is still ours and unaltered, but no longer valid
        verdict = await _verify(http, pipeline, certificate)
        assert not verdict["valid"], verdict
        assert (verdict["authentic"], verdict["revoked"]) == (True, True), verdict
        assert (verdict["signed"], verdict["intact"], verdict["trusted"]) == (True, True, True)
        assert verdict["problems"] == ["revoked"] and verdict["document_kind"] == "certificate"
        [notice] = verdict["revocations"]
        assert (notice["line_number"], notice["nominee_name"], notice["ground"]) == (
            1,
            "Nguyễn Thị Minh Khai",
            "b",
        )
        assert (notice["revocation_number"], notice["revocation_decision_id"]) == (
            revocation["number"],
            revocation["decision_id"],
        )
        [problem] = verdict["problem_details"]
        day = "/".join(reversed(revocation["issued_on"].split("-")))
        for expected in (
            f"Quyết định số {revocation['number']} ngày {day}",
            "số sổ vàng 1 (Nguyễn Thị Minh Khai)",
        ):
            assert expected in problem["message_vi"], problem
        assert f"decision {revocation['number']} of {day}" in problem["message_en"], problem
        # its only line revoked, the decision itself is revoked; so is the bundle of its certificates
        for document, kind in ((decision_pdf, "decision"), (bundle, "certificates")):
            verdict = await _verify(http, pipeline, document)
            assert (verdict["authentic"], verdict["valid"], verdict["revoked"]) == (True, False, True), (
                verdict
            )
            assert verdict["problems"] == ["revoked"] and verdict["document_kind"] == kind
            assert [n["revocation_number"] for n in verdict["revocations"]] == [revocation["number"]]
        decided = verdict["problem_details"][0]["message_vi"]
        assert decided.startswith("Khen thưởng mà văn bản này chứng nhận"), decided
        verdict = await _verify(http, pipeline, decision_pdf)
        assert verdict["problem_details"][0]["message_vi"].startswith(
            f"Quyết định số {decision['number']} ngày "
        ), verdict

        headers = await pipeline.integrator_headers()

        async def recorded() -> dict[str, Any] | None:
            view: dict[str, Any] = (
                await http.get(
                    f"{pipeline.endpoints.intake}/v1/dossiers/{result.dossier_id}", headers=headers
                )
            ).json()
            return view if view["entries"][0]["revocation_number"] else None

        view = await eventually(recorded, timeout=30, what="the revocation in the dossier")
        assert view["entries"][0]["revocation_number"] == revocation["number"]

    topic = topic_name(Topic.DECISION_EVENTS, pipeline.kit.topic_prefix)
    raw = await pipeline.find_record(
        topic,
        lambda record: (
            json.loads(record.value)["type"] == "vn.tdkt.decision.revoked.v1"
            and json.loads(record.value)["data"]["original_decision_id"] == decision["decision_id"]
        ),
    )
    event = DecisionRevoked.model_validate_json(raw)
    assert (event.data.ground.value, event.data.line_number, event.data.original_number) == (
        "b",
        1,
        decision["number"],
    )
