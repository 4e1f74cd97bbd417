"""channels: preferences one row per recipient and channel, deliveries with the channel's data

Revision ID: 0005
Revises: 0004

"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IN_APP, EMAIL = "in_app", "email"
"""The two channels the old preference columns named."""

recipient_preference = sa.table(
    "recipient_preference",
    sa.column("recipient", sa.String),
    sa.column("in_app", sa.Boolean),
    sa.column("email", sa.Boolean),
    sa.column("email_address", sa.String),
)
channel_preference = sa.table(
    "channel_preference",
    sa.column("recipient", sa.String),
    sa.column("channel", sa.String),
    sa.column("enabled", sa.Boolean),
    sa.column("address", sa.String),
)
delivery = sa.table(
    "delivery",
    sa.column("id", sa.String),
    sa.column("attachment_decision_id", sa.String),
    sa.column("attachment_line", sa.Integer),
    sa.column("attachment_name", sa.String),
    sa.column("channel_data", sa.JSON),
)


def upgrade() -> None:
    """The feed and e-mail columns of ``recipient_preference`` become rows of
    ``channel_preference``; a delivery's attachment columns become its ``channel_data``."""
    op.create_table(
        "channel_preference",
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.PrimaryKeyConstraint("recipient", "channel"),
    )
    bind = op.get_bind()
    old = recipient_preference.c
    rows: list[dict[str, Any]] = []
    for recipient, in_app, email, email_address in bind.execute(
        sa.select(old.recipient, old.in_app, old.email, old.email_address)
    ):
        rows.append({"recipient": recipient, "channel": IN_APP, "enabled": in_app, "address": None})
        rows.append({"recipient": recipient, "channel": EMAIL, "enabled": email, "address": email_address})
    if rows:
        op.bulk_insert(channel_preference, rows)
    with op.batch_alter_table("recipient_preference", schema=None) as batch_op:
        batch_op.drop_column("email_address")
        batch_op.drop_column("email")
        batch_op.drop_column("in_app")

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_data", sa.JSON(), nullable=False, server_default="{}"))
    attached = bind.execute(
        sa.select(
            delivery.c.id,
            delivery.c.attachment_decision_id,
            delivery.c.attachment_line,
            delivery.c.attachment_name,
        ).where(delivery.c.attachment_decision_id.is_not(None), delivery.c.attachment_line.is_not(None))
    ).all()
    for delivery_id, decision_id, line_number, file_name in attached:
        data = {
            "attachment": {"decision_id": decision_id, "line_number": line_number, "file_name": file_name}
        }
        bind.execute(sa.update(delivery).where(delivery.c.id == delivery_id).values(channel_data=data))
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("attachment_name")
        batch_op.drop_column("attachment_line")
        batch_op.drop_column("attachment_decision_id")


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attachment_decision_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("attachment_line", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("attachment_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
    bind = op.get_bind()
    for delivery_id, data in bind.execute(sa.select(delivery.c.id, delivery.c.channel_data)).all():
        attachment = (data or {}).get("attachment")
        if attachment:
            bind.execute(
                sa.update(delivery)
                .where(delivery.c.id == delivery_id)
                .values(
                    attachment_decision_id=attachment["decision_id"],
                    attachment_line=attachment["line_number"],
                    attachment_name=attachment.get("file_name"),
                )
            )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("channel_data")

    with op.batch_alter_table("recipient_preference", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_app", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("email", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(
            sa.Column("email_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )
    chosen = channel_preference.c
    for recipient, channel, enabled, address in bind.execute(
        sa.select(chosen.recipient, chosen.channel, chosen.enabled, chosen.address).where(
            chosen.channel.in_([IN_APP, EMAIL])
        )
    ).all():
        values: dict[str, Any] = {channel: enabled}
        if channel == EMAIL:
            values["email_address"] = address
        bind.execute(
            sa.update(recipient_preference)
            .where(recipient_preference.c.recipient == recipient)
            .values(values)
        )
    op.drop_table("channel_preference")
