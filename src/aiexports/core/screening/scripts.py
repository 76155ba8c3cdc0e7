"""Romanising names written in Arabic script (Arabic, Persian, Urdu) for comparison with
the Latin spellings lists give.

Arabic script writes consonants and long vowels and leaves short vowels out: قاسم is
*Qasem* / *Qasim*, سليماني *Soleimani* / *Sulaymani*. A generic transliterator
(anyascii: ``qsm slymny``) drops the long vowels too, so little of the Latin spelling is
left to compare. This one keeps what the script does say, the way the common
romanisation systems (ALA-LC, the UN's, the press's) write it:

* long vowels: alif → *a*, waw → *u* (*w* before a vowel or at the start), ya → *i* (*y*
  before a vowel or at the start), alif maqsura → *a*;
* the article ال at the start of a word → *al* as a word of its own (*al-Baghdadi*);
  بن, ابن, بنت and الله by their usual spellings (*bin*, *ibn*, *bint*, *Allah*);
* a consonant followed by ح or ه that would read as a Latin digraph (ص + ح, not ش)
  gets the short vowel between (*Sahrawi*);
* ta marbuta ة → *a* (*Hamza*), final ه → *h*; ayn ع → *a*, hamza carriers at the start
  → *a* and elsewhere nothing;
* each consonant by its usual Latin letters (ث *th*, خ *kh*, ش *sh*, ق *q*, …), the
  Persian letters پ چ ژ گ too, and the Urdu ٹ ڈ ڑ ں ہ ے;
* vowel marks, when written, are dropped (they are rare in lists).

The consonant skeleton the matcher compares (``similarity.skeleton``) is then the same as
the Latin spelling's: *qasm* and *qasem* both give ``ksm``.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType

ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, tatweel
_CONSONANTS = MappingProxyType(
    {
        "ب": "b", "پ": "p", "ت": "t", "ٹ": "t", "ث": "th", "ج": "j", "چ": "ch", "ح": "h",
        "خ": "kh", "د": "d", "ڈ": "d", "ذ": "dh", "ر": "r", "ڑ": "r", "ز": "z", "ژ": "zh",
        "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f",
        "ق": "q", "ك": "k", "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ں": "n",
        "ه": "h", "ہ": "h", "ھ": "h", "ة": "a", "ۃ": "a",
    }
)  # fmt: skip
_ALIF = frozenset("اآأإٱ")
_HAMZA = frozenset("ءئؤ")
_WAW = frozenset("وۇۆ")
_YA = frozenset("يیىېےۍ")
_VOWELS = frozenset("aeiou")


def in_arabic_script(word: str) -> bool:
    return ARABIC_SCRIPT.search(word) is not None


_WORDS = MappingProxyType(
    {"بن": "bin", "ابن": "ibn", "بنت": "bint", "الله": "allah", "لله": "allah"}
)
"""Words romanised by their usual spelling: "son of", "daughter of", God's name."""
_DIGRAPH_FIRST = frozenset("sktdgzc")


def romanise_arabic(word: str) -> list[str]:
    """One word in Arabic script as Latin words (the article, when present, a word of
    its own): ``البغدادي`` → ``["al", "baghdadi"]``."""
    letters = _MARKS.sub("", word)
    if letters in _WORDS:
        return [_WORDS[letters]]
    words = []
    if len(letters) > 4 and letters.startswith("ال"):
        words.append("al")
        letters = letters[2:]
    out: list[str] = []
    for index, letter in enumerate(letters):
        first = index == 0
        following = letters[index + 1] if index + 1 < len(letters) else ""
        before_vowel = following in _ALIF or following in _WAW or following in _YA
        if letter in _ALIF or letter == "ع":
            out.append("a")
        elif letter in _HAMZA:
            out.append("a" if first else "")
        elif letter in _WAW:
            out.append("w" if first or (before_vowel and out and out[-1] in _VOWELS) else "u")
        elif letter in _YA:
            if letter == "ى" and not following:
                out.append("a")
            else:
                out.append("y" if first or (following and following in _ALIF) else "i")
        elif letter in _CONSONANTS:
            latin = _CONSONANTS[letter]
            if latin.startswith("h") and out and out[-1][-1:] in _DIGRAPH_FIRST:
                latin = "a" + latin  # صح is s-h, not "sh": a short vowel between
            out.append(latin)
        elif letter.isascii():
            out.append(letter.lower())
    text = "".join(out)
    if text:
        words.append(text)
    return words


# --- Latin spellings of an Arabic-script word ---------------------------------------------------

_SPELLED = MappingProxyType(
    {
        "ب": "b", "پ": "p", "ت": "t", "ٹ": "t", "ث": "(?:th|t|s)", "ج": "(?:j|dj|g|zh)",
        "چ": "(?:ch|tch|c)", "ح": "(?:h|kh)", "خ": "(?:kh|h|x|ch|k)", "د": "d", "ڈ": "d",
        "ذ": "(?:dh|th|z|d)", "ر": "r", "ڑ": "r", "ز": "(?:z|s)", "ژ": "(?:zh|j|z)",
        "س": "(?:s|c)", "ش": "(?:sh|ch|sch|s)", "ص": "(?:s|c)", "ض": "(?:d|dh|z)", "ط": "t",
        "ظ": "(?:z|dh|th|d)", "غ": "(?:gh|g|r|kh)", "ف": "(?:f|ph|v)",
        "ق": "(?:q|k|g|c|qu|ck|kh)", "ك": "(?:k|c|ck|q)", "ک": "(?:k|c|ck|q)", "گ": "g",
        "ل": "l", "م": "m", "ن": "n", "ں": "n", "ه": "h", "ہ": "h", "ھ": "h",
    }
)  # fmt: skip
_UNWRITTEN = frozenset("حهہھ")
"""Letters the Latin spelling often leaves out (*Ahmad* or *Amad*, *Abdalla*)."""
"""Each consonant by the Latin letters lists write it with (ح and ه are often not
written at all: *Ahmad*, *Abdalla*)."""
_SHORT = "[aeiou']{0,2}"
_LONG = MappingProxyType(
    {
        "ا": "(?:a|aa)", "آ": "(?:a|aa)", "أ": "(?:a|e|o|u|i)?", "إ": "(?:i|e)?",
        "ٱ": "a?", "ى": "(?:a|i|y|e)", "ة": "(?:a|ah|at|eh|e|h)?", "ۃ": "(?:a|ah|e)?",
        "ع": "(?:a|e|i|o|u|')?", "ء": "'?", "ئ": "(?:'|y|i|e)?", "ؤ": "(?:'|u|o|w)?",
    }
)  # fmt: skip
_WAW_SPELLED = "(?:u|o|ou|oo|w|v|ow|au|aw)"
_YA_SPELLED = "(?:i|y|e|ee|ei|ey|ie|ay|ai)"


def latin_spellings(word: str) -> str | None:
    """A regular expression (unanchored text) of the Latin spellings of one Arabic-script
    word (without its article): each letter by the letters lists write it with, short
    vowels anywhere between, any letter doubled: ``صدام`` matches *saddam* and *sadam*,
    ``قاسمي`` *qasimi*, *kasemi* and *gasmi*. None when the word has no Arabic letters."""
    letters = _MARKS.sub("", unicodedata.normalize("NFKC", word))
    if not ARABIC_SCRIPT.search(letters):
        return None
    parts: list[str] = []
    for index, letter in enumerate(letters):
        if letter in _SPELLED:
            dropped = index > 0 and letter in _UNWRITTEN  # a first letter is written
            parts.append(f"(?:{_SPELLED[letter]})" + ("*" if dropped else "+"))
        elif letter in _LONG:
            spelled = _LONG[letter]
            # A first alif, ayn or hamza is the word's written first vowel.
            parts.append(spelled[:-1] if index == 0 and spelled.endswith("?") else spelled)
        elif letter in _WAW:
            parts.append(_WAW_SPELLED)
        elif letter in _YA:
            parts.append(_YA_SPELLED)
        elif letter.isascii() and letter.isalpha():
            parts.append(re.escape(letter.lower()))
        else:
            continue
        parts.append(_SHORT)
    # Short vowels go between letters, never before the first (a word the script starts
    # with a vowel starts with alif, ayn or hamza) nor after the last (a final vowel is
    # written: ا, ى, ة, و, ي).
    if parts and parts[-1] == _SHORT:
        parts.pop()
    return "".join(parts) if parts else None


_WORD_SPELLINGS = MappingProxyType(
    {
        "bin": "b[ie]n", "ibn": "[ie]?b[ie]?n", "bint": "b[ie]nt",
        "allah": "[aeu]?ll?a+h?",
    }
)  # fmt: skip
ARTICLE = "(?:[aeu]l?-?)"
"""The article as lists write it merged with its word: *al-*, *el*, *ul*, or assimilated
(*as-Sayyid*, *Essaadi*: the consonant after it doubled)."""


def arabic_words(word: str) -> list[tuple[str, str | None]]:
    """An Arabic-script word as (romanised word, Latin spelling pattern) pairs: the
    article, when present, a word of its own (``al``, with no pattern: it is compared
    as a particle); the words with a usual spelling (*bin*, *Allah*) by it."""
    letters = _MARKS.sub("", unicodedata.normalize("NFKC", word))
    if letters in _WORDS:
        romanised = _WORDS[letters]
        return [(romanised, _WORD_SPELLINGS.get(romanised))]
    out: list[tuple[str, str | None]] = []
    if len(letters) > 4 and letters.startswith("ال"):
        out.append(("al", None))
        letters = letters[2:]
    romanised_words = romanise_arabic(letters)
    if romanised_words:
        out.append((romanised_words[-1], latin_spellings(letters)))
    return out


__all__ = [
    "ARABIC_SCRIPT",
    "ARTICLE",
    "arabic_words",
    "in_arabic_script",
    "latin_spellings",
    "romanise_arabic",
]
