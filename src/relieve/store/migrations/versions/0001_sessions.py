"""Sessions, their finished techniques (steps) and timed phases.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from relieve.store._types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("assessment", sa.JSON, nullable=False),
        sa.Column("muscle", sa.String(64)),
        sa.Column("side", sa.String(8)),
        sa.Column("pain_start", sa.Float),
        sa.Column("techniques", sa.JSON, nullable=False),
        sa.Column("time_scale", sa.Float, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
    )
    op.create_index("ix_sessions_started_at", "sessions", ["started_at"])
    op.create_table(
        "steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("technique", sa.String(32), nullable=False),
        sa.Column("muscle", sa.String(64), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=False),
        sa.Column("pain_before", sa.Float),
        sa.Column("pain_after", sa.Float),
        sa.UniqueConstraint("session_id", "seq", name="uq_steps_session_seq"),
    )
    op.create_table(
        "phases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step_seq", sa.Integer, nullable=False),
        sa.Column("phase_index", sa.Integer, nullable=False),
        sa.Column("technique", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.UniqueConstraint("session_id", "step_seq", "phase_index", name="uq_phases_position"),
    )


def downgrade() -> None:
    op.drop_table("phases")
    op.drop_table("steps")
    op.drop_index("ix_sessions_started_at", "sessions")
    op.drop_table("sessions")
