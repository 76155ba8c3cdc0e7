"""Settings, read only at the edges (CLI, services) from ``AIEXPORTS_*`` variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aiexports"


class Settings(BaseSettings):
    """``AIEXPORTS_HOME``: where installed list versions and the embedded database live.
    ``AIEXPORTS_DATABASE_URL``: a SQLAlchemy URL (PostgreSQL in production); default is
    SQLite in the home folder."""

    model_config = SettingsConfigDict(env_prefix="AIEXPORTS_", extra="ignore")

    home: Path = Field(default_factory=_default_home)
    database_url: str | None = None

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'aiexports.db'}"
