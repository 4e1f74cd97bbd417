"""Operators' commands on the notifications database (the database of the stack they run
beside, ``servicekit.settings.for_command``; the running dispatcher picks up what they queue at
its next poll). Exit status 2 when that database is not there.

    python -m services.notifications.cli deliveries [--status dead] [--channel email] [--dossier ID]
    python -m services.notifications.cli redeliver ID [ID ...]
    python -m services.notifications.cli redeliver --dead [--channel webhook]
    python -m services.notifications.cli send-digests
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence

from sqlmodel import Session

from contracts.events import DeliveryChannel
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.commands import Refused, existing_database, refuse
from servicekit.settings import KitSettings, for_command
from services.notifications import service
from services.notifications.models import Delivery, DeliveryStatus
from services.notifications.settings import SERVICE_NAME, NotificationsSettings

MAX_LISTED = 1000


def main(argv: Sequence[str] | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
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
    args = parser.parse_args(argv)

    try:
        engine = existing_database(
            SERVICE_NAME, for_command(NotificationsSettings), for_command(KitSettings), Delivery.__tablename__
        )
    except Refused as error:
        return refuse(error)
    channel = DeliveryChannel(args.channel) if getattr(args, "channel", None) else None
    with Session(engine) as session:
        if args.command == "deliveries":
            rows = service.find_deliveries(
                session,
                status=DeliveryStatus(args.status) if args.status else None,
                channel=channel,
                dossier_id=args.dossier,
                limit=MAX_LISTED,
            )
            for view in service.delivery_views(session, rows):
                print(view.model_dump_json())
            return 0
        if args.command == "send-digests":
            count = service.send_digests_now(session, clock.now())
            session.commit()
            print(f"{count} held reminder(s) go out in digests at the dispatcher's next round")
            return 0
        if not args.delivery_ids and not args.dead:
            parser.error("name the deliveries to redeliver, or --dead")
        rows = service.find_deliveries(
            session,
            delivery_ids=args.delivery_ids,
            status=DeliveryStatus.DEAD if args.dead else None,
            channel=channel,
            limit=MAX_LISTED,
        )
        missing = set(args.delivery_ids) - {row.id for row in rows}
        if missing:
            print(f"no such delivery: {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
        queued = service.redeliver(session, rows, f"operator {getpass.getuser()}", clock.now())
        session.commit()
        print(json.dumps({"queued": queued, "left": [row.id for row in rows if row.id not in queued]}))
        return 0


if __name__ == "__main__":
    sys.exit(main())
