"""Opening a database: the URL, SQLite's settings, and migrations when the database is new."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import RelieveError

ENV_URL = "RELIEVE_DATABASE_URL"
# The newest migration; tests check it is Alembic's head.
HEAD = "0003"
REVISIONS = ("0001", "0002", "0003")
# How long a writer waits for another before giving up (SQLite's busy timeout).
BUSY_TIMEOUT_MS = 10_000


class StoreError(RelieveError):
    """The database cannot be opened, is not ours, or needs ``relieve db upgrade``."""


def default_url() -> str:
    """``RELIEVE_DATABASE_URL`` when set, else an SQLite file in the user's data directory."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    import platformdirs

    directory = Path(platformdirs.user_data_dir("relieve"))
    return f"sqlite:///{directory / 'relieve.db'}"


def make_engine(url: str):
    """An SQLAlchemy engine for ``url``: SQLite with WAL, foreign keys, a busy timeout and
    write transactions that take the write lock at once; PostgreSQL through psycopg 3."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r} (e.g. sqlite:///path.db, postgresql+psycopg://user@host/db)",
                         field="--db") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for {parsed.database}: {exc.strerror}", field="--db") from None
        engine = create_engine(parsed, connect_args={"isolation_level": None, "timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _settings(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # FULL: a committed step survives a power cut, not only a killed process.
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):
            # Writers take the lock when they start (and wait for it), so a reader that
            # becomes a writer never fails half-way with "database is locked".
            immediate = connection.get_execution_options().get("write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() not in ("psycopg", "psycopg2") and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return create_engine(parsed, pool_pre_ping=True)
        except NoSuchModuleError as exc:
            raise StoreError(f"cannot use {parsed.drivername}: {exc}", field="--db") from None
    raise StoreError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://", field="--db")


def alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "relieve.store:migrations")
    config.attributes["connection"] = connection
    return config


def current_revision(engine) -> str | None:
    """The database's migration revision; None when it has none (a new database)."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            tables = set(inspect(conn).get_table_names())
            if tables & {"sessions", "steps"}:
                raise StoreError("this database has relieve-like tables but no migration record; "
                                 "it was not made by relieve", field="--db")
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine, revision: str = "head") -> str:
    """Apply the migrations up to ``revision``; returns the revision reached."""
    from alembic import command

    with engine.connect().execution_options(write=True) as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # A migration that rebuilds a table (SQLite's way to alter a column) drops the
            # old one: with foreign keys on, that would cascade and delete every step.
            # The pragma only works outside a transaction, so it goes to the driver directly.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            command.upgrade(alembic_config(conn), revision)
            conn.commit()
            if sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                conn.commit()
                if broken:
                    raise StoreError(f"the migration left {len(broken)} rows without their session", field="--db")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
    return current_revision(engine)


def ensure_ready(engine, *, migrate_new: bool = True) -> None:
    """A new database is migrated; an old one must be upgraded by ``relieve db upgrade``."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the database: {_reason(exc)}", field="--db") from None
    if revision is None and migrate_new:
        try:
            upgrade(engine)
        except SQLAlchemyError as exc:
            # Another process may have created it at the same moment: fine if it is done.
            if current_revision(engine) != HEAD:
                raise StoreError(f"cannot create the tables: {_reason(exc)}", field="--db") from None
        return
    if revision == HEAD or revision is None:
        return
    if revision in REVISIONS:
        raise StoreError(f"the database is at revision {revision}, this relieve needs {HEAD}: "
                         "run `relieve db upgrade` (your data is kept)", field="--db")
    raise StoreError(f"the database is at revision {revision!r}, unknown to this relieve "
                     "(written by a newer version?)", field="--db")


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
