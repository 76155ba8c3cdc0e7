"""The audit trail's hash rule (service spec §6) written out again, as a third party
would check an exported chain with nothing but the rule."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any


def hash_rule(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def walk_chain(entries: Iterable[dict[str, Any]]) -> str:
    """Assert that ``entries`` are numbered from 1, each linked to the one before and
    hashed by the rule; the head's hash."""
    previous = "0" * 64
    for number, entry in enumerate(entries, start=1):
        assert entry["seq"] == number
        assert entry["prev_hash"] == previous
        assert hash_rule(entry) == entry["hash"]
        previous = entry["hash"]
    return previous
