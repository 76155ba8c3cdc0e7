"""Settings, read only at the edges (CLI, services) from ``AIEXPORTS_*`` variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from aiexports.errors import InputError, Issue


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
    max_document_mb: float = Field(
        default=10, gt=0, le=1024, description="The largest document a reader accepts"
    )
    list_max_loss: float = Field(
        default=0.10,
        ge=0,
        le=1,
        description="Share of a list's entries or names a download may drop without --force",
    )
    list_max_age_days: int = Field(
        default=30, ge=1, description="Age of a list past which screening warns"
    )
    matcher: str | None = Field(
        default=None, description="The name-matching algorithm (default: the configured one)"
    )
    env: str = Field(
        default="development",
        description="production: no demo data, and a database URL and secret key required",
    )
    secret_key: str | None = Field(
        default=None, repr=False, description="Signs web sessions; required in production"
    )
    cache: bool = Field(
        default=True,
        description="Keep derived data (parsed menu, name indexes) in HOME/cache for fast starts",
    )

    @field_validator("home", mode="before")
    @classmethod
    def _not_empty(cls, home: object) -> object:
        # An empty variable would mean the current folder: a surprise, never a choice.
        if isinstance(home, str) and not home.strip():
            raise ValueError("is empty; name a folder, or unset it for the default")
        return home

    @field_validator("home")
    @classmethod
    def _a_folder(cls, home: Path) -> Path:
        if home.exists() and not home.is_dir():
            raise ValueError(f"{home} is not a folder")
        return home

    @property
    def production(self) -> bool:
        return self.env.strip().lower() == "production"

    @property
    def sqlite_path(self) -> Path:
        """The embedded database file (used when no database URL is set)."""
        return self.home / "aiexports.db"

    @property
    def cache_folder(self) -> Path | None:
        """Where derived data is kept (None when ``cache`` is off)."""
        return self.home / "cache" if self.cache else None

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"


def load_settings() -> Settings:
    """The settings from the environment; a bad value is an input error naming the
    variable, never a traceback."""
    try:
        return Settings()
    except ValidationError as error:
        raise InputError(
            Issue(
                str(detail["msg"]).removeprefix("Value error, "),
                "environment",
                field="AIEXPORTS_" + str(detail["loc"][0]).upper() if detail["loc"] else None,
            )
            for detail in error.errors(include_url=False)
        ) from None
