"""Notifications' HTTP API: the in-app feed and preferences (officers' staff tokens), webhook
subscriptions and their delivery log (integrating systems' client tokens)."""

import asyncio
import ipaddress
import socket
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Response, status
from pydantic import BaseModel

from contracts.events import DeliveryChannel
from contracts.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, DossierNotice
from servicekit.auth import (
    INTEGRATOR_READ_SCOPE,
    INTEGRATOR_TOKEN_AUDIENCE,
    STAFF_SCOPE,
    STAFF_TOKEN_AUDIENCE,
    AuthSettings,
    Principal,
    Staff,
    TokenService,
)
from servicekit.db import MAX_PAGE_OFFSET, run_in_session
from servicekit.problems import ProblemError, problem_responses
from servicekit.service import ServiceRuntime
from services.notifications import examples, service
from services.notifications.domain import LEADER_ROLE, role_audience
from services.notifications.flows import Dispatcher
from services.notifications.models import (
    DeliveryStatus,
    DeliveryView,
    FeedPage,
    PreferenceUpdate,
    PreferenceView,
    ReadMarks,
    SubscriptionRequest,
    SubscriptionView,
)
from services.notifications.settings import NotificationsSettings

AUTH_ERRORS = problem_responses(401, 403)


class MarkedCount(BaseModel):
    changed: int


class Redelivered(BaseModel):
    queued: list[str]


def resolves_to_public_addresses(host: str) -> bool:
    """Every address ``host`` resolves to is a public one: the platform must not be made to call
    its own network (SSRF)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(address).is_global for address in addresses)


def staff_audiences(staff: Staff) -> list[str]:
    """What an officer's feed shows: their organisation's notices and their roles' in it."""
    return [staff.organisation, *(role_audience(staff.organisation, role) for role in sorted(staff.roles))]


def may_manage(staff: Staff, recipient: str) -> bool:
    """Officers manage their roles' preferences; the organisation's own are its leader's."""
    organisation, _, role = recipient.partition("#")
    if organisation != staff.organisation:
        return False
    return LEADER_ROLE in staff.roles or (bool(role) and role in staff.roles)


def build_router(
    runtime: ServiceRuntime, settings: NotificationsSettings, dispatcher: Dispatcher
) -> APIRouter:
    router = APIRouter(prefix="/v1")
    staff_tokens = TokenService(AuthSettings(), STAFF_TOKEN_AUDIENCE, runtime.clock)
    client_tokens = TokenService(AuthSettings(), INTEGRATOR_TOKEN_AUDIENCE, runtime.clock)
    staff_principal = staff_tokens.authenticator(STAFF_SCOPE)
    client_principal = client_tokens.authenticator(INTEGRATOR_READ_SCOPE)

    def officer(principal: Annotated[Principal, Depends(staff_principal)]) -> Staff:
        return Staff.from_principal(principal)

    def client_id(principal: Annotated[Principal, Depends(client_principal)]) -> str:
        return principal.subject

    Officer = Annotated[Staff, Depends(officer)]
    ClientId = Annotated[str, Depends(client_id)]

    # --- feed ------------------------------------------------------------------------------

    @router.get("/feed", tags=["feed"], summary="The caller's notices, newest first", responses=AUTH_ERRORS)
    async def feed(
        staff: Officer,
        scope: Annotated[
            Literal["me", "organisation"],
            Query(
                description="`me`: the organisation's and the caller's roles'; `organisation`: its own only"
            ),
        ] = "me",
        unread: Annotated[bool, Query(description="Only those the caller has not read")] = False,
        dossier_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
    ) -> FeedPage:
        audiences = [staff.organisation] if scope == "organisation" else staff_audiences(staff)
        return await run_in_session(
            runtime.engine,
            lambda session: service.feed(
                session,
                audiences,
                staff.subject,
                unread_only=unread,
                dossier_id=dossier_id,
                limit=limit,
                offset=offset,
            ),
        )

    @router.post(
        "/feed/read",
        tags=["feed"],
        summary="Mark notices read (or unread again); all of the caller's when none are named",
        responses={**AUTH_ERRORS, **problem_responses(404)},
    )
    async def mark(staff: Officer, marks: ReadMarks) -> MarkedCount:
        changed = await run_in_session(
            runtime.engine,
            lambda session: service.mark_read(
                session,
                staff_audiences(staff),
                staff.subject,
                marks.notification_ids,
                marks.read,
                runtime.clock.now(),
            ),
        )
        return MarkedCount(changed=changed)

    # --- preferences -----------------------------------------------------------------------

    def managed(staff: Staff, recipient: str) -> str:
        if not may_manage(staff, recipient):
            raise ProblemError(
                403,
                "not-your-recipient",
                "Cán bộ chỉ quản lý nhận thông báo của vai trò mình; của đơn vị là lãnh đạo đơn vị.",
                "Officers manage their own roles' notices; the organisation's are its leader's.",
            )
        return recipient

    @router.get(
        "/preferences/{recipient}",
        tags=["preferences"],
        summary="How a recipient (organisation code or `<code>#<role>`) is notified",
        responses=AUTH_ERRORS,
    )
    async def get_preference(staff: Officer, recipient: str) -> PreferenceView:
        managed(staff, recipient)
        return await run_in_session(
            runtime.engine,
            lambda session: service.preference_view(
                service.preference_of(session, recipient), stored=service.has_preference(session, recipient)
            ),
        )

    @router.put(
        "/preferences/{recipient}",
        tags=["preferences"],
        summary="Turn channels on or off, set the address and language, ask for a daily reminder digest",
        responses=AUTH_ERRORS,
    )
    async def put_preference(
        staff: Officer,
        recipient: str,
        update: Annotated[PreferenceUpdate, Body(openapi_examples=examples.PREFERENCE)],
    ) -> PreferenceView:
        managed(staff, recipient)
        return await runtime.write(
            lambda session: service.set_preference(
                session, recipient, update, staff.subject, runtime.clock.now()
            )
        )

    # --- webhooks --------------------------------------------------------------------------

    async def checked(request: SubscriptionRequest) -> SubscriptionRequest:
        if settings.webhook_allow_http:  # development and tests: local receivers on http
            return request
        if request.url.scheme != "https":
            raise ProblemError(
                422,
                "insecure-webhook-url",
                "Địa chỉ webhook phải dùng https.",
                "The webhook URL must use https.",
            )
        if not await asyncio.to_thread(resolves_to_public_addresses, request.url.host or ""):
            raise ProblemError(
                422,
                "webhook-url-not-public",
                "Địa chỉ webhook phải là địa chỉ công khai trên Internet, không phải mạng nội bộ.",
                "The webhook URL must resolve to public addresses, not loopback or private networks.",
            )
        return request

    @router.put(
        "/webhooks/subscription",
        tags=["webhooks"],
        summary="Subscribe (or change the subscription) to notices about the client's dossiers",
        description=(
            "The signing secret is in the answer when the subscription is made (201), and never "
            "again; `POST /v1/webhooks/subscription/secret` rotates it."
        ),
        responses={**AUTH_ERRORS, **problem_responses(422), 201: {"model": SubscriptionView}},
    )
    async def subscribe(
        client: ClientId,
        request: Annotated[SubscriptionRequest, Body(openapi_examples=examples.SUBSCRIPTION)],
        response: Response,
    ) -> SubscriptionView:
        await checked(request)
        view, created = await run_in_session(
            runtime.engine, lambda session: service.subscribe(session, client, request, runtime.clock.now())
        )
        response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return view

    @router.get(
        "/webhooks/subscription",
        tags=["webhooks"],
        summary="The client's subscription (without the secret)",
        responses={**AUTH_ERRORS, **problem_responses(404)},
    )
    async def get_subscription(client: ClientId) -> SubscriptionView:
        return await run_in_session(
            runtime.engine,
            lambda session: service.subscription_view(service.own_subscription(session, client)),
        )

    @router.delete(
        "/webhooks/subscription",
        tags=["webhooks"],
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Unsubscribe; deliveries not yet made are cancelled",
        responses={**AUTH_ERRORS, **problem_responses(404)},
    )
    async def unsubscribe(client: ClientId) -> None:
        await run_in_session(
            runtime.engine, lambda session: service.unsubscribe(session, client, runtime.clock.now())
        )

    @router.post(
        "/webhooks/subscription/secret",
        tags=["webhooks"],
        summary="Rotate the signing secret; the new one is in the answer",
        responses={**AUTH_ERRORS, **problem_responses(404)},
    )
    async def rotate(client: ClientId) -> SubscriptionView:
        return await run_in_session(
            runtime.engine, lambda session: service.rotate_secret(session, client, runtime.clock.now())
        )

    @router.get(
        "/webhooks/deliveries",
        tags=["webhooks"],
        summary="The delivery log of the client's webhooks: every attempt and its outcome",
        responses=AUTH_ERRORS,
    )
    async def deliveries(
        client: ClientId,
        delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
        dossier_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
    ) -> list[DeliveryView]:
        def found(session):  # type: ignore[no-untyped-def]
            rows = service.find_deliveries(
                session,
                status=delivery_status,
                channel=DeliveryChannel.WEBHOOK,
                target=client,
                dossier_id=dossier_id,
                limit=limit,
                offset=offset,
            )
            return service.delivery_views(session, rows)

        return await run_in_session(runtime.engine, found)

    @router.post(
        "/webhooks/deliveries/{delivery_id}/redeliver",
        tags=["webhooks"],
        status_code=status.HTTP_202_ACCEPTED,
        summary="Send a delivery again (dead-lettered, delivered or cancelled) from a fresh round of attempts",
        responses={**AUTH_ERRORS, **problem_responses(404, 409)},
    )
    async def redeliver(client: ClientId, delivery_id: str) -> Redelivered:
        def queue(session):  # type: ignore[no-untyped-def]
            delivery = service.client_delivery(session, client, delivery_id)
            queued = service.redeliver(session, [delivery], f"client {client}", runtime.clock.now())
            if not queued:
                raise ProblemError(
                    409,
                    "delivery-under-way",
                    "Lần gửi này đang chờ gửi hoặc đang gửi.",
                    "This delivery is still on its way.",
                    detail=delivery.status,
                )
            return queued

        queued = await run_in_session(runtime.engine, queue)
        dispatcher.wake()
        return Redelivered(queued=queued)

    return router


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
