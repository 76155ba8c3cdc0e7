"""The pages anyone may read (``catalog.read``): the menu and its packages, comparison,
partner profiles, the policy packs, and the transparency page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from aiexports.api.app import Ctx
from aiexports.errors import InputError, Issue
from aiexports.services.access import may
from aiexports.services.published import COMPARE_MAX, MenuFilter
from aiexports.web.charts import bars
from aiexports.web.pages import Who, page

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Query(max_length=100)]


@router.get("/")
def start(request: Request, who: Who) -> Response:
    """A signed-in user's start page; the public's is the menu."""
    if not who.signed_in:
        return RedirectResponse("/menu", status_code=303)
    return page(request, who, "home.html")


@router.get("/menu")
def menu(
    request: Request,
    ctx: Ctx,
    who: Who,
    sector: Short = "",
    component: Short = "",
    tier: Short = "",
    country: Short = "",
    min_seal: Short = "",
) -> Response:
    level = None
    if min_seal:
        if not re.fullmatch(r"[0-4]", min_seal):
            error = InputError(Issue("a SEAL level from 0 to 4", field="min_seal"))
            error.root = "query"  # type: ignore[attr-defined]
            raise error
        level = int(min_seal)
    wanted = MenuFilter(sector, component, tier, country.upper(), level)
    listed = ctx.published.menu(who.principal, wanted)
    names = {c: ctx.runtime.countries.profiles[c].name for c in listed["choices"]["country"]}
    return page(
        request, who, "menu.html", menu=listed, wanted=wanted, names=names, most=COMPARE_MAX
    )


@router.get("/menu/{package_id}")
def package(request: Request, ctx: Ctx, who: Who, package_id: str, to: Short = "") -> Response:
    found = ctx.published.package(who.principal, package_id[:100], to or None)
    names = {c: p.name for c, p in ctx.runtime.countries.profiles.items()}
    may_apply = may(who.principal, "application.create")
    return page(
        request,
        who,
        "package.html",
        found=found,
        names=names,
        may_apply=may_apply,
        may_manage=may(who.principal, "menu.manage"),
    )


@router.get("/compare")
def compare(
    request: Request,
    ctx: Ctx,
    who: Who,
    ids: Annotated[list[str] | None, Query(max_length=COMPARE_MAX + 4)] = None,
) -> Response:
    if not ids:
        listed = ctx.published.menu(who.principal, MenuFilter())
        return page(request, who, "compare_pick.html", menu=listed, most=COMPARE_MAX)
    compared = ctx.published.compare(who.principal, [i[:100] for i in ids])
    return page(request, who, "compare.html", compared=compared)


@router.get("/partners")
def partners(request: Request, ctx: Ctx, who: Who, cc: Short = "") -> Response:
    if cc:
        return RedirectResponse(f"/partners/{cc.upper()[:10]}", status_code=303)
    return page(request, who, "partners.html", partners=ctx.published.partners(who.principal))


@router.get("/partners/{cc}")
def partner(request: Request, ctx: Ctx, who: Who, cc: str) -> Response:
    profile = ctx.published.partner(who.principal, cc)
    titles = {p.id: p.title for p in ctx.runtime.menu.packages.values()}
    return page(request, who, "partner.html", profile=profile, titles=titles)


@router.get("/policies")
def policy_list(request: Request, ctx: Ctx, who: Who) -> Response:
    return page(request, who, "policies.html", packs=ctx.published.policy_list(who.principal))


@router.get("/policies/{policy_id}")
def policy(
    request: Request,
    ctx: Ctx,
    who: Who,
    policy_id: str,
    date: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    day = None
    if date:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            error = InputError(Issue("a date, YYYY-MM-DD", field="date"))
            error.root = "query"  # type: ignore[attr-defined]
            raise error from None
    view = ctx.published.policy(who.principal, policy_id[:100], day)
    return page(request, who, "policy.html", pack=view)


@router.get("/transparency")
def transparency(request: Request, ctx: Ctx, who: Who) -> Response:
    figures = ctx.published.transparency(who.principal)
    charts = {
        "outcome": bars(figures["applications"]["by_outcome"], "Applications by outcome"),
        "region": bars(figures["applications"]["by_region"], "Applications by destination region"),
        "licenses": bars(figures["licenses_by_state"], "Licenses by state"),
    }
    return page(request, who, "transparency.html", figures=figures, charts=charts)
