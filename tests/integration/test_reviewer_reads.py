"""Issue 20's "done when", on the real stack: reviewers signed in through Keycloak — the realm's own
people, with their Vietnamese names and titles — read the dossier of their chain when the review
reaches them, with its facts, eligibility, documents and attachments, and act on it; nobody else
reads it; and the decision's signature block names the leader who signed off."""

from __future__ import annotations

from typing import Any

import httpx

from deploy.keycloak import people
from tests.integration.conftest import Pipeline
from tools.demo import demo_dossier
from tools.waiting import eventually

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SCHOOL, COMMUNE, PROVINCE = "AH-DS-TT-THCS", "AH-DS-TT", "AH"
STEPS = (("accept", "clerk"), ("recommend", "officer"), ("approve", "leader"))


async def _open_task(http: httpx.AsyncClient, pipeline: Pipeline, dossier_id: str, organisation: str) -> str:
    headers = await pipeline.reviewer_headers(organisation, "clerk")

    async def opened() -> str | None:
        page = (
            await http.get(
                f"{pipeline.endpoints.review}/v1/tasks",
                params={"dossier_id": dossier_id, "state": "open"},
                headers=headers,
            )
        ).json()
        return str(page["items"][0]["task_id"]) if page["items"] else None

    return await eventually(opened, timeout=30, what=f"an open task at {organisation}")


async def test_a_signed_in_reviewer_reads_the_dossier_of_their_chain_and_acts_on_it(
    pipeline: Pipeline,
) -> None:
    intake = pipeline.endpoints.intake
    async with httpx.AsyncClient(timeout=30) as http:
        integrator = await pipeline.integrator_headers()
        view = (await http.post(f"{intake}/v1/dossiers", json=demo_dossier(), headers=integrator)).json()
        dossier_id = view["dossier_id"]
        assert view["documents_complete"] is False, "a BKTTG dossier with no document is flagged at once"
        report = await http.post(
            f"{intake}/v1/dossiers/{dossier_id}/attachments",
            files={"file": ("bao-cao.pdf", PDF, "application/pdf")},
            data={"document_code": "BAO_CAO_THANH_TICH"},
            headers=integrator,
        )
        assert report.status_code == 201, report.text
        url = f"{intake}/v1/staff/dossiers/{dossier_id}"
        commune_officer = await pipeline.reviewer_headers(COMMUNE, "officer")  # the realm's ah-ds-tt.officer
        assert (await http.get(url, headers=commune_officer)).status_code == 404, "not reached yet"

        for action, role in STEPS:  # the school's own level, each step by its own person
            task = await _open_task(http, pipeline, dossier_id, SCHOOL)
            acted = await http.post(
                f"{pipeline.endpoints.review}/v1/tasks/{task}/{action}",
                json={"comment": "Đồng ý."},
                headers=await pipeline.reviewer_headers(SCHOOL, role),
            )
            assert acted.status_code == 200, acted.text
        await _open_task(http, pipeline, dossier_id, COMMUNE)

        async def readable() -> httpx.Response | None:
            """Intake learns that the dossier reached the commune from review's events: a moment
            after review opened the task, longer on a busy machine."""
            answer = await http.get(url, headers=commune_officer)
            return answer if answer.status_code != 404 else None

        read = await eventually(readable, timeout=30, what="the commune's officer may read the dossier")
        assert read.status_code == 200, read.text
        dossier: dict[str, Any] = read.json()
        assert dossier["submission"]["entries"][0]["record"]["ratings"], "every fact the school submitted"
        assert dossier["entries"][0]["eligibility"]["criteria"], "eligibility per criterion"
        checklist = {item["document_code"]: item for item in dossier["documents"]}
        assert checklist["BAO_CAO_THANH_TICH"]["attachment_ids"] and checklist["TO_TRINH"]["missing"]
        signed_off = [
            item for item in dossier["history"] if item["type"] == "vn.tdkt.review.level.approved.v1"
        ]
        assert signed_off and signed_off[0]["actor"] == "ah-ds-tt-thcs.leader"
        leader = next(
            person for person in people.read_staff() if person["username"] == "ah-ds-tt-thcs.leader"
        )
        assert f"({leader['full_name']}, {leader['title']})" in signed_off[0]["summary"], "names, not logins"
        attachment = dossier["attachments"][0]["attachment_id"]
        served = await http.get(f"{url}/attachments/{attachment}", headers=commune_officer)
        assert (served.headers["content-type"], served.content) == ("application/pdf", PDF)
        for stranger in [("AH", "officer"), ("AH-TL-HB", "leader"), ("AH-DS-TT-TH", "clerk")]:
            refused = await http.get(url, headers=await pipeline.reviewer_headers(*stranger))
            assert (refused.status_code, refused.json()["code"]) == (404, "dossier-not-found"), stranger

        receipt = await _open_task(http, pipeline, dossier_id, COMMUNE)
        accepted = await http.post(
            f"{pipeline.endpoints.review}/v1/tasks/{receipt}/accept",
            json={},
            headers=await pipeline.reviewer_headers(COMMUNE, "clerk"),
        )
        assert accepted.status_code == 200, accepted.text
