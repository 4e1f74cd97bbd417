"""Operators' commands on the notifications database (the database of the stack they run
beside, ``servicekit.settings.for_command``; the running dispatcher picks up what they queue at
its next poll). They run the service's own handlers (``handlers/operators.py``). Exit status 2
when that database is not there.

    python -m services.notifications.cli deliveries [--status dead] [--channel email] [--dossier ID]
    python -m services.notifications.cli redeliver ID [ID ...]
    python -m services.notifications.cli redeliver --dead [--channel webhook]
    python -m services.notifications.cli send-digests
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Sequence

from contracts.events import DeliveryChannel
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.commands import Refused, existing_database, refuse
from servicekit.settings import KitSettings, for_command
from services.notifications.channels.base import ChannelRegistry
from services.notifications.context import NotificationsContext, OperatorRuntime, build_context
from services.notifications.handlers import operators
from services.notifications.models import Delivery, DeliveryStatus
from services.notifications.rendering import Links, Renderer
from services.notifications.settings import SERVICE_NAME, NotificationsSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.notifications.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("deliveries", help="the delivery log, as JSON lines")
    listing.add_argument("--status", choices=[s.value for s in DeliveryStatus])
    listing.add_argument("--channel", choices=[c.value for c in DeliveryChannel])
    listing.add_argument("--dossier")
    again = commands.add_parser("redeliver", help="send deliveries again from a fresh round of attempts")
    again.add_argument("delivery_ids", nargs="*", metavar="ID")
    again.add_argument("--dead", action="store_true", help="every dead-lettered delivery")
    again.add_argument("--channel", choices=[c.value for c in DeliveryChannel])
    commands.add_parser("send-digests", help="send every held reminder digest now")
    return parser


def main(argv: Sequence[str] | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "redeliver" and not args.delivery_ids and not args.dead:
        parser.error("name the deliveries to redeliver, or --dead")
    settings = for_command(NotificationsSettings)
    try:
        engine = existing_database(SERVICE_NAME, settings, for_command(KitSettings), Delivery.__tablename__)
    except Refused as error:
        return refuse(error)
    renderer = Renderer(Links(settings.decisions_url.rstrip("/")))
    ctx = build_context(OperatorRuntime(engine, clock), settings, ChannelRegistry(), renderer)
    try:
        return asyncio.run(_run(ctx, args))
    finally:
        engine.dispose()


async def _run(ctx: NotificationsContext, args: argparse.Namespace) -> int:
    if args.command == "deliveries":
        views = await operators.list_deliveries(
            ctx,
            status=DeliveryStatus(args.status) if args.status else None,
            channel=args.channel,
            dossier_id=args.dossier,
        )
        for view in views:
            print(view.model_dump_json())
        return 0
    if args.command == "send-digests":
        count = await operators.send_digests_now(ctx)
        print(f"{count} held reminder(s) go out in digests at the dispatcher's next round")
        return 0
    done = await operators.redeliver(
        ctx,
        f"operator {getpass.getuser()}",
        delivery_ids=args.delivery_ids,
        dead=args.dead,
        channel=args.channel,
    )
    if done.missing:
        print(f"no such delivery: {', '.join(done.missing)}", file=sys.stderr)
        return 2
    print(json.dumps({"queued": done.queued, "left": done.left}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
