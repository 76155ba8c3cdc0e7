"""The engine for a signed-in caller (service spec §3): decide a deal, optionally against a
second pack, and screen names, each remembering the caller's adjudications. The API and the
web pages both call these, so both show the same results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiexports.core.policy.pack import PolicyPack
from aiexports.errors import InputError, Issue
from aiexports.services.access import Principal, require
from aiexports.services.adjudications import shown_to

if TYPE_CHECKING:
    from aiexports.runtime import Runtime
    from aiexports.services.licensing import Licensing

MAX_QUERIES = 1000
QUERY_FIELDS = frozenset({"name", "country", "type", "date_of_birth", "top"})


def pack_named(runtime: Runtime, pack_id: str | None, where: str) -> PolicyPack | None:
    """A shipped policy pack by id (None for the pack in force on the deal's date)."""
    if pack_id is None:
        return None
    if pack_id not in runtime.shelf.packs:
        known = ", ".join(sorted(runtime.shelf.packs))
        error = InputError(Issue(f"no policy pack {pack_id[:100]!r} (known: {known})", field=where))
        error.root = "query"  # type: ignore[attr-defined]
        raise error
    return runtime.shelf.packs[pack_id]


class EngineUse:
    def __init__(self, runtime: Runtime, licensing: Licensing) -> None:
        self.runtime = runtime
        self.licensing = licensing

    def assess(
        self,
        who: Principal,
        body: object,
        policy: str | None = None,
        compare_policy: str | None = None,
        where: str = "body",
    ) -> dict[str, Any]:
        """The determination of the deal ``body`` (determination spec §1), exactly as
        ``aiexports assess --format json``; with ``compare_policy``, both determinations
        and their differences."""
        from aiexports.services.deals import deal_from_json  # noqa: PLC0415

        require(who, "engine.use")
        sourced = deal_from_json(body, self.runtime.countries, where)
        first = pack_named(self.runtime, policy, "policy")
        assessor = self.runtime.assessor()
        remembered = self.licensing.adjudications.for_deal(who, sourced.deal)
        if compare_policy is None:
            return shown_to(
                who, assessor.decide(sourced, first, adjudications=remembered).contract()
            )
        other = pack_named(self.runtime, compare_policy, "compare_policy")
        assert other is not None
        difference = assessor.compare(sourced, first, other, remembered)
        return shown_to(
            who,
            {
                "determination": difference.a.contract(),
                "other": difference.b.contract(),
                "differences": difference.summary(),
            },
        )

    def recommend(self, who: Principal, body: object, menu_on: Any) -> dict[str, Any]:
        """The menu's packages for a partner's requirements (``body``), each with the
        determination of its deal, fitted and ranked, and the optimal bundle, as
        ``aiexports recommend --format json``; ``menu_on`` gives the menu on a date."""
        from aiexports.services.recommendation import (  # noqa: PLC0415
            recommend_for,
            requirements_of,
        )

        require(who, "engine.use")
        requirements = requirements_of(self.runtime, body)
        return recommend_for(self.runtime, requirements, menu_on).contract()

    def screen(self, who: Principal, body: object) -> dict[str, Any]:
        """One name (``{"name", "country"?, "type"?, "date_of_birth"?, "top"?}``) or up to
        1,000 (``{"queries": [...]}``), ranked and explained."""
        require(who, "engine.use")
        if not isinstance(body, dict):
            raise InputError(Issue("the body is a JSON object", field="body"))
        if "queries" not in body:
            return self.screen_one(who, body, "")
        queries = body["queries"]
        if set(body) != {"queries"} or not isinstance(queries, list):
            raise InputError(Issue("{'queries': [...]} and nothing else", field="queries"))
        if not 1 <= len(queries) <= MAX_QUERIES:
            raise InputError(Issue(f"1 to {MAX_QUERIES:,} queries", field="queries"))
        results = []
        for index, query in enumerate(queries):
            try:
                results.append(self.screen_one(who, query, f"queries[{index}]"))
            except InputError as error:
                raise InputError(
                    Issue(i.message, field=f"queries[{index}].{i.field}") for i in error.issues
                ) from None
        return {"results": results}

    def query_issues(self, query: Mapping[str, str]) -> list[Issue]:
        """What is wrong with one name query of a batch, before any is screened (so a
        batch is refused whole, never screened half)."""
        from aiexports.services.name_screening import query_of  # noqa: PLC0415

        return query_of(query, self.runtime.countries)[0]

    def screen_one(self, who: Principal, query: object, where: str = "") -> dict[str, Any]:
        from aiexports.services.name_screening import screen_name  # noqa: PLC0415

        require(who, "engine.use")
        if not isinstance(query, Mapping):
            raise InputError(Issue("a query is an object with a name", field=where or "body"))
        unknown = set(query) - QUERY_FIELDS
        if unknown:
            raise InputError(Issue(f"unknown fields: {', '.join(sorted(unknown))}", field="body"))
        fields: dict[str, str | None] = {}
        for name in ("name", "country", "type", "date_of_birth"):
            value = query.get(name)
            if value is not None and not isinstance(value, str):
                raise InputError(Issue("a string", field=name))
            fields[name] = value
        wanted = fields["name"]
        if not wanted:
            raise InputError(Issue("a name is required", field="name"))
        top = query.get("top", 5)
        if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= 50:
            raise InputError(Issue("a whole number from 1 to 50", field="top"))
        screened = screen_name(
            self.runtime, wanted, fields["country"], fields["type"], fields["date_of_birth"], top
        )
        result: dict[str, Any] = screened.contract()
        self.licensing.adjudications.annotate(who, wanted, screened.country, result["matches"])
        return shown_to(who, result)
