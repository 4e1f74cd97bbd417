"""Integrating systems' webhook subscriptions: one per client — its URL, signing secret (shown once,
when made or rotated), language and ``active`` flag — and the client's view of its deliveries."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session

from services.notifications.channels.webhook import NAME as WEBHOOK
from services.notifications.dispatch import find_deliveries, log_delivery
from services.notifications.errors import DELIVERY_NOT_FOUND, NO_SUBSCRIPTION
from services.notifications.models import (
    Delivery,
    DeliveryOutcome,
    DeliveryStatus,
    SubscriptionRequest,
    SubscriptionView,
    WebhookSubscription,
)


def subscription_view(subscription: WebhookSubscription, with_secret: bool = False) -> SubscriptionView:
    return SubscriptionView(
        client_id=subscription.client_id,
        url=subscription.url,
        language=subscription.language,
        active=subscription.active,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
        secret=subscription.secret if with_secret else None,
    )


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def subscribe(
    session: Session, client_id: str, request: SubscriptionRequest, now: datetime
) -> tuple[SubscriptionView, bool]:
    """Make or change the client's subscription; the secret is returned when it is made."""
    subscription = session.get(WebhookSubscription, client_id)
    created = subscription is None
    if subscription is None:
        subscription = WebhookSubscription(
            client_id=client_id, url="", secret=new_secret(), created_at=now, updated_at=now
        )
    subscription.url = str(request.url)
    subscription.language = request.language
    subscription.active = request.active
    subscription.updated_at = now
    session.add(subscription)
    return subscription_view(subscription, with_secret=created), created


def own_subscription(session: Session, client_id: str) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, client_id)
    if subscription is None:
        raise NO_SUBSCRIPTION(client_id=client_id)
    return subscription


def rotate_secret(session: Session, client_id: str, now: datetime) -> SubscriptionView:
    subscription = own_subscription(session, client_id)
    subscription.secret = new_secret()
    subscription.updated_at = now
    session.add(subscription)
    return subscription_view(subscription, with_secret=True)


def unsubscribe(session: Session, client_id: str, now: datetime) -> None:
    """End the subscription and cancel its deliveries still to be sent."""
    session.delete(own_subscription(session, client_id))
    waiting = find_deliveries(
        session, status=DeliveryStatus.PENDING, channel=WEBHOOK, target=client_id, limit=100_000
    )
    for delivery in waiting:
        delivery.status = DeliveryStatus.CANCELLED
        session.add(delivery)
        log_delivery(session, delivery.id, DeliveryOutcome.CANCELLED, now, detail="the client unsubscribed")


def client_delivery(session: Session, client_id: str, delivery_id: str) -> Delivery:
    """One of the client's webhook deliveries."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.channel != WEBHOOK or delivery.target != client_id:
        raise DELIVERY_NOT_FOUND(delivery_id=delivery_id, client_id=client_id)
    return delivery
