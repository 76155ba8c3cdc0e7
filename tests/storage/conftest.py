"""The database fixtures are shared: see ``tests/conftest.py``."""
