"""the staff directory: officers as review has seen them

An assignee must be a known officer of the task's organisation holding the step's role (issue 20:
a leader could assign a task to "ghost" and block it); review keeps each officer as their token
last named them.

Revision ID: 0009
Revises: 0008

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_staff_member",
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    op.create_index("ix_review_staff_member_organisation", "review_staff_member", ["organisation"])


def downgrade() -> None:
    op.drop_index("ix_review_staff_member_organisation", table_name="review_staff_member")
    op.drop_table("review_staff_member")
