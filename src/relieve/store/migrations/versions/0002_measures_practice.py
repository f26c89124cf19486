"""Outcome measures, practice cards and answers; sessions.updated_at.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from relieve.store._types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The last change to a session: sessions written before this revision take their end
    # (or, unfinished, their start) so that no row is left without one.
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("updated_at", UTCDateTime, nullable=True))
    op.execute("UPDATE sessions SET updated_at = COALESCE(ended_at, started_at)")
    with op.batch_alter_table("sessions") as batch:
        batch.alter_column("updated_at", existing_type=UTCDateTime, nullable=False)
    op.create_table(
        "measures",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id", ondelete="SET NULL")),
        sa.Column("taken_at", UTCDateTime, nullable=False),
        sa.Column("instrument", sa.String(8), nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_index("ix_measures_taken_at", "measures", ["taken_at"])
    op.create_table(
        "practice_cards",
        sa.Column("card", sa.String(96), primary_key=True),
        sa.Column("muscle", sa.String(64), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("interval_days", sa.Float, nullable=False),
        sa.Column("streak", sa.Integer, nullable=False),
        sa.Column("answered", sa.Integer, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
    )
    op.create_table(
        "practice_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("card", sa.String(96), sa.ForeignKey("practice_cards.card", ondelete="CASCADE"), nullable=False),
        sa.Column("answered_at", UTCDateTime, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("practice_answers")
    op.drop_table("practice_cards")
    op.drop_index("ix_measures_taken_at", "measures")
    op.drop_table("measures")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("updated_at")
