"""Shared building blocks of the domain model: frozen records and validated scalars."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
)


class Record(BaseModel):
    """A frozen, strictly-shaped value: unknown fields are errors, never ignored, and
    numbers are finite (``1e999`` is no amount)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
        # Validators are built on first use: a command pays only for the models it reads.
        defer_build=True,
    )


Count = Annotated[int, Strict(), Field(le=10**15)]
"""An integer as written: ``true`` or ``2.0`` is not a count, nor is a 400-digit one."""

Number = Annotated[float, Strict()]
"""A number as written (an integer is one too); ``true`` is not a number."""

Flag = Annotated[bool, Strict()]
"""``true`` or ``false`` as written; ``1`` or ``"yes"`` is not a flag."""


def _canonical_set(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(sorted(set(values), key=str))


T = TypeVar("T")
SetOf = Annotated[tuple[T, ...], AfterValidator(_canonical_set)]
"""A set written as a list: order and repeats carry no meaning, so the value is kept
sorted and without repeats (equal sets give equal records and equal hashes)."""


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

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    found = _CONTROL.search(value)
    if found is not None:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X}")
    return value


NonEmptyStr = Annotated[str, Field(min_length=1), AfterValidator(_no_control_characters)]
"""Text of at least one character, with no control characters (a NUL in a party's name
would reach the screening and the records as an invisible difference)."""

PlainStr = Annotated[str, AfterValidator(_no_control_characters)]
"""Text, possibly empty, with no control characters."""

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _written_as_date(value: object) -> object:
    """A date is written ``YYYY-MM-DD`` (YAML reads that as a date already): a number,
    or digits in a string, would otherwise be taken for seconds since 1970."""
    if isinstance(value, bool | int | float):
        raise ValueError("a date is written YYYY-MM-DD, not as a number")
    if isinstance(value, str) and not _ISO_DATE.match(value.strip()):
        raise ValueError(f"{value[:40]!r} is not a date written YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_written_as_date)]
"""A calendar date as written in a document: ``YYYY-MM-DD`` and nothing else."""

Identifier = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][\w.:/-]*$")]
"""A stable id: starts with a letter or digit; letters, digits, ``_ . : / -`` after."""


def validation_context(countries: Container[str]) -> dict[str, Any]:
    """The context readers pass to ``model_validate`` so that codes are checked."""
    return {"countries": countries}
