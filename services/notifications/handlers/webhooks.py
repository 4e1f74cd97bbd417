"""An integrating system's webhooks (client tokens): its subscription, the signing secret, its
delivery log, and redelivery."""

from __future__ import annotations

from sqlmodel import Session

from servicekit.db import run_in_session
from services.notifications import dispatch, subscriptions
from services.notifications.channels.webhook import NAME as WEBHOOK
from services.notifications.channels.webhook import NotPublic, public_address, system_resolver
from services.notifications.context import NotificationsContext
from services.notifications.errors import DELIVERY_UNDER_WAY, INSECURE_WEBHOOK_URL, WEBHOOK_URL_NOT_PUBLIC
from services.notifications.models import DeliveryStatus, DeliveryView, SubscriptionRequest, SubscriptionView
from services.notifications.secretbox import SecretBox


async def _check_url(ctx: NotificationsContext, request: SubscriptionRequest) -> None:
    """Notices go over https to public addresses only (plain http and local receivers where the
    settings allow them: development and tests). The channel checks the address again at each
    attempt, and connects to the one it checked."""
    if ctx.settings.webhook_allow_http:
        return
    url, host = str(request.url), request.url.host or ""
    if request.url.scheme != "https":
        raise INSECURE_WEBHOOK_URL(url=url)
    try:
        await public_address(ctx.resolver or system_resolver, host, request.url.port or 443)
    except NotPublic as refused:
        raise WEBHOOK_URL_NOT_PUBLIC(url=url, host=host) from refused


def _box(ctx: NotificationsContext) -> SecretBox:
    if ctx.secrets is None:  # the service refuses to start without; an operator's command has none
        raise RuntimeError("no key to seal webhook secrets with (TDKT_NOTIFICATIONS_SECRETS_KEY)")
    return ctx.secrets


async def subscribe(
    ctx: NotificationsContext, client_id: str, request: SubscriptionRequest
) -> tuple[SubscriptionView, bool]:
    """Make (True: with its secret, shown this once) or change (False) the client's subscription."""
    await _check_url(ctx, request)
    now = ctx.runtime.clock.now()
    return await run_in_session(
        ctx.runtime.engine,
        lambda session: subscriptions.subscribe(session, client_id, request, now, _box(ctx)),
    )


async def get_subscription(ctx: NotificationsContext, client_id: str) -> SubscriptionView:
    return await run_in_session(
        ctx.runtime.engine,
        lambda session: subscriptions.subscription_view(subscriptions.own_subscription(session, client_id)),
    )


async def unsubscribe(ctx: NotificationsContext, client_id: str) -> None:
    """End the subscription; its deliveries not yet made are cancelled."""
    now = ctx.runtime.clock.now()
    await run_in_session(
        ctx.runtime.engine, lambda session: subscriptions.unsubscribe(session, client_id, now)
    )


async def rotate_secret(ctx: NotificationsContext, client_id: str) -> SubscriptionView:
    """A new signing secret, in the answer; the deliveries still to come are signed with it."""
    now = ctx.runtime.clock.now()
    return await run_in_session(
        ctx.runtime.engine, lambda session: subscriptions.rotate_secret(session, client_id, now, _box(ctx))
    )


async def deliveries(
    ctx: NotificationsContext,
    client_id: str,
    *,
    status: DeliveryStatus | None,
    dossier_id: str | None,
    limit: int,
    offset: int,
) -> list[DeliveryView]:
    """The client's webhook deliveries, oldest first, each with every attempt's outcome."""

    now = ctx.runtime.clock.now()

    def found(session: Session) -> list[DeliveryView]:
        rows = dispatch.find_deliveries(
            session,
            status=status,
            channel=WEBHOOK,
            target=client_id,
            dossier_id=dossier_id,
            limit=limit,
            offset=offset,
        )
        return dispatch.delivery_views(session, rows, now, ctx.limits)

    return await run_in_session(ctx.runtime.engine, found)


async def redeliver(ctx: NotificationsContext, client_id: str, delivery_id: str) -> list[str]:
    """Send one of the client's deliveries again from a fresh round of attempts, if it is done
    with (delivered, dead-lettered or cancelled); ``delivery-under-way`` otherwise."""
    now = ctx.runtime.clock.now()

    def queue(session: Session) -> list[str]:
        delivery = subscriptions.client_delivery(session, client_id, delivery_id)
        queued = dispatch.redeliver(session, [delivery], f"client {client_id}", now)
        if not queued:
            raise DELIVERY_UNDER_WAY(delivery_id=delivery_id, detail=delivery.status)
        return queued

    queued = await run_in_session(ctx.runtime.engine, queue)
    ctx.doorbell.ring()
    return queued
