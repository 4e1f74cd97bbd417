"""names people read

Revision ID: 0003
Revises: 0002

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The names a submission gives (kept per dossier), and the recipient's name and the
    attachment's file name of a delivery."""
    with op.batch_alter_table("dossier_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("names", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attachment_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("recipient_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("recipient_name")
        batch_op.drop_column("attachment_name")
    with op.batch_alter_table("dossier_record", schema=None) as batch_op:
        batch_op.drop_column("names")
