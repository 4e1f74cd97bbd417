"""Receivers kept apart, inside the caller's transaction: one receiver — a channel's target, e.g. a
client's webhook subscription or a mailbox — that hangs or keeps failing must not hold up the
others.

- **Concurrency**: at most ``ReceiverLimits.concurrency`` attempts in flight to one receiver (the
  deliveries it has ``sending``), so a hanging receiver holds that many of the dispatcher's slots,
  never all of them; the claim skips a full receiver's deliveries and takes the next ones.
- **Circuit breaker** (``receiver_circuit``): after ``ReceiverLimits.failures`` failed attempts in a
  row the receiver's circuit opens for ``ReceiverLimits.cooldown``; its deliveries are *deferred*
  to the end of the cool-down — still pending, logged, not counted as attempts. Then one attempt
  at a time probes it (half-open): a success closes the circuit, a failure opens it again.

Nothing here knows one channel from another; the dispatcher (``dispatch.claim_due``,
``dispatch.record_outcomes``) calls it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, not_, update
from sqlmodel import Session, col, select

from servicekit.db import insert_on_conflict
from services.notifications.models import (
    CircuitState,
    Delivery,
    DeliveryLogEntry,
    DeliveryOutcome,
    DeliveryStatus,
    ReceiverCircuit,
    ReceiverView,
)

logger = logging.getLogger(__name__)

Receiver = tuple[str, str]
"""(channel, target)."""


@dataclass(frozen=True)
class ReceiverLimits:
    concurrency: int
    """Attempts in flight to one receiver at most."""
    failures: int
    """Failed attempts in a row that open a receiver's circuit."""
    cooldown: timedelta
    """How long an open circuit defers its receiver's deliveries."""


def state(circuit: ReceiverCircuit | None, now: datetime, limits: ReceiverLimits) -> CircuitState:
    if circuit is None or circuit.failures < limits.failures:
        return CircuitState.CLOSED
    if circuit.open_until is not None and circuit.open_until > now:
        return CircuitState.OPEN
    return CircuitState.HALF_OPEN


def opened_detail(circuit: ReceiverCircuit) -> str:
    return (
        f"deferred: the receiver failed {circuit.failures} times in a row; its circuit is open until "
        f"{circuit.open_until:%Y-%m-%d %H:%M:%S} UTC (not counted as an attempt)"
    )


def defer_open(session: Session, now: datetime) -> int:
    """Move the pending deliveries of receivers whose circuit is open to the end of its cool-down,
    each logged once (not an attempt). Returns how many."""
    deferred = 0
    for circuit in session.exec(select(ReceiverCircuit).where(col(ReceiverCircuit.open_until) > now)).all():
        ids = session.exec(
            select(Delivery.id).where(
                Delivery.channel == circuit.channel,
                Delivery.target == circuit.target,
                Delivery.status == DeliveryStatus.PENDING,
                col(Delivery.next_attempt_at) < circuit.open_until,
            )
        ).all()
        if not ids:
            continue
        session.execute(
            update(Delivery)
            .where(col(Delivery.id).in_(ids), col(Delivery.status) == DeliveryStatus.PENDING)
            .values(next_attempt_at=circuit.open_until)
        )
        detail = opened_detail(circuit)
        session.add_all(
            DeliveryLogEntry(delivery_id=delivery_id, outcome=DeliveryOutcome.DEFERRED, detail=detail, at=now)
            for delivery_id in ids
        )
        deferred += len(ids)
    return deferred


class Room:
    """How many more attempts each receiver may take now: ``limits.concurrency`` less those in
    flight, one at a time while its circuit is half-open (an open one's deliveries were deferred)."""

    def __init__(self, session: Session, now: datetime, limits: ReceiverLimits) -> None:
        self._in_flight = Counter(
            {
                (channel, target): count
                for channel, target, count in session.exec(
                    select(Delivery.channel, Delivery.target, func.count())
                    .where(Delivery.status == DeliveryStatus.SENDING)
                    .group_by(col(Delivery.channel), col(Delivery.target))
                ).all()
            }
        )
        self._probing = {
            (circuit.channel, circuit.target)
            for circuit in session.exec(
                select(ReceiverCircuit).where(col(ReceiverCircuit.failures) >= limits.failures)
            ).all()
            if state(circuit, now, limits) != CircuitState.CLOSED
        }
        self._limits = limits

    def _capacity(self, receiver: Receiver) -> int:
        return 1 if receiver in self._probing else self._limits.concurrency

    def full(self) -> list[Receiver]:
        return [receiver for receiver, count in self._in_flight.items() if count >= self._capacity(receiver)]

    def not_full(self) -> list[ColumnElement[bool]]:
        """Conditions on ``Delivery`` leaving out the receivers with no room."""
        return [
            not_(and_(col(Delivery.channel) == channel, col(Delivery.target) == target))
            for channel, target in self.full()
        ]

    def take(self, receiver: Receiver) -> bool:
        """One more attempt to ``receiver``, if it has room."""
        if self._in_flight[receiver] >= self._capacity(receiver):
            return False
        self._in_flight[receiver] += 1
        return True


def record(
    session: Session, receiver: Receiver, succeeded: bool, now: datetime, limits: ReceiverLimits
) -> None:
    """An attempt's outcome on the receiver's circuit: a success closes it; a failure counts, and
    the ``limits.failures``-th in a row (or any while it is half-open) opens it."""
    channel, target = receiver
    where = (col(ReceiverCircuit.channel) == channel, col(ReceiverCircuit.target) == target)
    if succeeded:
        session.execute(
            update(ReceiverCircuit)
            .where(*where, col(ReceiverCircuit.failures) > 0)
            .values(failures=0, open_until=None, updated_at=now)
        )
        return
    insert = insert_on_conflict(session)
    session.execute(
        insert(ReceiverCircuit)
        .values(channel=channel, target=target, failures=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "target"])
    )
    session.execute(  # an increment in the database: concurrent dispatchers lose no failure
        update(ReceiverCircuit)
        .where(*where)
        .values(failures=col(ReceiverCircuit.failures) + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    circuit = session.exec(
        select(ReceiverCircuit).where(*where).execution_options(populate_existing=True)
    ).one()
    if circuit.failures >= limits.failures and state(circuit, now, limits) == CircuitState.HALF_OPEN:
        circuit.open_until = now + limits.cooldown
        session.add(circuit)
        logger.warning(
            "receiver %s %s failed %d times in a row: its circuit is open until %s",
            channel,
            target,
            circuit.failures,
            circuit.open_until.isoformat(),
        )


def probe_now(session: Session, receivers: Iterable[Receiver], now: datetime) -> None:
    """End the cool-down of these receivers' open circuits (a redelivery: someone says the
    receiver is back); the next attempt probes it."""
    for channel, target in set(receivers):
        session.execute(
            update(ReceiverCircuit)
            .where(
                col(ReceiverCircuit.channel) == channel,
                col(ReceiverCircuit.target) == target,
                col(ReceiverCircuit.open_until) > now,
            )
            .values(open_until=now, updated_at=now)
        )


def receiver_views(
    session: Session, receivers: Sequence[Receiver], now: datetime, limits: ReceiverLimits
) -> dict[Receiver, ReceiverView]:
    """The circuit of each receiver, as operators and clients see it."""
    circuits = {
        (circuit.channel, circuit.target): circuit
        for circuit in session.exec(
            select(ReceiverCircuit).where(
                col(ReceiverCircuit.target).in_({target for _, target in receivers})
            )
        ).all()
    }
    views: dict[Receiver, ReceiverView] = {}
    for receiver in receivers:
        circuit = circuits.get(receiver)
        current = state(circuit, now, limits)
        views[receiver] = ReceiverView(
            circuit=current,
            consecutive_failures=circuit.failures if circuit else 0,
            open_until=circuit.open_until if circuit and current == CircuitState.OPEN else None,
        )
    return views
