"""``make chaos``: dossiers through the whole pipeline while processes are killed, then a reckoning.

It runs its own stack — Kafka, Temporal, PostgreSQL and the mail catcher under ``.stack/chaos``
on ports of their own, and the five platform processes — so it kills nothing it did not start.
Scripted reviewers walk every dossier through every step over HTTP, retrying what a dead process
refused; meanwhile a killer sends SIGKILL, at random moments, to a random one of intake, review,
decisions, notifications, the worker, the Kafka broker and the Temporal server, and starts it
again. Then, with everything up and quiet, it reconciles:

- every accepted dossier has exactly one final outcome (one decision, recorded once);
- no decision number is duplicated or skipped in any issuer's register;
- no notification was sent twice, except a resend after an interrupted attempt that the delivery
  log records (at most one);
- no event is left unconsumed (every consumer group at the end of every topic, no dead letter,
  no unpublished outbox row, no delivery pending).

It prints a summary table and exits 1 on any loss or duplicate.

    python -m tools.chaos [--dossiers 1000] [--concurrency 40] [--kill-every 8] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import mailbox
import os
import random
import secrets
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from clients.intake import access_token
from clients.oidc import OidcError
from deploy import infra
from servicekit.kafka import client_options, partition_offsets
from servicekit.settings import KitSettings
from tools.demo import demo_dossier
from tools.ownstack import RenewedToken, Stack, start_stack
from tools.waiting import eventually

CHAOS_PORTS = {
    "TDKT_KAFKA_PORT": "29092",
    "TDKT_KAFKA_CONTROLLER_PORT": "29093",
    "TDKT_TEMPORAL_PORT": "17233",
    "TDKT_TEMPORAL_UI_PORT": "18233",
    "TDKT_POSTGRES_PORT": "55433",
    "TDKT_MAIL_PORT": "10026",
    "TDKT_KEYCLOAK_PORT": "28180",
    "TDKT_KEYCLOAK_MANAGEMENT_PORT": "28181",
}
VICTIMS = ("intake", "review", "decisions", "notifications", "worker", "kafka", "temporal")
STEP_ACTIONS = {"receipt": "accept", "appraisal": "recommend", "sign_off": "approve"}
FINAL = {"decided", "rejected", "withdrawn"}
RETRYABLE = (httpx.TransportError,)
STEP_ROLES = {"receipt": "clerk", "appraisal": "officer", "sign_off": "leader"}
"""Who takes each step: the organisation's sample person in that role (``tools.people``)."""


CHAOS_SETTINGS = {
    "TDKT_NOTIFICATIONS_LEASE_SECONDS": "30",
    "TDKT_NOTIFICATIONS_RETRY_BASE_SECONDS": "2",
    "TDKT_NOTIFICATIONS_RETRY_CAP_SECONDS": "30",
    "TDKT_NOTIFICATIONS_MAX_ATTEMPTS": "30",
}
"""Killed senders' claims expire sooner and failed sends retry sooner than in production, so the
run settles in minutes."""


# --- the killer ------------------------------------------------------------------------------


@dataclass
class Killer:
    stack: Stack
    rng: random.Random
    every_seconds: float
    kills: Counter[str] = field(default_factory=Counter)

    def kill_and_restart(self, name: str) -> None:
        component = self.stack.component(name)
        pid = component.find_pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while component.find_pid(clean=False) is not None and time.monotonic() < deadline:
            time.sleep(0.1)  # the kernel reaps it: polled, with a deadline
        self.kills[name] += 1
        time.sleep(self.rng.uniform(0.2, 2.0))  # down for a random while: this is the chaos
        component.ensure_up()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.rng.uniform(0.5, 1.5) * self.every_seconds)
            except TimeoutError:
                victim = self.rng.choice(VICTIMS)
                print(f"[chaos] SIGKILL {victim}", flush=True)
                await asyncio.to_thread(self.kill_and_restart, victim)


# --- the scripted reviewers ------------------------------------------------------------------


async def _retrying(call: Callable[[], Awaitable[httpx.Response]], deadline: float) -> httpx.Response:
    """The call, again and again while the service is down or restarting (a 5xx, no connection)."""
    while True:
        try:
            response = await call()
            if response.status_code < 500:
                return response
        except RETRYABLE:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the service did not come back in time")
        await asyncio.sleep(0.5)  # a retry's pause while a killed process restarts


@dataclass
class Driver:
    stack: Stack
    http: httpx.AsyncClient
    integrator: RenewedToken
    deadline_seconds: float
    accepted: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    async def reviewer(self, organisation: str, step: str = "receipt") -> dict[str, str]:
        """The organisation's person for ``step``; signing in is retried while Keycloak restarts."""
        role = STEP_ROLES.get(step, "leader")
        deadline = time.monotonic() + 120
        while True:
            try:
                return await self.stack.people.headers(organisation, role)
            except OidcError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def one_dossier(self, number: int) -> None:
        deadline = time.monotonic() + self.deadline_seconds
        dossier = demo_dossier()
        dossier["external_reference"] = f"CHAOS-{number:05d}"
        key = {"Idempotency-Key": f"chaos-{number}-{uuid.uuid4().hex[:8]}", **await self.integrator.headers()}
        intake = self.stack.url("intake")
        response = await _retrying(
            lambda: self.http.post(f"{intake}/v1/dossiers", json=dossier, headers=key), deadline
        )
        if response.status_code not in {200, 201}:
            self.failures.append(f"dossier {number}: submission refused {response.status_code}")
            return
        submitted = response.json()
        dossier_id = submitted["dossier_id"]
        self.accepted.append(dossier_id)
        reviewing = {step["level"]: step["organisation"] for step in submitted["review_chain"]}
        while time.monotonic() < deadline:
            status, level = await self._status(dossier_id, deadline)
            if status in FINAL:
                self.outcomes[dossier_id] = status
                return
            # only the organisation at the level intake last heard of: asking all four inboxes every
            # round made the reviewers, not the killer, the heaviest load of the run
            organisation = reviewing.get(level or "")
            acted = organisation is not None and await self._act_on_open_tasks(
                dossier_id, organisation, deadline
            )
            if not acted:
                await asyncio.sleep(0.5)  # the next task is not in the inbox yet: poll again
        self.failures.append(f"{dossier_id}: no final outcome after {self.deadline_seconds:.0f} s")

    async def _act_on_open_tasks(self, dossier_id: str, organisation: str, deadline: float) -> bool:
        """Act on the dossier's open tasks at ``organisation``; whether there were any."""
        review = self.stack.url("review")
        headers = await self.reviewer(organisation)

        def inbox() -> Awaitable[httpx.Response]:
            return self.http.get(
                f"{review}/v1/tasks", params={"dossier_id": dossier_id, "state": "open"}, headers=headers
            )

        page = await _retrying(inbox, deadline)
        tasks = page.json()["items"] if page.status_code == 200 else []
        for task in tasks:
            action = STEP_ACTIONS.get(task["step"] or "sign_off")
            if action is None:
                continue

            actor = await self.reviewer(organisation, task["step"] or "sign_off")

            def act(
                task_id: str = task["task_id"], action: str = action, actor: dict[str, str] = actor
            ) -> Awaitable[httpx.Response]:
                return self.http.post(
                    f"{review}/v1/tasks/{task_id}/{action}", json={"comment": "Đồng ý."}, headers=actor
                )

            await _retrying(act, deadline)  # a 409: done already (the answer was lost in a crash)
        return bool(tasks)

    async def _status(self, dossier_id: str, deadline: float) -> tuple[str, str | None]:
        """The dossier's status and the level under review, as intake knows them."""
        headers = await self.integrator.headers()
        response = await _retrying(
            lambda: self.http.get(f"{self.stack.url('intake')}/v1/dossiers/{dossier_id}", headers=headers),
            deadline,
        )
        if response.status_code != 200:
            return "", None
        view = response.json()
        return str(view.get("status", "")), view.get("current_level")


async def drive(stack: Stack, count: int, concurrency: int, killer: Killer) -> Driver:
    async with httpx.AsyncClient(timeout=30) as http:
        integrator = RenewedToken(lambda: _retrying_token(http, stack))
        driver = Driver(stack, http, integrator, deadline_seconds=1800)
        gate = asyncio.Semaphore(concurrency)
        stop = asyncio.Event()
        chaos = asyncio.create_task(killer.run(stop))
        done = 0

        async def guarded(number: int) -> None:
            nonlocal done
            async with gate:
                try:
                    await driver.one_dossier(number)
                except Exception as error:  # one dossier's failure is a finding, not the end of the run
                    driver.failures.append(f"dossier {number}: {type(error).__name__}: {error}")
                done += 1
                if done % 50 == 0:
                    print(f"[chaos] {done}/{count} dossiers through", flush=True)

        try:
            await asyncio.gather(*(guarded(number) for number in range(1, count + 1)))
        finally:
            stop.set()
            await chaos
        return driver


async def _retrying_token(http: httpx.AsyncClient, stack: Stack) -> str:
    deadline = time.monotonic() + 120
    while True:
        try:
            return await access_token(stack.credentials)
        except (httpx.HTTPError, KeyError, OidcError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


# --- the reckoning ---------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    expected: str
    found: str
    ok: bool


@functools.cache
def _engine(url: str) -> Engine:
    """One engine per database for the whole reckoning (the quiet-wait polls every 2 s)."""
    return create_engine(url)


def _scalar(url: str, sql: str, **params: Any) -> Any:
    with _engine(url).connect() as connection:
        return connection.execute(text(sql), params).scalar()


def _rows(url: str, sql: str, **params: Any) -> list[Any]:
    with _engine(url).connect() as connection:
        return list(connection.execute(text(sql), params).all())


async def _lag(kit: KitSettings) -> tuple[int, int]:
    """(records not yet consumed by a consumer group, records in dead-letter topics)."""
    admin = AIOKafkaAdminClient(**client_options(kit))
    await admin.start()
    try:
        topics = [name for name in await admin.list_topics() if name.startswith(kit.topic_prefix)]
        offsets = await partition_offsets(kit, topics)
        dead = sum(end - first for tp, (first, end) in offsets.items() if tp.topic.endswith(".dlq"))
        lag = 0
        for group, _ in await admin.list_consumer_groups():
            if not str(group).startswith(kit.topic_prefix):
                continue
            committed = await admin.list_consumer_group_offsets(group)
            consumed_topics = {tp.topic for tp in committed}
            for tp, (first, end) in offsets.items():
                if tp.topic in consumed_topics:
                    offset = committed.get(tp)
                    lag += end - (offset.offset if offset is not None and offset.offset >= 0 else first)
        return lag, dead
    finally:
        await admin.close()


async def quiesce(stack: Stack) -> None:
    """Wait, with every process up, until every event is consumed and every outbox relayed."""
    for process in stack.processes.values():
        await asyncio.to_thread(process.ensure_up)
    kit = stack.kit

    async def quiet() -> bool:
        lag, _ = await _lag(kit)
        unpublished = sum(
            _scalar(stack.database_url(service), "SELECT count(*) FROM outbox WHERE published_at IS NULL")
            for service in ("intake", "decisions", "notifications")
        )
        pending = _scalar(
            stack.database_url("notifications"),
            "SELECT count(*) FROM delivery WHERE status IN ('pending', 'sending')",
        )
        return lag == 0 and unpublished == 0 and pending == 0

    await eventually(quiet, timeout=600, what="every event consumed, every outbox relayed", interval=2)


def reconcile(stack: Stack, driver: Driver, lag: int, dead_letters: int) -> list[Check]:
    checks: list[Check] = []
    accepted = driver.accepted
    intake, decisions, notifications = (
        stack.database_url(s) for s in ("intake", "decisions", "notifications")
    )
    statuses = dict(_rows(intake, "SELECT id, status FROM dossier"))
    decided = [d for d in accepted if statuses.get(d) == "decided"]
    checks.append(
        Check(
            "accepted dossiers with a final outcome",
            str(len(accepted)),
            str(sum(statuses.get(d) in FINAL for d in accepted)),
            all(statuses.get(d) in FINAL for d in accepted),
        )
    )
    checks.append(
        _once_each(
            "decided dossiers recorded decided once",
            decided,
            intake,
            "SELECT dossier_id, count(*) FROM dossier_history "
            "WHERE type = 'vn.tdkt.decision.issued.v1' GROUP BY dossier_id",
        )
    )
    checks.append(
        _once_each(
            "decided dossiers in exactly one decision",
            decided,
            decisions,
            "SELECT dossier_id, count(DISTINCT decision_id) FROM decision_entry GROUP BY dossier_id",
        )
    )
    registers = _rows(
        decisions, "SELECT deciding_organisation, year, sequence, number FROM decision ORDER BY 1, 2, 3"
    )
    by_register: dict[tuple[str, int], list[int]] = {}
    for organisation, year, sequence, _number in registers:
        by_register.setdefault((organisation, year), []).append(sequence)
    gaps = {key: seq for key, seq in by_register.items() if seq != list(range(1, len(seq) + 1))}
    numbers = Counter(row[3] for row in registers)
    checks.append(
        Check(
            "decision numbers gapless and unique",
            f"{len(registers)} in {len(by_register)} register(s)",
            f"{len(gaps)} register(s) with gaps, {sum(c > 1 for c in numbers.values())} duplicate(s)",
            not gaps and all(c == 1 for c in numbers.values()),
        )
    )
    ids = Counter(message["Message-ID"] for message in mailbox.Maildir(infra.mail_dir(), create=False))
    interruptions = {
        f"<{delivery_id}@notifications.tdkt>": count
        for delivery_id, count in _rows(
            notifications,
            "SELECT delivery_id, count(*) FROM delivery_log WHERE outcome = 'interrupted' GROUP BY delivery_id",
        )
    }
    resent = {mid for mid, count in ids.items() if 1 < count <= 1 + interruptions.get(mid, 0)}
    doubled = {mid for mid, count in ids.items() if count > 1 + interruptions.get(mid, 0)}
    delivered = _scalar(notifications, "SELECT count(*) FROM delivery WHERE status = 'delivered'")
    checks.append(
        Check(
            "e-mails sent once (a logged resend after an interruption allowed)",
            f"{delivered} delivered",
            f"{len(doubled)} doubled, {len(resent)} logged resend(s)",
            not doubled,
        )
    )
    dead = _scalar(notifications, "SELECT count(*) FROM delivery WHERE status = 'dead'")
    checks.append(Check("deliveries dead-lettered", "0", str(dead), dead == 0))
    checks.append(Check("events left unconsumed (consumer lag)", "0", str(lag), lag == 0))
    checks.append(Check("records in dead-letter topics", "0", str(dead_letters), dead_letters == 0))
    checks.append(Check("driver failures", "0", str(len(driver.failures)), not driver.failures))
    return checks


def _once_each(name: str, dossiers: list[str], url: str, counts_sql: str) -> Check:
    """Whether ``counts_sql`` (dossier id, count) gives exactly 1 for every one of ``dossiers``."""
    counts = dict(_rows(url, counts_sql))
    once = sum(counts.get(dossier, 0) == 1 for dossier in dossiers)
    return Check(name, str(len(dossiers)), str(once), once == len(dossiers))


def print_table(checks: list[Check], kills: Counter[str], seconds: float, count: int) -> None:
    print(
        f"\nchaos: {count} dossiers in {seconds:.0f} s; SIGKILLs: "
        + (", ".join(f"{name} ×{n}" for name, n in sorted(kills.items())) or "none")
    )
    width = max(len(check.name) for check in checks)
    print(f"{'check':<{width}}  {'expected':<22}  {'found':<40}  result")
    for check in checks:
        print(
            f"{check.name:<{width}}  {check.expected:<22}  {check.found:<40}  {'ok' if check.ok else 'FAIL'}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.chaos", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--kill-every", type=float, default=8.0, help="mean seconds between kills")
    parser.add_argument("--seed", type=int, default=secrets.randbelow(10_000))
    parser.add_argument("--keep", action="store_true", help="leave the chaos stack running afterwards")
    args = parser.parse_args(argv)
    print(f"[chaos] seed {args.seed}", flush=True)
    stack = start_stack("chaos", CHAOS_PORTS, CHAOS_SETTINGS)
    killer = Killer(stack, random.Random(args.seed), args.kill_every)
    started = time.monotonic()
    try:
        driver = asyncio.run(drive(stack, args.dossiers, args.concurrency, killer))
        asyncio.run(quiesce(stack))
        lag, dead_letters = asyncio.run(_lag(stack.kit))
        checks = reconcile(stack, driver, lag, dead_letters)
    finally:
        if not args.keep:
            stack.stop()
    print_table(checks, killer.kills, time.monotonic() - started, args.dossiers)
    for failure in driver.failures[:20]:
        print(f"  {failure}")
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
