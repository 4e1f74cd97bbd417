"""Notifications' HTTP API, a thin adapter: the in-app feed and preferences (officers' staff
tokens), webhook subscriptions and their delivery log (integrating systems' client tokens). Each
endpoint parses, calls one handler (``handlers/``) and returns its result."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request, Response, status
from pydantic import BaseModel

from contracts.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, DossierNotice
from servicekit.auth import INTEGRATOR_TOKEN_SCHEME, STAFF_TOKEN_SCHEME, Staff
from servicekit.db import MAX_PAGE_OFFSET
from servicekit.problems import error_responses
from servicekit.refusals import AUTHENTICATION, STAFF_AUTHENTICATION
from services.notifications import examples
from services.notifications.context import NotificationsContext
from services.notifications.errors import (
    DELIVERY_NOT_FOUND,
    DELIVERY_UNDER_WAY,
    INSECURE_WEBHOOK_URL,
    INVALID_CHANNEL_ADDRESS,
    NO_SUBSCRIPTION,
    NOT_YOUR_RECIPIENT,
    NOTIFICATION_NOT_FOUND,
    UNKNOWN_CHANNEL,
    WEBHOOK_URL_NOT_PUBLIC,
)
from services.notifications.handlers import feed as feed_handlers
from services.notifications.handlers import preferences as preference_handlers
from services.notifications.handlers import webhooks as webhook_handlers
from services.notifications.models import (
    ChannelPreferenceUpdate,
    DeliveryStatus,
    DeliveryView,
    FeedPage,
    PreferenceUpdate,
    PreferenceView,
    ReadMarks,
    SubscriptionRequest,
    SubscriptionView,
)


class MarkedCount(BaseModel):
    changed: int


class Redelivered(BaseModel):
    queued: list[str]


def context(request: Request) -> NotificationsContext:
    ctx: NotificationsContext = request.app.state.context
    return ctx


Ctx = Annotated[NotificationsContext, Depends(context)]


def officer(request: Request, ctx: Ctx, _scheme: Annotated[Any, Depends(STAFF_TOKEN_SCHEME)]) -> Staff:
    return Staff.from_principal(ctx.authenticate_staff(request))


def client_id(request: Request, ctx: Ctx, _scheme: Annotated[Any, Depends(INTEGRATOR_TOKEN_SCHEME)]) -> str:
    return ctx.authenticate_client(request).client()


Officer = Annotated[Staff, Depends(officer)]
ClientId = Annotated[str, Depends(client_id)]

router = APIRouter(prefix="/v1")


# --- feed ----------------------------------------------------------------------------------


@router.get(
    "/feed",
    tags=["feed"],
    summary="The caller's notices, newest first",
    responses=error_responses(*STAFF_AUTHENTICATION),
)
async def feed(
    ctx: Ctx,
    staff: Officer,
    scope: Annotated[
        Literal["me", "organisation"],
        Query(description="`me`: the organisation's and the caller's roles'; `organisation`: its own only"),
    ] = "me",
    unread: Annotated[bool, Query(description="Only those the caller has not read")] = False,
    dossier_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
) -> FeedPage:
    return await feed_handlers.read_feed(
        ctx,
        staff,
        organisation_only=scope == "organisation",
        unread_only=unread,
        dossier_id=dossier_id,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/feed/read",
    tags=["feed"],
    summary="Mark notices read (or unread again); all of the caller's when none are named",
    responses=error_responses(NOTIFICATION_NOT_FOUND, *STAFF_AUTHENTICATION),
)
async def mark(ctx: Ctx, staff: Officer, marks: ReadMarks) -> MarkedCount:
    return MarkedCount(changed=await feed_handlers.mark_read(ctx, staff, marks))


# --- preferences ---------------------------------------------------------------------------


@router.get(
    "/preferences/{recipient}",
    tags=["preferences"],
    summary="How a recipient (organisation code or `<code>#<role>`) is notified",
    responses=error_responses(NOT_YOUR_RECIPIENT, *STAFF_AUTHENTICATION),
)
async def get_preference(ctx: Ctx, staff: Officer, recipient: str) -> PreferenceView:
    return await preference_handlers.get_preference(ctx, staff, recipient)


@router.put(
    "/preferences/{recipient}",
    tags=["preferences"],
    summary="Turn channels on or off, set the address and language, ask for a daily reminder digest",
    responses=error_responses(NOT_YOUR_RECIPIENT, *STAFF_AUTHENTICATION),
)
async def put_preference(
    ctx: Ctx,
    staff: Officer,
    recipient: str,
    update: Annotated[PreferenceUpdate, Body(openapi_examples=examples.PREFERENCE)],
) -> PreferenceView:
    return await preference_handlers.set_preference(ctx, staff, recipient, update)


@router.put(
    "/preferences/{recipient}/channels/{channel}",
    tags=["preferences"],
    summary="Turn one channel on or off and set its address; the other channels stay as they are",
    description="`channel` is one of the channels recipients choose (the answer's `channels`: `in_app`, "
    "`email`, …); the address is the channel's own kind (a mailbox for `email`; the feed has none).",
    responses=error_responses(
        NOT_YOUR_RECIPIENT, UNKNOWN_CHANNEL, INVALID_CHANNEL_ADDRESS, *STAFF_AUTHENTICATION
    ),
)
async def put_channel_preference(
    ctx: Ctx,
    staff: Officer,
    recipient: str,
    channel: str,
    update: Annotated[ChannelPreferenceUpdate, Body(openapi_examples=examples.CHANNEL_PREFERENCE)],
) -> PreferenceView:
    return await preference_handlers.set_channel_preference(ctx, staff, recipient, channel, update)


# --- webhooks ------------------------------------------------------------------------------


@router.put(
    "/webhooks/subscription",
    tags=["webhooks"],
    summary="Subscribe (or change the subscription) to notices about the client's dossiers",
    description=(
        "The signing secret is in the answer when the subscription is made (201), and never "
        "again; `POST /v1/webhooks/subscription/secret` rotates it."
    ),
    responses={
        **error_responses(INSECURE_WEBHOOK_URL, WEBHOOK_URL_NOT_PUBLIC, *AUTHENTICATION),
        201: {"model": SubscriptionView},
    },
)
async def subscribe(
    ctx: Ctx,
    client: ClientId,
    request: Annotated[SubscriptionRequest, Body(openapi_examples=examples.SUBSCRIPTION)],
    response: Response,
) -> SubscriptionView:
    view, created = await webhook_handlers.subscribe(ctx, client, request)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return view


@router.get(
    "/webhooks/subscription",
    tags=["webhooks"],
    summary="The client's subscription (without the secret)",
    responses=error_responses(NO_SUBSCRIPTION, *AUTHENTICATION),
)
async def get_subscription(ctx: Ctx, client: ClientId) -> SubscriptionView:
    return await webhook_handlers.get_subscription(ctx, client)


@router.delete(
    "/webhooks/subscription",
    tags=["webhooks"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unsubscribe; deliveries not yet made are cancelled",
    responses=error_responses(NO_SUBSCRIPTION, *AUTHENTICATION),
)
async def unsubscribe(ctx: Ctx, client: ClientId) -> None:
    await webhook_handlers.unsubscribe(ctx, client)


@router.post(
    "/webhooks/subscription/secret",
    tags=["webhooks"],
    summary="Rotate the signing secret; the new one is in the answer",
    responses=error_responses(NO_SUBSCRIPTION, *AUTHENTICATION),
)
async def rotate(ctx: Ctx, client: ClientId) -> SubscriptionView:
    return await webhook_handlers.rotate_secret(ctx, client)


@router.get(
    "/webhooks/deliveries",
    tags=["webhooks"],
    summary="The delivery log of the client's webhooks: every attempt and its outcome",
    responses=error_responses(*AUTHENTICATION),
)
async def deliveries(
    ctx: Ctx,
    client: ClientId,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    dossier_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
) -> list[DeliveryView]:
    return await webhook_handlers.deliveries(
        ctx, client, status=delivery_status, dossier_id=dossier_id, limit=limit, offset=offset
    )


@router.post(
    "/webhooks/deliveries/{delivery_id}/redeliver",
    tags=["webhooks"],
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a delivery again (dead-lettered, delivered or cancelled) from a fresh round of attempts",
    responses=error_responses(DELIVERY_NOT_FOUND, DELIVERY_UNDER_WAY, *AUTHENTICATION),
)
async def redeliver(ctx: Ctx, client: ClientId, delivery_id: str) -> Redelivered:
    return Redelivered(queued=await webhook_handlers.redeliver(ctx, client, delivery_id))


def document_webhooks(app: FastAPI) -> None:
    """The request a subscriber receives, in the OpenAPI document's ``webhooks`` section."""

    @app.webhooks.post(
        "dossier-notice",
        summary="A notice about one of the client's dossiers",
        description=(
            f"`{SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + raw body>` under the "
            f"subscription's secret; refuse a `t` more than 5 minutes from your clock. `{DELIVERY_HEADER}` "
            "is the same on every attempt of one delivery; the event `id` the same on every delivery of "
            "one notice. Answer 2xx within 20 s; anything else is retried with exponential backoff, then "
            "dead-lettered (see the delivery log)."
        ),
    )
    def dossier_notice(notice: DossierNotice) -> None:
        """Documentation only: the platform sends this; it does not serve it."""
