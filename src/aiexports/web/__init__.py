"""The web edge: server-rendered pages under ``/`` (service spec §7), each rendered from a
use case's result, the same result the API returns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

HERE = Path(__file__).parent
STATIC = HERE / "static"


def words(value: object) -> str:
    """A vocabulary word as people read it: ``approved_with_conditions`` → "approved with
    conditions"."""
    return str(value).replace("_", " ")


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


PAGES = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
"""Every page and printable document, rendered from the use cases' results."""
PAGES.filters["words"] = words
PAGES.filters["pretty"] = _pretty


FRAME_DEFAULTS: dict[str, Any] = {
    "nav": [],
    "signed_in": False,
    "csrf": "",
    "here": "",
    "who": None,
}
"""What the site's frame shows for a document rendered outside a page (a printable one)."""


def render(name: str, **values: Any) -> str:
    return PAGES.get_template(name).render(**{**FRAME_DEFAULTS, **values})
