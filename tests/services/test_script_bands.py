"""Score bands per script: a name written in Arabic, Cyrillic or CJK script is a query
shape of its own, with bands calibrated on the clean names written in it (spec section 6's
calibration holds per shape, so it holds for all clean names together too)."""

from __future__ import annotations

import pickle

import pytest

from aiexports.core.screening.algorithms import ALGORITHMS
from aiexports.core.screening.entries import ListEntry
from aiexports.core.screening.matcher import NameMatcher
from aiexports.core.screening.port import ScreeningQuery
from aiexports.core.screening.results import NEVER_BLOCKS, Thresholds
from aiexports.core.screening.scripts import script_of
from aiexports.core.vocabulary import ListCode
from aiexports.errors import ReferenceDataError
from aiexports.services import screening
from aiexports.services.monitoring import TenantScreen
from aiexports.services.screening import DealScreener, ScreeningConfig, ScriptBands
from aiexports.sources.reference import name_rules


@pytest.mark.parametrize(
    ("name", "script"),
    [
        ("Ivan Petrov", None),
        ("Zoë Ångström", None),
        ("Иван Петров", "cyrillic"),
        ("قاسم سليماني", "arabic"),
        ("حسین موسوی", "arabic"),
        ("王伟", "cjk"),
        ("김정은", "cjk"),
        ("やまだ たろう", "cjk"),
        # a name is in the script most of its letters are in: a word or a mark of another
        # script beside a Latin name does not move it to that script's bands
        ("Qasim Sulaimani・", None),
        ("Beijing Zhongguancun Hengtong Electronic Co Ltd (北京)", None),
        ("Иван Petrov", None),
        ("Иван Петров (Ivan)", "cyrillic"),
    ],
)
def test_the_script_a_name_is_written_in(name: str, script: str | None) -> None:
    assert script_of(name) == script


CONFIG = ScreeningConfig(
    "m",
    Thresholds(0.80, 0.66),
    Thresholds(0.84, 0.70),
    {"cjk": ScriptBands(Thresholds(NEVER_BLOCKS, 0.78), Thresholds(NEVER_BLOCKS, 0.80))},
)


def test_bands_follow_the_query_shape() -> None:
    assert CONFIG.bands_for(ScreeningQuery("Wang Wei", "CN")) == Thresholds(0.80, 0.66)
    assert CONFIG.bands_for(ScreeningQuery("Wang Wei")) == Thresholds(0.84, 0.70)
    assert CONFIG.bands_for(ScreeningQuery("王伟", "CN")) == Thresholds(NEVER_BLOCKS, 0.78)
    assert CONFIG.bands_for(ScreeningQuery("王伟")) == Thresholds(NEVER_BLOCKS, 0.80)
    # a script without bands of its own is judged as Latin names are
    assert CONFIG.bands_for(ScreeningQuery("Иван Петров")) == Thresholds(0.84, 0.70)


def test_a_deal_party_is_judged_by_its_scripts_bands() -> None:
    deal_screener = DealScreener(
        None, CONFIG.thresholds, by_script=dict(CONFIG.script_thresholds())
    )
    assert deal_screener.bands("王伟") == Thresholds(NEVER_BLOCKS, 0.78)
    assert deal_screener.bands("Wang Wei") == CONFIG.thresholds
    assert Thresholds(NEVER_BLOCKS, 0.78).band(1.0) == "review"  # never blocks alone


def test_a_bare_name_in_cjk_script_never_blocks_under_the_bundled_bands() -> None:
    # Calibrated: more than 0.1% of clean CJK-script names score 1.0 by name alone.
    config = screening.screening_config("aiexports-names-v2")
    bare = config.bands_for(ScreeningQuery("张雷"))
    assert bare.block == NEVER_BLOCKS
    assert bare.band(1.0) == "review"
    assert config.bands_for(ScreeningQuery("Zhang Lei")) == config.name_only


def test_an_unknown_script_in_the_configuration_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = screening.screening_config_raw()
    matcher = raw["matcher"]
    changed = {
        **raw,
        "thresholds": {
            **raw["thresholds"],
            matcher: {
                **raw["thresholds"][matcher],
                "scripts": {"klingon": {"block": 1, "review": 1}},
            },
        },
    }
    monkeypatch.setattr(screening, "screening_config_raw", lambda: changed)
    screening.screening_config.cache_clear()
    try:
        with pytest.raises(ReferenceDataError, match="klingon"):
            screening.screening_config()
    finally:
        screening.screening_config.cache_clear()


def test_a_block_no_score_reaches_is_null_in_json_and_named_in_versions() -> None:
    never = Thresholds(NEVER_BLOCKS, 0.78)
    assert never.contract() == {"block": None, "review": 0.78}
    assert never.describe() == "block=never;review>=0.780"
    assert Thresholds(0.8, 0.6).contract() == {"block": 0.8, "review": 0.6}


@pytest.mark.parametrize(("block", "review"), [(True, 0.5), (1.005, 0.5), (0.7, 0.8), (0.9, 0.0)])
def test_impossible_bands_are_refused(block: float, review: float) -> None:
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(block, review)


def test_tenants_are_screened_by_the_block_of_their_shape() -> None:
    listed = ListEntry(
        source=ListCode.SDN, entity_number="1", type="person", name="ZHANG, Lei", feed="t"
    )
    matcher = NameMatcher([listed], "t", name_rules(), algorithm=ALGORITHMS["aiexports-names-v2"])
    # Pickled and back, as Spark ships it to its executors.
    screen = pickle.loads(pickle.dumps(TenantScreen(matcher, CONFIG)))
    latin = screen("Zhang Lei", None)
    assert latin is not None
    assert latin.entry == "SDN:1"
    assert screen("张雷", None) is None  # a bare CJK-script name never blocks (CONFIG)
