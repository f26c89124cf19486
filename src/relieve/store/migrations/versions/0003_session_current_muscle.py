"""The muscle-side a session treats now and each muscle-side's technique order.

A session may go on to the next likely muscle after the first one did not give enough
relief. Until the first technique on that muscle is finished no step names it, so the
choice is stored on the session row itself: any worker serving the next request reads
it from the database, not from the memory of the one that took the choice.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("current_muscle", sa.String(64), nullable=True))
        batch.add_column(sa.Column("current_side", sa.String(8), nullable=True))
        batch.add_column(sa.Column("orders", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("orders")
        batch.drop_column("current_side")
        batch.drop_column("current_muscle")
