"""Preferences (``/v1/preferences/{recipient}``; ``handlers/preferences.py``): the organisation's
are its leader's, a role's its holders'; the first version's form (feed, e-mail, address, digest,
language) and one channel at a time — and notices follow them."""

from __future__ import annotations

from contracts.events import DossierRejected, ReviewStepKind
from contracts.topics import Topic
from tests.service.conftest import Tokens
from tests.service.notifications.conftest import ORGANISATION_MAILBOX, Notifications
from tests.support import events

PATH = f"/v1/preferences/{events.ORGANISATION}"


async def test_a_recipient_that_chose_nothing_gets_everything_by_default(
    notifier: Notifications, tokens: Tokens
) -> None:
    view = (await notifier.http.get(PATH, headers=tokens.staff(events.ORGANISATION, "leader"))).json()
    assert view == {
        "recipient": events.ORGANISATION,
        "in_app": True,
        "email": True,
        "email_address": None,
        "digest_reminders": False,
        "language": "vi",
        "updated_at": None,
        "channels": [
            {"channel": "email", "enabled": True, "address": None},
            {"channel": "in_app", "enabled": True, "address": None},
        ],
    }


async def test_the_leader_turns_the_feed_off_and_sends_english_mail_elsewhere(
    notifier: Notifications, tokens: Tokens
) -> None:
    leader = tokens.staff(events.ORGANISATION, "leader", subject="lanh-dao")
    chosen = {"in_app": False, "email_address": "khac@ah-ds-tt.example.vn", "language": "en"}
    saved = (await notifier.http.put(PATH, json=chosen, headers=leader)).json()
    assert (saved["in_app"], saved["email"], saved["email_address"], saved["language"]) == (
        False,
        True,
        "khac@ah-ds-tt.example.vn",
        "en",
    )
    assert saved["updated_at"].startswith("2026-03-02T02:00:00")
    assert (await notifier.http.get(PATH, headers=leader)).json() == saved

    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, "d-1", "Chưa tiêu biểu"))
    await notifier.settle()
    (mail,) = notifier.mail.sent
    assert (mail["To"], mail["Subject"]) == ("khac@ah-ds-tt.example.vn", "Dossier d-1 rejected")
    feed = (await notifier.http.get("/v1/feed", headers=leader)).json()
    assert feed["total"] == 0, "the feed is off"


async def test_an_organisation_that_turned_email_off_is_not_mailed_for_its_roles(
    notifier: Notifications, tokens: Tokens
) -> None:
    leader = tokens.staff("AH-DS", "leader")
    assert (
        await notifier.http.put("/v1/preferences/AH-DS", json={"email": False}, headers=leader)
    ).status_code == 200
    for step in (
        ReviewStepKind.RECEIPT,
        ReviewStepKind.APPRAISAL,
    ):  # clerk: the office's mailbox; officer: its own
        await notifier.deliver(Topic.REVIEW_EVENTS, events.task_opened("d-1", 1, step))
    await notifier.settle()
    assert [m["To"] for m in notifier.mail.sent] == ["chuyen-vien@ah-ds.example.vn"]


async def test_officers_manage_their_roles_and_the_leader_the_organisation(
    notifier: Notifications, tokens: Tokens
) -> None:
    clerk = tokens.staff(events.ORGANISATION, "clerk")
    own = await notifier.http.put(f"{PATH}%23clerk", json={"email": False}, headers=clerk)
    assert (own.status_code, own.json()["recipient"]) == (200, "AH-DS-TT#clerk")
    for path, headers in [
        (PATH, clerk),
        (f"{PATH}%23officer", clerk),
        ("/v1/preferences/AH-DS", tokens.staff(events.ORGANISATION, "leader")),
    ]:
        for response in (
            await notifier.http.get(path, headers=headers),
            await notifier.http.put(path, json={}, headers=headers),
            await notifier.http.put(f"{path}/channels/email", json={}, headers=headers),
        ):
            assert response.status_code == 403, response.text
            problem = response.json()
            assert problem["code"] == "not-your-recipient"
            recipient = path.removeprefix("/v1/preferences/").replace("%23", "#")
            assert recipient in problem["message_vi"] and recipient in problem["message_en"]
    assert (await notifier.http.get(PATH)).status_code == 401


async def test_one_channel_at_a_time(notifier: Notifications, tokens: Tokens) -> None:
    leader = tokens.staff(events.ORGANISATION, "leader")
    await notifier.http.put(PATH, json={"digest_reminders": True, "language": "en"}, headers=leader)
    response = await notifier.http.put(
        f"{PATH}/channels/email", json={"address": " rieng@ah-ds-tt.example.vn "}, headers=leader
    )
    assert response.status_code == 200, response.text
    view = response.json()
    assert (view["email_address"], view["digest_reminders"], view["language"]) == (
        "rieng@ah-ds-tt.example.vn",
        True,
        "en",
    ), "the other choices stay"
    off = (await notifier.http.put(f"{PATH}/channels/in_app", json={"enabled": False}, headers=leader)).json()
    assert (off["in_app"], off["email_address"]) == (False, "rieng@ah-ds-tt.example.vn")
    assert off["channels"] == [
        {"channel": "email", "enabled": True, "address": "rieng@ah-ds-tt.example.vn"},
        {"channel": "in_app", "enabled": False, "address": None},
    ]
    await notifier.deliver(Topic.REVIEW_EVENTS, events.closed(DossierRejected, "d-1", "Chưa tiêu biểu"))
    await notifier.settle()
    assert [m["To"] for m in notifier.mail.sent] == ["rieng@ah-ds-tt.example.vn"]
    assert notifier.mail.to(ORGANISATION_MAILBOX) == []


async def test_a_channel_recipients_do_not_choose_or_an_address_it_cannot_use_is_refused(
    notifier: Notifications, tokens: Tokens
) -> None:
    leader = tokens.staff(events.ORGANISATION, "leader")
    for channel in ("sms", "webhook"):
        response = await notifier.http.put(f"{PATH}/channels/{channel}", json={}, headers=leader)
        assert response.status_code == 404
        problem = response.json()
        assert problem["code"] == "unknown-channel"
        assert f"“{channel}”" in problem["message_en"] and "email, in_app" in problem["message_vi"]
    for channel, address in (("email", "not-a-mailbox"), ("in_app", "anything")):
        response = await notifier.http.put(
            f"{PATH}/channels/{channel}", json={"address": address}, headers=leader
        )
        assert response.status_code == 422
        problem = response.json()
        assert problem["code"] == "invalid-channel-address"
        assert address in problem["message_vi"] and channel in problem["message_en"]
    assert (await notifier.http.get(PATH, headers=leader)).json()["updated_at"] is None, "nothing saved"
