"""Reading list paths: formats told apart by content, folders, and malformed files refused
with the file and line at fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aiexports.errors import ListFormatError, NotFoundError
from aiexports.sources.lists import Detected, detect_format, read_list_paths
from aiexports.sources.lists.inputs import ListFile
from aiexports.sources.reference import countries

FIXTURES = Path(__file__).parents[2] / "fixtures" / "lists"
DOWNLOAD = FIXTURES / "download"
MALFORMED = FIXTURES / "malformed"


def detected(path: Path, name: str | None = None) -> Detected:
    return detect_format(ListFile(name or path.name, path.read_bytes()))


def test_a_folder_holding_every_list_gives_four_feeds() -> None:
    feeds = read_list_paths([DOWNLOAD], countries())
    assert [feed.provenance.feed for feed in feeds] == ["bis-dpl", "csl", "ofac-sdn", "un-sc"]
    ofac = feeds[2]
    assert [file.name for file in ofac.provenance.files] == [
        "ofac-sdn/sdn.csv", "ofac-sdn/alt.csv", "ofac-sdn/add.csv", "ofac-sdn/sdn_comments.csv",
    ]  # fmt: skip
    assert ofac.entries[0].origin == "ofac-sdn/sdn.csv:1"


def test_formats_are_told_by_content_not_by_name(tmp_path: Path) -> None:
    assert detected(DOWNLOAD / "bis-dpl.txt") == Detected("dpl")
    assert detected(DOWNLOAD / "csl-sample.csv") == Detected("csl-csv")
    assert detected(FIXTURES / "csl-sample.json") == Detected("csl-json")
    assert detected(DOWNLOAD / "un-consolidated.xml") == Detected("un")
    assert detected(DOWNLOAD / "ofac-sdn" / "sdn.csv") == Detected("ofac", "sdn")
    # Renamed OFAC parts are recognised by their column count.
    assert detected(DOWNLOAD / "ofac-sdn" / "alt.csv", "aliases.txt") == Detected("ofac", "alt")
    assert detected(DOWNLOAD / "ofac-sdn" / "add.csv", "x.dat") == Detected("ofac", "add")
    renamed = tmp_path / "denied.dat"
    shutil.copy(DOWNLOAD / "bis-dpl.txt", renamed)
    [feed] = read_list_paths([renamed], countries())
    assert feed.provenance.feed == "bis-dpl"


def test_ofac_parts_given_as_separate_files_make_one_feed() -> None:
    folder = DOWNLOAD / "ofac-sdn"
    [feed] = read_list_paths([folder / "sdn.csv", folder / "alt.csv"], countries())
    assert feed.provenance.feed == "ofac-sdn"
    assert [file.name for file in feed.provenance.files] == ["sdn.csv", "alt.csv"]
    assert all(entry.addresses == () for entry in feed.entries)  # no add.csv given


def test_two_sources_of_one_feed_are_refused() -> None:
    with pytest.raises(ListFormatError) as raised:
        read_list_paths([DOWNLOAD / "csl-sample.csv", FIXTURES / "csl-sample.json"], countries())
    [issue] = raised.value.issues
    assert issue.source == "csl-sample.json"
    assert "a second source of feed 'csl'" in issue.message


def test_ofac_parts_without_sdn_csv_are_refused() -> None:
    with pytest.raises(ListFormatError) as raised:
        read_list_paths([DOWNLOAD / "ofac-sdn" / "alt.csv"], countries())
    assert raised.value.issues[0].source == "alt.csv"


def test_a_missing_path() -> None:
    with pytest.raises(NotFoundError):
        read_list_paths([FIXTURES / "nothing-here"], countries())


def test_documentation_in_a_folder_is_skipped(tmp_path: Path) -> None:
    shutil.copy(DOWNLOAD / "bis-dpl.txt", tmp_path)
    (tmp_path / "README.md").write_text("# lists\n", encoding="utf-8")
    (tmp_path / ".hidden.csv").write_text("junk\n", encoding="utf-8")
    assert [feed.provenance.feed for feed in read_list_paths([tmp_path], countries())] == [
        "bis-dpl"
    ]


@pytest.mark.parametrize(
    ("path", "source", "line", "words"),
    [
        ("ofac-extra-column", "sdn.csv", 3, "expected 12 columns, found 13"),
        ("ofac-broken-quote", "sdn.csv", 2, "malformed row"),
        ("ofac-bad-ent-num", "sdn.csv", 2, "is not a number"),
        ("ofac-orphan-alt", "alt.csv", 3, "ent_num 99999 is not in sdn.csv"),
        ("dpl-extra-column.txt", "dpl-extra-column.txt", 3, "expected 12 columns, found 13"),
        ("dpl-broken-quote.txt", "dpl-broken-quote.txt", 3, "malformed row"),
        ("dpl-bad-header.txt", "dpl-bad-header.txt", 1, "unexpected header"),
        ("csl-extra-column.csv", "csl-extra-column.csv", 3, "expected 29 columns, found 30"),
        ("csl-unknown-source.csv", "csl-unknown-source.csv", 3, "unknown source list"),
        ("csl-broken.json", "csl-broken.json", 41, "not valid JSON"),
        ("csl-no-results.json", "csl-no-results.json", 1, "'results'"),
        ("un-broken.xml", "un-broken.xml", 7, "mismatched tag"),
        ("un-wrong-root.xml", "un-wrong-root.xml", 1, "<sdnList>"),
        ("not-a-list.csv", "not-a-list.csv", 1, "not a supported list"),
    ],
)
def test_malformed_files_are_refused_at_the_right_line(
    path: str, source: str, line: int, words: str
) -> None:
    with pytest.raises(ListFormatError) as raised:
        read_list_paths([MALFORMED / path], countries())
    [issue] = raised.value.issues
    assert (issue.source, issue.line) == (source, line)
    assert words in issue.message


def test_one_bad_file_fails_the_whole_read() -> None:
    with pytest.raises(ListFormatError):
        read_list_paths([DOWNLOAD, MALFORMED / "un-broken.xml"], countries())


def test_an_unterminated_quote_at_the_end_of_a_file(tmp_path: Path) -> None:
    data = (DOWNLOAD / "bis-dpl.txt").read_bytes()
    path = tmp_path / "dpl.txt"
    path.write_bytes(data + b'"UNFINISHED\t"ROW\n')
    with pytest.raises(ListFormatError) as raised:
        read_list_paths([path], countries())
    [issue] = raised.value.issues
    assert issue.line == data.count(b"\n") + 1


def test_a_ctrl_z_before_the_end_is_refused(tmp_path: Path) -> None:
    data = (DOWNLOAD / "ofac-sdn" / "sdn.csv").read_bytes()
    path = tmp_path / "sdn.csv"
    path.write_bytes(data.replace(b"\r\n", b"\r\n\x1a", 1))
    with pytest.raises(ListFormatError) as raised:
        read_list_paths([path], countries())
    assert raised.value.issues[0].line == 2


def test_ofac_files_with_lf_line_ends_and_no_ctrl_z_read_the_same(tmp_path: Path) -> None:
    for part in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"):
        data = (DOWNLOAD / "ofac-sdn" / part).read_bytes()
        (tmp_path / part).write_bytes(data.rstrip(b"\x1a").replace(b"\r\n", b"\n"))
    [original] = read_list_paths([DOWNLOAD / "ofac-sdn"], countries())
    [converted] = read_list_paths([tmp_path], countries())
    assert converted.entries == original.entries
