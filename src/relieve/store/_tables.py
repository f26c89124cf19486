"""The tables, as SQLAlchemy Core metadata (the migrations create the same; a test
compares them). One row per session, per finished technique (``steps``, the contract's
steps), per finished timed phase of a technique (``phases``: what makes a session
resumable mid-technique), per outcome measure, per practice card and answer."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

from ._types import UTCDateTime

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("findings", JSON, nullable=False),
    Column("assessment", JSON, nullable=False),
    Column("muscle", String(64)),
    Column("side", String(8)),
    Column("pain_start", Float),
    Column("techniques", JSON, nullable=False),  # the order chosen at the start (resume follows it)
    Column("time_scale", Float, nullable=False),
    Column("notes", Text, nullable=False),
    # the muscle-side treated now and each muscle-side's technique order ("muscle:side"
    # -> keys): a session that goes on to the next likely muscle keeps both here
    Column("current_muscle", String(64)),
    Column("current_side", String(8)),
    Column("orders", JSON),
    Index("ix_sessions_started_at", "started_at"),
)

steps = Table(
    "steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(32), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("technique", String(32), nullable=False),
    Column("muscle", String(64), nullable=False),
    Column("side", String(8), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=False),
    Column("pain_before", Float),
    Column("pain_after", Float),
    UniqueConstraint("session_id", "seq", name="uq_steps_session_seq"),
)

phases = Table(
    "phases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(32), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("step_seq", Integer, nullable=False),
    Column("phase_index", Integer, nullable=False),
    Column("technique", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=False),
    Column("skipped", Integer, nullable=False),
    UniqueConstraint("session_id", "step_seq", "phase_index", name="uq_phases_position"),
)

measures = Table(
    "measures",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("session_id", String(32), ForeignKey("sessions.id", ondelete="SET NULL")),
    Column("taken_at", UTCDateTime, nullable=False),
    Column("instrument", String(8), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("score", Float, nullable=False),
    Index("ix_measures_taken_at", "taken_at"),
)

practice_cards = Table(
    "practice_cards",
    metadata,
    Column("card", String(96), primary_key=True),
    Column("muscle", String(64), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("interval_days", Float, nullable=False),
    Column("streak", Integer, nullable=False),
    Column("answered", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
)

practice_answers = Table(
    "practice_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("card", String(96), ForeignKey("practice_cards.card", ondelete="CASCADE"), nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
    Column("correct", Integer, nullable=False),
)
