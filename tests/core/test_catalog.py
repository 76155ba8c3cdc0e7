"""The menu and the program's proposal rules, each shown firing and not firing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aiexports.core.catalog import Package, build_menu, review_proposal
from aiexports.core.records import validation_context
from aiexports.errors import InputError
from aiexports.sources import reference

BOOK = reference.countries()
MENU = reference.menu()


def _review(package: Package) -> list[str]:
    found = review_proposal(package, BOOK, reference.program_terms(), reference.frameworks())
    return [f.rule for f in found]


def _changed(package_id: str, change: Callable[[dict[str, Any]], None]) -> Package:
    data = MENU.package(package_id).model_dump(mode="json")
    change(data)
    return Package.model_validate(data, context=validation_context(BOOK))


@pytest.mark.parametrize("package", list(MENU.packages.values()), ids=lambda p: p.id)
def test_every_bundled_package_meets_the_proposal_rules(package: Package) -> None:
    assert _review(package) == []


def _drop_security(d: dict[str, Any]) -> None:
    d["layers"]["security"]["components"] = []


def _wrong_layer(d: dict[str, Any]) -> None:
    d["layers"]["data"]["components"].append(
        d["layers"]["models"]["components"][0] | {"id": "moved-model"}
    )


def _chinese_member(d: dict[str, Any]) -> None:
    d["consortium"]["members"].append(
        {"name": "Macau Holdings", "country": "SG", "headquarters": "MO", "role": "finance"}
    )


def _anchor_outside(d: dict[str, Any]) -> None:
    d["consortium"]["anchor_member"] = "Not A Member LLC"


def _low_us_content(d: dict[str, Any]) -> None:
    d["layers"]["hardware"]["us_content_share"] = 0.5


def _no_targets(d: dict[str, Any]) -> None:
    d["target_countries"] = []


def _embargoed_target(d: dict[str, Any]) -> None:
    d["target_countries"] = ["KE", "CU"]


def _surveillance_to_high_risk(d: dict[str, Any]) -> None:
    d["target_countries"] = ["EE", "NI"]


def _target_of_concern(d: dict[str, Any]) -> None:
    d["target_countries"] = ["KE", "HK"]


def _macau_target(d: dict[str, Any]) -> None:
    d["target_countries"] = ["MO"]


def _russia_target(d: dict[str, Any]) -> None:
    d["target_countries"] = ["RU"]


def _belarus_target(d: dict[str, Any]) -> None:
    d["target_countries"] = ["KE", "BY"]


def _no_safeguards(d: dict[str, Any]) -> None:
    d["surveillance_safeguards"] = None


def _unknown_subcategory(d: dict[str, Any]) -> None:
    d["governance"]["rmf_subcategories"].append("MAP 9.9")


def _missing_function(d: dict[str, Any]) -> None:
    d["governance"]["rmf_subcategories"] = [
        s for s in d["governance"]["rmf_subcategories"] if not s.startswith("MEASURE")
    ]


def _duplicate_component(d: dict[str, Any]) -> None:
    d["layers"]["applications"]["components"].append(d["layers"]["applications"]["components"][0])


@pytest.mark.parametrize(
    ("package_id", "change", "rule"),
    [
        ("gov-services-assistant", _drop_security, "PKG_FULL_STACK"),
        ("gov-services-assistant", _wrong_layer, "PKG_LAYER_KIND"),
        ("gov-services-assistant", _chinese_member, "PKG_MEMBER_OF_CONCERN"),
        ("gov-services-assistant", _anchor_outside, "PKG_ANCHOR_MEMBER"),
        ("gov-services-assistant", _low_us_content, "PKG_US_CONTENT"),
        ("gov-services-assistant", _no_targets, "PKG_TARGETS"),
        ("gov-services-assistant", _embargoed_target, "PKG_EMBARGOED_TARGET"),
        ("gov-services-assistant", _target_of_concern, "PKG_TARGET_OF_CONCERN"),
        ("gov-services-assistant", _macau_target, "PKG_TARGET_OF_CONCERN"),
        ("gov-services-assistant", _russia_target, "PKG_DENIED_TARGET"),
        ("public-safety-video-analytics", _belarus_target, "PKG_DENIED_TARGET"),
        ("public-safety-video-analytics", _surveillance_to_high_risk, "PKG_SURVEILLANCE_TARGET"),
        ("public-safety-video-analytics", _no_safeguards, "PKG_SURVEILLANCE_SAFEGUARDS"),
        ("gov-services-assistant", _unknown_subcategory, "PKG_RMF_ALIGNMENT"),
        ("gov-services-assistant", _missing_function, "PKG_RMF_ALIGNMENT"),
        ("gov-services-assistant", _duplicate_component, "PKG_COMPONENT_IDS"),
    ],
)
def test_each_proposal_rule_fires_on_its_own(
    package_id: str, change: Callable[[dict[str, Any]], None], rule: str
) -> None:
    assert _review(_changed(package_id, change)) == [rule]


def test_us_content_at_the_presumption_passes() -> None:
    def exactly(d: dict[str, Any]) -> None:
        d["layers"]["hardware"]["us_content_share"] = 0.51

    assert _review(_changed("gov-services-assistant", exactly)) == []


def test_surveillance_target_rule_spares_other_packages() -> None:
    def nicaragua(d: dict[str, Any]) -> None:
        d["target_countries"] = ["KE", "NI"]

    assert _review(_changed("gov-services-assistant", nicaragua)) == []


def test_menu_refuses_shared_component_ids() -> None:
    a = MENU.package("gov-services-assistant")
    b = _changed(
        "clinical-ai-network",
        lambda d: d["layers"]["applications"]["components"].append(
            a.layers.applications.components[0].model_dump(mode="json")
        ),
    )
    with pytest.raises(InputError, match="also used by package"):
        build_menu([a, b], "test")
    with pytest.raises(InputError, match="appears twice"):
        build_menu([a, a], "test")


def test_component_catalog_resolves_every_component() -> None:
    catalog = MENU.component_catalog()
    assert sum(len(p.components()) for p in MENU.packages.values()) == len(catalog)


# --- the rules of the Call for Proposals, both sides of each ---------------------------------


def _findings(package: Package) -> list[Any]:
    return list(review_proposal(package, BOOK, reference.program_terms(), reference.frameworks()))


def _member_with_parents(*parents: dict[str, str]) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        d["consortium"]["members"].append(
            {
                "name": "Lion City Integration Pte. Ltd.",
                "country": "SG",
                "parents": list(parents),
                "role": "systems integration",
            }
        )

    return change


def test_a_member_controlled_from_hong_kong_through_a_parent_is_refused() -> None:
    # Located in Singapore, owned by a BVI holding company that is controlled from HK.
    change = _member_with_parents(
        {"name": "Harbour Holdings Ltd.", "country": "VG"},
        {"name": "Victoria Peak Capital Ltd.", "country": "VG", "headquarters": "HK"},
    )
    found = _findings(_changed("gov-services-assistant", change))
    assert [f.rule for f in found] == ["PKG_MEMBER_OF_CONCERN"]
    (finding,) = found
    assert finding.severity == "error"
    assert finding.field.endswith(".parents[1].headquarters")
    assert "Victoria Peak Capital Ltd." in finding.message
    assert "HK" in finding.message


@pytest.mark.parametrize("code", ["CN", "HK", "MO"])
def test_a_parent_located_in_any_country_of_concern_is_refused(code: str) -> None:
    change = _member_with_parents({"name": "Parent Co.", "country": code})
    assert _review(_changed("gov-services-assistant", change)) == ["PKG_MEMBER_OF_CONCERN"]


def test_parents_outside_the_countries_of_concern_pass() -> None:
    change = _member_with_parents(
        {"name": "Harbour Holdings Ltd.", "country": "VG", "headquarters": "SG"},
        {"name": "Taipei Venture Co.", "country": "TW"},
    )
    assert _review(_changed("gov-services-assistant", change)) == []


@pytest.mark.parametrize("layer", ["hardware", "data", "models", "security", "applications"])
def test_a_package_missing_any_one_layer_is_refused(layer: str) -> None:
    def drop(d: dict[str, Any]) -> None:
        d["layers"][layer]["components"] = []

    found = _findings(_changed("gov-services-assistant", drop))
    assert [(f.rule, f.field, f.severity) for f in found] == [
        ("PKG_FULL_STACK", f"layers.{layer}.components", "error")
    ]


def test_a_hardware_share_of_50_9_percent_is_flagged_not_rejected() -> None:
    def share(d: dict[str, Any]) -> None:
        d["layers"]["hardware"]["us_content_share"] = 0.509

    (finding,) = _findings(_changed("gov-services-assistant", share))
    assert finding.rule == "PKG_US_CONTENT"
    assert finding.severity == "warning"
    assert finding.message.startswith(
        "U.S.-content presumption not met: needs a documented justification"
    )
    assert "50.9%" in finding.message  # not rounded up to the 51% it misses
    assert finding.citations


def test_targets_may_be_a_regional_bloc_alone() -> None:
    def bloc(d: dict[str, Any]) -> None:
        d["target_countries"] = []
        d["target_blocs"] = ["gcc"]

    assert _review(_changed("gov-services-assistant", bloc)) == []


def test_an_unknown_bloc_is_refused_with_the_known_ones() -> None:
    def bloc(d: dict[str, Any]) -> None:
        d["target_countries"] = []
        d["target_blocs"] = ["atlantis"]

    found = _findings(_changed("gov-services-assistant", bloc))
    assert [(f.rule, f.field) for f in found] == [("PKG_TARGETS", "target_blocs[0]")]
    assert "asean" in found[0].message


def test_each_member_of_a_targeted_bloc_is_checked_as_a_target() -> None:
    # ASEAN includes Myanmar (high human-rights risk): a surveillance-capable package may
    # not target the bloc as a whole; a package without surveillance parts may.
    def asean(d: dict[str, Any]) -> None:
        d["target_countries"] = ["KE"]
        d["target_blocs"] = ["asean"]

    found = _findings(_changed("public-safety-video-analytics", asean))
    assert [(f.rule, f.field) for f in found] == [("PKG_SURVEILLANCE_TARGET", "target_blocs[0]")]
    assert "MM" in found[0].message
    assert _review(_changed("gov-services-assistant", asean)) == []


def test_no_target_country_or_bloc_is_refused() -> None:
    def none(d: dict[str, Any]) -> None:
        d["target_countries"] = []
        d["target_blocs"] = []

    (finding,) = _findings(_changed("gov-services-assistant", none))
    assert finding.rule == "PKG_TARGETS"
    assert "regional bloc" in finding.message
