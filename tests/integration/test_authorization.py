"""The authorisation matrix: every endpoint of every service, by who calls it — nobody, another
kind of token, another integrator, or an officer of each role from the resource's own
organisation, its parent, its child, its sibling or an unrelated one. Every mismatch is listed;
an endpoint missing from the matrix fails the test, so a new one must be classified here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.integration.conftest import Pipeline
from tools.demo import demo_dossier, run_demo
from tools.generate import API_DIR
from tools.waiting import eventually

OWN = "AH-DS-TT-THCS"
"""The demo school, whose own officers review its dossiers first (the unit level)."""
RELATIONS = {
    "own": OWN,
    "parent": "AH-DS-TT",
    "child": "AH-DS-TT-THCS-KHTN",
    "sibling": "AH-DS-TT-TH",
    "unrelated": "AH-TL-HB",
}
"""Relations in the sample registry as of 01/07/2025 on (the commune manages its schools)."""
ROLES = ("clerk", "officer", "council_member", "leader")
ISSUER = "TTG"
"""The demo award's deciding organisation."""
DENIED = (401, 403, 404)

Allowed = Callable[[str, str], bool]
"""(relation, role) → may the officer act."""


@dataclass
class Probe:
    service: str
    method: str
    template: str
    path: str
    body: dict[str, Any] | None = None
    files: dict[str, Any] | None = None


@dataclass
class Matrix:
    pipeline: Pipeline
    mismatches: list[str] = field(default_factory=list)
    covered: set[tuple[str, str, str]] = field(default_factory=set)

    def officer(self, organisation: str, *roles: str, subject: str | None = None) -> dict[str, str]:
        """A staff member's token from the stack's Keycloak (made there for these roles if the realm
        has no such person)."""
        token = self.pipeline.identity.staff_token(organisation, *roles, subject=subject)
        return {"Authorization": f"Bearer {token}"}

    async def call(self, probe: Probe, headers: dict[str, str] | None) -> httpx.Response:
        self.covered.add((probe.service, probe.method, probe.template))
        base = getattr(self.pipeline.endpoints, probe.service)
        async with httpx.AsyncClient(timeout=60) as http:
            return await http.request(
                probe.method, f"{base}{probe.path}", json=probe.body, files=probe.files, headers=headers
            )

    async def expect(
        self,
        probe: Probe,
        headers: dict[str, str] | None,
        allowed: bool,
        who: str,
        denials: tuple[int, ...] = DENIED,
    ) -> None:
        response = await self.call(probe, headers)
        denied = response.status_code in denials
        if denied == allowed or response.status_code >= 500:
            verdict = "allowed" if allowed else "denied"
            self.mismatches.append(
                f"{probe.method} {probe.template} by {who}: expected {verdict}, got {response.status_code} "
                f"{response.text[:160]}"
            )

    async def staff_grid(self, probe: Probe, allowed: Allowed, *, only: str | None = None) -> None:
        """Every relation and role; ``only`` = "denied" or "allowed" runs one half (the allowed
        calls change state, so they come after every denied one)."""
        for relation, organisation in RELATIONS.items():
            for role in ROLES:
                permitted = allowed(relation, role)
                if only is not None and (only == "allowed") != permitted:
                    continue
                headers = self.officer(organisation, role, subject=f"{role}.{relation}")
                await self.expect(probe, headers, permitted, f"{role} of the {relation} organisation")


def own_with(*roles: str) -> Allowed:
    return lambda relation, role: relation == "own" and role in roles


def own_any(relation: str, _role: str) -> bool:
    return relation == "own"


def documented_operations() -> set[tuple[str, str, str]]:
    found = set()
    for service in ("intake", "review", "decisions", "notifications"):
        document = json.loads((API_DIR / f"{service}.openapi.json").read_text())
        for path, operations in document["paths"].items():
            found |= {(service, method.upper(), path) for method in operations}
    return found


async def _receipt_task(matrix: Matrix, dossier_id: str) -> str:
    clerk = matrix.officer(OWN, "clerk")

    async def opened() -> str | None:
        async with httpx.AsyncClient() as http:
            page = (
                await http.get(
                    f"{matrix.pipeline.endpoints.review}/v1/tasks",
                    params={"dossier_id": dossier_id, "state": "open"},
                    headers=clerk,
                )
            ).json()
        return next((task["task_id"] for task in page["items"] if task["step"] == "receipt"), None)

    task_id: str = await eventually(opened, timeout=60, what="the receipt task")
    return task_id


async def test_every_endpoint_by_every_kind_of_caller(pipeline: Pipeline) -> None:
    matrix = Matrix(pipeline)
    own_client = await pipeline.integrator_headers()
    other_client = await pipeline.integrator_headers(pipeline.other_credentials)
    staff = matrix.officer(OWN, *ROLES)
    decided = await run_demo(pipeline.endpoints, pipeline.credentials, say=lambda _line: None)
    async with httpx.AsyncClient(headers=own_client) as http:
        submitted = [
            (await http.post(f"{pipeline.endpoints.intake}/v1/dossiers", json=demo_dossier())).json()[
                "dossier_id"
            ]
            for _ in range(2)
        ]
        decision = (
            await http.get(
                f"{pipeline.endpoints.decisions}/v1/decisions", params={"dossier_id": decided.dossier_id}
            )
        ).json()[0]
        pdf = (
            await http.get(f"{pipeline.endpoints.decisions}/v1/decisions/{decision['decision_id']}/pdf")
        ).content
    dossier, spare = submitted
    task, spare_task = [await _receipt_task(matrix, d) for d in submitted]
    attachment = {"file": ("bien-ban.pdf", b"%PDF-1.4\n% bien ban hop\n%%EOF\n", "application/pdf")}
    async with httpx.AsyncClient(headers=own_client) as http:
        uploaded = await http.post(
            f"{pipeline.endpoints.intake}/v1/dossiers/{dossier}/attachments", files=attachment
        )
        assert uploaded.status_code == 201, uploaded.text
    attachment_id = uploaded.json()["attachment_id"]

    # --- public: nobody needs a token ------------------------------------------------------
    decision_id = decision["decision_id"]
    public = [
        *(
            Probe(service, "GET", path, path)
            for service in ("intake", "review", "decisions", "notifications")
            for path in ("/health/live", "/health/ready")
        ),
        Probe("decisions", "GET", "/v1/decisions", "/v1/decisions"),
        Probe("decisions", "GET", "/v1/decisions/{decision_id}", f"/v1/decisions/{decision_id}"),
        Probe(
            "decisions", "GET", "/v1/decisions/{decision_id}/entries", f"/v1/decisions/{decision_id}/entries"
        ),
        Probe("decisions", "GET", "/v1/decisions/{decision_id}/pdf", f"/v1/decisions/{decision_id}/pdf"),
        Probe(
            "decisions",
            "GET",
            "/v1/decisions/{decision_id}/certificates",
            f"/v1/decisions/{decision_id}/certificates",
        ),
        Probe(
            "decisions",
            "GET",
            "/v1/decisions/{decision_id}/certificates/{line_number}",
            f"/v1/decisions/{decision_id}/certificates/1",
        ),
        Probe(
            "decisions", "POST", "/v1/verify", "/v1/verify", files={"file": ("q.pdf", pdf, "application/pdf")}
        ),
        Probe("review", "GET", "/v1/public-comments", "/v1/public-comments"),
        Probe(
            "review",
            "POST",
            "/v1/public-comments/{dossier_id}/objections",
            f"/v1/public-comments/{dossier}/objections",
            body={"author_name": "Nguyễn Văn Dân", "contact": "xã Tân Tiến", "text": "Ý kiến"},
        ),
    ]
    public += [  # the law and the organisations, on a day: public
        Probe("intake", "GET", "/v1/awards", "/v1/awards"),
        Probe("intake", "GET", "/v1/awards/{code}", "/v1/awards/BKTTG"),
        Probe("intake", "GET", "/v1/organisations", "/v1/organisations"),
        Probe("intake", "GET", "/v1/organisations/{code}", f"/v1/organisations/{OWN}"),
    ]
    for probe in public:  # a 404 here is about the resource, not the caller
        await matrix.expect(probe, None, True, "nobody", denials=(401, 403))
    async with httpx.AsyncClient() as http:  # tokens come from the identity provider only
        for base in (pipeline.endpoints.intake, pipeline.endpoints.review):
            for path in ("/v1/oauth/token", "/v1/dev/tokens"):
                issued = await http.post(f"{base}{path}", json={"subject": "x", "organisation": "TTG"})
                assert issued.status_code == 404, f"{base}{path} issues no token"

    # --- officers: their own organisation, with the step's role ----------------------------
    review = pipeline.endpoints.review
    tasks = f"/v1/tasks/{task}"
    action = {"comment": "Lý do kiểm thử"}
    probes = {
        "view": (Probe("review", "GET", "/v1/tasks/{task_id}", tasks), own_any),
        "recommend": (
            Probe("review", "POST", "/v1/tasks/{task_id}/recommend", f"{tasks}/recommend", body={}),
            own_with("clerk"),
        ),
        "approve": (
            Probe("review", "POST", "/v1/tasks/{task_id}/approve", f"{tasks}/approve", body={}),
            own_with("clerk"),
        ),
        "vote": (
            Probe("review", "POST", "/v1/tasks/{task_id}/vote", f"{tasks}/vote", body={}),
            own_with("clerk"),
        ),
        "reject": (
            Probe("review", "POST", "/v1/tasks/{task_id}/reject", f"{tasks}/reject", body=action),
            own_with("clerk"),
        ),
        "claim": (Probe("review", "POST", "/v1/tasks/{task_id}/claim", f"{tasks}/claim"), own_with("clerk")),
        "unclaim": (Probe("review", "POST", "/v1/tasks/{task_id}/unclaim", f"{tasks}/unclaim"), own_any),
        "delegate": (
            Probe(
                "review",
                "POST",
                "/v1/tasks/{task_id}/delegate",
                f"{tasks}/delegate",
                body={"assignee": "clerk.own"},
            ),
            own_any,
        ),
        "assign": (
            Probe(
                "review",
                "POST",
                "/v1/tasks/{task_id}/assign",
                f"{tasks}/assign",
                body={"assignee": "clerk.own"},
            ),
            own_with("leader"),
        ),
        "return": (
            Probe(
                "review", "POST", "/v1/tasks/{task_id}/return", f"/v1/tasks/{spare_task}/return", body=action
            ),
            own_with("clerk"),
        ),
        "accept": (
            Probe("review", "POST", "/v1/tasks/{task_id}/accept", f"{tasks}/accept", body={}),
            own_with("clerk"),
        ),
        "comment": (
            Probe(
                "review",
                "POST",
                "/v1/tasks/{task_id}/comments",
                f"{tasks}/comments",
                body={"text": "Ý kiến thử"},
            ),
            own_any,
        ),
        "file": (
            Probe("review", "POST", "/v1/tasks/{task_id}/files", f"{tasks}/files", files=attachment),
            own_any,
        ),
        "preferences of the organisation": (
            Probe("notifications", "GET", "/v1/preferences/{recipient}", f"/v1/preferences/{OWN}"),
            own_with("leader"),
        ),
        "preferences of its clerks": (
            Probe(
                "notifications",
                "PUT",
                "/v1/preferences/{recipient}",
                f"/v1/preferences/{OWN}%23clerk",
                body={},
            ),
            own_with("clerk", "leader"),
        ),
        "a channel of its clerks' preferences": (
            Probe(
                "notifications",
                "PUT",
                "/v1/preferences/{recipient}/channels/{channel}",
                f"/v1/preferences/{OWN}%23clerk/channels/email",
                body={"enabled": True},
            ),
            own_with("clerk", "leader"),
        ),
    }
    for probe, allowed in probes.values():
        await matrix.expect(probe, None, False, "nobody")
        await matrix.expect(probe, own_client, False, "an integrator (a client token)")
        await matrix.staff_grid(probe, allowed, only="denied")
    for probe, allowed in probes.values():
        await matrix.staff_grid(probe, allowed, only="allowed")

    async def inbox_of(organisation: str) -> str:
        async with httpx.AsyncClient() as http:
            response = await http.get(
                f"{review}/v1/tasks",
                params={"dossier_id": dossier},
                headers=matrix.officer(organisation, *ROLES),
            )
        matrix.covered.add(("review", "GET", "/v1/tasks"))
        return response.text

    for relation, organisation in RELATIONS.items():
        listed = dossier in await inbox_of(organisation)
        if listed != (relation == "own"):
            matrix.mismatches.append(f"GET /v1/tasks by the {relation} organisation: listed={listed}")

    # --- integrators: their own dossiers and subscriptions only -----------------------------
    owned = [
        Probe("intake", "GET", "/v1/dossiers/{dossier_id}", f"/v1/dossiers/{dossier}"),
        Probe("intake", "PUT", "/v1/dossiers/{dossier_id}", f"/v1/dossiers/{dossier}", body=demo_dossier()),
        Probe(
            "intake",
            "POST",
            "/v1/dossiers/{dossier_id}/attachments",
            f"/v1/dossiers/{dossier}/attachments",
            files=attachment,
        ),
        Probe(
            "intake",
            "GET",
            "/v1/dossiers/{dossier_id}/attachments/{attachment_id}",
            f"/v1/dossiers/{dossier}/attachments/{attachment_id}",
        ),
        Probe(
            "intake",
            "GET",
            "/v1/dossiers/{dossier_id}/versions/{version}",
            f"/v1/dossiers/{dossier}/versions/1",
        ),
        Probe(
            "intake",
            "POST",
            "/v1/dossiers/{dossier_id}/withdraw",
            f"/v1/dossiers/{spare}/withdraw",
            body={"reason": "rút thử"},
        ),
    ]
    per_client = [
        Probe("intake", "GET", "/v1/dossiers", "/v1/dossiers"),
        Probe("intake", "POST", "/v1/dossiers", "/v1/dossiers", body={"entries": []}),
        Probe(
            "notifications",
            "PUT",
            "/v1/webhooks/subscription",
            "/v1/webhooks/subscription",
            body={"url": "http://127.0.0.1:9/hook", "active": False},
        ),
        Probe("notifications", "GET", "/v1/webhooks/subscription", "/v1/webhooks/subscription"),
        Probe(
            "notifications", "POST", "/v1/webhooks/subscription/secret", "/v1/webhooks/subscription/secret"
        ),
        Probe("notifications", "GET", "/v1/webhooks/deliveries", "/v1/webhooks/deliveries"),
        Probe(
            "notifications",
            "POST",
            "/v1/webhooks/deliveries/{delivery_id}/redeliver",
            "/v1/webhooks/deliveries/no-such/redeliver",
        ),
        Probe("notifications", "DELETE", "/v1/webhooks/subscription", "/v1/webhooks/subscription"),
    ]
    for probe in [*owned, *per_client]:
        await matrix.expect(probe, None, False, "nobody")
        await matrix.expect(probe, staff, False, "an officer (a staff token)")
    for probe in owned:
        await matrix.expect(probe, other_client, False, "another integrator")
    for probe in [*owned, *per_client]:
        if "redeliver" in probe.template:
            continue  # nothing of the client's to redeliver: 404 is the answer for everyone
        await matrix.expect(probe, own_client, True, "the owning integrator")
    async with httpx.AsyncClient() as http:
        theirs = (await http.get(f"{pipeline.endpoints.intake}/v1/dossiers", headers=other_client)).json()
    if dossier in json.dumps(theirs):
        matrix.mismatches.append("GET /v1/dossiers by another integrator lists the dossier")

    # --- the issuing authority: leaders of the deciding organisation ----------------------
    issuer_relations = {"own": ISSUER, "unrelated": "AH", "ministry": "BNV"}
    revoke = Probe(
        "decisions",
        "POST",
        "/v1/decisions/{decision_id}/revocations",
        f"/v1/decisions/{decision_id}/revocations",
        body={"line_number": 1, "ground": "b", "reason": "Kiểm thử quyền hủy bỏ khen thưởng."},
    )
    batches = Probe("decisions", "POST", "/v1/decisions/batches/issue", "/v1/decisions/batches/issue")
    for probe in (revoke, batches):
        await matrix.expect(probe, None, False, "nobody")
        await matrix.expect(probe, own_client, False, "an integrator")
        for relation, organisation in issuer_relations.items():
            for role in ROLES[:-1]:
                await matrix.expect(probe, matrix.officer(organisation, role), False, f"{role} of {relation}")
        if probe is revoke:
            for relation, organisation in list(issuer_relations.items())[1:]:
                await matrix.expect(
                    probe, matrix.officer(organisation, "leader"), False, f"leader of {relation}"
                )
    await matrix.expect(batches, matrix.officer("AH", "leader"), True, "a leader (their own batches)")
    await matrix.expect(
        revoke, matrix.officer(ISSUER, "leader"), True, "a leader of the issuing organisation"
    )

    # --- the feed: an officer sees their organisation's and their roles' notices only -------
    feed = Probe("notifications", "GET", "/v1/feed", f"/v1/feed?dossier_id={dossier}")
    read = Probe("notifications", "POST", "/v1/feed/read", "/v1/feed/read", body={})
    for probe in (feed, read):
        await matrix.expect(probe, None, False, "nobody")
        await matrix.expect(probe, own_client, False, "an integrator")

    async def task_notices(organisation: str, role: str) -> list[str]:
        """Who the notices of the receipt task this officer sees were for (a clerk's; the next
        steps' go to other roles)."""
        response = await matrix.call(feed, matrix.officer(organisation, role))
        return [
            item["recipient"]
            for item in response.json()["items"]
            if item["kind"] == "task_opened" and item["task_id"] == task
        ]

    await eventually(lambda: task_notices(OWN, "clerk"), timeout=30, what="the clerks' task notice")
    for relation, organisation in RELATIONS.items():
        for role in ("clerk", "officer"):
            seen = await task_notices(organisation, role)
            if bool(seen) != (relation == "own" and role == "clerk"):
                matrix.mismatches.append(
                    f"GET /v1/feed by {role} of the {relation} organisation: sees the receipt task's "
                    f"notices to {seen}"
                )
    await matrix.expect(read, matrix.officer(OWN, "clerk"), True, "an officer (their own marks)")

    # --- the eligibility pre-check: an integrating system's, like a submission --------------------
    precheck = Probe("intake", "POST", "/v1/eligibility", "/v1/eligibility", body=demo_dossier())
    await matrix.expect(precheck, own_client, True, "its integrator")
    await matrix.expect(precheck, None, False, "nobody")
    await matrix.expect(precheck, staff, False, "an officer (not an integrating system)")

    # --- notes: the organisations that have (or had) a task for the dossier; here, its first level --
    async with httpx.AsyncClient() as http:
        note = await http.post(
            f"{review}{tasks}/files", files=attachment, headers=matrix.officer(OWN, "officer")
        )
    assert note.status_code == 201, note.text
    for probe in (
        Probe("review", "GET", "/v1/dossiers/{dossier_id}/notes", f"/v1/dossiers/{dossier}/notes"),
        Probe("review", "GET", "/v1/dossiers/{dossier_id}/objections", f"/v1/dossiers/{dossier}/objections"),
        Probe(
            "review",
            "GET",
            "/v1/dossiers/{dossier_id}/files/{file_id}",
            f"/v1/dossiers/{dossier}/files/{note.json()['note_id']}",
        ),
    ):
        await matrix.staff_grid(probe, own_any)
        await matrix.expect(probe, None, False, "nobody")
        await matrix.expect(probe, own_client, False, "an integrator (a client token)")

    # --- the staff directory: every officer reads their own organisation's ------------------------
    directory = Probe("review", "GET", "/v1/staff", "/v1/staff")
    await matrix.staff_grid(directory, lambda _relation, _role: True)
    await matrix.expect(directory, None, False, "nobody")
    await matrix.expect(directory, own_client, False, "an integrator")

    # --- a dossier as its reviewers read it: the submitting organisation, the chain once reached --
    staff_view = f"/v1/staff/dossiers/{dossier}"
    for probe in [
        Probe("intake", "GET", "/v1/staff/dossiers/{dossier_id}", staff_view),
        Probe(
            "intake", "GET", "/v1/staff/dossiers/{dossier_id}/versions/{version}", f"{staff_view}/versions/1"
        ),
        Probe(
            "intake", "GET", "/v1/staff/dossiers/{dossier_id}/changes", f"{staff_view}/changes?from=1&to=1"
        ),
        Probe(
            "intake",
            "GET",
            "/v1/staff/dossiers/{dossier_id}/attachments/{attachment_id}",
            f"{staff_view}/attachments/{attachment_id}",
        ),
    ]:
        # it waits at its first level, the school itself: the commune (parent) is on its chain, not reached yet
        await matrix.staff_grid(probe, own_any)
        await matrix.expect(probe, None, False, "nobody")
        await matrix.expect(probe, own_client, False, "its integrator (a client's token, not an officer's)")
    reached = Probe(
        "intake", "GET", "/v1/staff/dossiers/{dossier_id}", f"/v1/staff/dossiers/{decided.dossier_id}"
    )
    for organisation, role in (
        ("AH-DS-TT", "officer"),
        ("AH", "council_member"),
        ("AH", "leader"),
        ("TTG", "leader"),
    ):
        await matrix.expect(
            reached, matrix.officer(organisation, role), True, f"{role} of {organisation}, reached"
        )
    for organisation in ("AH-DS-TT-TH", "AH-TL-HB", "BNV"):
        await matrix.expect(
            reached, matrix.officer(organisation, "leader"), False, f"{organisation}, not on the chain"
        )

    missing = documented_operations() - matrix.covered
    assert not missing, f"endpoints the matrix does not classify: {sorted(missing)}"
    assert not matrix.mismatches, "\n".join(matrix.mismatches)
