"""Shared building blocks of the domain model: frozen records and validated scalars."""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo


class Record(BaseModel):
    """A frozen, strictly-shaped value: unknown fields are errors, never ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


def _country_code(value: str, info: ValidationInfo) -> str:
    code = value.upper()
    if not _COUNTRY_CODE.match(code):
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    known = _known_countries(info.context)
    if known is not None and code not in known:
        raise ValueError(f"unknown country code {value!r}")
    return code


def _known_countries(context: Any) -> Container[str] | None:
    if isinstance(context, dict):
        countries = context.get("countries")
        if countries is not None:
            return countries  # type: ignore[no-any-return]
    return None


CountryCode = Annotated[str, AfterValidator(_country_code)]
"""ISO 3166-1 alpha-2 (plus ``XK``), upper-cased; checked against the country book when the
reader passes ``context={"countries": ...}``."""

NonEmptyStr = Annotated[str, Field(min_length=1)]

Identifier = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][\w.:/-]*$")]
"""A stable id: starts with a letter or digit; letters, digits, ``_ . : / -`` after."""


def validation_context(countries: Container[str]) -> dict[str, Any]:
    """The context readers pass to ``model_validate`` so that codes are checked."""
    return {"countries": countries}
