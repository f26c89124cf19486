"""The ``--db URL`` option every command that reads or writes the database shares."""

from __future__ import annotations

import argparse


def db_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", metavar="URL",
                   help="database URL (sqlite:///path.db or postgresql+psycopg://user@host/db); default: "
                        "$RELIEVE_DATABASE_URL, else an SQLite file in your data directory")
    return p


def open_db(args):
    from ..store import open_store

    return open_store(getattr(args, "db", None))
