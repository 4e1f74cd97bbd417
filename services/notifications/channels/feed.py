"""The in-app feed (``GET /v1/feed``): officers read their organisation's and their roles' notices.

It reaches the audiences of officers — an organisation or one of its roles — unless they turned
the feed off; not nominees nor integrating systems, who have no feed. It is not queued: a notice
it addresses is in the feed once recorded (``Notification.in_feed``, announced by
``notification.sent``), so there is nothing to send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.notifications.channels.base import (
    Address,
    AddressBook,
    ChannelSetup,
    NoRoute,
    Notice,
    Outgoing,
    Payload,
    SendFailed,
)
from services.notifications.domain import NoticeDraft, organisation_of

NAME = "in_app"


class FeedChannel:
    name = NAME
    queued = False
    digests = False
    chosen_by_recipients = True

    def address(self, draft: NoticeDraft, book: AddressBook) -> Address | None:
        if organisation_of(draft.audience) is None or not book.choice(draft.audience, NAME).enabled:
            return None
        return Address(draft.audience, owner=draft.audience)

    def render(self, notice: Notice, address: Address) -> Payload:
        """The feed entry is the notice itself."""
        return Payload(subject=notice.subject, body=notice.body)

    def route(self, target: str, book: AddressBook) -> Mapping[str, Any] | NoRoute:
        return NoRoute("the feed is not sent: a notice is in it once recorded")

    async def send(self, outgoing: Outgoing) -> str:
        raise SendFailed("the feed is not sent: a notice is in it once recorded")

    def parse_address(self, text: str) -> str:
        raise ValueError("the feed has no address: it is the officers' own")


def build(setup: ChannelSetup) -> FeedChannel:
    return FeedChannel()
