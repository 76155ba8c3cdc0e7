"""A feed's import: its entries, where they came from and what was odd about them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from aiexports.core.screening.entries import ListEntry
from aiexports.core.screening.snapshot import FeedImport, FeedProvenance, ImportReport
from aiexports.sources.lists.flags import Oddities

US_GOVERNMENT_WORK = "U.S. Government work: public domain in the United States."


def feed_import(
    provenance: FeedProvenance, entries: Sequence[ListEntry], oddities: Oddities
) -> FeedImport:
    by_source = Counter(str(entry.source) for entry in entries)
    report = ImportReport(
        feed=provenance.feed,
        entries=len(entries),
        names=sum(1 + len(entry.aliases) for entry in entries),
        by_source=dict(sorted(by_source.items())),
        flags=oddities.report(),
    )
    return FeedImport(provenance=provenance, report=report, entries=tuple(entries))
