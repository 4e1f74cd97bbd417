"""The local realm's data: every sample organisation staffed in every role, names distinct, and
the realm template free of secrets with the claims the services read."""

from __future__ import annotations

import json

from deploy.keycloak import people, realm


def test_staff_json_is_what_the_organisations_make() -> None:
    """Regenerate with ``python -m deploy.keycloak.people`` when organisations.json changes."""
    expected = people.render(people.generate_staff(people.read_organisations()))
    assert people.STAFF_FILE.read_text(encoding="utf-8") == expected


def test_every_organisation_has_every_role_and_one_operator() -> None:
    staff = people.read_staff()
    codes = [org["code"] for org in people.read_organisations()]
    usernames = {p["username"] for p in staff}
    assert {f"{c.lower()}.{r}" for c in codes for r in people.STAFF_ROLES} | {"ah-snv.operator"} == usernames
    assert len({p["full_name"] for p in staff}) == len(staff)
    assert {"ah-snv.officer", "ttg.leader", "ah-ds-tt-thcs.clerk"} <= usernames
    leaders = {p["organisation"]: p["title"] for p in staff if p["roles"] == ["leader"]}
    assert leaders["AH"] == "Chủ tịch Ủy ban nhân dân tỉnh An Hà"
    assert leaders["TTG"] == "Thủ tướng Chính phủ"


def test_the_template_holds_no_secret_and_its_digest_follows_it() -> None:
    template = realm.realm_template(people.read_staff())
    text = json.dumps(template)
    assert '"secret"' not in text and '"credentials"' not in text
    digest = realm.template_digest(template, "26.5.6")
    assert digest == realm.template_digest(realm.realm_template(people.read_staff()), "26.5.6")
    assert digest != realm.template_digest(realm.realm_template(people.read_staff()[:-1]), "26.5.6")
    full = realm.with_secrets(
        template,
        {"demo-integrator": "s1", "second-integrator": "s2"},
        dict.fromkeys((u["username"] for u in template["users"]), "pw"),
    )
    assert '"secret"' not in json.dumps(template)  # the copy, not the template, got them
    assert {c["clientId"]: c.get("secret") for c in full["clients"]}["demo-integrator"] == "s1"


def test_staff_clients_get_name_from_full_name_and_no_profile_scope() -> None:
    template = realm.realm_template(people.read_staff())
    scopes = {s["name"]: s for s in template["clientScopes"]}
    assert "profile" not in scopes
    staff_mappers = {m["config"].get("claim.name"): m for m in scopes["tdkt-staff"]["protocolMappers"]}
    assert staff_mappers["name"]["config"]["user.attribute"] == "full_name"
    assert staff_mappers["roles"]["config"]["multivalued"] == "true"
    clients = {c["clientId"]: c for c in template["clients"]}
    assert clients["tdkt-cli"]["directAccessGrantsEnabled"] and not clients["tdkt-cli"]["standardFlowEnabled"]
    assert clients["tdkt-workspace"]["attributes"]["pkce.code.challenge.method"] == "S256"
    for client_id in realm.INTEGRATORS:
        client = clients[client_id]
        assert client["serviceAccountsEnabled"] and not client["publicClient"]
        assert not (client["standardFlowEnabled"] or client["directAccessGrantsEnabled"])
