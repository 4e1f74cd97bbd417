"""The inbox's counts (``review_task_tally``) against a full count of the tasks, after every commit,
whatever the interleaving of reviewers' actions, the workflow's events and reverted work.

The model (SQLite, one thread): two writers — the HTTP action, the task.completed consumer, a
withdrawal, a reviewer's claim — may each read a task and write it later, with the other's commit
in between: what two PostgreSQL transactions at READ COMMITTED do when the action and the consumer
close the same task at once (issue 18: the inbox answered ``open: -7``). Events come duplicated and
out of order; work is reverted by a rolled-back transaction, a rolled-back savepoint, or a change
undone within its transaction."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy.engine import Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from contracts.events import (
    DossierWithdrawn,
    ReviewAction,
    ReviewLevel,
    ReviewTaskOpened,
    ReviewTaskOpenedData,
)
from contracts.workflow import TaskActionResult
from servicekit import migrations
from servicekit.db import make_engine
from servicekit.errors import DomainError
from services.review import service
from services.review.models import NO_VALUE, ReviewTask, TaskQuery, TaskState, TaskTally
from tests.support import events

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TASKS = ["d0.t0", "d0.t1", "d1.t2"]
"""Few tasks, so that writers often meet on one; a withdrawal closes a dossier's open tasks together."""
KINDS = [("AH", "clerk"), ("AH", "leader"), (None, None)]
ACTIONS = [ReviewAction.ACCEPT, ReviewAction.APPROVE, ReviewAction.RETURN]


def _opened(task_id: str) -> ReviewTaskOpened:
    organisation, role = KINDS[TASKS.index(task_id) % len(KINDS)]
    dossier = _dossier(task_id)
    return ReviewTaskOpened(
        id=f"{task_id}.opened",
        source="/tdkt/review-workflow",
        subject=dossier,
        time=NOW,
        data=ReviewTaskOpenedData(
            task_id=task_id,
            dossier_id=dossier,
            workflow_id=f"review-{dossier}",
            level=ReviewLevel.UNIT,
            level_index=0,
            levels_total=4,
            organisation=organisation,
            role=role,
            award_code="BKTTG",
            submitting_organisation="AH-DS-TT-THCS",
            opened_at=NOW,
        ),
    )


def _result(task_id: str, action: ReviewAction) -> TaskActionResult:
    return TaskActionResult(
        task_id=task_id, action=action, level=ReviewLevel.UNIT, next_level=None, acted_at=NOW
    )


class Revert(Exception):
    """Raised to roll a transaction back after its work was flushed."""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tally") / "template.db"
    migrations.upgrade(Path("services/review/migrations"), f"sqlite:///{path}")
    return path


Work = Callable[[Session], object]
WRITES: dict[str, Callable[[str, ReviewAction], Work]] = {
    "http action": lambda task, action: lambda s: service.record_action(s, _result(task, action), "can-bo.1"),
    "task.completed": lambda task, action: (
        lambda s: service.apply_review_event(s, events.task_completed(_dossier(task), task, action))
    ),
    "withdrawal": lambda task, _action: (
        lambda s: service.apply_review_event(s, events.closed(DossierWithdrawn, _dossier(task), "rút hồ sơ"))
    ),
    "claim": lambda task, _action: (
        lambda s: service.claim(s, service.get_task(s, task, lock=True), "can-bo.2")
    ),
    "unlocked write": lambda task, action: lambda s: _unlocked_write(s, task, action),
}
"""What a writer does to a task: the views' action, the consumer's events, a reviewer's claim, and
code that writes a task it read without locking it (only this last may be refused)."""

INTERLEAVINGS = [
    ("read A", "read B", "write A", "write B"),
    ("read A", "read B", "write B", "write A"),
    ("read B", "read A", "write A", "write B"),
    ("read A", "write A", "read B", "write B"),
    ("read B", "write B", "read A", "write A"),
]
"""Two transactions A and B, each reading a task then writing it: at once, or one after the other."""


def _dossier(task_id: str) -> str:
    return task_id.split(".", maxsplit=1)[0]


def _unlocked_write(session: Session, task_id: str, action: ReviewAction) -> None:
    task = session.get(ReviewTask, task_id)  # whatever this transaction read before, unlocked
    if task is not None:
        task.state = TaskState.CANCELLED if action is ReviewAction.RETURN else TaskState.COMPLETED
        session.add(task)


class InboxTally(RuleBasedStateMachine):
    template: Path
    workdir: Path
    runs = 0

    def __init__(self) -> None:
        super().__init__()
        InboxTally.runs += 1
        path = self.workdir / f"run-{InboxTally.runs}.db"
        shutil.copy(self.template, path)
        self.engine: Engine = make_engine(f"sqlite:///{path}")
        self.commits = 0

    def _commit(self, session: Session, work: Work, *, unlocked: bool = False, revert: bool = False) -> None:
        """One transaction: ``work``, then commit; rolled back when reverted, or refused with a
        catalogue refusal the HTTP layer answers, or — for an unlocked write only — because the task changed
        since this session read it (which the tally must then not count)."""
        try:
            work(session)
            session.flush()
            if revert:
                raise Revert
            session.commit()
            self.commits += 1
        except (Revert, DomainError):
            session.rollback()
        except StaleDataError:
            session.rollback()
            assert unlocked, "the action, the consumer and assignment read the task they change afresh"

    def _alone(self, work: Work, *, revert: bool = False) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            self._commit(session, work, revert=revert)

    # --- one writer at a time ----------------------------------------------------------------

    @rule(task=st.sampled_from(TASKS))
    def the_workflow_opens_a_task(self, task: str) -> None:  # a redelivery opens nothing twice
        self._alone(lambda session: service.apply_review_event(session, _opened(task)))

    @rule(task=st.sampled_from(TASKS), write=st.sampled_from(sorted(WRITES)), action=st.sampled_from(ACTIONS))
    def one_writer(self, task: str, write: str, action: ReviewAction) -> None:
        """Also a task.completed before its task.opened (out of order), or again (a duplicate)."""
        with Session(self.engine, expire_on_commit=False) as session:
            self._commit(session, WRITES[write](task, action), unlocked=write == "unlocked write")

    # --- two writers at once -----------------------------------------------------------------

    @rule(
        task=st.sampled_from(TASKS),
        writes=st.tuples(st.sampled_from(sorted(WRITES)), st.sampled_from(sorted(WRITES))),
        actions=st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTIONS)),
        interleaving=st.sampled_from(INTERLEAVINGS),
    )
    def two_writers_at_once(
        self,
        task: str,
        writes: tuple[str, str],
        actions: tuple[ReviewAction, ReviewAction],
        interleaving: tuple[str, ...],
    ) -> None:
        """E.g. the HTTP action and the task.completed consumer closing the same task: each read
        the task before the other's commit (a transaction at READ COMMITTED on PostgreSQL)."""
        sessions = {name: Session(self.engine, expire_on_commit=False) for name in "AB"}
        work = dict(
            zip("AB", (WRITES[w](task, a) for w, a in zip(writes, actions, strict=True)), strict=True)
        )
        unlocked = dict(zip("AB", (w == "unlocked write" for w in writes), strict=True))
        read: list[object] = []  # held: a session's identity map keeps only what is referenced
        try:
            for phase, name in (step.split() for step in interleaving):
                if phase == "read":
                    self._commit(sessions[name], lambda session: read.append(session.get(ReviewTask, task)))
                else:
                    self._commit(sessions[name], work[name], unlocked=unlocked[name])
        finally:
            for session in sessions.values():
                session.close()

    # --- reverted work -----------------------------------------------------------------------

    @rule(task=st.sampled_from(TASKS), write=st.sampled_from(sorted(WRITES)), action=st.sampled_from(ACTIONS))
    def work_rolled_back_after_its_flush(self, task: str, write: str, action: ReviewAction) -> None:
        self._alone(WRITES[write](task, action), revert=True)

    @rule(kept=st.sampled_from(TASKS), reverted=st.sampled_from(TASKS), action=st.sampled_from(ACTIONS))
    def a_savepoint_rolled_back_and_the_rest_committed(
        self, kept: str, reverted: str, action: ReviewAction
    ) -> None:
        def work(session: Session) -> None:
            service.apply_review_event(session, events.task_completed(_dossier(kept), kept, action))
            session.flush()
            savepoint = session.begin_nested()
            service.apply_review_event(
                session, events.closed(DossierWithdrawn, _dossier(reverted), "rút hồ sơ")
            )
            session.flush()
            savepoint.rollback()

        self._alone(work)

    @rule(task=st.sampled_from(TASKS), state=st.sampled_from(list(TaskState)))
    def a_change_undone_within_its_transaction(self, task: str, state: TaskState) -> None:
        def work(session: Session) -> None:
            found = service.get_task(session, task, lock=True)
            before = found.state
            found.state = state
            session.add(found)
            session.flush()
            found.state = before
            session.add(found)

        self._alone(work)

    # --- the property --------------------------------------------------------------------------

    @invariant()
    def the_tally_equals_a_full_count(self) -> None:
        with Session(self.engine) as session:
            tallied = {
                (row.organisation, row.level, row.role, row.award_code, row.state): row.tasks
                for row in session.exec(select(TaskTally)).all()
                if row.tasks
            }
            counted = Counter(
                (
                    task.organisation or NO_VALUE,
                    task.level,
                    task.role or NO_VALUE,
                    task.award_code,
                    task.state,
                )
                for task in session.exec(select(ReviewTask)).all()
            )
            assert tallied == dict(counted), f"after {self.commits} commits"
            # and what the inbox answers: an organisation's counts and total, from the tally
            page = service.list_tasks(session, TaskQuery(organisation="AH"), NOW)
            live = Counter(
                state
                for (organisation, *_, state), n in counted.items()
                if organisation == "AH"
                for _ in range(n)
            )
            shown = {
                "open": page.counts.open,
                "completed": page.counts.completed,
                "cancelled": page.counts.cancelled,
            }
            assert shown == {state.value: live.get(state.value, 0) for state in TaskState}
            assert page.total == sum(live.values())

    def teardown(self) -> None:
        self.engine.dispose()


def test_the_inbox_counts_equal_a_full_count_after_every_commit(template: Path, tmp_path: Path) -> None:
    InboxTally.template, InboxTally.workdir = template, tmp_path
    machine = InboxTally.TestCase
    machine.settings = settings(
        max_examples=40,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine().runTest()
