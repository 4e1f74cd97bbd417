"""Example request bodies for the notifications API's documentation (Swagger UI's "Try it out")."""

from __future__ import annotations

from fastapi.openapi.models import Example

SUBSCRIPTION: dict[str, Example] = {
    "https-receiver": {
        "summary": "Notices about the client's dossiers to its system, in Vietnamese",
        "value": {"url": "https://he-thong.thcs-tantien.example.vn/tdkt/thong-bao", "language": "vi"},
    }
}

PREFERENCE: dict[str, Example] = {
    "daily-digest": {
        "summary": "Reminders in one digest a day (the README's example)",
        "value": {"digest_reminders": True},
    },
    "e-mail-elsewhere": {
        "summary": "Feed and e-mail to another mailbox, in English",
        "value": {
            "in_app": True,
            "email": True,
            "email_address": "van-thu@thcs-tantien.example.vn",
            "digest_reminders": False,
            "language": "en",
        },
    },
}

CHANNEL_PREFERENCE: dict[str, Example] = {
    "e-mail-elsewhere": {
        "summary": "E-mail on, to another mailbox",
        "value": {"enabled": True, "address": "van-thu@thcs-tantien.example.vn"},
    },
    "feed-off": {"summary": "No notices in the feed", "value": {"enabled": False}},
}
