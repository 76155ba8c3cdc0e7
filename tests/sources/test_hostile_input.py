"""Hostile or simply wrong input: refused quickly, with a located message, never a
traceback; and a fuzz test over every reader."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiexports.errors import AiExportsError, InputError
from aiexports.services.deals import read_deal
from aiexports.services.name_screening import read_name_queries
from aiexports.sources import reference
from aiexports.sources.documents import ReadLimits, read_document
from aiexports.sources.lists import read_list_paths
from aiexports.sources.reference import pack_from_file, read_package
from tests.conftest import FIXTURES, ROOT

DEALS = ROOT / "examples" / "deals"
GOOD_DEAL = (DEALS / "sovereign-cloud-saudi-arabia.yaml").read_text(encoding="utf-8")
BOOK = reference.countries()

ALIAS_BOMB = """date: 2026-03-01
destination: SA
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
end_uses: [*e,*e,*e,*e,*e,*e,*e,*e,*e]
"""


def _replace_line(text: str, key: str, value: str) -> str:
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    lines[index] = f"{key}: {value}"
    return "\n".join(lines) + "\n"


def _deal_issue(tmp_path: Path, text: str | bytes) -> tuple[InputError, Path]:
    path = tmp_path / "deal.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_deal(path, BOOK)
    return raised.value, path


def test_an_alias_bomb_is_refused_at_its_first_alias(tmp_path: Path) -> None:
    error, path = _deal_issue(tmp_path, ALIAS_BOMB)
    issue = error.issues[0]
    assert (issue.source, issue.line) == (str(path), 4)
    assert "aliases" in issue.message


def test_an_impossible_date_is_an_error_on_its_line(tmp_path: Path) -> None:
    error, _ = _deal_issue(tmp_path, _replace_line(GOOD_DEAL, "date", "2025-02-30"))
    issue = error.issues[0]
    assert "2025-02-30" in issue.message
    assert "not a valid date" in issue.message
    assert (
        issue.line
        == GOOD_DEAL.splitlines().index(
            next(line for line in GOOD_DEAL.splitlines() if line.startswith("date:"))
        )
        + 1
    )


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    error, _ = _deal_issue(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested deeper than" in error.issues[0].message


def test_a_document_past_the_size_limit_is_not_read_on(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2048 + "\n")
    with pytest.raises(InputError, match="larger than the"):
        read_document(path, limits=ReadLimits(max_bytes=1024))


def test_an_endless_device_is_refused() -> None:
    with pytest.raises(InputError, match="larger than the"):
        read_document(Path("/dev/zero"))


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("value_usd: 1e999", "value_usd", "finite"),
        ("value_usd: .inf", "value_usd", "finite"),
        ("value_usd: .nan", "value_usd", "finite"),
        ("value_usd: true", "value_usd", "valid number"),
        ("quantities: {slc-gpu-servers: true}", "quantities.slc-gpu-servers", "integer"),
        ("quantities: {slc-gpu-servers: 2.5}", "quantities.slc-gpu-servers", "integer"),
    ],
)
def test_numbers_are_strict_and_finite(tmp_path: Path, text: str, field: str, words: str) -> None:
    key, value = text.split(": ", 1)
    error, path = _deal_issue(tmp_path, _replace_line(GOOD_DEAL, key, value))
    issue = next(i for i in error.issues if i.field == field)
    assert words in issue.message
    assert issue.source == str(path)
    assert issue.line is not None


def test_a_component_flag_must_be_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "package.yaml"
    source = ROOT / "src" / "aiexports" / "data" / "menu" / "sovereign-llm-cloud.yaml"
    text = source.read_text(encoding="utf-8")
    assert "audit_rights: true" in text, "the sample package has no flag to spoil"
    path.write_text(text.replace("audit_rights: true", 'audit_rights: "yes"'))
    with pytest.raises(InputError) as raised:
        read_package(read_document(path), BOOK)
    assert any(i.field and i.field.endswith("audit_rights") for i in raised.value.issues)


def test_binary_and_non_utf8_documents_are_refused(tmp_path: Path) -> None:
    error, _ = _deal_issue(tmp_path, b"date: 2026-03-01\n\x00\x01\x02")
    assert "binary" in error.issues[0].message
    error, _ = _deal_issue(tmp_path, b"date: 2026-03-01\nname: \xff\xfe\n")
    assert "not UTF-8" in error.issues[0].message


def test_a_long_bad_value_is_quoted_as_an_excerpt(tmp_path: Path) -> None:
    error, _ = _deal_issue(tmp_path, _replace_line(GOOD_DEAL, "destination", "X" * 5000))
    assert all(len(issue.message) < 400 for issue in error.issues)


# --- the fuzz test ------------------------------------------------------------------------

PACK_DRAFT = (
    "id: fuzz-draft\nextends: us-baseline\nparameters:\n  psv_min_accelerators:\n    - value: 64\n"
)
PACKAGE = (ROOT / "src" / "aiexports" / "data" / "menu" / "sovereign-llm-cloud.yaml").read_text(
    encoding="utf-8"
)
NAMES = "query_id,name,country,type\n1,Acme Trading LLC,AE,entity\n2,Ivan Petrov,RU,person\n"
TOKENS = [
    "*a",
    "&a ",
    "<<: *a",
    "!!python/object:os.system",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "- ",
    "\t",
    "\x00",
    "\ufeff",
    "2025-02-30",
    "1e999",
    ".nan",
    "true",
    "null",
    "~",
    "'",
    '"',
    "\n  ",
    "\n",
    "#",
    "%YAML 1.1\n---\n",
    "---\n",
    "...",
    "\xff",
    "ÿ",
    "0x1F",
    "-1",
    "9" * 400,
]


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> bytes:
    data = bytearray(seed.encode("utf-8"))
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["insert", "delete", "flip", "truncate", "duplicate"]))
        at = draw(st.integers(0, len(data)))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS)).encode("utf-8", "surrogatepass")
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif action == "truncate":
            del data[at:]
        else:
            data[at:at] = data[max(0, at - 200) : at]
    return bytes(data)


FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _refused_cleanly(call: object) -> None:
    """The reader returns, or raises an input error that says where; nothing else."""
    refused: AiExportsError | None = None
    try:
        call()  # type: ignore[operator]
    except AiExportsError as error:
        refused = error
    if refused is not None:
        assert refused.exit_code == 2, refused
        assert refused.issues
        assert all(issue.source for issue in refused.issues), refused
        assert all(len(issue.message) < 600 for issue in refused.issues)


READERS = {
    "deal": (GOOD_DEAL, "deal.yaml", lambda path: read_deal(path, BOOK)),
    "pack": (PACK_DRAFT, "pack.yaml", pack_from_file),
    "package": (PACKAGE, "package.yaml", lambda path: read_package(read_document(path), BOOK)),
    "names": (NAMES, "names.csv", lambda path: read_name_queries(path, BOOK)),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@FUZZ
@given(data=st.data())
def test_fuzz_document_readers(reader: str, data: st.DataObject, tmp_path: Path) -> None:
    seed, name, read = READERS[reader]
    path = tmp_path / name
    path.write_bytes(data.draw(mutated(seed)))
    _refused_cleanly(lambda: read(path))


LIST_SAMPLES = {
    "bis-dpl.txt": (FIXTURES / "lists" / "download" / "bis-dpl.txt"),
    "csl-sample.csv": (FIXTURES / "lists" / "download" / "csl-sample.csv"),
    "un-consolidated.xml": (FIXTURES / "lists" / "download" / "un-consolidated.xml"),
    "csl-sample.json": (FIXTURES / "lists" / "csl-sample.json"),
}


@pytest.mark.parametrize("name", sorted(LIST_SAMPLES))
def test_fuzz_list_readers(name: str, tmp_path: Path) -> None:
    """Random byte-level mutations of each list format (seeded, so a failure repeats)."""
    seed = LIST_SAMPLES[name].read_bytes()[:20_000]
    chooser = random.Random(name)
    for attempt in range(40):
        data = bytearray(seed)
        for _ in range(chooser.randint(1, 8)):
            at = chooser.randrange(len(data) or 1)
            kind = chooser.random()
            if kind < 0.4:
                data[at:at] = chooser.choice(TOKENS).encode("utf-8", "surrogatepass")
            elif kind < 0.7:
                del data[at : at + chooser.randint(1, 200)]
            elif kind < 0.9 and data:
                data[at] = chooser.randrange(256)
            else:
                del data[at:]
        path = tmp_path / f"{attempt}-{name}"
        path.write_bytes(bytes(data))
        _refused_cleanly(lambda path=path: read_list_paths([path], BOOK))


def test_a_count_of_hundreds_of_digits_is_refused(tmp_path: Path) -> None:
    error, _ = _deal_issue(
        tmp_path, _replace_line(GOOD_DEAL, "quantities", "{slc-gpu-servers: " + "9" * 400 + "}")
    )
    assert any(i.field == "quantities.slc-gpu-servers" for i in error.issues)
    error, _ = _deal_issue(tmp_path, _replace_line(GOOD_DEAL, "value_usd", "9" * 5000))
    assert error.issues[0].source is not None
