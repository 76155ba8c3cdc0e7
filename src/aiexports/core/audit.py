"""The audit trail's hash rule (service spec §6): one append-only chain a third party can
verify with nothing but this rule.

``hash`` is the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of every
other field of the entry, ``prev_hash`` included; the first entry's ``prev_hash`` is 64
zeros."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
ENTRY_FIELDS = ("seq", "at", "actor", "action", "object", "before", "after", "prev_hash")


def canonical_json(value: object) -> str:
    """Sorted keys, no spaces, UTF-8 text as is: one text per value."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def entry_hash(entry: Mapping[str, Any]) -> str:
    """The hash of an entry: every field but ``hash`` itself."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """What walking the chain found: intact (with its length and head), or the first
    entry that is not what the chain says it should be, and why."""

    ok: bool
    entries: int
    head: str
    first_bad: int | None = None
    reason: str | None = None

    def contract(self) -> dict[str, object]:
        if self.ok:
            return {"ok": True, "entries": self.entries, "head": self.head}
        return {"ok": False, "first_bad": self.first_bad, "reason": self.reason}


def verify_chain(
    entries: Iterable[Mapping[str, Any]], expected_count: int | None = None
) -> ChainVerdict:
    """Walk ``entries`` in ``seq`` order. A gap in the numbering is a missing entry, a
    ``prev_hash`` that is not the previous entry's hash a broken link (an entry moved or
    relinked), a hash that does not match its content a changed entry. ``expected_count``
    (the number of entries the log says it holds) finds entries deleted from the end."""
    previous = GENESIS
    count = 0
    for entry in entries:
        seq = entry["seq"]
        if seq != count + 1:
            return ChainVerdict(False, count, previous, count + 1, "missing entry")
        if entry["prev_hash"] != previous:
            return ChainVerdict(False, count, previous, seq, "broken link")
        if entry_hash(entry) != entry["hash"]:
            return ChainVerdict(False, count, previous, seq, "hash mismatch")
        previous = entry["hash"]
        count += 1
    if expected_count is not None and count < expected_count:
        return ChainVerdict(False, count, previous, count + 1, "missing entry")
    return ChainVerdict(True, count, previous)
