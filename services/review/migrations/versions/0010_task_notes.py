"""reviewers' notes on tasks: comments and files; organisations' names; ended reviews

Issue 20: reviewers leave comments and files on a task, read by every organisation reviewing the
dossier (``review_note``); a note is refused once the dossier's review is over (``review_ended``,
filled from here on by the workflow's withdrawn/rejected/approved events, and now from the tasks a
withdrawal cancelled); notes show the reviewing organisation by name (``review_organisation_name``, from the tasks
opened from here on).

Revision ID: 0010
Revises: 0009

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_note",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("dossier_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("task_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("organisation_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("author_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("for_submitter", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_note_dossier", "review_note", ["dossier_id", "created_at"])
    op.create_table(
        "review_ended",
        sa.Column("dossier_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id"),
    )
    # the withdrawals the inbox already saw: their dossiers' reviews are over
    op.execute(
        "INSERT INTO review_ended (dossier_id, outcome, ended_at) "
        "SELECT dossier_id, 'withdrawn', MAX(completed_at) FROM review_task "
        "WHERE state = 'cancelled' AND completed_at IS NOT NULL GROUP BY dossier_id"
    )
    op.create_table(
        "review_organisation_name",
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.PrimaryKeyConstraint("organisation"),
    )


def downgrade() -> None:
    op.drop_table("review_organisation_name")
    op.drop_table("review_ended")
    op.drop_index("ix_review_note_dossier", table_name="review_note")
    op.drop_table("review_note")
