"""A list version's id is the hash of its normalised content, wherever it was read from."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from aiexports.core.screening.snapshot import snapshot_of
from aiexports.sources.lists import read_list_paths
from aiexports.sources.reference import countries
from tests.conftest import FIXTURES

DOWNLOAD = FIXTURES / "lists" / "download"


def test_the_same_files_from_other_paths_and_names_have_one_version(tmp_path: Path) -> None:
    book = countries()
    first = snapshot_of(read_list_paths([DOWNLOAD], book))
    elsewhere = tmp_path / "deeper" / "copy"
    shutil.copytree(DOWNLOAD, elsewhere)
    (elsewhere / "un-consolidated.xml").rename(elsewhere / "consolidated-2026.xml")
    (elsewhere / "bis-dpl.txt").rename(elsewhere / "dpl.txt")
    second = snapshot_of(read_list_paths([elsewhere], book))
    assert {e.origin for e in first.entries} != {e.origin for e in second.entries}
    assert second.version == first.version
    single = snapshot_of(read_list_paths([elsewhere / "consolidated-2026.xml"], book))
    only_un = snapshot_of(read_list_paths([DOWNLOAD / "un-consolidated.xml"], book))
    assert single.version == only_un.version


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_change_to_an_entry_changes_the_version(data: st.DataObject) -> None:
    feeds = read_list_paths([DOWNLOAD / "un-consolidated.xml"], countries())
    feed = feeds[0]
    index = data.draw(st.integers(0, len(feed.entries) - 1))
    entry = feed.entries[index]
    changed = entry.model_copy(update={"name": entry.name + data.draw(st.sampled_from("xyz."))})
    entries = (*feed.entries[:index], changed, *feed.entries[index + 1 :])
    other = feed.model_copy(update={"entries": entries})
    shuffled = feed.model_copy(
        update={"entries": tuple(data.draw(st.permutations(list(feed.entries))))}
    )
    assert snapshot_of([other]).version != snapshot_of([feed]).version
    assert snapshot_of([shuffled]).version == snapshot_of([feed]).version
