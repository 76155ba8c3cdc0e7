"""Evaluation queries for restricted-party screening: clean names, positives from the
open fixtures and perturbed variants of listed names, hard negatives.

Perturbations are generated here with their own simple rules (not the matcher's tables),
deterministically from a seed.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiexports.core.countries import CountryBook
from aiexports.core.screening.entries import EntryType, ListEntry, expand_listed_name
from aiexports.core.screening.names import fold

PERTURBATIONS = (
    "reorder",
    "typo",
    "dropped_token",
    "initials",
    "alias",
    "legal_form",
    "merged_tokens",
    "transliteration",
    "merged_given_surname",
    "two_typos",
)
CROSS_SCRIPT = ("cross_arabic", "cross_cyrillic", "cross_cjk")


@dataclass(frozen=True)
class Query:
    id: str
    name: str
    kind: str  # clean | positive | hard_negative
    klass: str
    true_key: str | None = None
    country: str | None = None
    type: str | None = None
    dob: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _country(book: CountryBook, value: str | None) -> str | None:
    if not value:
        return None
    code = book.code_for_name(value)
    return code if code in book else None


def clean_names(data: Path, book: CountryBook, limit: int | None = None) -> list[Query]:
    """Synthetic negatives (global and US variants) and US Congress members: names that
    are on none of our lists."""
    queries: list[Query] = []
    for file, klass in (
        ("negatives_global.csv", "negatives_global"),
        ("negatives_us.csv", "negatives_us"),
        ("positives_us_congress_untreated.csv", "us_congress"),
    ):
        with (data / "screening-eval" / file).open(encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(handle)):
                if limit is not None and number >= limit:
                    break
                country = _country(book, row.get("nationality")) if klass != "us_congress" else "US"
                queries.append(
                    Query(
                        f"{klass}:{number}",
                        row["full_name"],
                        "clean",
                        klass,
                        country=country,
                        type="person",
                        dob=row.get("date_of_birth") or None,
                    )
                )
    return queries


def _sorted_form(name: str) -> str:
    return " ".join(sorted(fold(name).split()))


def un_positives(data: Path, entries: Sequence[ListEntry], book: CountryBook) -> list[Query]:
    """UN-listed people as the fixture writes them, untreated and treated (typos and
    reshuffles); the true entry is the UN entry whose name or alias equals the untreated
    name with word order ignored."""
    by_form: dict[str, str] = {}
    for entry in entries:
        if entry.feed != "un-sc":
            continue
        for name, _ in entry.screening_names():
            by_form.setdefault(_sorted_form(name), entry.key)
    queries = []
    paths = {
        klass: data / "screening-eval" / f"positives_un_{klass}.csv"
        for klass in ("untreated", "treated")
    }
    rows = {
        klass: list(csv.DictReader(path.open(encoding="utf-8"))) for klass, path in paths.items()
    }
    for number, (plain, treated) in enumerate(zip(rows["untreated"], rows["treated"], strict=True)):
        key = by_form.get(_sorted_form(plain["full_name"]))
        if key is None:
            continue
        for klass, row in (("un_untreated", plain), ("un_treated", treated)):
            queries.append(
                Query(
                    f"{klass}:{number}",
                    row["full_name"],
                    "positive",
                    klass,
                    key,
                    country=_country(book, row.get("nationality")),
                    type="person",
                    dob=row.get("date_of_birth") or None,
                )
            )
    return queries


_LEGAL_FORMS = {
    "LTD": ["LIMITED", ""],
    "LIMITED": ["LTD", ""],
    "CO": ["COMPANY", ""],
    "COMPANY": ["CO", ""],
    "LLC": ["LIMITED LIABILITY COMPANY", ""],
    "JSC": ["JOINT STOCK COMPANY", ""],
    "INC": ["INCORPORATED", ""],
    "CORP": ["CORPORATION", ""],
    "CORPORATION": ["CORP", ""],
    "SA": ["S.A.", ""],
    "S.A.": ["SA", "SOCIEDAD ANONIMA", ""],
    "GMBH": ["", "G.M.B.H."],
    "PJSC": ["", "PUBLIC JSC"],
    "OOO": ["", "O.O.O."],
    "LLP": ["", "L.L.P."],
    "PLC": ["", "P.L.C."],
    "AG": [""],
}
_CYRILLIC = {
    "shch": "щ",
    "sh": "ш",
    "ch": "ч",
    "kh": "х",
    "zh": "ж",
    "ts": "ц",
    "ya": "я",
    "yu": "ю",
    "a": "а",
    "b": "б",
    "v": "в",
    "g": "г",
    "d": "д",
    "e": "е",
    "z": "з",
    "i": "и",
    "y": "й",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "f": "ф",
    "h": "х",
    "c": "к",
    "q": "к",
    "w": "в",
    "x": "кс",
    "j": "дж",
}
_ROMANISATION = [
    ("ou", "u"),
    ("u", "ou"),
    ("ee", "i"),
    ("i", "ee"),
    ("kh", "h"),
    ("q", "k"),
    ("dh", "d"),
    ("j", "dj"),
    ("y", "i"),
    ("a", "e"),
    ("e", "a"),
    ("ph", "f"),
]
_WORD = re.compile(r"[A-Za-z]{2,}")


def _tokens(name: str) -> list[str]:
    return name.replace(",", " ").split()


def _is_form(token: str) -> bool:
    return token.upper().strip(",.") in _LEGAL_FORMS


class Perturber:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def apply(self, klass: str, entry: ListEntry) -> str | None:
        return getattr(self, klass)(entry)  # type: ignore[no-any-return]

    def reorder(self, entry: ListEntry) -> str | None:
        if "," in entry.name:
            last, first = entry.name.split(",", 1)
            return f"{first.strip()} {last.strip()}"
        tokens = _tokens(entry.name)
        if len(tokens) < 2:
            return None
        return " ".join(tokens[1:] + tokens[:1])

    def typo(self, entry: ListEntry) -> str | None:
        tokens = _tokens(entry.name)
        long = [i for i, t in enumerate(tokens) if len(t) >= 5 and t.isalpha()]
        if not long:
            return None
        i = self.random.choice(long)
        word = tokens[i]
        at = self.random.randrange(1, len(word) - 1)
        letter = self.random.choice("abcdefghijklmnopqrstuvwxyz")
        edit = self.random.choice(["substitute", "delete", "insert", "transpose"])
        if edit == "substitute":
            word = word[:at] + letter + word[at + 1 :]
        elif edit == "delete":
            word = word[:at] + word[at + 1 :]
        elif edit == "insert":
            word = word[:at] + letter + word[at:]
        else:
            word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
        tokens[i] = word
        return " ".join(tokens)

    def dropped_token(self, entry: ListEntry) -> str | None:
        tokens = [t for t in _tokens(entry.name) if not _is_form(t)]
        if len(tokens) < 3:
            return None
        drop = self.random.randrange(1, len(tokens) - 1)
        return " ".join(tokens[:drop] + tokens[drop + 1 :])

    def initials(self, entry: ListEntry) -> str | None:
        if entry.type is not EntryType.PERSON:
            return None
        if "," in entry.name:
            last, first = entry.name.split(",", 1)
            given = first.split()
            if not given:
                return None
            i = self.random.randrange(len(given))
            given[i] = given[i][0] + "."
            return f"{' '.join(given)} {last.strip()}"
        tokens = entry.name.split()
        if len(tokens) < 2:
            return None
        i = self.random.randrange(len(tokens) - 1)
        tokens[i] = tokens[i][0] + "."
        return " ".join(tokens)

    def alias(self, entry: ListEntry) -> str | None:
        strong = [
            a.name
            for a in entry.aliases
            if a.strength == "strong" and fold(a.name) != fold(entry.name) and len(fold(a.name)) > 3
        ]
        return self.random.choice(strong) if strong else None

    def legal_form(self, entry: ListEntry) -> str | None:
        if entry.type is EntryType.PERSON:
            return None
        tokens = entry.name.replace(",", " ").split()
        forms = [i for i, t in enumerate(tokens) if _is_form(t)]
        if not forms or len(tokens) < 2:
            return None
        i = self.random.choice(forms)
        replacement = self.random.choice(_LEGAL_FORMS[tokens[i].upper().strip(",.")])
        tokens[i] = replacement
        return " ".join(t for t in tokens if t)

    def merged_tokens(self, entry: ListEntry) -> str | None:
        tokens = [t for t in _tokens(entry.name) if t.isalpha()]
        if len(tokens) < 2:
            return None
        i = self.random.randrange(len(tokens) - 1)
        return " ".join([*tokens[:i], tokens[i] + tokens[i + 1].lower(), *tokens[i + 2 :]])

    def transliteration(self, entry: ListEntry) -> str | None:
        text = fold(entry.name)
        if len(text.split()) < 2:
            return None
        if self.random.random() < 0.5:
            out, i = "", 0
            while i < len(text):
                for size in (4, 2, 1):
                    chunk = text[i : i + size]
                    if chunk in _CYRILLIC:
                        out += _CYRILLIC[chunk]
                        i += size
                        break
                else:
                    out += text[i]
                    i += 1
            return out
        words = text.split()
        options = [
            (w, a, b) for w, word in enumerate(words) for a, b in _ROMANISATION if a in word[1:]
        ]
        if not options:
            return None
        w, a, b = self.random.choice(options)
        head, tail = words[w][:1], words[w][1:]
        words[w] = head + tail.replace(a, b, 1)
        return " ".join(words)

    def merged_given_surname(self, entry: ListEntry) -> str | None:
        """A given name run into the surname, in "First LAST" order ("Petro
        AnatoliyovichZHURAVEL"), the surname's capitals kept or (half the time) not."""
        if entry.type is not EntryType.PERSON or "," not in entry.name:
            return None
        last, first = (part.strip() for part in entry.name.split(",", 1))
        given = [t for t in first.split() if t.isalpha()]
        if not given or not last.replace(" ", "").isalpha():
            return None
        surname = last.replace(" ", "").upper()
        if self.random.random() < 0.5:
            surname = surname.lower()
        return " ".join([*given[:-1], given[-1] + surname])

    def two_typos(self, entry: ListEntry) -> str | None:
        """Two edits in one word of eight letters or more ("SHAMKJNI", "SAVVHENKO")."""
        tokens = _tokens(entry.name)
        long = [i for i, t in enumerate(tokens) if len(t) >= 8 and t.isalpha()]
        if not long:
            return None
        i = self.random.choice(long)
        word = tokens[i]
        for _ in range(2):
            at = self.random.randrange(1, len(word) - 1)
            letter = self.random.choice("abcdefghijklmnopqrstuvwxyz")
            if self.random.random() < 0.5:
                word = word[:at] + letter + word[at + 1 :]
            else:
                word = word[:at] + word[at + 1 :]
        tokens[i] = word
        return " ".join(tokens)


_ARABIC = re.compile("[\u0600-\u06ff]")
_CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")
_CJK = re.compile("[\u4e00-\u9fff\uac00-\ud7af\u3040-\u30ff]")


def script_of(name: str) -> str | None:
    if _ARABIC.search(name):
        return "cross_arabic"
    if _CYRILLIC_LETTER.search(name):
        return "cross_cyrillic"
    if _CJK.search(name):
        return "cross_cjk"
    return None


def latin_only(entries: Sequence[ListEntry]) -> list[ListEntry]:
    """The entries without their names in other scripts (so that a query in another
    script can only be found through its Latin forms)."""
    out = []
    for entry in entries:
        # Each alias as its listed names: an alias string that pairs a Latin form with
        # its original script ("Amir Khazmat (original script: Амир Хазмат)") keeps its
        # Latin form, with the alias's strength and kind.
        aliases = tuple(
            alias.model_copy(update={"name": name})
            for alias in entry.aliases
            for name in expand_listed_name(alias.name)
            if script_of(name) is None
        )
        kept = [n for n, _ in entry.screening_names() if script_of(n) is None]
        if not kept:
            continue
        out.append(entry.model_copy(update={"aliases": aliases, "name": kept[0]}))
    return out


def cross_script_positives(entries: Sequence[ListEntry]) -> list[Query]:
    """Every name a list gives in Arabic, Cyrillic or CJK script, as a query for its
    entry (to be screened against :func:`latin_only` entries): the UN pairs each
    original-script name with its Latin forms."""
    queries = []
    for entry in entries:
        for name, _ in entry.screening_names():
            klass = script_of(name)
            if klass is None:
                continue
            queries.append(Query(f"{klass}:{len(queries)}", name, "positive", klass, entry.key))
    return queries


_TRADE = ["Import", "Export", "Trading", "General", "International", "Group", "Services",
          "Holding", "Industries", "Enterprise", "Commercial", "Technology", "Global",
          "Logistics", "Shipping", "Engineering", "Investment", "Development"]  # fmt: skip
_FORMS = ["Co Ltd", "LLC", "Ltd", "Co., Ltd.", "Company Limited", "JSC", "FZE", "Inc", "SA"]
_COMMON_GIVEN = ["Muhammad", "Mohammad", "Ahmed", "Ali", "Hassan", "Kim", "Lee", "Wang",
                 "Li", "Zhang", "Jose", "Maria", "John", "Ivan", "Sergey", "Nguyen"]  # fmt: skip


def innocent_names(entries: Sequence[ListEntry], count: int, seed: int) -> list[Query]:
    """Names made only of generic trade words, initials, legal forms and very common
    given names and surnames ("A & B Import Export Co Ltd", "M. K. Trading LLC", "Kim
    Jong"), none of them a listed name: none may be blocked."""
    rng = random.Random(seed + 2)
    listed = {_sorted_form(n) for e in entries for n, _ in e.screening_names()}
    letters = "ABCDEGHKLMNPRSTVW"
    queries: list[Query] = []
    while len(queries) < count:
        pattern = rng.randrange(4)
        if pattern == 0:
            name = f"{rng.choice(letters)} & {rng.choice(letters)} {rng.choice(_TRADE)} "
            name += f"{rng.choice(_TRADE)} {rng.choice(_FORMS)}"
        elif pattern == 1:
            initials = " ".join(f"{rng.choice(letters)}." for _ in range(rng.randint(1, 3)))
            name = f"{initials} {rng.choice(_TRADE)} {rng.choice(_TRADE)} {rng.choice(_FORMS)}"
        elif pattern == 2:
            name = f"{rng.choice(_COMMON_GIVEN)} {rng.choice(_COMMON_GIVEN)}"
        else:
            name = f"{rng.choice(_COMMON_GIVEN)} {rng.choice(_TRADE)} {rng.choice(_FORMS)}"
        if _sorted_form(name) in listed:
            continue
        queries.append(Query(f"innocent:{len(queries)}", name, "innocent", "generic_words"))
    return queries


def perturbed_positives(
    entries: Sequence[ListEntry], per_class: int, seed: int, with_qualifiers: bool = True
) -> list[Query]:
    """``per_class`` variants of listed names per perturbation class."""
    rng = random.Random(seed)
    perturber = Perturber(seed)
    pool = [e for e in entries if len(fold(e.name)) >= 4]
    queries = []
    for klass in PERTURBATIONS:
        made = 0
        for entry in rng.sample(pool, len(pool)):
            if made >= per_class:
                break
            name = perturber.apply(klass, entry)
            if not name or fold(name) == "":
                continue
            queries.append(_positive(f"{klass}:{made}", name, klass, entry, with_qualifiers))
            made += 1
    return queries


def _positive(qid: str, name: str, klass: str, entry: ListEntry, with_qualifiers: bool) -> Query:
    kind = None
    if entry.type is EntryType.PERSON:
        kind = "person"
    elif entry.type is not EntryType.UNKNOWN:
        kind = "entity"
    return Query(
        qid,
        name,
        "positive",
        klass,
        entry.key,
        country=entry.countries[0] if with_qualifiers and entry.countries else None,
        type=kind if with_qualifiers else None,
        dob=entry.dates_of_birth[0] if with_qualifiers and entry.dates_of_birth else None,
    )


def hard_negatives(
    entries: Sequence[ListEntry], first_names: Sequence[str], count: int, seed: int
) -> list[Query]:
    """Listed people's surnames with another person's given name."""
    rng = random.Random(seed + 1)
    people = [e for e in entries if e.type is EntryType.PERSON and "," in e.name]
    queries = []
    for entry in rng.sample(people, min(count, len(people))):
        last = entry.name.split(",", 1)[0].strip()
        first = rng.choice(first_names)
        queries.append(
            Query(
                f"hard_negative:{len(queries)}",
                f"{first} {last}",
                "hard_negative",
                "same_surname",
                None,
                type="person",
            )
        )
    return queries


def first_names(data: Path) -> list[str]:
    with (data / "screening-eval" / "negatives_us.csv").open(encoding="utf-8") as handle:
        return [
            row["first_name"]
            for row in csv.DictReader(handle)
            if _WORD.fullmatch(row["first_name"] or "")
        ]


def iter_all(*groups: Sequence[Query]) -> Iterator[Query]:
    for group in groups:
        yield from group
