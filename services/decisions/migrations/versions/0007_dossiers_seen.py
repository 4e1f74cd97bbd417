"""what the service has seen of each dossier on the bus, to match approvals against

Revision ID: 0007
Revises: 0006

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "dossier_seen",
        sa.Column("dossier_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("award_code", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("submitting_organisation", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=True),
        sa.Column("nominees", sa.JSON(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("review_seen_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("dossier_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("dossier_seen")
