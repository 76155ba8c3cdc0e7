"""Storage adapters (SQLAlchemy): SQLite by default, PostgreSQL in production."""
