"""Starting the service: its database opened and migrated, the demo seed on the embedded
default, and production's refusals (spec §2)."""

from __future__ import annotations

from pathlib import Path

from aiexports.errors import InputError, Issue
from aiexports.services.accounts import seed_demo
from aiexports.settings import Settings
from aiexports.storage.service_store import ServiceStore


def prepare(settings: Settings, store: ServiceStore, seed: bool = True) -> Path | None:
    """Check the environment and seed the demo data once; the path of the demo tokens
    when they were written now. In production no demo data and no default secret."""
    if settings.production:
        problems = []
        if settings.database_url is None:
            problems.append(
                Issue(
                    "production needs a database: set AIEXPORTS_DATABASE_URL (PostgreSQL)",
                    "environment",
                    field="AIEXPORTS_DATABASE_URL",
                )
            )
        secret = settings.secret_key or ""
        if len(secret) < 32 or secret in DEFAULT_SECRETS:
            problems.append(
                Issue(
                    "production needs AIEXPORTS_SECRET_KEY: 32 or more random characters "
                    "(not a default)",
                    "environment",
                    field="AIEXPORTS_SECRET_KEY",
                )
            )
        if problems:
            raise InputError(problems)
        return None
    if not seed or settings.database_url is not None:
        return None
    return seed_demo(store, settings.home)


DEFAULT_SECRETS = frozenset({"changeme", "change-me", "secret", "dev", "development"})

__all__ = ["ServiceStore", "prepare"]
