"""Verify the dossiers' audit trails (hash chains, ``domain.audit``) in intake's database:

    python -m services.intake.audit verify [--dossier ID]

Prints each dossier whose chain is broken, with the first entry that does not verify, and exits
1 if there is any; 0 when every chain holds; 2 when intake's database is not there. The database
is the one of the stack the command runs beside (``servicekit.settings.for_command``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from itertools import groupby

from sqlmodel import Session, col, select

from servicekit.commands import Refused, existing_database, refuse
from servicekit.settings import KitSettings, for_command
from services.intake.domain import audit
from services.intake.models import Dossier, DossierHistory
from services.intake.settings import SERVICE_NAME, IntakeSettings


def broken_chains(session: Session, dossier_id: str | None = None) -> tuple[int, dict[str, audit.ChainBreak]]:
    """How many dossiers were checked, and the first break of each broken chain."""
    statement = select(DossierHistory).order_by(col(DossierHistory.dossier_id), col(DossierHistory.id))
    heads = select(Dossier.id, Dossier.audit_head)
    if dossier_id is not None:
        statement = statement.where(DossierHistory.dossier_id == dossier_id)
        heads = heads.where(Dossier.id == dossier_id)
    chains = {
        dossier: [entry.model_dump() for entry in entries]
        for dossier, entries in groupby(session.exec(statement), key=lambda entry: entry.dossier_id)
    }
    broken = {}
    for dossier, head in session.exec(heads).all():
        found = audit.first_break(chains.get(dossier, []), head)
        if found is not None:
            broken[dossier] = found
    return len(chains), broken


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.intake.audit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check every dossier's chain (or one's)")
    verify.add_argument("--dossier")
    args = parser.parse_args(argv)
    try:
        engine = existing_database(
            SERVICE_NAME, for_command(IntakeSettings), for_command(KitSettings), DossierHistory.__tablename__
        )
    except Refused as error:
        return refuse(error)
    with Session(engine) as session:
        checked, broken = broken_chains(session, args.dossier)
    engine.dispose()
    for dossier, found in broken.items():
        print(f"BROKEN {dossier}: entry {found.position} ({found.event_id or '-'}) {found.reason}")
    print(f"{checked} dossier(s) checked, {len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
