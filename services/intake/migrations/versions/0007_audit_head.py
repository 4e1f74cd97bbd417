"""audit head

Revision ID: 0007
Revises: 0006

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The dossier keeps the hash of its last history entry (the chain's head)."""
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "audit_head", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""
            )
        )
    op.execute(
        "UPDATE dossier SET audit_head = COALESCE((SELECT h.entry_hash FROM dossier_history h "
        "WHERE h.dossier_id = dossier.id ORDER BY h.id DESC LIMIT 1), '')"
    )


def downgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("audit_head")
