"""Name-matching algorithms, registered by a stable name with their whole configuration.

An algorithm's name and the digest of its configuration (settings and name rules) go into
every determination's ``data_versions``: a change of how names are matched is a new
version, never a silent one. Older algorithms stay selectable, so that a compliance team
can compare what a change does before it adopts it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from types import MappingProxyType

from aiexports.core.screening.names import NameRules


@dataclass(frozen=True)
class MatcherSettings:
    candidates: int = 40
    """Names scored in full per query, chosen by index support."""
    min_support: float = 0.36
    """Share of the query's weight the index must find in a name before it is scored."""
    min_name_score: float = 0.3
    """Name scores below this are not reported (far below any review threshold)."""
    weak_alias_penalty: float = 0.06
    country_match: float = 0.02
    country_mismatch: float = -0.05
    type_mismatch: float = -0.10
    birth_year_match: float = 0.03
    birth_year_mismatch: float = -0.12


@dataclass(frozen=True)
class NameAlgorithm:
    """How names are parsed, indexed and compared (see the fields)."""

    name: str
    description: str
    settings: MatcherSettings = field(default_factory=MatcherSettings)
    generic_words: bool = False
    """Trade words weigh little, and they, legal forms, initials and very common names
    never carry a block alone (:func:`aiexports.core.screening.evidence.rare_evidence`)."""
    romanise_scripts: bool = False
    """Arabic-script names romanised keeping their long vowels (:mod:`.scripts`)."""
    split_case: bool = False
    """``AliKADKHODAEI`` read as two words."""
    any_order_merges: bool = False
    """Two words spelled together in either order (``Alikadkhodaei`` for *Kadkhodaei,
    Ali*), not only in the order listed."""
    two_edit_keys: bool = False
    """Long listed words (8 letters or more) are indexed two deletions deep, so a query
    word two edits from one (``SHAMKJNI`` for *Shamkhani*: a letter changed, one left
    out) still finds it; the query side looks one deletion deep, as in v1."""
    skeleton_range: float = 0.7
    """Spellings at least this similar are compared by consonant skeleton."""
    generic_cap: float = 1.0
    """The most a name scores when no rare part of the listed name is present."""
    forms_imply_organisation: bool = False
    """A name with a legal form ("Co Ltd") is an organisation: a person, vessel or
    aircraft entry counts as a type mismatch even when the query gives no type."""
    read_scripts: bool = False
    """A name in Arabic script is also read as the Latin spellings the lists use for
    words with its consonants (:meth:`ListIndex.readings`), each reading compared in
    full: the script leaves out short vowels, which the romanisation cannot restore."""

    read_cyrillic: bool = False
    """A name in Cyrillic script is also read as the Latin spellings the lists use for
    its words (:func:`.scripts.cyrillic_spelling`: the Russian, Ukrainian and Belarusian
    systems, the press's, and the spellings of names of Arabic and Turkic origin), each
    reading compared in full."""

    def rules(self, base: NameRules) -> NameRules:
        """The name rules this algorithm applies, from the bundled ones."""
        return dataclasses.replace(
            base,
            generic=base.generic if self.generic_words else frozenset(),
            common=base.common if self.generic_words else frozenset(),
            romanise_scripts=self.romanise_scripts,
            split_case=self.split_case,
        )

    def digest(self, base: NameRules) -> str:
        """sha256 of the configuration: the settings and the name rules it applies."""
        rules = self.rules(base)
        algorithm = {
            name: value
            for name, value in dataclasses.asdict(self).items()
            if _ADDED_LATER.get(name, _UNSET) != value
        }
        text = json.dumps(
            {
                "algorithm": algorithm,
                "rules": {
                    name: _plain(getattr(rules, name)) for name in rules.__dataclass_fields__
                },
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()


_UNSET = object()
_ADDED_LATER = MappingProxyType({"read_cyrillic": False})
"""Fields added after earlier algorithms were released, with the value that keeps those
algorithms as they were: left out of the digest at that value, so that an unchanged
algorithm keeps its digest (and its decisions their ids)."""


def _plain(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, dict | MappingProxyType):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


NAMES_V1 = NameAlgorithm(
    "aiexports-names-v1",
    "token alignment with IDF weights, one-deletion and consonant-skeleton candidates, "
    "adjacent merged tokens; scripts by generic transliteration",
)
NAMES_V2 = NameAlgorithm(
    "aiexports-names-v2",
    "v1, plus: Arabic-script romanisation with long vowels, words split at case "
    "boundaries, merged tokens in any order, two typos in long words, and proportional "
    "evidence (generic trade words, legal forms, initials and very common names never "
    "carry a block alone)",
    generic_words=True,
    romanise_scripts=True,
    split_case=True,
    any_order_merges=True,
    two_edit_keys=True,
    skeleton_range=0.55,
    generic_cap=0.78,
    forms_imply_organisation=True,
)
NAMES_V3 = dataclasses.replace(
    NAMES_V2,
    name="aiexports-names-v3",
    description="v2, plus: names in Arabic script read as the listed Latin spellings of "
    "their words (the consonants and long vowels the script writes, the short vowels the "
    "lists' spellings give), each reading compared in full and discounted by how far it "
    "had to go",
    read_scripts=True,
)
NAMES_V4 = dataclasses.replace(
    NAMES_V3,
    name="aiexports-names-v4",
    description="v3, plus: names in Cyrillic script read as the listed Latin spellings of "
    "their words (the Russian, Ukrainian and Belarusian romanisation systems, the press's "
    "spellings, and those of names of Arabic and Turkic origin written in Cyrillic)",
    read_cyrillic=True,
)
ALGORITHMS = MappingProxyType({a.name: a for a in (NAMES_V1, NAMES_V2, NAMES_V3, NAMES_V4)})
"""Every name-matching algorithm, by its stable name."""
