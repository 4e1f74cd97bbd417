"""registers per issuing organisation

Revision ID: 0002
Revises: 0001

Numbering registers were keyed by issuer code, which every People's Committee shares ("UBND");
they are now keyed by the issuing organisation. Existing registers are rebuilt from the decisions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSITION_CONSTRAINT = "uq_decision_register_position"
# 0001 created this unique constraint unnamed: PostgreSQL named it itself; on SQLite a naming
# convention gives batch mode a name to drop it by.
OLD_CONSTRAINT = {
    "postgresql": "decision_issuer_code_year_sequence_key",
    "sqlite": "uq_decision_issuer_code_year_sequence",
}
SQLITE_NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("decision", naming_convention=SQLITE_NAMING) as batch_op:
        batch_op.drop_constraint(OLD_CONSTRAINT[dialect], type_="unique")
        batch_op.create_unique_constraint(POSITION_CONSTRAINT, ["deciding_organisation", "year", "sequence"])
    op.drop_table("decision_register")
    op.create_table(
        "decision_register",
        sa.Column("organisation_code", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organisation_code", "year"),
    )
    op.execute(
        "INSERT INTO decision_register (organisation_code, year, last_sequence) "
        "SELECT deciding_organisation, year, MAX(sequence) FROM decision GROUP BY deciding_organisation, year"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("decision_register")
    op.create_table(
        "decision_register",
        sa.Column("issuer_code", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("issuer_code", "year"),
    )
    op.execute(
        "INSERT INTO decision_register (issuer_code, year, last_sequence) "
        "SELECT issuer_code, year, MAX(sequence) FROM decision GROUP BY issuer_code, year"
    )
    with op.batch_alter_table("decision", naming_convention=SQLITE_NAMING) as batch_op:
        batch_op.drop_constraint(POSITION_CONSTRAINT, type_="unique")
        batch_op.create_unique_constraint(OLD_CONSTRAINT[dialect], ["issuer_code", "year", "sequence"])
