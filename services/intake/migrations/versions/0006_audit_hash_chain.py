"""audit hash chain

Revision ID: 0006
Revises: 0005

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from services.intake.domain import audit

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the chain's columns and link the entries already recorded, in the order recorded."""
    with op.batch_alter_table("dossier_history", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "previous_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "entry_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""
            )
        )
    history = sa.table(
        "dossier_history",
        sa.column("id", sa.Integer),
        *(sa.column(name) for name in audit.HASHED_FIELDS if name != "occurred_at"),
        sa.column("occurred_at", sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column("previous_hash", sa.String),
        sa.column("entry_hash", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(history).order_by(history.c.dossier_id, history.c.id)).mappings().all()
    heads: dict[str, str] = {}
    for row in rows:
        previous = heads.get(row["dossier_id"], audit.GENESIS)
        linked = audit.entry_hash(previous, row)
        bind.execute(
            history.update()
            .where(history.c.id == row["id"])
            .values(previous_hash=previous, entry_hash=linked)
        )
        heads[row["dossier_id"]] = linked


def downgrade() -> None:
    with op.batch_alter_table("dossier_history", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("previous_hash")
