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
from services.notifications.secretbox import SecretBox


def subscription_view(subscription: WebhookSubscription, secret: str | None = None) -> SubscriptionView:
    """The subscription as its client reads it, with ``secret`` (in clear) when just made."""
    return SubscriptionView(
        client_id=subscription.client_id,
        url=subscription.url,
        language=subscription.language,
        active=subscription.active,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
        secret=secret,
    )


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def subscribe(
    session: Session, client_id: str, request: SubscriptionRequest, now: datetime, box: SecretBox
) -> tuple[SubscriptionView, bool]:
    """Make or change the client's subscription; the secret is returned when it is made (and
    stored sealed by ``box``)."""
    subscription = session.get(WebhookSubscription, client_id)
    secret: str | None = None
    if subscription is None:
        secret = new_secret()
        subscription = WebhookSubscription(
            client_id=client_id, url="", secret=box.seal(secret, client_id), created_at=now, updated_at=now
        )
    subscription.url = str(request.url)
    subscription.language = request.language
    subscription.active = request.active
    subscription.updated_at = now
    session.add(subscription)
    return subscription_view(subscription, secret), secret is not None


def own_subscription(session: Session, client_id: str) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, client_id)
    if subscription is None:
        raise NO_SUBSCRIPTION(client_id=client_id)
    return subscription


def rotate_secret(session: Session, client_id: str, now: datetime, box: SecretBox) -> SubscriptionView:
    """A new secret, stored sealed by ``box`` (by its first key), returned in clear this once."""
    subscription = own_subscription(session, client_id)
    secret = new_secret()
    subscription.secret = box.seal(secret, client_id)
    subscription.updated_at = now
    session.add(subscription)
    return subscription_view(subscription, secret)


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
