"""Pages that use the engine for a signed-in caller: deal assessment with the what-if and
the dossier, recommendations for a partner's requirements, and name screening one by one
or by CSV batch."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import AsyncIterator
from functools import partial
from html import escape as html_escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import FormData, UploadFile

from aiexports.api.app import Ctx
from aiexports.errors import (
    AiExportsError,
    InputError,
)
from aiexports.services.access import may, require
from aiexports.web import render
from aiexports.web.forms import (
    PARTY_ROWS,
    Short,
    call,
    form_choices,
    form_errors,
    pdf_response,
    typed,
)
from aiexports.web.pages import (
    Visitor,
    Who,
    checked_form,
    field,
    framed,
    number,
    page,
    page_html,
)

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

MAX_BATCH_BYTES = 1024 * 1024


# --- deal assessment -----------------------------------------------------------------------


def _deal_from_form(form: FormData) -> dict[str, Any]:
    """The deal document (determination spec §1) the form describes; blank party rows
    and quantities are left out, everything else goes to the engine to validate."""
    deal: dict[str, Any] = {
        "id": field(form, "reference", 100) or "web-assessment",
        "date": field(form, "date", 10),
        "destination": field(form, "destination", 10).upper(),
        "end_uses": [u for u in form.getlist("end_uses") if isinstance(u, str)][:20],
        "parties": [],
    }
    package = field(form, "package", 100)
    if package:
        deal["package"] = package
    for index in range(PARTY_ROWS):
        name = field(form, f"party{index}_name", 300)
        if not name:
            continue
        party = {
            "role": field(form, f"party{index}_role", 40),
            "name": name,
            "country": field(form, f"party{index}_country", 10).upper(),
            "type": field(form, f"party{index}_type", 40),
        }
        headquarters = field(form, f"party{index}_headquarters", 10).upper()
        if headquarters:
            party["headquarters"] = headquarters
        deal["parties"].append(party)
    quantities: dict[str, Any] = {}
    for line in field(form, "quantities", 4000).splitlines():
        if not line.strip():
            continue
        component, _, units = line.partition(":")
        text = units.strip()
        quantities[component.strip()] = number(text)
    if quantities:
        deal["quantities"] = quantities
    value = field(form, "value_usd", 30).replace(",", "")
    if value:
        deal["value_usd"] = number(value)
    return deal


@router.get("/assess")
def assess_form(
    request: Request, ctx: Ctx, who: Who, package: Short = "", destination: Short = ""
) -> Response:
    require(who.principal, "engine.use")
    values = {"package": package, "destination": destination.upper(), "date": ""}
    return page(request, who, "assess.html", choices=form_choices(ctx), values=values, result=None)


@router.post("/assess")
async def assess(request: Request, ctx: Ctx, who: Who) -> Response:
    form = await checked_form(request, who)
    values = typed(form)
    compare = field(form, "compare_policy", 100) or None
    policy = field(form, "policy", 100) or None
    try:
        deal = _deal_from_form(form)
        result = await call(lambda: ctx.engine.assess(who.principal, deal, policy, compare, "form"))
    except InputError as error:
        return page(
            request,
            who,
            "assess.html",
            422,
            choices=form_choices(ctx),
            values=values,
            result=None,
            errors=form_errors(error),
        )
    if field(form, "format", 10) == "pdf":
        return pdf_response(deal, result, ctx, f"dossier-{deal['id']}")
    return page(
        request,
        who,
        "assess.html",
        choices=form_choices(ctx),
        values=values,
        result=result,
        deal=deal,
        compared=compare is not None,
    )


# --- recommendations for a partner -----------------------------------------------------------


@router.get("/recommend")
def recommend_form(request: Request, ctx: Ctx, who: Who) -> Response:
    require(who.principal, "engine.use")
    p = who.principal
    values = {"country": p.country or "", "partner": p.organization, "buyer_name": p.organization}
    return page(
        request, who, "recommend.html", choices=_recommend_choices(ctx), values=values, result=None
    )


def _recommend_choices(ctx: Ctx) -> dict[str, Any]:
    choices = form_choices(ctx)
    _, packages = ctx.program.menu_on(ctx.program.clock().date())
    choices["sectors"] = sorted({s for p in packages for s in p.sectors})
    return choices


def _requirements_from_form(form: FormData) -> dict[str, Any]:
    body: dict[str, Any] = {
        "partner": field(form, "partner", 300),
        "country": field(form, "country", 10).upper(),
        "date": field(form, "date", 10),
        "buyer": {"name": field(form, "buyer_name", 500), "type": field(form, "buyer_type", 40)},
        "end_uses": [u for u in form.getlist("end_uses") if isinstance(u, str)][:20],
        "sectors": [u for u in form.getlist("sectors") if isinstance(u, str)][:50],
        "budget_usd": number(field(form, "budget_usd", 30).replace(",", "")),
        "timeline_months": number(field(form, "timeline_months", 10)),
    }
    languages = [w for w in re.split(r"[,\s]+", field(form, "languages", 300)) if w]
    if languages:
        body["languages"] = languages
    if seal := field(form, "min_seal", 2):
        body["min_seal"] = number(seal)
    return body


@router.post("/recommend")
async def recommend(request: Request, ctx: Ctx, who: Who) -> Response:
    form = await checked_form(request, who)
    values = typed(form)
    body = _requirements_from_form(form)
    try:
        result = await call(lambda: ctx.engine.recommend(who.principal, body, ctx.program.menu_on))
    except InputError as error:
        return page(
            request,
            who,
            "recommend.html",
            422,
            choices=_recommend_choices(ctx),
            values=values,
            result=None,
            errors=form_errors(error),
        )
    return page(
        request,
        who,
        "recommend.html",
        choices=_recommend_choices(ctx),
        values=values,
        result=result,
    )


# --- name screening -------------------------------------------------------------------------


def _screen_page(request: Request, who: Visitor, status: int = 200, **values: Any) -> Response:
    """The screening page: the forms, and a result, a refusal or a recorded adjudication."""
    shown: dict[str, Any] = {
        "result": None,
        "batch": None,
        "values": {},
        "may_adjudicate": may(who.principal, "adjudication.create"),
    }
    return page(request, who, "screen.html", status, **(shown | values))


@router.get("/screen")
def screen_form(request: Request, ctx: Ctx, who: Who) -> Response:
    require(who.principal, "engine.use")
    return _screen_page(request, who)


@router.post("/screen")
async def screen(request: Request, ctx: Ctx, who: Who) -> Response:
    form = await checked_form(request, who)
    query = {
        k: field(form, k, 300)
        for k in ("name", "country", "type", "date_of_birth")
        if field(form, k, 300)
    }
    try:
        result = await call(lambda: ctx.engine.screen_one(who.principal, query))
    except InputError as error:
        return _screen_page(
            request, who, 422, values=query, errors=form_errors(error), may_adjudicate=False
        )
    return _screen_page(request, who, result=result, values=query)


@router.post("/screen/batch")
async def screen_batch(request: Request, ctx: Ctx, who: Who) -> Response:
    """A CSV of names (columns ``name``, and optionally ``country``, ``type``,
    ``date_of_birth``), screened row by row; the results as a table and as CSV."""
    form = await checked_form(request, who)
    upload = form.get("file")
    errors: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    if not isinstance(upload, UploadFile):
        errors.append({"field": "file", "message": "choose a CSV file"})
    else:
        content = await upload.read(MAX_BATCH_BYTES + 1)
        await upload.close()
        if len(content) > MAX_BATCH_BYTES:
            errors.append({"field": "file", "message": "at most 1 MB"})
        else:
            filename = (upload.filename or "upload.csv")[:200]
            rows, errors = _batch_rows(content, filename)
    if errors:
        return _screen_page(request, who, 422, errors=errors, may_adjudicate=False)
    problems = [
        {"field": "file", "message": f"{filename} line {line}: {i.field}: {i.message}"}
        for line, row in enumerate(rows, start=2)
        for i in ctx.engine.query_issues(row)
    ][:20]
    if problems:
        return _screen_page(request, who, 422, errors=problems, may_adjudicate=False)
    if field(form, "format", 10) == "csv":
        results = await call(partial(_screen_all, ctx, who, rows))
        return _batch_csv(rows, results)
    return framed(StreamingResponse(_streamed(request, ctx, who, rows), media_type="text/html"))


def _screen_all(ctx: Ctx, who: Visitor, queries: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [ctx.engine.screen_one(who.principal, q) for q in queries]


BATCH_STEP = 20
STREAM_MARK = "<!-- the batch's progress and results -->"


async def _streamed(
    request: Request, ctx: Ctx, who: Visitor, rows: list[dict[str, str]]
) -> AsyncIterator[str]:
    """The batch page as it is screened: the frame, a progress bar after every
    ``BATCH_STEP`` names (each hides the one before it: no script needed), then the
    results and the rest of the frame."""
    adjudicate = may(who.principal, "adjudication.create")
    top, bottom = page_html(
        request,
        who,
        "screen.html",
        result=None,
        batch=None,
        values={},
        streaming=True,
        may_adjudicate=adjudicate,
    ).split(STREAM_MARK)
    yield top
    results: list[dict[str, Any]] = []
    total = len(rows)
    for start in range(0, total, BATCH_STEP):
        chunk = rows[start : start + BATCH_STEP]
        try:
            results.extend(await call(partial(_screen_all, ctx, who, chunk)))
        except Exception as error:  # the status is sent: the page says what happened
            if not isinstance(error, AiExportsError):
                log.exception("batch screening")
            said = "; ".join(i.render() for i in getattr(error, "issues", [])) or (
                "an internal error occurred; it has been logged"
            )
            yield (
                '</div><div class="alert error" role="alert"><p>The batch stopped after '
                f"{len(results)} of {total} names: {html_escape(said)}. Nothing was "
                "kept; screen the file again.</p></div>"
            )
            yield bottom
            return
        yield (
            f'<p class="step"><progress max="{total}" value="{len(results)}">'
            f"{len(results)} of {total}</progress> {len(results)} of {total} names screened</p>"
        )
    flagged = sum(1 for r in results if any(m["band"] != "clear" for m in r["matches"]))
    yield "</div>" + render(
        "_batch_results.html",
        batch=results,
        flagged=flagged,
        csrf=who.csrf,
        may_adjudicate=adjudicate,
        values={},
    )
    yield bottom


def _batch_rows(content: bytes, filename: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [{"field": "file", "message": f"{filename}: not UTF-8 text"}]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    known = {"name", "country", "type", "date_of_birth"}
    try:
        return _read_batch(reader, known, filename)
    except csv.Error as error:
        return [], [{"field": "file", "message": f"{filename} line {reader.line_num}: {error}"}]


def _read_batch(
    reader: csv.DictReader[str], known: set[str], filename: str
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    header = reader.fieldnames or []
    if "name" not in header or set(header) - known:
        return [], [
            {
                "field": "file",
                "message": f"{filename} line 1: columns are name, and "
                "optionally country, type, date_of_birth",
            }
        ]
    rows: list[dict[str, str]] = []
    for line, row in enumerate(reader, start=2):
        if None in row:
            return [], [{"field": "file", "message": f"{filename} line {line}: too many cells"}]
        rows.append({k: v.strip() for k, v in row.items() if v and v.strip()})
        if len(rows) > 1000:
            return [], [{"field": "file", "message": f"{filename}: at most 1,000 names"}]
    if not rows:
        return [], [{"field": "file", "message": f"{filename}: no names"}]
    return rows, []


def _batch_csv(rows: list[dict[str, str]], results: list[dict[str, Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["name", "country", "band", "list", "entity_number", "listed_name", "score", "explanation"]
    )
    for row, result in zip(rows, results, strict=True):
        for match in result["matches"][:5] or [{}]:
            explanation = match.get("explanation") or {}
            writer.writerow(
                [
                    result["query"],
                    row.get("country", ""),
                    match.get("band", "clear"),
                    match.get("source", ""),
                    match.get("entity_number", ""),
                    match.get("name", ""),
                    match.get("score", ""),
                    explanation.get("summary", ""),
                ]
            )
    answer = Response(out.getvalue(), media_type="text/csv; charset=utf-8")
    answer.headers["Content-Disposition"] = 'attachment; filename="screening-results.csv"'
    return framed(answer)


@router.post("/screen/adjudicate")
async def adjudicate(request: Request, ctx: Ctx, who: Who) -> Response:
    form = await checked_form(request, who)
    body = {
        "party": {"name": field(form, "name", 300), "country": field(form, "country", 10) or None},
        "list": field(form, "list", 100),
        "entity_number": field(form, "entity_number", 100),
        "verdict": field(form, "verdict", 20),
        "reason": field(form, "reason", 4000),
    }
    try:
        await call(lambda: ctx.licensing.adjudications.record(who.principal, body))
    except InputError as error:
        return _screen_page(request, who, 422, errors=form_errors(error), may_adjudicate=True)
    return _screen_page(request, who, adjudicated=body, may_adjudicate=True)
