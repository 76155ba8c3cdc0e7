"""Export Control Classification Numbers: the normal form and the tests the rules use."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

EAR99 = "EAR99"
_ECCN = re.compile(r"^(?P<base>[0-9][A-Ea-e][0-9]{3})(?P<paragraphs>(?:\.[A-Za-z0-9]+)*)$")


def normalize_eccn(raw: str) -> str:
    """``4a090.A`` → ``4A090.a``; ``ear99`` → ``EAR99``. Raises ``ValueError`` otherwise."""
    text = raw.strip()
    if text.upper() == EAR99:
        return EAR99
    match = _ECCN.match(text)
    if match is None:
        raise ValueError(f"{raw!r} is not an ECCN (like 4A090.a) or EAR99")
    return match["base"].upper() + match["paragraphs"].lower()


def _written_text(value: object) -> object:
    """YAML 1.2 reads ``4E091`` as a number; document readers keep what was written in
    ``source_text`` so the ECCN survives."""
    return getattr(value, "source_text", value) if isinstance(value, float) else value


Eccn = Annotated[str, BeforeValidator(_written_text), AfterValidator(normalize_eccn)]


def eccn_base(eccn: str) -> str:
    """The five-character base of an ECCN (``4A090.a`` → ``4A090``); EAR99 is its own base."""
    return eccn.split(".", 1)[0]


def is_advanced_computing(eccn: str, prefixes: Collection[str], z_bases: Collection[str]) -> bool:
    """An ECCN starting with one of ``prefixes`` or a ``.z`` item whose base is in ``z_bases``.

    ``prefixes`` and ``z_bases`` come from the policy pack, so that a rule change which
    adds an ECCN is a data change.
    """
    if eccn.startswith(prefixes if isinstance(prefixes, tuple) else tuple(prefixes)):
        return True
    return eccn.endswith(".z") and eccn_base(eccn) in z_bases
