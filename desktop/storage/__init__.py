"""The local store: SQLite (or PostgreSQL for a group) through SQLAlchemy, migrated by Alembic."""
