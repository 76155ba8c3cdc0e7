"""Bar charts drawn as inline SVG: the geometry here, the markup in ``_chart.html``. Each
chart comes with its numbers as a table too, for screen readers and for print."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_SPACE, COUNT_SPACE = 22, 8, 190, 300, 60


def bars(rows: Sequence[dict[str, Any]], title: str) -> dict[str, Any]:
    """A horizontal bar per ``{"key", "count", "share"}`` row, the longest bar for the
    largest count; a withheld count has no bar (its table says so)."""
    drawn = []
    for index, row in enumerate(r for r in rows if not r.get("withheld")):
        top = GAP + index * (BAR_HEIGHT + GAP)
        drawn.append(
            {
                "label": str(row["key"]).replace("_", " "),
                "count": row["count"],
                "y": top,
                "text_y": top + BAR_HEIGHT * 0.7,
                "width": max(2, round(float(row["share"]) * BAR_SPACE)),
            }
        )
    return {
        "title": title,
        "bars": drawn,
        "width": LABEL_WIDTH + BAR_SPACE + COUNT_SPACE,
        "height": GAP + len(drawn) * (BAR_HEIGHT + GAP),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }
