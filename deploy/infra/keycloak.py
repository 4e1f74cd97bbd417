"""Keycloak: the stack's identity provider, its ``tdkt`` realm imported from code.

Started as ``kc.sh start --optimized`` (built once, see ``keycloak_install``) on 127.0.0.1 with a
fixed ``--hostname`` (so the issuer is always ``keycloak_issuer()``), its data in the stack's
PostgreSQL (database ``keycloak``), its health on a management port of ours rather than 9000.

The realm on disk always equals the code: the digest of ``deploy.keycloak.realm``'s template is
recorded after a successful import, and when the template or the staff data changes the next
``up`` stops Keycloak, drops and recreates its database and imports the realm afresh (users a
test created through the admin API go with it).  Ready means the realm's discovery document
answers 200 with the expected issuer.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from deploy.infra.config import (
    DEFAULT_KEYCLOAK_HEAP_OPTS,
    HOST,
    KEYCLOAK_DATABASE,
    KEYCLOAK_VERSION,
    keycloak_issuer,
    keycloak_management_port,
    keycloak_port,
    keycloak_url,
    postgres_port,
)
from deploy.infra.keycloak_install import distribution_dir, ensure_build, ensure_distribution, find_java_home
from deploy.infra.keycloak_secrets import ADMIN_USERNAME, ensure_secrets, write_private
from deploy.infra.postgres import drop_postgres_database, ensure_postgres_database, role_password
from deploy.infra.process import Component, _say, _write_text_if_changed
from deploy.keycloak import people, realm

KEYCLOAK_DATABASE_ROLE = "keycloak"
"""Keycloak's own PostgreSQL role: it owns database ``keycloak`` and nothing else."""


def keycloak_probe(timeout: float = 3.0) -> tuple[bool, str]:
    """Does the ``tdkt`` realm's discovery document answer 200 with our issuer?"""
    url = f"{keycloak_issuer()}/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            document = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return False, f"discovery answered {exc.code}"
    except (OSError, ValueError) as exc:
        return False, f"no discovery document ({exc})"
    if document.get("issuer") != keycloak_issuer():
        return False, f"issuer is {document.get('issuer')!r}, expected {keycloak_issuer()!r}"
    return True, f"Keycloak {KEYCLOAK_VERSION}, issuer {keycloak_issuer()}"


class _Keycloak(Component):
    name = "keycloak"
    port_env = "TDKT_KEYCLOAK_PORT"
    requires = ("postgres",)
    stop_signal = signal.SIGTERM  # kc.sh forwards it to the JVM and waits
    stop_timeout = 60.0
    default_start_timeout = 300.0

    def __init__(self) -> None:
        super().__init__()
        self._pending_digest = ""

    def port(self) -> int:
        return keycloak_port()

    def address(self) -> str:
        return keycloak_url()

    def ports_to_check(self) -> list[tuple[int, str]]:
        return [
            (keycloak_port(), "TDKT_KEYCLOAK_PORT"),
            (keycloak_management_port(), "TDKT_KEYCLOAK_MANAGEMENT_PORT"),
        ]

    @property
    def dist_dir(self) -> Path:
        return distribution_dir()

    @property
    def import_file(self) -> Path:
        """The realm as imported, secrets included (0600, under the stack folder only)."""
        return self.dist_dir / "data" / "import" / f"{realm.REALM}-realm.json"

    @property
    def digest_file(self) -> Path:
        return self.root / "realm.sha256"

    def matches(self, argv: list[str]) -> bool:
        """``sh <dist>/bin/kc.sh start ...`` or the JVM it launched (``-Dkc.home.dir=<dist>/bin/..``)."""
        if str(self.dist_dir / "bin" / "kc.sh") in argv[:3]:
            return True
        for arg in argv:
            if arg.startswith("-Dkc.home.dir="):
                with contextlib.suppress(OSError):
                    return Path(arg.split("=", 1)[1]).resolve() == self.dist_dir
        return False

    def probe(self) -> tuple[bool, str]:
        return keycloak_probe()

    # -- the realm ------------------------------------------------------------
    def _template(self) -> tuple[dict[str, Any], str]:
        template = realm.realm_template(people.read_staff(), people.EMAIL_DOMAIN)
        return template, realm.template_digest(template, KEYCLOAK_VERSION)

    def _recorded_digest(self) -> str:
        with contextlib.suppress(OSError):
            return self.digest_file.read_text().strip()
        return ""

    def _prepare_realm(self) -> dict[str, str]:
        """Secrets, the import file and (when the realm changed) a fresh database; the
        environment of the bootstrap administrator."""
        template, digest = self._template()
        usernames = [user["username"] for user in template["users"]]
        found = ensure_secrets(realm.confidential_clients(), usernames)
        if self._recorded_digest() != digest:
            if self._recorded_digest():
                _say(self.name, "the realm's code changed: dropping database keycloak to import it again")
            drop_postgres_database(KEYCLOAK_DATABASE)
            self._pending_digest = digest
            with contextlib.suppress(FileNotFoundError):
                self.digest_file.unlink()
        ensure_postgres_database(KEYCLOAK_DATABASE, owner=KEYCLOAK_DATABASE_ROLE)
        full = realm.with_secrets(template, found.client_secrets, found.user_passwords)
        write_private(self.import_file, json.dumps(full, ensure_ascii=False, indent=1))
        return {
            "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USERNAME,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": found.admin_password,
            "KC_DB_PASSWORD": role_password(KEYCLOAK_DATABASE_ROLE),
        }

    def ensure_up(self) -> dict[str, Any]:
        if self.find_pid(clean=False) is not None and self._recorded_digest() != self._template()[1]:
            _say(self.name, "running, but its realm is not the code's: restarting to re-import")
            self.ensure_down()
        if self.find_pid(clean=False) is not None and not self._uses_own_role():
            _say(self.name, "running as the database's superuser: restarting as its own role")
            self.ensure_down()
        result = super().ensure_up()
        if self._pending_digest:
            _write_text_if_changed(self.digest_file, self._pending_digest + "\n")
            self._pending_digest = ""
        return result

    def _uses_own_role(self) -> bool:
        try:
            return f"--db-username={KEYCLOAK_DATABASE_ROLE}" in (self.root / "command").read_text()
        except OSError:
            return False

    # -- start ------------------------------------------------------------------
    def start(self) -> int:
        java_home = find_java_home()
        dist = ensure_distribution()
        ensure_build(dist, java_home)
        admin_env = self._prepare_realm()
        heap = os.environ.get("TDKT_KEYCLOAK_HEAP_OPTS", "").strip() or DEFAULT_KEYCLOAK_HEAP_OPTS
        env = {**os.environ, "JAVA_HOME": str(java_home), "JAVA_OPTS_KC_HEAP": heap, **admin_env}
        env.pop("JAVA_OPTS", None)
        argv = [
            "/bin/sh",
            str(dist / "bin" / "kc.sh"),
            "start",
            "--optimized",
            "--http-enabled=true",
            f"--http-host={HOST}",
            f"--http-port={keycloak_port()}",
            f"--http-management-port={keycloak_management_port()}",
            f"--hostname={keycloak_url()}",
            f"--db-url=jdbc:postgresql://{HOST}:{postgres_port()}/{KEYCLOAK_DATABASE}",
            f"--db-username={KEYCLOAK_DATABASE_ROLE}",
            "--db-pool-max-size=20",
            "--import-realm",
        ]
        _say(self.name, f"starting Keycloak {KEYCLOAK_VERSION} on {keycloak_url()} (heap {heap})")
        _write_text_if_changed(self.root / "command", shlex.join(argv) + "\n")
        return self._spawn(argv, cwd=dist, env=env)
