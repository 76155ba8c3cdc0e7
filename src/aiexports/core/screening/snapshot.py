"""List snapshots: the entries of every imported feed, with provenance and import reports.

A *feed* is one publisher's download (OFAC's SDN files, the Consolidated Screening List,
BIS's Denied Persons file, the UN consolidated XML). A snapshot holds one import of each
feed; installing a newer download of a feed replaces that feed only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import Field

from aiexports.core.records import Record
from aiexports.core.screening.entries import ListEntry


class SourceFile(Record):
    name: str
    sha256: str
    bytes: int


class FeedProvenance(Record):
    feed: str = Field(description="ofac-sdn | csl | bis-dpl | un-sc")
    format: str = Field(description="The file format read, e.g. 'OFAC legacy CSV'")
    title: str
    publisher: str
    files: tuple[SourceFile, ...]
    as_of: str | None = Field(default=None, description="Publication date when the files say")
    licence: str
    confidence: str = "as published"
    notes: str = ""


class FlagCount(Record):
    """How often one kind of data oddity was seen, with a few located examples."""

    flag: str
    count: int
    examples: tuple[str, ...] = ()


class ImportReport(Record):
    feed: str
    entries: int
    names: int
    by_source: dict[str, int]
    flags: tuple[FlagCount, ...] = ()
    missing_parts: tuple[str, ...] = Field(
        default=(), description="Companion files the format needs that were not given"
    )


class FeedImport(Record):
    provenance: FeedProvenance
    report: ImportReport
    entries: tuple[ListEntry, ...]


class ListSnapshot(Record):
    version: str
    feeds: tuple[FeedImport, ...]

    @property
    def entries(self) -> list[ListEntry]:
        """Every entry once: a key imported by a later feed replaces an earlier one."""
        by_key: dict[str, ListEntry] = {}
        for feed in self.feeds:
            for entry in feed.entries:
                by_key[entry.key] = entry
        return list(by_key.values())


def snapshot_of(feeds: Sequence[FeedImport]) -> ListSnapshot:
    """A snapshot of ``feeds``, versioned by the hash of its normalised content: each
    feed's id and publication date and its entries in key order, without where they were
    read from (file names, lines), so the same list data read from anywhere has one
    version, and every decision id that cites it stays the same."""
    ordered = tuple(sorted(feeds, key=lambda feed: feed.provenance.feed))
    hasher = hashlib.sha256()
    for feed in ordered:
        header = {"feed": feed.provenance.feed, "as_of": feed.provenance.as_of}
        hasher.update(json.dumps(header, sort_keys=True).encode())
        for entry in sorted(feed.entries, key=lambda e: e.key):
            hasher.update(entry.model_dump_json(exclude={"origin"}).encode())
            hasher.update(b"\n")
    stamps = ",".join(
        f"{feed.provenance.feed}@{feed.provenance.as_of or 'undated'}" for feed in ordered
    )
    return ListSnapshot(version=f"{stamps}#{hasher.hexdigest()[:12]}", feeds=ordered)


def replace_feeds(current: ListSnapshot | None, new: Iterable[FeedImport]) -> ListSnapshot:
    """``current`` with each feed in ``new`` replacing the feed of the same id."""
    feeds = {feed.provenance.feed: feed for feed in (current.feeds if current else ())}
    for feed in new:
        feeds[feed.provenance.feed] = feed
    return snapshot_of(list(feeds.values()))


@dataclass(frozen=True)
class SnapshotChanges:
    """What an update changed, by entry key (``SOURCE:entity_number``)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    modified: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.added) + len(self.removed) + len(self.modified)


def compare_snapshots(old: ListSnapshot | None, new: ListSnapshot) -> SnapshotChanges:
    before = {entry.key: entry for entry in (old.entries if old else [])}
    after = {entry.key: entry for entry in new.entries}
    return SnapshotChanges(
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        modified=tuple(
            sorted(
                key
                for key in after.keys() & before.keys()
                if _content(after[key]) != _content(before[key])
            )
        ),
    )


def _content(entry: ListEntry) -> ListEntry:
    """An entry without where it was read from: moving in the file is no modification."""
    return entry.model_copy(update={"origin": None})
