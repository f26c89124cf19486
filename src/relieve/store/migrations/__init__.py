"""Alembic migrations of the ``relieve`` database (run by ``relieve db upgrade``)."""
