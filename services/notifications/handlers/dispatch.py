"""The dispatcher's work (``flows.Dispatcher`` runs it): what is due is claimed, attempted by its
channel (each attempt on its own) and its outcome recorded, and time-driven bookkeeping — digests
fallen due, claims whose sender died."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

from opentelemetry import trace

from servicekit.db import run_in_session
from servicekit.telemetry import continued_trace, trace_carrier
from services.notifications import dispatch
from services.notifications.channels.base import Outgoing, SendFailed
from services.notifications.context import NotificationsContext
from services.notifications.dispatch import AttemptOutcome, Claim

logger = logging.getLogger(__name__)

TIMEOUT = "timeout"
BROKE = "internal error"
"""What the delivery log says of an attempt that failed by a fault of ours (the service's log has
the exception): its text could be anything, the other side's words included."""
tracer = trace.get_tracer(__name__)


async def keep_house(ctx: NotificationsContext) -> None:
    """Release the digests whose hour has come; send once more what a dead sender had claimed.
    One transaction that stages no events (the outbox relay is not woken)."""
    now = ctx.runtime.clock.now()
    await run_in_session(ctx.runtime.engine, lambda session: dispatch.keep_house(session, now, ctx.renderer))


async def claim_due(ctx: NotificationsContext, room: int) -> list[Claim]:
    """Claim up to ``room`` (and the batch size) due deliveries, committed before anything is
    sent, each receiver within its room (``receivers``)."""
    settings = ctx.settings
    now = ctx.runtime.clock.now()
    lease = timedelta(seconds=settings.lease_seconds)
    limit = min(room, settings.dispatch_batch)
    return await run_in_session(
        ctx.runtime.engine,
        lambda session: dispatch.claim_due(session, now, limit, lease, ctx.channels, ctx.limits),
    )


async def record(ctx: NotificationsContext, outcomes: Sequence[AttemptOutcome]) -> None:
    """Attempts' outcomes in one transaction (and one relay wake-up)."""
    await ctx.runtime.write(
        lambda session: dispatch.record_outcomes(
            session, outcomes, ctx.runtime.source, ctx.policy, ctx.rng, ctx.limits
        )
    )


async def attempt(ctx: NotificationsContext, claim: Claim) -> AttemptOutcome:
    """One attempt by the claim's channel, within the send timeout: its own, whatever the other
    attempts under way do."""
    with (
        continued_trace(claim.trace_carrier),
        tracer.start_as_current_span(
            f"deliver {claim.channel}",
            attributes={"tdkt.delivery_id": claim.delivery_id, "tdkt.attempt": claim.attempt},
        ),
    ):
        detail, failure = "", None
        try:
            detail = await asyncio.wait_for(_send(ctx, claim), timeout=ctx.settings.send_timeout_seconds)
        except SendFailed as error:  # the log keeps its reason; its detail is for this log only
            failure = error.reason
            logger.info(
                "delivery %s attempt %d failed: %s (%s)",
                claim.delivery_id,
                claim.attempt,
                failure,
                error.detail,
            )
        except TimeoutError:
            failure = TIMEOUT
            logger.info("delivery %s attempt %d failed: %s", claim.delivery_id, claim.attempt, failure)
        except Exception:  # a bug or bad data: counted and dead-lettered like any failure
            logger.exception("delivery %s attempt %d broke", claim.delivery_id, claim.attempt)
            failure = BROKE
        return AttemptOutcome(claim, ctx.runtime.clock.now(), trace_carrier(), detail=detail, error=failure)


async def _send(ctx: NotificationsContext, claim: Claim) -> str:
    channel = ctx.channels.get(claim.channel)
    if channel is None:
        raise SendFailed(f"the {claim.channel} channel is off here (not configured)")
    return await channel.send(
        Outgoing(
            delivery_id=claim.delivery_id,
            attempt=claim.attempt,
            target=claim.target,
            subject=claim.subject,
            body=claim.body,
            data=claim.data,
            route=claim.route,
            at=ctx.runtime.clock.now(),
        )
    )
