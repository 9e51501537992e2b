"""One Alembic revision a file, numbered in order; each matches a change to ``warning/storage/schema.py``."""
