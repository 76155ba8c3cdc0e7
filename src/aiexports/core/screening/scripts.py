"""Romanising names written in Arabic script (Arabic, Persian, Urdu), and reading names
in Arabic or Cyrillic script as the Latin spellings lists give.

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
from dataclasses import dataclass
from types import MappingProxyType

from anyascii import anyascii

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


@dataclass(frozen=True, slots=True)
class Spelling:
    """The Latin spellings of a word in another script, as a regular expression (text,
    matched whole), with the letters a spelling can start and end with (None: any), so
    that only the listed words with those letters are tried."""

    pattern: str
    first: frozenset[str] | None
    last: frozenset[str] | None

    def then(self, other: Spelling) -> Spelling:
        """This word's spellings followed by ``other``'s, run together as one word."""
        return Spelling(self.pattern + other.pattern, self.first, other.last)


def _edge_letters(fragment: str, last: bool) -> frozenset[str] | None:
    """The letters one of the tables' fragments (``(?:q|k|ck)+``, ``[aeu]``, ``x``) can
    start (or end) with; None when the fragment may be empty."""
    if fragment.endswith(("?", "*", "}")):
        return None
    body = fragment.rstrip("+")
    while body.startswith("(?:") and body.endswith(")"):
        body = body[3:-1]
    letters: set[str] = set()
    for alternative in body.split("|"):
        if not alternative or not alternative.replace("\\", "").isalpha():
            return None  # not a plain spelling: no filter on this edge
        letters.add(alternative[-1] if last else alternative[0])
    return frozenset(letters)


def _group(spelled: str) -> str:
    """A table's spelling as one group, to be repeated (``b`` → ``(?:b)``)."""
    return spelled if spelled.startswith("(?:") and spelled.endswith(")") else f"(?:{spelled})"


def _spelling(parts: list[str]) -> Spelling | None:
    if not parts:
        return None
    return Spelling("".join(parts), _edge_letters(parts[0], False), _edge_letters(parts[-1], True))


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


def latin_spelling(word: str) -> Spelling | None:
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
            parts.append(_group(_SPELLED[letter]) + ("*" if dropped else "+"))
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
    return _spelling(parts)


_WORD_SPELLINGS = MappingProxyType(
    {
        "bin": Spelling("b[ie]n", frozenset("b"), frozenset("n")),
        "ibn": Spelling("[ie]?b[ie]?n", frozenset("ieb"), frozenset("n")),
        "bint": Spelling("b[ie]nt", frozenset("b"), frozenset("t")),
        "allah": Spelling("[aeu]?ll?a+h?", frozenset("aeul"), frozenset("ah")),
    }
)  # fmt: skip
ARTICLE = Spelling("(?:[aeu]l?-?)", frozenset("aeu"), None)
"""The article as lists write it merged with its word: *al-*, *el*, *ul*, or assimilated
(*as-Sayyid*, *Essaadi*: the consonant after it doubled)."""


def arabic_words(word: str) -> list[tuple[str, Spelling | None]]:
    """An Arabic-script word as (romanised word, Latin spelling pattern) pairs: the
    article, when present, a word of its own (``al``, with no pattern: it is compared
    as a particle); the words with a usual spelling (*bin*, *Allah*) by it."""
    letters = _MARKS.sub("", unicodedata.normalize("NFKC", word))
    if letters in _WORDS:
        romanised = _WORDS[letters]
        return [(romanised, _WORD_SPELLINGS[romanised])]
    out: list[tuple[str, Spelling | None]] = []
    if len(letters) > 4 and letters.startswith("ال"):
        out.append(("al", None))
        letters = letters[2:]
    romanised_words = romanise_arabic(letters)
    if romanised_words:
        out.append((romanised_words[-1], latin_spelling(letters)))
    return out


# --- Latin spellings of a Cyrillic word -----------------------------------------------------
#
# Cyrillic writes every vowel, but the Latin spellings of one Cyrillic name differ by the
# system used (BGN/PCGN and the passport system for Russian: Khrushchev, Zhukov; the
# Ukrainian and Belarusian national systems: г as h, и as y; German and French press
# spellings: Chruschtschow, Joukov) and by the name's origin: a name of Arabic, Persian or
# Turkic origin written in Cyrillic is listed in the spelling of its own language
# (Мухамадмухтар *Muhamadmuhtar*, Таухид *Tawhid*, Джихад *Jihad*, Катиба *Khatiba*).

CYRILLIC_SCRIPT = re.compile("[\u0400-\u04ff\u0500-\u052f]")
_CYRILLIC = MappingProxyType(
    {
        "а": "(?:a|e)", "б": "b", "в": "(?:v|w|f|u)", "г": "(?:g|h|gh)", "ґ": "g",
        "д": "d", "е": "(?:e|ye|je|ie|a|i)", "ё": "(?:e|yo|jo|io|o)", "є": "(?:ye|je|ie|e)",
        "ж": "(?:zh|j|z|g|dj|jh|s)", "з": "(?:z|s|dh|th)", "и": "(?:i|y|ee|e)",
        "і": "(?:i|y)", "ї": "(?:yi|ji|i)", "й": "(?:y|i|j)?", "к": "(?:k|c|ck|q|kh)",
        "л": "l", "м": "m", "н": "n", "о": "(?:o|a|u)", "п": "p", "р": "r",
        "с": "(?:s|c|ss|th)", "т": "(?:t|th)", "у": "(?:u|ou|oo|w|o)", "ў": "(?:w|u|o)",
        "ф": "(?:f|ph)", "х": "(?:kh|h|ch|x|k|gh)", "ц": "(?:ts|tz|c|z|tc)",
        "ч": "(?:ch|tch|tsch|c|cz|tsh)", "ш": "(?:sh|sch|ch|s|sz)",
        "щ": "(?:shch|schtsch|chtch|sch|sh|shtch|stch|szcz)", "ъ": "", "ы": "(?:y|i|e)",
        "ь": "(?:y|i)?",
        "э": "(?:e|a)", "ю": "(?:yu|ju|iu|u|you|ou)", "я": "(?:ya|ja|ia|a|iya)",
        # Kazakh, Kyrgyz, Tajik, Uzbek, Bashkir and Tatar letters
        "қ": "(?:q|k)", "ғ": "(?:gh|g)", "ң": "(?:ng|n)", "ү": "(?:u|y)", "ұ": "u",
        "ө": "(?:o|u)", "һ": "h", "ә": "(?:a|e|ae)", "ҳ": "(?:h|kh)", "ҷ": "(?:j|ch)",
        "ӣ": "i", "ӯ": "u", "ҙ": "(?:z|dh|th)", "ҫ": "(?:s|th)", "ҡ": "(?:q|k)",
        # Serbian and Macedonian letters
        "ј": "(?:j|y|i)", "љ": "(?:lj|l|ly)", "њ": "(?:nj|n|ny)", "ђ": "(?:dj|d|j|gj)",
        "ћ": "(?:c|ch|tj|cj)", "џ": "(?:dz|j|dzh|dj)", "ѓ": "(?:gj|g|dj)",
        "ќ": "(?:kj|k|c|ch)", "ѕ": "(?:dz|z)",
    }
)  # fmt: skip
_CYRILLIC_DIGRAPHS = MappingProxyType(
    {"дж": "(?:j|dzh|dj|dsch|g)", "кс": "(?:ks|x)", "ий": "(?:iy|ii|yy|yi|yj|y|i|ij)",
     "ый": "(?:y|iy|yi|yy)", "ау": "(?:au|aw|ao)", "ай": "(?:ay|ai|aj|ei)"}
)  # fmt: skip
"""Pairs of letters with spellings of their own (*Jihad*, *Alexander*, *Yuriy*, *Tawhid*)."""
CYRILLIC_ARTICLES = frozenset(
    {"ал", "аль", "эль", "ель", "ат", "ад", "ар", "аз", "ас", "аш", "ан", "уль", "ул"}
)
"""The Arabic article as Cyrillic spellings write it, assimilated or not (*ат-Таухид*)."""


def cyrillic_spelling(word: str) -> Spelling | None:
    """A regular expression (unanchored text) of the Latin spellings of one Cyrillic word:
    each letter by the letters the romanisation systems and the spellings of the name's
    own language write it with, any letter doubled: ``Хрущёв`` matches *khrushchev*,
    *chruschtschow*; ``Джихад`` *jihad*, *dzhikhad*. None when the word has no Cyrillic
    letters."""
    letters = unicodedata.normalize("NFKC", word).casefold()
    if not CYRILLIC_SCRIPT.search(letters):
        return None
    parts: list[str] = []
    index = 0
    while index < len(letters):
        pair = letters[index : index + 2]
        if pair in _CYRILLIC_DIGRAPHS:
            parts.append(_group(_CYRILLIC_DIGRAPHS[pair]) + "+")
            index += 2
            continue
        letter = letters[index]
        index += 1
        if letter in _CYRILLIC:
            spelled = _CYRILLIC[letter]
            if spelled:
                parts.append(spelled if spelled.endswith("?") else _group(spelled) + "+")
        elif letter.isascii() and letter.isalpha():
            parts.append(re.escape(letter))
    return _spelling(parts)


def cyrillic_words(word: str) -> list[tuple[str, Spelling | None, int]]:
    """A Cyrillic word as (romanised word, Latin spelling pattern, letters) triples, a
    hyphenated word as its parts: an Arabic article (``ат-Таухид``) is ``al``, with no
    pattern (it is compared as a particle)."""
    out: list[tuple[str, Spelling | None, int]] = []
    parts = re.split(r"[-‐‑–—]", word)
    for index, part in enumerate(parts):
        romanised = "".join(_NON_LETTERS.sub("", anyascii(part)).casefold().split())
        if not romanised:
            continue
        # Only before a hyphen: "Ан" alone is a name (the Korean surname Ahn).
        if index < len(parts) - 1 and part.casefold() in CYRILLIC_ARTICLES:
            out.append(("al", None, len(part)))
        else:
            # The signs and й are often not written: they do not count as letters.
            sounded = sum(1 for letter in part.casefold() if letter not in "ъьй")
            out.append((romanised, cyrillic_spelling(part), max(sounded, 1)))
    return out


_NON_LETTERS = re.compile(r"[^0-9A-Za-z]+")

SPACELESS_SCRIPT = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]"
)
"""Chinese, Japanese and Korean letters: scripts that write names without spaces."""


def script_of(name: str) -> str | None:
    """The script a name is written in when it is not Latin (``arabic``, ``cyrillic``,
    ``cjk``): a query shape of its own, with score bands calibrated on clean names
    written in it (a romanised name in another script is compared with less certainty:
    the script leaves out vowels, or many people share a two-syllable name). A name is
    in the script most of its letters are in: a Latin name with a word or a mark of
    another script beside it ("… Co Ltd (北京)", "Qasim Sulaimani・") is a Latin name."""
    counts = {"arabic": 0, "cyrillic": 0, "cjk": 0, None: 0}
    for letter in name:
        if not letter.isalpha():
            continue
        if ARABIC_SCRIPT.match(letter):
            counts["arabic"] += 1
        elif CYRILLIC_SCRIPT.match(letter):
            counts["cyrillic"] += 1
        elif SPACELESS_SCRIPT.match(letter):
            counts["cjk"] += 1
        else:
            counts[None] += 1
    script = max(counts, key=lambda key: counts[key])
    return script if counts[script] * 2 > sum(counts.values()) else None


__all__ = [
    "ARABIC_SCRIPT",
    "ARTICLE",
    "CYRILLIC_SCRIPT",
    "SPACELESS_SCRIPT",
    "Spelling",
    "arabic_words",
    "cyrillic_spelling",
    "cyrillic_words",
    "in_arabic_script",
    "latin_spelling",
    "romanise_arabic",
    "script_of",
]
