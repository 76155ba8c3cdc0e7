"""The bundled reference data: countries, menu, policy packs, frameworks, program terms.

Everything is read from the installed package (``aiexports/data``), validated with file,
line and field on error, and cached for the life of the process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from aiexports.core.countries import CountryBook, CountrySources, GroupInfo, build_country_book
from aiexports.core.records import validation_context
from aiexports.core.screening.names import NameRules
from aiexports.errors import InputError, Issue, ReferenceDataError
from aiexports.sources.cache import DerivedCache
from aiexports.sources.documents import (
    DEFAULT_LIMITS,
    Document,
    ReadLimits,
    field_path,
    parse_text,
    read_document,
    validate_document,
)

if TYPE_CHECKING:
    from aiexports.core.catalog import FrameworkCatalog, Menu, Package, ProgramTerms
    from aiexports.core.monitoring.model import ThresholdHistory
    from aiexports.core.policy.engine import ReferenceData
    from aiexports.core.policy.pack import PackShelf, PolicyPack
    from aiexports.core.rubric import Rubric
    from aiexports.core.sovereignty import SovereigntyFramework

# The catalog, pack and engine modules are imported where they are first needed: a
# command that only reads a deal (and finds it invalid) should not wait for them.

DATA: Traversable = resources.files("aiexports.data")


def data_file(*parts: str) -> Traversable:
    node = DATA
    for part in parts:
        node = node / part
    return node


def _digest(*texts: str | bytes) -> str:
    hasher = hashlib.sha256()
    for text in texts:
        hasher.update(text.encode() if isinstance(text, str) else text)
    return hasher.hexdigest()


def _bundled(load: Any, what: str) -> Any:
    """Bundled data that fails validation is a broken install, not a user error."""
    try:
        return load()
    except InputError as error:
        raise ReferenceDataError(
            [Issue(f"bundled {what}: {i.message}", i.source, i.line, i.field) for i in error.issues]
        ) from None


# --- countries --------------------------------------------------------------------------


@cache
def countries() -> CountryBook:
    return _bundled(_load_countries, "country data")  # type: ignore[no-any-return]


def _load_countries() -> CountryBook:
    iso_text = data_file("countries", "iso-3166-1.json").read_text(encoding="utf-8")
    groups_text = data_file("countries", "ear-country-groups.json").read_text(encoding="utf-8")
    rules_text = data_file("countries", "country-rules.yaml").read_text(encoding="utf-8")
    iso = json.loads(iso_text)
    ear = json.loads(groups_text)
    rules = parse_text(rules_text, "countries/country-rules.yaml").data
    groups = {
        code: GroupInfo(
            code=code,
            title=group["title"],
            members=tuple(member["code"] for member in group["members"]),
            confidence=group["confidence"],
            notes=group.get("notes", ""),
            sources=tuple(group.get("sources", ())),
        )
        for code, group in ear["groups"].items()
    }
    tiers = rules["risk_tiers"]
    sources = CountrySources(
        iso_countries=tuple((c["code"], tuple(c["names"])) for c in iso["countries"]),
        groups=groups,
        diffusion_tier1=frozenset(m["code"] for m in ear["ai_diffusion_2025_tier1"]["members"]),
        military_end_use=frozenset(m["code"] for m in ear["military_end_use_744_21"]["members"]),
        echri_signatories=frozenset(tiers["low_countries"]),
        high_risk_groups=tuple(tiers["high_groups"]),
        high_risk_extra=frozenset(tiers["high_countries"]),
        treated_as=dict(rules["treated_as"]),
        countries_of_concern=frozenset(rules["countries_of_concern"]),
        tier3_extra=frozenset(rules["diffusion_tier3_countries"]),
        name_aliases=dict(rules["name_aliases"]),
        version=f"ear-groups@{ear['as_of']}#{_digest(iso_text, groups_text, rules_text)[:12]}",
    )
    return build_country_book(sources)


@cache
def regions() -> Mapping[str, tuple[str, str]]:
    """Each country code's UN M49 region and sub-region (``("Europe", "Western Europe")``):
    how the published statistics group destinations."""
    raw = json.loads(data_file("countries", "un-m49-regions.json").read_text(encoding="utf-8"))
    return {code: (entry["region"], entry["subregion"]) for code, entry in raw["countries"].items()}


# --- frameworks and program terms -------------------------------------------------------


@cache
def frameworks() -> dict[str, FrameworkCatalog]:
    from aiexports.core.catalog import FrameworkCatalog

    raw = json.loads(data_file("frameworks", "nist-ai-rmf-1.0-core.json").read_text("utf-8"))
    meta = raw["framework"]
    framework_id = f"{meta['id']}-{meta['version']}"
    subcategories = frozenset(
        sub["id"]
        for function in raw["functions"]
        for category in function["categories"]
        for sub in category["subcategories"]
    )
    functions = tuple(function["id"] for function in raw["functions"])
    return {framework_id: FrameworkCatalog(framework_id, subcategories, functions)}


@cache
def program_terms() -> ProgramTerms:
    def load() -> ProgramTerms:
        from aiexports.core.catalog import ProgramTerms

        text = data_file("program", "terms.yaml").read_text(encoding="utf-8")
        return validate_document(ProgramTerms, parse_text(text, "program/terms.yaml"))

    return _bundled(load, "program terms")  # type: ignore[no-any-return]


@cache
def bundled_rubric() -> Rubric:
    """The rubric bundled as the first published version."""

    def load() -> Rubric:
        from aiexports.core.rubric import Rubric

        text = data_file("program", "rubric.yaml").read_text(encoding="utf-8")
        return validate_document(Rubric, parse_text(text, "program/rubric.yaml"))

    return _bundled(load, "proposal rubric")  # type: ignore[no-any-return]


SEAL_FRAMEWORK = "eu-csf-1.2.1"
SIX_FRAMEWORK = "sovereign-ai-six-1"


@cache
def sovereignty_framework(name: str) -> SovereigntyFramework:
    """A bundled sovereignty ladder: ``eu-csf-1.2.1`` (the SEAL levels) or
    ``sovereign-ai-six-1`` (the partners' six dimensions). A revised framework is a new
    file."""

    def load() -> SovereigntyFramework:
        from aiexports.core.sovereignty import SovereigntyFramework

        source = f"sovereignty/{name}.yaml"
        text = data_file("sovereignty", f"{name}.yaml").read_text(encoding="utf-8")
        return validate_document(SovereigntyFramework, parse_text(text, source))

    return _bundled(load, f"sovereignty framework {name}")  # type: ignore[no-any-return]


@cache
def monitoring_thresholds() -> ThresholdHistory:
    """The monitoring checks' thresholds, by date (``monitoring/thresholds.yaml``)."""

    def load() -> ThresholdHistory:
        from aiexports.core.monitoring.model import ThresholdHistory

        text = data_file("monitoring", "thresholds.yaml").read_text(encoding="utf-8")
        return validate_document(ThresholdHistory, parse_text(text, "monitoring/thresholds.yaml"))

    return _bundled(load, "monitoring thresholds")  # type: ignore[no-any-return]


# --- menu -------------------------------------------------------------------------------


def read_package(document: Document, book: CountryBook) -> Package:
    from aiexports.core.catalog import Package

    return validate_document(Package, document, validation_context(book))


def read_packages(
    paths: Iterable[Path], book: CountryBook, limits: ReadLimits = DEFAULT_LIMITS
) -> list[tuple[Path, Package]]:
    """Read package files, reporting every file's errors together."""
    packages: list[tuple[Path, Package]] = []
    issues: list[Issue] = []
    for path in paths:
        try:
            packages.append((path, read_package(read_document(path, limits=limits), book)))
        except InputError as error:
            issues.extend(error.issues)
    if issues:
        raise InputError(issues)
    return packages


@cache
def menu(derived: DerivedCache | None = None) -> Menu:
    """The bundled menu; with ``derived``, its validated packages are kept there and read
    back on later runs (parsing the YAML is most of the time it takes)."""
    from aiexports.core.catalog import build_menu

    def load() -> Menu:
        book = countries()
        folder = data_file("menu")
        files = sorted(
            (entry for entry in folder.iterdir() if entry.name.endswith(".yaml")),
            key=lambda entry: entry.name,
        )
        texts = [entry.read_text(encoding="utf-8") for entry in files]
        version = f"menu#{_digest(*texts)[:12]}"
        key = derived.key(version, book.version) if derived is not None else ""
        kept = _kept_packages(derived.load("menu", key), book) if derived is not None else None
        if kept is not None:
            return build_menu(kept, version)
        packages = [
            read_package(parse_text(text, f"menu/{entry.name}"), book)
            for entry, text in zip(files, texts, strict=True)
        ]
        if derived is not None:
            derived.store("menu", key, [package.model_dump(mode="json") for package in packages])
        return build_menu(packages, version)

    return _bundled(load, "menu")  # type: ignore[no-any-return]


def _kept_packages(kept: object, book: CountryBook) -> list[Package] | None:
    """Packages kept by :func:`menu`, validated again (an entry of another shape is
    ignored and the menu read from its files)."""
    from aiexports.core.catalog import Package

    if not isinstance(kept, list):
        return None
    try:
        return [Package.model_validate(item, context=validation_context(book)) for item in kept]
    except ValidationError:
        return None


# --- policy packs -----------------------------------------------------------------------


def _pack_documents() -> dict[str, Document]:
    documents = {}
    for entry in sorted(data_file("policies").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            document = parse_text(entry.read_text(encoding="utf-8"), f"policies/{entry.name}")
            documents[str(document.data.get("id"))] = document
    return documents


def read_pack(document: Document, bases: Mapping[str, Document]) -> PolicyPack:
    """Validate a pack document, merging the pack it ``extends``: a draft inherits the
    base's rules, dates, title and version unless it names its own, and its parameters,
    citations and conditions key by key. Every problem is located in the document."""
    from aiexports.core.policy.engine import check_pack
    from aiexports.core.policy.pack import PolicyPack

    data = document.data
    if not isinstance(data, CommentedMap):
        raise InputError(Issue("a policy pack is a mapping", document.source, 1))
    base_id = data.get("extends")
    if base_id is not None:
        base = bases.get(str(base_id))
        if base is None:
            raise InputError(
                Issue(
                    f"extends unknown pack {base_id!r} (known: {', '.join(sorted(bases))})",
                    document.source,
                    document.line_of(["extends"]),
                    "extends",
                )
            )
        # Inherit in place: the document was parsed for this call, and its own keys keep
        # their line numbers for error messages.
        data.pop("extends")
        for key in ("title", "version", "summary", "effective", "rules"):
            if key not in data and key in base.data:
                data[key] = base.data[key]
        for section in ("parameters", "citations", "conditions"):
            own = data.setdefault(section, CommentedMap())
            if not isinstance(own, CommentedMap):
                continue  # validation reports the wrong shape
            for key, value in (base.data.get(section) or {}).items():
                if key not in own:
                    own[key] = value
    pack = validate_document(PolicyPack, document)
    problems = check_pack(pack)
    if problems:
        raise InputError(
            [
                issue.located(document.source, document.line_of(field_path(issue.field or "")))
                for issue in problems
            ]
        )
    return pack


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@cache
def packs() -> PackShelf:
    def load() -> PackShelf:
        from aiexports.core.policy.pack import PackShelf

        documents = _pack_documents()
        return PackShelf({pid: read_pack(doc, documents) for pid, doc in documents.items()})

    return _bundled(load, "policy packs")  # type: ignore[no-any-return]


def pack_from_file(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> PolicyPack:
    """A draft or replacement pack from a file; it may extend a bundled pack. A draft may
    not take a bundled pack's id (its determinations would pass for the bundled pack's)
    unless it is that pack, unchanged."""
    document = read_document(path, limits=limits)
    pack = read_pack(document, _pack_documents())
    bundled = packs().packs.get(pack.id)
    if bundled is not None and bundled.digest != pack.digest:
        raise InputError(
            Issue(
                f"a draft pack may not reuse the id of the bundled pack {pack.id!r}; "
                "give it an id of its own",
                str(path),
                document.line_of(["id"]),
                "id",
            )
        )
    return pack


def reference_data(derived: DerivedCache | None = None) -> ReferenceData:
    from aiexports.core.policy.engine import ReferenceData

    return ReferenceData(countries(), menu(derived))


# --- screening --------------------------------------------------------------------------


@cache
def name_rules() -> NameRules:
    def load() -> NameRules:
        text = data_file("screening", "name-rules.yaml").read_text(encoding="utf-8")
        raw = parse_text(text, "screening/name-rules.yaml").data
        try:
            return NameRules.build(
                phrases=dict(raw["legal_form_phrases"]),
                forms=dict(raw["legal_forms"]),
                honorifics=list(raw["honorifics"]),
                particles=list(raw["particles"]),
                variant_groups=[list(group) for group in raw["variants"]],
                generic=list(raw.get("generic_words") or ()),
                common=list(raw.get("common_names") or ()),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(
                Issue(f"invalid name rules: {error}", "screening/name-rules.yaml")
            ) from None

    return _bundled(load, "name rules")  # type: ignore[no-any-return]
