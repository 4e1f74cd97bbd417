"""The ``tdkt`` realm, built from data: what Keycloak imports, minus the secrets.

``realm_template(staff)`` is the whole realm as plain values and carries no secret, so its digest
(``template_digest``) says whether the realm on disk still equals the code: ``deploy.infra``
re-imports it when the digest changes.  ``with_secrets`` adds the generated client secrets and
user passwords to a copy, which is written under ``.stack/`` only.

What a token carries, and why it is configured here rather than left to Keycloak's defaults:

- the realm defines its own client scopes (Keycloak then creates none of its own), so no
  ``profile`` scope puts ``firstName lastName`` into ``name`` and no ``realm_access`` appears;
- ``basic`` gives ``sub`` (Keycloak 25+ moved it there);
- ``tdkt-staff`` gives ``preferred_username``, ``name`` (attribute ``full_name``), ``title``,
  ``organisation``, ``roles`` (a JSON array of realm roles) and the four services as audiences;
- ``tasks`` carries no claim: it puts ``tasks`` into the staff token's ``scope``;
- ``tdkt-integrator`` gives an integrating system's audiences (intake, notifications);
  ``dossiers:write`` and ``dossiers:read`` are its scopes; each integrator client adds its own
  ``organisations`` (a hardcoded JSON claim);
- the declarative user profile declares ``full_name``, ``title`` and ``organisation`` (Keycloak 26
  drops undeclared attributes) and requires no first or last name, which would otherwise stop a
  password sign-in with "Account is not fully set up".
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

REALM = "tdkt"
CLI_CLIENT = "tdkt-cli"
WORKSPACE_CLIENT = "tdkt-workspace"
STAFF_AUDIENCES: tuple[str, ...] = ("tdkt-intake", "tdkt-review", "tdkt-decisions", "tdkt-notifications")
INTEGRATOR_AUDIENCES: tuple[str, ...] = ("tdkt-intake", "tdkt-notifications")
INTEGRATOR_SCOPES: tuple[str, ...] = ("dossiers:write", "dossiers:read")
STAFF_SCOPE = "tasks"
INTEGRATORS: dict[str, tuple[str, ...]] = {
    "demo-integrator": ("AH-DS-TT-THCS", "AH-TL-HB-TYT"),
    "second-integrator": ("AH-DS-TT-TH",),
}
"""Confidential clients of the integrating systems and the organisations each may submit for."""
ACCESS_TOKEN_LIFESPAN_SECONDS = 3600
USER_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("full_name", "Họ và tên"),
    ("title", "Chức vụ"),
    ("organisation", "Cơ quan, đơn vị"),
)
TEMPLATE_VERSION = 1
"""Bump when the realm's shape changes in a way the data does not show."""

_OIDC = "openid-connect"


def _claims(access: bool = True, id_token: bool = True, userinfo: bool = True) -> dict[str, str]:
    flag = {True: "true", False: "false"}
    return {
        "access.token.claim": flag[access],
        "id.token.claim": flag[id_token],
        "userinfo.token.claim": flag[userinfo],
        "introspection.token.claim": "true",
    }


def _mapper(name: str, kind: str, config: Mapping[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "protocol": _OIDC,
        "protocolMapper": kind,
        "consentRequired": False,
        "config": dict(config),
    }


def _attribute(attribute: str, claim: str) -> dict[str, Any]:
    return _mapper(
        claim,
        "oidc-usermodel-attribute-mapper",
        {"user.attribute": attribute, "claim.name": claim, "jsonType.label": "String"} | _claims(),
    )


def _audience(audience: str) -> dict[str, Any]:
    return _mapper(
        f"audience {audience}",
        "oidc-audience-mapper",
        {"included.custom.audience": audience} | _claims(id_token=False, userinfo=False),
    )


def _scope(
    name: str, description: str, mappers: Sequence[dict[str, Any]], *, in_scope: bool
) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "protocol": _OIDC,
        "attributes": {
            "include.in.token.scope": "true" if in_scope else "false",
            "display.on.consent.screen": "false",
        },
        "protocolMappers": list(mappers),
    }


def client_scopes() -> list[dict[str, Any]]:
    staff_mappers = [
        _mapper(
            "preferred_username",
            "oidc-usermodel-property-mapper",
            {"user.attribute": "username", "claim.name": "preferred_username", "jsonType.label": "String"}
            | _claims(),
        ),
        _attribute("full_name", "name"),
        _attribute("title", "title"),
        _attribute("organisation", "organisation"),
        _mapper(
            "roles",
            "oidc-usermodel-realm-role-mapper",
            {"claim.name": "roles", "jsonType.label": "String", "multivalued": "true"} | _claims(),
        ),
        *(_audience(audience) for audience in STAFF_AUDIENCES),
    ]
    return [
        _scope(
            "basic",
            "sub (Keycloak 25+ gives it from this scope)",
            [_mapper("sub", "oidc-sub-mapper", _claims(id_token=False, userinfo=False))],
            in_scope=False,
        ),
        _scope(
            "tdkt-staff", "Who a staff member is, and the services they call", staff_mappers, in_scope=False
        ),
        _scope(STAFF_SCOPE, "Work on review tasks", [], in_scope=True),
        _scope(
            "tdkt-integrator",
            "The services an integrating system calls",
            [_audience(audience) for audience in INTEGRATOR_AUDIENCES],
            in_scope=False,
        ),
        *(
            _scope(scope, f"Dossiers: {scope.split(':')[1]}", [], in_scope=True)
            for scope in INTEGRATOR_SCOPES
        ),
    ]


def _staff_clients() -> list[dict[str, Any]]:
    common: dict[str, Any] = {
        "enabled": True,
        "protocol": _OIDC,
        "publicClient": True,
        "implicitFlowEnabled": False,
        "serviceAccountsEnabled": False,
        "fullScopeAllowed": True,
        "defaultClientScopes": ["basic", "tdkt-staff", STAFF_SCOPE],
        "optionalClientScopes": [],
    }
    cli = common | {
        "clientId": CLI_CLIENT,
        "name": "Dòng lệnh, demo và kiểm thử / command line, demo and tests",
        "standardFlowEnabled": False,
        "directAccessGrantsEnabled": True,
    }
    workspace = common | {
        "clientId": WORKSPACE_CLIENT,
        "name": "Không gian làm việc / staff workspace",
        "standardFlowEnabled": True,
        "directAccessGrantsEnabled": False,
        # Keycloak matches loopback redirect URIs on any port (RFC 8252 §7.3)
        "redirectUris": ["http://127.0.0.1/*", "http://localhost/*"],
        "webOrigins": ["+"],
        "attributes": {"pkce.code.challenge.method": "S256", "post.logout.redirect.uris": "+"},
    }
    return [cli, workspace]


def integrator_client(client_id: str, organisations: Sequence[str]) -> dict[str, Any]:
    organisations_claim = _mapper(
        "organisations",
        "oidc-hardcoded-claim-mapper",
        {
            "claim.name": "organisations",
            "claim.value": json.dumps(list(organisations)),
            "jsonType.label": "JSON",
        }
        | _claims(id_token=False, userinfo=False),
    )
    return {
        "clientId": client_id,
        "name": f"Hệ thống tích hợp / integrating system ({client_id})",
        "enabled": True,
        "protocol": _OIDC,
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "serviceAccountsEnabled": True,
        "standardFlowEnabled": False,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "fullScopeAllowed": False,
        "defaultClientScopes": ["basic", "tdkt-integrator", *INTEGRATOR_SCOPES],
        "optionalClientScopes": [],
        "protocolMappers": [organisations_claim],
    }


def confidential_clients() -> list[str]:
    """The clients that have a secret (generated by ``deploy.infra``)."""
    return list(INTEGRATORS)


def user_profile() -> dict[str, Any]:
    """The declarative user profile: Keycloak's four attributes, none required beyond the
    username, and ours; unmanaged attributes stay allowed for tests' ad-hoc users."""
    admin_edits = {"view": ["admin", "user"], "edit": ["admin"]}
    attributes: list[dict[str, Any]] = [
        {
            "name": "username",
            "displayName": "${username}",
            "validations": {
                "length": {"min": 3, "max": 255},
                "username-prohibited-characters": {},
                "up-username-not-idn-homograph": {},
            },
            "permissions": admin_edits,
            "multivalued": False,
        },
        {
            "name": "email",
            "displayName": "${email}",
            "validations": {"email": {}, "length": {"max": 255}},
            "permissions": admin_edits,
            "multivalued": False,
        },
        *(
            {
                "name": name,
                "displayName": display,
                "validations": {"length": {"max": 255}, "person-name-prohibited-characters": {}},
                "permissions": admin_edits,
                "multivalued": False,
            }
            for name, display in (("firstName", "${firstName}"), ("lastName", "${lastName}"))
        ),
        *(
            {
                "name": name,
                "displayName": display,
                "validations": {"length": {"max": 255}},
                "permissions": admin_edits,
                "multivalued": False,
            }
            for name, display in USER_ATTRIBUTES
        ),
    ]
    return {"attributes": attributes, "unmanagedAttributePolicy": "ENABLED"}


def _user(person: Mapping[str, Any], email_domain: str) -> dict[str, Any]:
    return {
        "username": person["username"],
        "enabled": True,
        "email": f"{person['username']}@{email_domain}",
        "emailVerified": True,
        "firstName": person["given_name"],
        "lastName": person["family_name"],
        "attributes": {name: [person[name]] for name, _ in USER_ATTRIBUTES},
        "realmRoles": list(person["roles"]),
    }


def realm_template(staff: Sequence[Mapping[str, Any]], email_domain: str = "tdkt.example") -> dict[str, Any]:
    """The realm without secrets; ``staff`` as in ``staff.json``."""
    roles = sorted({role for person in staff for role in person["roles"]})
    return {
        "realm": REALM,
        "displayName": "Thi đua - Khen thưởng",
        "enabled": True,
        "sslRequired": "external",
        "registrationAllowed": False,
        "loginWithEmailAllowed": False,
        "bruteForceProtected": False,
        "accessTokenLifespan": ACCESS_TOKEN_LIFESPAN_SECONDS,
        "internationalizationEnabled": True,
        "supportedLocales": ["vi", "en"],
        "defaultLocale": "vi",
        "roles": {"realm": [{"name": role, "description": f"tdkt role {role}"} for role in roles]},
        # a default role with no composites: a user's `roles` claim lists the roles given to them
        "defaultRole": {"name": f"default-roles-{REALM}", "composite": False},
        "clientScopes": client_scopes(),
        "defaultDefaultClientScopes": ["basic"],
        "defaultOptionalClientScopes": [],
        "clients": [
            *_staff_clients(),
            *(integrator_client(cid, orgs) for cid, orgs in INTEGRATORS.items()),
        ],
        "users": [_user(person, email_domain) for person in staff],
        "components": {
            "org.keycloak.userprofile.UserProfileProvider": [
                {
                    "providerId": "declarative-user-profile",
                    "subComponents": {},
                    "config": {"kc.user.profile.config": [json.dumps(user_profile(), ensure_ascii=False)]},
                }
            ]
        },
    }


def template_digest(template: Mapping[str, Any], keycloak_version: str) -> str:
    """SHA-256 of the template (canonical JSON), the template's version and Keycloak's."""
    text = json.dumps(
        {"template": template, "version": TEMPLATE_VERSION, "keycloak": keycloak_version},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def with_secrets(
    template: Mapping[str, Any], client_secrets: Mapping[str, str], user_passwords: Mapping[str, str]
) -> dict[str, Any]:
    """A copy of ``template`` with each confidential client's secret and each user's password."""
    realm = copy.deepcopy(dict(template))
    for client in realm["clients"]:
        if client["clientId"] in client_secrets:
            client["secret"] = client_secrets[client["clientId"]]
    for user in realm["users"]:
        user["credentials"] = [
            {"type": "password", "value": user_passwords[user["username"]], "temporary": False}
        ]
    return realm
