"""Where two JSON documents differ, as dotted field paths (what a reader is told changed)."""

from __future__ import annotations

from collections.abc import Mapping


def changed_fields(a: object, b: object, path: str = "") -> tuple[str, ...]:
    """The dotted paths at which two JSON documents differ (lists compared whole when their
    lengths differ, item by item otherwise)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        found: list[str] = []
        for key in sorted(set(a) | set(b)):
            where = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                found.append(where)
            else:
                found.extend(changed_fields(a[key], b[key], where))
        return tuple(found)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return tuple(
            f
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for f in changed_fields(x, y, f"{path}[{i}]")
        )
    return () if a == b else (path or "(document)",)
