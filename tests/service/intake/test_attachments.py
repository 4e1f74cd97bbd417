"""Intake in process: a file attached to a dossier's current version (``handlers.upload``), typed from
its content and within the size limit, and downloaded by its owner (``handlers.download``)."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.service.conftest import Tokens
from tests.service.harness import InProcess
from tests.service.intake.conftest import OTHER_CLIENT, Start, refused, submitted

LIMIT = 4096
PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20 + b"%%EOF\n"


@pytest.fixture
async def service(start: Start) -> AsyncIterator[InProcess]:
    async with start(TDKT_INTAKE_MAX_ATTACHMENT_BYTES=str(LIMIT)) as running:
        yield running


async def test_a_file_is_attached_to_the_current_version_and_downloaded_by_its_owner(
    service: InProcess, tokens: Tokens, intake_env: dict[str, str]
) -> None:
    view = await submitted(service, tokens)
    url = f"/v1/dossiers/{view['dossier_id']}/attachments"
    response = await service.http.post(
        url, files={"file": ("to-trinh.txt", PDF, "text/plain")}, headers=tokens.client()
    )
    assert response.status_code == 201, response.text
    attachment = response.json()
    digest = hashlib.sha256(PDF).hexdigest()
    assert attachment["media_type"] == "application/pdf", "typed from the content, not the name or header"
    assert (attachment["file_name"], attachment["version"], attachment["size_bytes"]) == (
        "to-trinh.txt",
        1,
        len(PDF),
    )
    assert attachment["sha256"] == digest and attachment["uploaded_at"].startswith("2026-03-02T02:00:00")
    stored = Path(intake_env["TDKT_DATA_DIR"]) / "attachments" / digest[:2] / digest
    assert stored.read_bytes() == PDF

    dossier_view = (
        await service.http.get(f"/v1/dossiers/{view['dossier_id']}", headers=tokens.client())
    ).json()
    assert dossier_view["attachments"] == [attachment]
    download = await service.http.get(
        f"{url}/{attachment['attachment_id']}", headers=tokens.client(write=False)
    )
    assert download.status_code == 200
    assert download.content == PDF and download.headers["content-type"] == "application/pdf"
    assert "to-trinh.txt" in download.headers["content-disposition"]

    refused(
        await service.http.get(f"{url}/{attachment['attachment_id']}", headers=tokens.client(OTHER_CLIENT)),
        404,
        "dossier-not-found",
    )
    problem = refused(
        await service.http.get(f"{url}/no-such-file", headers=tokens.client()), 404, "attachment-not-found"
    )
    assert "no-such-file" in problem["message_vi"]


async def test_a_file_name_is_kept_plain_and_served_in_ascii_and_utf8(
    service: InProcess, tokens: Tokens
) -> None:
    """A client's file name is reduced to a plain one (no path, no hidden file, no invisible or
    reordering character, NFC) and named on download twice: ASCII and RFC 5987 UTF-8."""
    view = await submitted(service, tokens)
    url = f"/v1/dossiers/{view['dossier_id']}/attachments"
    hostile = unicodedata.normalize("NFD", "../../hồ sơ/.\u200bBáo cáo \u202egpj.pdf")
    response = await service.http.post(
        url, files={"file": (hostile, PDF, "application/pdf")}, headers=tokens.client()
    )
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert attachment["file_name"] == "Báo cáo gpj.pdf"
    download = await service.http.get(
        f"{url}/{attachment['attachment_id']}", headers=tokens.client(write=False)
    )
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Bao cao gpj.pdf\"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20gpj.pdf"
    )


async def test_an_upload_too_large_or_of_a_refused_type_leaves_nothing(
    service: InProcess, tokens: Tokens, intake_env: dict[str, str]
) -> None:
    view = await submitted(service, tokens)
    url = f"/v1/dossiers/{view['dossier_id']}/attachments"
    too_large = PDF + b"0" * LIMIT
    problem = refused(
        await service.http.post(url, files={"file": ("big.pdf", too_large)}, headers=tokens.client()),
        413,
        "attachment-too-large",
    )
    assert str(LIMIT) in problem["message_vi"] and str(LIMIT) in problem["message_en"]
    problem = refused(
        await service.http.post(url, files={"file": ("note.pdf", b"just words")}, headers=tokens.client()),
        415,
        "attachment-type-not-allowed",
    )
    assert "unknown" in problem["message_en"] and "application/pdf" in problem["detail"]
    refused(
        await service.http.post(
            "/v1/dossiers/no-such/attachments", files={"file": ("a.pdf", PDF)}, headers=tokens.client()
        ),
        404,
        "dossier-not-found",
    )
    stored = Path(intake_env["TDKT_DATA_DIR"]) / "attachments"
    assert [path for path in stored.rglob("*") if path.is_file()] == []
    dossier_view = (
        await service.http.get(f"/v1/dossiers/{view['dossier_id']}", headers=tokens.client())
    ).json()
    assert dossier_view["attachments"] == []


async def test_the_upload_documents_this_deployments_limits(service: InProcess) -> None:
    document = (await service.http.get("/openapi.json")).json()
    upload = document["paths"]["/v1/dossiers/{dossier_id}/attachments"]["post"]
    assert upload["description"].endswith(f"at most {LIMIT} bytes.")
    assert "application/pdf" in upload["description"]
    assert "`attachment-too-large`" in upload["responses"]["413"]["description"]
