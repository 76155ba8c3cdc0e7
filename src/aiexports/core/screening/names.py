"""Name normalisation: script, case and accent folding, then tokens with their roles.

Folding turns any script into lower-case ASCII (Cyrillic, Greek, Arabic, CJK — each CJK
character becoming its own romanised syllable). Tokenising then applies the name rules:
multi-word legal forms become one canonical token, leading honorifics are dropped,
romanisation variants collapse to one spelling, and every token gets a role that decides
how much it weighs in a match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from anyascii import anyascii

from aiexports.core.screening.scripts import (
    ARABIC_SCRIPT,
    SPACELESS_SCRIPT,
    in_arabic_script,
    romanise_arabic,
)


class Role(StrEnum):
    NAME = "name"
    PARTICLE = "particle"
    FORM = "form"
    INITIAL = "initial"
    GENERIC = "generic"
    """A word many innocent names share (import, export, trading, group, services…)."""


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    """The canonical spelling (romanisation variants and legal forms collapsed)."""
    role: Role
    raw: str = ""
    """The folded spelling as written (merged spellings are compared on these)."""

    @property
    def written(self) -> str:
        return self.raw or self.text


@dataclass(frozen=True)
class NameRules:
    """The normalisation tables (see ``data/screening/name-rules.yaml``)."""

    phrases: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]
    """Multi-word legal forms by their first word, longest first."""
    forms: Mapping[str, str]
    honorifics: frozenset[str]
    particles: frozenset[str]
    variants: Mapping[str, str]
    generic: frozenset[str] = frozenset()
    """Trade words that say nothing of who a party is (empty: not told apart)."""
    common: frozenset[str] = frozenset()
    """Given names and surnames so common that they never identify a party alone."""
    romanise_scripts: bool = False
    """Romanise Arabic-script words by :mod:`aiexports.core.screening.scripts` (else by
    the generic transliteration only)."""
    split_case: bool = False
    """Split a word where lower case turns to a run of capitals (``AliKADKHODAEI``)."""

    @staticmethod
    def build(
        phrases: Mapping[str, str],
        forms: Mapping[str, str],
        honorifics: Iterable[str],
        particles: Iterable[str],
        variant_groups: Sequence[Sequence[str]],
        generic: Iterable[str] = (),
        common: Iterable[str] = (),
    ) -> NameRules:
        """Fold every table entry the way names are folded, longest phrases first, and
        check that canonical spellings are fixed points (normalising twice changes nothing)."""
        by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase, canonical in phrases.items():
            words = tuple(fold(phrase).split())
            by_first.setdefault(words[0], []).append((words, fold(canonical)))
        folded_phrases = {
            first: tuple(sorted(found, key=lambda item: -len(item[0])))
            for first, found in by_first.items()
        }
        variants: dict[str, str] = {}
        for group in variant_groups:
            canonical = fold(group[0])
            for spelling in group:
                folded = fold(spelling)
                if folded in variants:
                    raise ValueError(f"spelling {spelling!r} is in two variant groups")
                variants[folded] = canonical
        for canonical in set(variants.values()):
            if variants.get(canonical, canonical) != canonical:
                raise ValueError(f"variant canonical {canonical!r} maps elsewhere")
        folded_forms = {fold(k): fold(v) for k, v in forms.items()}
        for target in folded_forms.values():
            for part in target.split():
                if folded_forms.get(part, part) != part:
                    raise ValueError(f"legal form {part!r} is not canonical")
        return NameRules(
            phrases=folded_phrases,
            forms=folded_forms,
            honorifics=frozenset(fold(h) for h in honorifics),
            particles=frozenset(fold(p) for p in particles),
            variants=variants,
            generic=frozenset(fold(g) for g in generic),
            common=frozenset(variants.get(fold(c), fold(c)) for c in common),
        )


_SPACELESS_SCRIPTS = SPACELESS_SCRIPT
_ELIDED = re.compile(r"['’‘`´ʻʼʿʾ]")
_ACRONYM = re.compile(r"\b(?:[^\W\d_]\.){2,}(?=\W|$)")
_LETTER_AMPERSAND = re.compile(r"\b([^\W\d_])\s*&\s*([^\W\d_])\b")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: ``Muḥammad al-Ḥasan`` →
    ``muhammad al hasan``; ``毛泽东`` → ``mao ze dong``; ``Qar'awi`` → ``qarawi``;
    ``C.A.D. S.A.`` → ``cad sa``; ``I&S`` → ``is``."""
    text = unicodedata.normalize("NFKC", text)
    text = _ACRONYM.sub(lambda m: m.group().replace(".", "") + " ", text)
    text = _LETTER_AMPERSAND.sub(r"\1\2", text).replace("&", " and ")
    if _SPACELESS_SCRIPTS.search(text):
        text = _SPACELESS_SCRIPTS.sub(lambda m: f" {anyascii(m.group())} ", text)
    text = _ELIDED.sub("", anyascii(text)).casefold()
    return " ".join(_NON_ALNUM.sub(" ", text).split())


_CASE_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z]{2})")


def tokenize(name: str, rules: NameRules) -> tuple[Token, ...]:
    """The tokens of a name with their roles, after the name rules."""
    if rules.split_case:
        name = _CASE_BOUNDARY.sub(" ", name)
    if rules.romanise_scripts and ARABIC_SCRIPT.search(name):
        name = unicodedata.normalize("NFKC", name)  # presentation forms to letters
        name = " ".join(
            part
            for word in name.split()
            for part in (romanise_arabic(word) if in_arabic_script(word) else [word])
        )
    words = fold(name).split()
    if not words:
        return ()
    words = _replace_phrases(words, rules)
    while len(words) > 1 and words[0] in rules.honorifics:
        words = words[1:]
    tokens = []
    for word in words:
        if word in rules.forms:
            tokens.append(Token(rules.forms[word], Role.FORM, word))
        elif word in rules.particles:
            tokens.append(Token(word, Role.PARTICLE, word))
        elif len(word) == 1 and word.isalpha():
            tokens.append(Token(word, Role.INITIAL, word))
        elif word in rules.generic:
            tokens.append(Token(word, Role.GENERIC, word))
        else:
            tokens.append(Token(rules.variants.get(word, word), Role.NAME, word))
    return tuple(tokens)


def _replace_phrases(words: list[str], rules: NameRules) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(words):
        for phrase, canonical in rules.phrases.get(words[index], ()):
            if tuple(words[index : index + len(phrase)]) == phrase:
                out.extend(canonical.split())
                index += len(phrase)
                break
        else:
            out.append(words[index])
            index += 1
    return out


def normal_form(name: str, rules: NameRules) -> str:
    """The normalised name as text (tokenising it again gives the same text)."""
    return " ".join(token.text for token in tokenize(name, rules))
