"""The pipeline under load: dossiers submitted over HTTP as an integrating system would, and
reviewers at each organisation of the chain who watch their inbox (``GET /v1/tasks``, open tasks
of their organisation) and act on every task that appears, through the task API.

Times come from two places: what the client sees (submission sent and answered, a task's first
appearance in its organisation's inbox, an action answered) and, for the two stages nobody polls,
when the services recorded them (the ``decision.issued`` event staged in decisions' outbox, the
``decided`` notification in notifications' table) — the clocks are the same machine's.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import Engine

from clients.intake import access_token
from contracts.samples import eligible_record
from contracts.topics import Topic
from tools.bench.measure import percentiles
from tools.demo import demo_dossier
from tools.ownstack import RenewedToken, Stack

STEP_ACTIONS = {"receipt": "accept", "appraisal": "recommend", "sign_off": "approve"}
STEP_ROLES = {"receipt": "clerk", "appraisal": "officer", "sign_off": "leader"}
"""Who takes each step: the organisation's sample person in that role (``tools.people``)."""
INBOX_POLL_SECONDS = 0.2
"""How often each organisation's reviewers look at their inbox: the resolution of "visible"."""
OUTCOME_POLL_SECONDS = 0.25
STUCK_AFTER_SECONDS = 600.0
TRANSPORT_ATTEMPTS = 5
"""A request whose connection broke (a kept-alive connection the server was closing) is sent
again; an action sent twice is refused the second time (409), which is fine."""
FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN_NAMES = ["Thị Minh Khai", "Văn Đức", "Thị Hồng Nhung", "Quốc Bảo", "Thị Lan Anh", "Hữu Phước"]


def realistic_dossier(number: int, rng: random.Random) -> dict[str, Any]:
    """A school's Bằng khen proposal for one to three of its teachers, each with an e-mail."""
    dossier = demo_dossier()
    template = dossier["entries"][0]
    entries = []
    for index in range(rng.randint(1, 3)):
        name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"
        entries.append(
            {
                **template,
                "full_name": name,
                "email": f"gv{number}.{index}@example.vn",
                "record": eligible_record(dossier["proposal_year"]),
            }
        )
    dossier["entries"] = entries
    dossier["external_reference"] = f"BENCH-{number:06d}"
    return dossier


@dataclass
class DossierTimes:
    submit_sent: float
    submit_answered: float = 0.0
    dossier_id: str = ""
    expected_tasks: int = 0
    tasks_seen: list[float] = field(default_factory=list)
    actions_answered: list[float] = field(default_factory=list)
    decision_issued: float | None = None
    notified: float | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class PipelineRun:
    """One load of ``count`` dossiers; ``concurrency`` bounds those in flight (closed loop), or
    ``rate`` spaces their submissions (open loop)."""

    stack: Stack
    count: int
    concurrency: int | None = None
    rate: float | None = None
    seed: int = 1
    dossiers: dict[str, DossierTimes] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    _load_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    """Keys this load's submissions apart from an earlier load's on the same stack (same numbers)."""
    _seen: set[str] = field(default_factory=set)
    _pollers: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _actions: set[asyncio.Task[None]] = field(default_factory=set)

    async def run(self) -> None:
        stop = asyncio.Event()
        engines = {s: create_engine(self.stack.database_url(s)) for s in ("decisions", "notifications")}
        async with httpx.AsyncClient(
            timeout=60, limits=httpx.Limits(max_connections=200, max_keepalive_connections=200)
        ) as http:
            integrator = RenewedToken(lambda: access_token(self.stack.credentials))
            watcher = asyncio.create_task(self._watch_outcomes(engines, stop))
            try:
                await self._submit_all(http, integrator, stop)
            finally:
                stop.set()
                await asyncio.gather(watcher, *self._pollers.values(), return_exceptions=True)
                await asyncio.gather(*self._actions, return_exceptions=True)
                for engine in engines.values():
                    engine.dispose()

    async def _submit_all(
        self, http: httpx.AsyncClient, integrator: RenewedToken, stop: asyncio.Event
    ) -> None:
        rng = random.Random(self.seed)
        gate = asyncio.Semaphore(self.concurrency or self.count)
        started = time.time()

        async def one(number: int) -> None:
            if self.rate:
                await asyncio.sleep(max(0.0, started + number / self.rate - time.time()))
            async with gate:
                times = await self._submit(http, integrator, stop, realistic_dossier(number, rng))
                if times is None:
                    return
                try:
                    await asyncio.wait_for(times.done.wait(), timeout=STUCK_AFTER_SECONDS)
                except TimeoutError:
                    self.failures.append(
                        f"{times.dossier_id}: not notified after {STUCK_AFTER_SECONDS:.0f} s"
                    )

        await asyncio.gather(*(one(number) for number in range(self.count)))

    async def _submit(
        self,
        http: httpx.AsyncClient,
        integrator: RenewedToken,
        stop: asyncio.Event,
        dossier: dict[str, Any],
    ) -> DossierTimes | None:
        times = DossierTimes(submit_sent=time.time())
        response = await _sent(
            http,
            "POST",
            f"{self.stack.url('intake')}/v1/dossiers",
            json=dossier,
            headers={
                **await integrator.headers(),
                "Idempotency-Key": f"{self._load_id}-{dossier['external_reference']}",
            },
        )
        times.submit_answered = time.time()
        if response.status_code not in {200, 201}:
            self.failures.append(
                f"{dossier['external_reference']}: submission refused {response.status_code}"
            )
            return None
        submitted = response.json()
        times.dossier_id = submitted["dossier_id"]
        times.expected_tasks = len(submitted["review_chain"]) * len(STEP_ACTIONS)
        self.dossiers[times.dossier_id] = times
        for step in submitted["review_chain"]:
            organisation = step["organisation"]
            if organisation not in self._pollers:
                self._pollers[organisation] = asyncio.create_task(self._reviewers(http, organisation, stop))
        return times

    async def _reviewers(self, http: httpx.AsyncClient, organisation: str, stop: asyncio.Event) -> None:
        """The organisation's reviewers: look at the open tasks, act on each new one."""

        url = f"{self.stack.url('review')}/v1/tasks"
        while not stop.is_set():
            looked = time.monotonic()
            headers = await self.stack.people.headers(organisation, "clerk")  # renewed before it expires
            offset = 0
            while True:
                params: dict[str, Any] = {
                    "organisation": organisation,
                    "state": "open",
                    "limit": 200,
                    "offset": offset,
                }
                response = await _sent(http, "GET", url, params=params, headers=headers)
                seen_at = time.time()
                if response.status_code != 200:
                    self.failures.append(f"inbox of {organisation}: {response.status_code}")
                    break
                page = response.json()
                for task in page["items"]:
                    self._on_task(http, organisation, task, seen_at)
                offset += len(page["items"])
                if offset >= page["total"] or not page["items"]:
                    break
            await asyncio.sleep(max(0.0, INBOX_POLL_SECONDS - (time.monotonic() - looked)))

    def _on_task(
        self, http: httpx.AsyncClient, organisation: str, task: dict[str, Any], seen_at: float
    ) -> None:
        if task["task_id"] in self._seen:
            return
        self._seen.add(task["task_id"])
        times = self.dossiers.get(task["dossier_id"])
        if times is None:
            return  # a dossier of an earlier load on the same stack
        times.tasks_seen.append(seen_at)
        action = STEP_ACTIONS[task["step"]]
        acting = asyncio.create_task(
            self._act(http, organisation, task["step"], task["task_id"], action, times)
        )
        self._actions.add(acting)
        acting.add_done_callback(self._actions.discard)

    async def _act(
        self,
        http: httpx.AsyncClient,
        organisation: str,
        step: str,
        task_id: str,
        action: str,
        times: DossierTimes,
    ) -> None:
        headers = await self.stack.people.headers(organisation, STEP_ROLES[step])
        response = await _sent(
            http,
            "POST",
            f"{self.stack.url('review')}/v1/tasks/{task_id}/{action}",
            json={"comment": "Đồng ý đề nghị khen thưởng."},
            headers=headers,
        )
        times.actions_answered.append(time.time())
        if response.status_code >= 300 and response.status_code != 409:
            self.failures.append(f"{task_id} {action}: {response.status_code} {response.text[:200]}")

    async def _watch_outcomes(self, engines: dict[str, Engine], stop: asyncio.Event) -> None:
        """When each dossier's decision was issued and its "decided" notification recorded."""
        issued = text(
            "SELECT message_key, min(created_at) FROM outbox WHERE topic = :topic "
            "AND message_key IN :ids GROUP BY message_key"
        ).bindparams(bindparam("ids", expanding=True))
        notified = text(
            "SELECT dossier_id, min(created_at) FROM notification WHERE kind = 'decided' "
            "AND dossier_id IN :ids GROUP BY dossier_id"
        ).bindparams(bindparam("ids", expanding=True))
        while not stop.is_set():
            waiting = [
                d
                for d, t in self.dossiers.items()
                if t.notified is None and len(t.actions_answered) >= t.expected_tasks > 0
            ]
            if waiting:
                decided = await asyncio.to_thread(
                    _times,
                    engines["decisions"],
                    issued,
                    {"ids": waiting, "topic": Topic.DECISION_EVENTS.value},
                )
                told = await asyncio.to_thread(_times, engines["notifications"], notified, {"ids": waiting})
                for dossier_id, at in decided.items():
                    self.dossiers[dossier_id].decision_issued = at
                for dossier_id, at in told.items():
                    times = self.dossiers[dossier_id]
                    times.notified = at
                    times.done.set()
                    self._report_progress()
            await asyncio.sleep(OUTCOME_POLL_SECONDS)

    def _report_progress(self) -> None:
        done = sum(t.notified is not None for t in self.dossiers.values())
        if done % max(1, self.count // 10) == 0:
            print(f"[bench]   {done}/{self.count} dossiers notified", flush=True)

    def summary(self) -> dict[str, Any]:
        finished = [t for t in self.dossiers.values() if t.notified is not None]
        stages: dict[str, list[float]] = {
            "submit_http": [t.submit_answered - t.submit_sent for t in self.dossiers.values()],
            "submit_to_first_task": [
                t.tasks_seen[0] - t.submit_sent for t in self.dossiers.values() if t.tasks_seen
            ],
            "action_to_next_task": [
                seen - acted
                for t in self.dossiers.values()
                for seen, acted in zip(sorted(t.tasks_seen)[1:], sorted(t.actions_answered), strict=False)
            ],
            "approval_to_decision": [
                t.decision_issued - max(t.actions_answered) for t in finished if t.decision_issued is not None
            ],
            "decision_to_notification": [
                t.notified - t.decision_issued
                for t in finished
                if t.notified and t.decision_issued is not None
            ],
            "end_to_end": [t.notified - t.submit_sent for t in finished if t.notified],
        }
        first = min((t.submit_sent for t in self.dossiers.values()), default=0.0)
        last = max((t.notified or 0.0 for t in finished), default=0.0)
        seconds = last - first if finished else 0.0
        return {
            "dossiers": self.count,
            "completed": len(finished),
            "seconds": round(seconds, 1),
            "throughput_per_s": round(len(finished) / seconds, 3) if seconds else 0.0,
            "stages": {name: percentiles(samples) for name, samples in stages.items()},
            "failures": self.failures[:50],
        }


async def _sent(http: httpx.AsyncClient, method: str, url: str, **options: Any) -> httpx.Response:
    for attempt in range(1, TRANSPORT_ATTEMPTS + 1):
        try:
            return await http.request(method, url, **options)
        except httpx.TransportError:
            if attempt == TRANSPORT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _times(engine: Engine, statement: Any, params: dict[str, Any]) -> dict[str, float]:
    with engine.connect() as connection:
        return {row[0]: _epoch(row[1]) for row in connection.execute(statement, params)}


def _epoch(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
