"""Alembic migrations: ``env.py`` and one numbered revision per schema change in ``versions/``."""
