"""The whole local stack in one idempotent command: infrastructure and the platform's processes.

    python -m deploy.stack up       # Kafka, Temporal, PostgreSQL, topics, 4 services + worker
    python -m deploy.stack down     # stop what `up` started
    python -m deploy.stack status
    python -m deploy.stack run      # up, run the demo, keep running until Ctrl-C, then stop what it started

The services use PostgreSQL (one database each) unless ``TDKT_STACK_DATABASE=sqlite``, which
gives each its embedded SQLite file under ``.stack/data``. What the processes were started with
(database URLs, Kafka bootstrap servers, ports) is recorded in ``.stack/stack.env`` for the
operators' commands (``servicekit.settings.for_command``); ``down`` removes it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from deploy import apps, devsecrets, infra

DEV_MAILBOXES = infra.DEPLOY_DIR / "dev-mailboxes.json"


def demo_client_file() -> Path:
    """The demo integrator's credentials for the tools (``clients.intake.ClientCredentials``)."""
    return infra.stack_dir() / "secrets" / "demo-client.json"


def write_demo_client() -> None:
    """The demo integrator's id, the secret Keycloak holds for it and the issuer, for the tools
    (demo, bulk Excel, bench) as any integrator keeps its own."""
    from tools.people import demo_credentials  # the tools' own reading of the realm's secrets

    credentials = demo_credentials(
        infra.keycloak_secrets_dir(), devsecrets.DEMO_CLIENT_ID, infra.keycloak_issuer()
    )
    credentials.save(demo_client_file())


def app_environment() -> dict[str, str]:
    env = dict(os.environ)
    for name, value in devsecrets.ensure_dev_secrets(infra.stack_dir() / "secrets").items():
        env.setdefault(name, value)
    for name, value in apps.bus_environment().items():
        env.setdefault(name, value)
    env.setdefault("TDKT_TEMPORAL_ADDRESS", infra.temporal_address())
    env.setdefault("TDKT_DATA_DIR", str(infra.stack_dir() / "data"))
    env.setdefault("TDKT_AUTH_ISSUER", infra.keycloak_issuer())  # the stack's Keycloak, realm tdkt
    env.setdefault("TDKT_DEMO_CLIENT_FILE", str(demo_client_file()))
    env.setdefault("TDKT_STAFF_PASSWORDS_FILE", str(infra.keycloak_secrets_dir() / "users.json"))
    # e-mail goes to the mail catcher's Maildir; the sample organisations' mailboxes are made up
    env.setdefault("TDKT_NOTIFICATIONS_SMTP_HOST", infra.HOST)
    env.setdefault("TDKT_NOTIFICATIONS_SMTP_PORT", str(infra.mail_port()))
    env.setdefault("TDKT_NOTIFICATIONS_DIRECTORY_FILE", str(DEV_MAILBOXES))
    env.setdefault("TDKT_NOTIFICATIONS_WEBHOOK_ALLOW_HTTP", "true")
    decisions_port = env.get("TDKT_DECISIONS_HTTP_PORT", "8003")
    env.setdefault("TDKT_NOTIFICATIONS_DECISIONS_URL", f"http://{infra.HOST}:{decisions_port}")
    if env.get("TDKT_STACK_DATABASE", "postgres") == "postgres":
        for name in apps.SERVICES_WITH_DATABASE:
            role = apps.database_role(name)
            env.setdefault(f"TDKT_{name.upper()}_DATABASE_URL", infra.database_url(f"tdkt_{name}", role))
    return env


def processes() -> list[apps.AppProcess]:
    return apps.app_processes(app_environment(), infra.stack_dir())


def up() -> list[apps.AppProcess]:
    from servicekit.kafka import ensure_topics
    from servicekit.settings import KitSettings

    infra.up()
    write_demo_client()
    env = app_environment()
    if env.get("TDKT_STACK_DATABASE", "postgres") == "postgres":
        for name in apps.SERVICES_WITH_DATABASE:
            infra.ensure_postgres_database(f"tdkt_{name}", owner=apps.database_role(name))
    kit = KitSettings(
        kafka_bootstrap_servers=env["TDKT_KAFKA_BOOTSTRAP_SERVERS"],
        kafka_credentials_file=env["TDKT_KAFKA_CREDENTIALS_FILE"],
    )
    created = asyncio.run(ensure_topics(kit))
    print(f"[topics] {len(created)} created" if created else "[topics] all present")
    started = processes()
    apps.start_all(started)
    print_where_to_look()
    return started


def down() -> None:
    apps.stop_all(processes())
    infra.down()


def status() -> int:
    rows = {**infra.status(), **apps.status_all(processes())}
    width = max(len(name) for name in rows)
    for name, item in rows.items():
        print(
            f"{name:<{width}}  {item['state']:<9}  {item['pid'] or '-':>7}  {item['address']}  {item['detail']}"
        )
    return 0


def print_where_to_look() -> None:
    by_name = {process.name: process for process in processes()}
    print("\nThe platform is up:")
    for name in ("intake", "review", "decisions", "notifications"):
        print(f"  {name:<14} {by_name[name].url()}/docs")
    print(f"  {'Temporal UI':<14} {infra.temporal_ui_url()}")
    print(
        f"  {'sign-in':<14} {infra.keycloak_issuer()} (people: deploy/keycloak/staff.json; passwords: "
        f"{infra.keycloak_secrets_dir() / 'users.json'})"
    )
    print(f"  {'e-mail':<14} {infra.mail_dir() / 'new'}")
    print(f"  {'logs':<14} {infra.stack_dir() / 'logs'}")


def run() -> int:
    """``make run``: start what is missing, run the demo, wait for Ctrl-C, stop what it started."""
    was_running = {name for name, item in infra.status().items() if item["state"] == "running"}
    apps_running = {name for name, item in apps.status_all(processes()).items() if item["state"] == "running"}
    started_apps = [process for process in up() if process.name not in apps_running]
    from tools import demo

    code = demo.main([])
    print("\nRunning. Press Ctrl-C to stop what this command started.")
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    print("\nStopping …")
    apps.stop_all(started_apps)
    infra.down([name for name in infra.COMPONENTS if name not in was_running])
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.stack", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "status", "run"))
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            up()
        elif args.command == "down":
            down()
        elif args.command == "status":
            return status()
        else:
            return run()
    except infra.InfraError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
