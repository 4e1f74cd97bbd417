"""webhook secrets sealed at rest

Revision ID: 0007
Revises: 0006

"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from services.notifications.secretbox import KEY_SETTING, SecretBox, is_sealed
from services.notifications.settings import NotificationsSettings

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

webhook_subscription = sa.table(
    "webhook_subscription", sa.column("client_id", sa.String), sa.column("secret", sa.String)
)


def _rewrite(sealed: bool, work: str, change: Callable[[SecretBox, str, str], str]) -> None:
    """``change`` every secret that is (``sealed``) or is not sealed, with the configured key."""
    bind = op.get_bind()
    table = webhook_subscription.c
    rows = [
        (client_id, secret)
        for client_id, secret in bind.execute(sa.select(table.client_id, table.secret))
        if is_sealed(secret) == sealed
    ]
    if not rows:
        return
    key = NotificationsSettings().secrets_key  # the service's own configuration: it runs migrations
    if key is None:
        raise RuntimeError(f"{work} the webhook secrets needs their key: set {KEY_SETTING}")
    box = SecretBox(key.get_secret_value())
    for client_id, secret in rows:
        bind.execute(
            sa.update(webhook_subscription)
            .where(table.client_id == client_id)
            .values(secret=change(box, secret, client_id))
        )


def upgrade() -> None:
    """Every webhook secret stored in clear is sealed with the configured key."""
    _rewrite(False, "Sealing", SecretBox.seal)


def downgrade() -> None:
    _rewrite(True, "Opening", SecretBox.open)
