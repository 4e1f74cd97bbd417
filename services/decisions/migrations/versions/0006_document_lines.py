"""the lines a bundle of certificates holds

Revision ID: 0006
Revises: 0005

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("decision_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lines", sa.JSON(), nullable=True))
    _record_the_lines_of_stored_bundles()


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("decision_document", schema=None) as batch_op:
        batch_op.drop_column("lines")


def _record_the_lines_of_stored_bundles() -> None:
    """A bundle stored so far held the lines standing when it was rendered: every line but those
    whose revocation was numbered before the bundle was stored."""
    bind = op.get_bind()
    documents = sa.table(
        "decision_document",
        sa.column("id", sa.String),
        sa.column("decision_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("created_at", UTCDateTime()),
        sa.column("lines", sa.JSON),
    )
    entries = sa.table(
        "decision_entry",
        sa.column("decision_id", sa.String),
        sa.column("line_number", sa.Integer),
        sa.column("revocation_id", sa.String),
    )
    decisions = sa.table("decision", sa.column("id", sa.String), sa.column("created_at", UTCDateTime()))
    bundles = bind.execute(sa.select(documents).where(documents.c.kind == "certificates")).all()
    for bundle in bundles:
        held = bind.execute(
            sa.select(entries.c.line_number)
            .select_from(entries.outerjoin(decisions, decisions.c.id == entries.c.revocation_id))
            .where(
                entries.c.decision_id == bundle.decision_id,
                sa.or_(entries.c.revocation_id.is_(None), decisions.c.created_at >= bundle.created_at),
            )
            .order_by(entries.c.line_number)
        ).scalars()
        bind.execute(documents.update().where(documents.c.id == bundle.id).values(lines=list(held)))
