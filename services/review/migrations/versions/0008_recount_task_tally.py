"""recount the task tally from the tasks

Until this version the HTTP action and the task.completed consumer could both close one task,
each having read it open, and the tally counted it closed twice (issue 18: ``open: -7`` beside
two open tasks). The code no longer lets that happen; this counts the tasks again, so a database
whose tally drifted answers what a full count answers.

Revision ID: 0008
Revises: 0007

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # writers of tasks (another instance still running) wait until the recount commits; a
        # transaction that changed tasks before it commits first, and is counted
        op.execute("LOCK TABLE review_task IN SHARE MODE")
    op.execute("DELETE FROM review_task_tally")
    # an absent role or organisation is tallied as '' (models.NO_VALUE)
    op.execute(
        "INSERT INTO review_task_tally (organisation, level, role, award_code, state, tasks) "
        "SELECT COALESCE(organisation, ''), level, COALESCE(role, ''), award_code, state, COUNT(*) "
        "FROM review_task GROUP BY COALESCE(organisation, ''), level, COALESCE(role, ''), award_code, state"
    )


def downgrade() -> None:
    """The recount is right for the earlier code too: nothing to undo."""
