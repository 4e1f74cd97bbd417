"""attachment document code

Revision ID: 0008
Revises: 0007

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Each attachment names its document type; the files uploaded before were untyped, so they are
    ``OTHER`` (tài liệu khác) and count toward no required document until uploaded again typed."""
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "document_code",
                sqlmodel.sql.sqltypes.AutoString(length=50),
                nullable=False,
                server_default="OTHER",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_column("document_code")
