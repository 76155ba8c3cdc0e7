"""The web edge: server-rendered pages under ``/`` (service spec §7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

PAGES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
"""Every page and printable document, rendered from the use cases' results."""


def render(name: str, **values: Any) -> str:
    return PAGES.get_template(name).render(**values)
