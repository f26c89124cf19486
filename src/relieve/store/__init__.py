"""Persistence: SQLAlchemy tables, Alembic migrations and repository functions.

``open_store(url)`` opens (and, when new, creates) the database: SQLite in the user's
data directory by default (WAL, foreign keys on), ``RELIEVE_DATABASE_URL`` or an
explicit URL for another, PostgreSQL through psycopg 3. A ``Store`` holds no session
state; the guided session (``relieve.sessions``) is handed one and writes each finished
step through it.
"""

from ._engine import ENV_URL, HEAD, REVISIONS, StoreError, current_revision, default_url, make_engine, upgrade
from ._repository import STATUSES, Store, new_id, open_store
from ._types import iso, parse_iso

__all__ = [
    "ENV_URL", "HEAD", "REVISIONS", "STATUSES", "Store", "StoreError", "current_revision", "default_url",
    "iso", "make_engine", "new_id", "open_store", "parse_iso", "upgrade",
]
