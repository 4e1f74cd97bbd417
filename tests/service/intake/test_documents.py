"""Intake in process: documents are typed (issue 20 §2). An attachment names its document type from
the catalogue's table (``document_code``, default ``OTHER``; an unknown code is refused naming it),
and a dossier's view carries the checklist of the documents its award requires, judged against
its current version's attachments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import Start, dossier, refused, submitted

PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20 + b"%%EOF\n"
BKTTG_DOCUMENTS = ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_XET_KHEN_THUONG", "HO_SO_DIEN_TU"]
"""What a Bằng khen Thủ tướng needs under NĐ 152/2025 (QĐ 311/QĐ-BNV), in the catalogue's order."""


@pytest.fixture
async def service(start: Start) -> AsyncIterator[InProcess]:
    async with start() as running:
        yield running


async def _upload(
    service: InProcess, tokens: Tokens, dossier_id: str, document_code: str | None, name: str = "file.pdf"
) -> Any:
    data = {} if document_code is None else {"document_code": document_code}
    return await service.http.post(
        f"/v1/dossiers/{dossier_id}/attachments",
        files={"file": (name, PDF, "application/pdf")},
        data=data,
        headers=tokens.client(),
    )


async def _view(service: InProcess, tokens: Tokens, dossier_id: str) -> dict[str, Any]:
    response = await service.http.get(f"/v1/dossiers/{dossier_id}", headers=tokens.client(write=False))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _attached(view: dict[str, Any]) -> dict[str, list[str]]:
    return {check["document_code"]: check["attachment_ids"] for check in view["documents"]}


async def test_an_attachment_carries_its_document_type_and_defaults_to_other(
    service: InProcess, tokens: Tokens
) -> None:
    view = await submitted(service, tokens)
    typed = await _upload(service, tokens, view["dossier_id"], "BAO_CAO_THANH_TICH", "bao-cao.pdf")
    assert typed.status_code == 201, typed.text
    assert {key: typed.json()[key] for key in ("document_code", "document_name_vi", "document_name_en")} == {
        "document_code": "BAO_CAO_THANH_TICH",
        "document_name_vi": "Báo cáo thành tích",
        "document_name_en": "Achievement report",
    }
    for omitted in (None, ""):  # an empty form field is an omitted one
        untyped = await _upload(service, tokens, view["dossier_id"], omitted)
        assert untyped.status_code == 201, untyped.text
        assert untyped.json()["document_code"] == "OTHER"
        assert (untyped.json()["document_name_vi"], untyped.json()["document_name_en"]) == (
            "Tài liệu khác",
            "Other document",
        )
    listed = await _view(service, tokens, view["dossier_id"])
    assert [item["document_code"] for item in listed["attachments"]] == [
        "BAO_CAO_THANH_TICH",
        "OTHER",
        "OTHER",
    ]
    assert listed["attachments"][0] == typed.json()


async def test_an_unknown_document_code_is_refused_naming_it_and_the_known_ones(
    service: InProcess, tokens: Tokens, intake_env: dict[str, str]
) -> None:
    view = await submitted(service, tokens)
    for code in ("BAO_CAO", "bao_cao_thanh_tich"):
        problem = refused(
            await _upload(service, tokens, view["dossier_id"], code), 422, "unknown-document-code"
        )
        for message in (problem["message_vi"], problem["message_en"]):
            assert f"'{code}'" in message
            assert "BAO_CAO_THANH_TICH" in message and "TO_TRINH" in message and "OTHER" in message
        assert problem["message_vi"].startswith("Không có loại tài liệu mã")
        assert problem["message_en"].startswith("There is no document type with code")
    stored = Path(intake_env["TDKT_DATA_DIR"]) / "attachments"
    assert not stored.exists() or [path for path in stored.rglob("*") if path.is_file()] == []
    assert (await _view(service, tokens, view["dossier_id"]))["attachments"] == []


async def test_a_bkttg_dossier_lists_its_required_documents_until_each_is_attached(
    service: InProcess, tokens: Tokens
) -> None:
    view = await submitted(service, tokens)  # the answer to POST /v1/dossiers already flags them
    assert view["award_code"] == "BKTTG" and view["rule_set_id"] == "ND152-2025"
    assert [check["document_code"] for check in view["documents"]] == BKTTG_DOCUMENTS
    assert view["documents_complete"] is False
    first = view["documents"][0]
    assert first["name_vi"] == "Tờ trình đề nghị khen thưởng" and first["name_en"] == "Submission letter"
    assert first["legal_basis"] == "QĐ 311/QĐ-BNV (2025)" and first["confirmed"] is True
    assert first["template"] == "Mẫu số 01, Phụ lục NĐ 152/2025/NĐ-CP"
    assert all(check["missing"] and check["attachment_ids"] == [] for check in view["documents"])

    other = (await _upload(service, tokens, view["dossier_id"], None)).json()
    not_required = (await _upload(service, tokens, view["dossier_id"], "BIEN_BAN_BINH_XET")).json()
    ids: dict[str, str] = {}
    for code in BKTTG_DOCUMENTS:
        current = await _view(service, tokens, view["dossier_id"])
        assert current["documents_complete"] is False, f"{code} is still missing"
        assert current["documents"][BKTTG_DOCUMENTS.index(code)]["missing"] is True
        response = await _upload(service, tokens, view["dossier_id"], code)
        assert response.status_code == 201, response.text
        ids[code] = response.json()["attachment_id"]
    complete = await _view(service, tokens, view["dossier_id"])
    assert complete["documents_complete"] is True
    assert _attached(complete) == {code: [ids[code]] for code in BKTTG_DOCUMENTS}
    assert not any(check["missing"] for check in complete["documents"])
    every_id = {item["attachment_id"] for item in complete["attachments"]}
    assert {other["attachment_id"], not_required["attachment_id"]} <= every_id, (
        "still attached, counted for none"
    )

    second = await _upload(service, tokens, view["dossier_id"], "BAO_CAO_THANH_TICH")
    assert _attached(await _view(service, tokens, view["dossier_id"]))["BAO_CAO_THANH_TICH"] == [
        ids["BAO_CAO_THANH_TICH"],
        second.json()["attachment_id"],
    ], "every attachment of the type, in upload order"


async def test_an_amendment_starts_its_checklist_against_the_new_versions_attachments(
    service: InProcess, tokens: Tokens
) -> None:
    view = await submitted(service, tokens)
    for code in BKTTG_DOCUMENTS:
        assert (await _upload(service, tokens, view["dossier_id"], code)).status_code == 201
    assert (await _view(service, tokens, view["dossier_id"]))["documents_complete"] is True

    amended = await service.http.put(
        f"/v1/dossiers/{view['dossier_id']}", json=dossier(), headers=tokens.client()
    )
    assert amended.status_code == 200, amended.text
    body = amended.json()
    assert body["version"] == 2 and body["documents_complete"] is False
    assert all(check["missing"] for check in body["documents"])
    assert len(body["attachments"]) == len(BKTTG_DOCUMENTS), "version 1's files are still listed"

    again = await _upload(service, tokens, view["dossier_id"], "TO_TRINH")
    assert again.json()["version"] == 2
    now = await _view(service, tokens, view["dossier_id"])
    assert _attached(now)["TO_TRINH"] == [again.json()["attachment_id"]]
    assert now["documents_complete"] is False


async def test_an_unconfirmed_requirement_is_listed_but_never_missing(
    service: InProcess, tokens: Tokens
) -> None:
    view = await submitted(service, tokens, dossier(award_code="BANG_KHEN_TINH", external_reference="BKT-1"))
    assert [check["document_code"] for check in view["documents"]] == ["TO_TRINH", "BAO_CAO_THANH_TICH"]
    assert all(not check["confirmed"] and not check["missing"] for check in view["documents"])
    assert view["documents"][0]["legal_basis"].startswith("UNCONFIRMED")
    assert view["documents_complete"] is True


async def test_the_upload_documents_its_document_code(service: InProcess) -> None:
    document = (await service.http.get("/openapi.json")).json()
    upload = document["paths"]["/v1/dossiers/{dossier_id}/attachments"]["post"]
    assert "`unknown-document-code`" in upload["responses"]["422"]["description"]
    schema_ref = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    form = document["components"]["schemas"][schema_ref.rsplit("/", 1)[-1]]
    assert "document_code" in form["properties"] and form["required"] == ["file"]
