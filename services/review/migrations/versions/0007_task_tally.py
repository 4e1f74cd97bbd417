"""task tally: the inbox's counts by state without counting the tasks

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
    op.create_table(
        "review_task_tally",
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("award_code", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organisation", "level", "role", "award_code", "state"),
    )
    # the tasks already there; an absent role or organisation is tallied as '' (models.NO_VALUE)
    op.execute(
        "INSERT INTO review_task_tally (organisation, level, role, award_code, state, tasks) "
        "SELECT COALESCE(organisation, ''), level, COALESCE(role, ''), award_code, state, COUNT(*) "
        "FROM review_task GROUP BY COALESCE(organisation, ''), level, COALESCE(role, ''), award_code, state"
    )


def downgrade() -> None:
    op.drop_table("review_task_tally")
