"""Pages for signed-in users: deal assessment, name screening, applications and the
officer's queue, licenses and shipments, the sovereignty ledger, proposals and the audit
trail. Each page calls the use case the API calls, with the visitor as the caller; who may
do what is decided there (a visitor who is not signed in is sent to sign in, a resource of
another organisation answers 404)."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import AsyncIterator, Callable
from functools import partial
from html import escape as html_escape
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.datastructures import FormData, UploadFile

from aiexports.api.app import Ctx
from aiexports.core.vocabulary import EndUse
from aiexports.errors import (
    AiExportsError,
    ConflictError,
    InputError,
    Issue,
    StaleVersionError,
    UnknownResourceError,
)
from aiexports.services import audit
from aiexports.services.access import may, require
from aiexports.services.clock import queue as officer_queue
from aiexports.web import render
from aiexports.web.pages import (
    Visitor,
    Who,
    checked_form,
    field,
    framed,
    number,
    page,
    page_html,
    version_of,
)

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
T = TypeVar("T")
Short = Annotated[str, Query(max_length=100)]
PARTY_ROWS = 3
ITEM_ROWS = 3
PARTY_ROLES = ("end_user", "ultimate_consignee", "intermediate_consignee", "purchaser")
PARTY_TYPES = (
    "government",
    "military",
    "law_enforcement",
    "intelligence",
    "state_owned",
    "private",
    "academic",
    "ngo",
)
MAX_BATCH_BYTES = 1024 * 1024
CHECKS = (
    "RESTRICTED_ACCESS",
    "LISTED_TENANT",
    "UNVERIFIED_TENANT",
    "OFF_SITE_USE",
    "LICENSE_NOT_VALID",
    "COMPUTE_CAP",
    "USAGE_SPIKE",
    "FRONTIER_TRAINING",
    "UNDECLARED_USE",
    "LATE_REPORT",
    "LOCATION_INCONSISTENT",
)
"""The monitoring checks (monitoring spec §2), to filter alerts by."""
STALE = (
    "Another user changed this a moment ago (another officer may have decided it): the page "
    "now shows its current state. Nothing you sent was applied; review it and act again."
)


def _seen_after(
    path: str, message: str = ""
) -> Response:  # Post/Redirect/Get: a reload never posts twice
    target = path + (f"?done={message}" if message else "")
    return framed(RedirectResponse(target, status_code=303))


def _done(value: str) -> str:
    """A confirmation word from the query, kept to known words (never echoed text)."""
    return value if re.fullmatch(r"[a-z_]{1,40}", value) else ""


async def _call(work: Callable[[], T]) -> T:
    return await run_in_threadpool(work)


def _choices(ctx: Ctx) -> dict[str, Any]:
    """What the deal and application forms offer: today's packages, every country, the
    end-use vocabulary, and the policy packs."""
    day = ctx.program.clock().date()
    _, packages = ctx.program.menu_on(day)
    book = ctx.runtime.countries
    return {
        "packages": [{"id": p.id, "title": p.title} for p in packages],
        "countries": [{"code": c, "name": book.profiles[c].name} for c in sorted(book.profiles)],
        "end_uses": [str(u) for u in EndUse],
        "roles": PARTY_ROLES,
        "types": PARTY_TYPES,
        "packs": sorted(ctx.runtime.shelf.packs),
        "today": day.isoformat(),
    }


def _form_errors(error: InputError) -> list[dict[str, str]]:
    return [{"field": i.field or "", "message": i.message} for i in error.issues]


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
    return page(request, who, "assess.html", choices=_choices(ctx), values=values, result=None)


@router.post("/assess")
async def assess(request: Request, ctx: Ctx, who: Who) -> Response:
    form = await checked_form(request, who)
    values: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    values["end_uses"] = [u for u in form.getlist("end_uses") if isinstance(u, str)]
    compare = field(form, "compare_policy", 100) or None
    policy = field(form, "policy", 100) or None
    try:
        deal = _deal_from_form(form)
        result = await _call(
            lambda: ctx.engine.assess(who.principal, deal, policy, compare, "form")
        )
    except InputError as error:
        return page(
            request,
            who,
            "assess.html",
            422,
            choices=_choices(ctx),
            values=values,
            result=None,
            errors=_form_errors(error),
        )
    if field(form, "format", 10) == "pdf":
        return _pdf(deal, result, ctx, f"dossier-{deal['id']}")
    return page(
        request,
        who,
        "assess.html",
        choices=_choices(ctx),
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
    choices = _choices(ctx)
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
    values: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    values["end_uses"] = [u for u in form.getlist("end_uses") if isinstance(u, str)]
    values["sectors"] = [u for u in form.getlist("sectors") if isinstance(u, str)]
    body = _requirements_from_form(form)
    try:
        result = await _call(lambda: ctx.engine.recommend(who.principal, body, ctx.program.menu_on))
    except InputError as error:
        return page(
            request,
            who,
            "recommend.html",
            422,
            choices=_recommend_choices(ctx),
            values=values,
            result=None,
            errors=_form_errors(error),
        )
    return page(
        request,
        who,
        "recommend.html",
        choices=_recommend_choices(ctx),
        values=values,
        result=result,
    )


def _pdf(
    deal: dict[str, Any],
    result: dict[str, Any],
    ctx: Ctx,
    name: str,
    context: tuple[tuple[str, str], ...] = (),
) -> Response:
    from aiexports.web.dossier import dossier_pdf  # noqa: PLC0415

    names = {c: p.name for c, p in ctx.runtime.countries.profiles.items()}
    content = dossier_pdf(deal, result, names, ctx.runtime.clock(), context)
    answer = Response(content, media_type="application/pdf")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120]
    answer.headers["Content-Disposition"] = f'attachment; filename="{safe}.pdf"'
    return framed(answer)


# --- name screening -------------------------------------------------------------------------


@router.get("/screen")
def screen_form(request: Request, ctx: Ctx, who: Who) -> Response:
    require(who.principal, "engine.use")
    return page(
        request,
        who,
        "screen.html",
        result=None,
        batch=None,
        values={},
        may_adjudicate=may(who.principal, "adjudication.create"),
    )


@router.post("/screen")
async def screen(request: Request, ctx: Ctx, who: Who) -> Response:
    form = await checked_form(request, who)
    query = {
        k: field(form, k, 300)
        for k in ("name", "country", "type", "date_of_birth")
        if field(form, k, 300)
    }
    try:
        result = await _call(lambda: ctx.engine.screen_one(who.principal, query))
    except InputError as error:
        return page(
            request,
            who,
            "screen.html",
            422,
            result=None,
            batch=None,
            values=query,
            errors=_form_errors(error),
            may_adjudicate=False,
        )
    return page(
        request,
        who,
        "screen.html",
        result=result,
        batch=None,
        values=query,
        may_adjudicate=may(who.principal, "adjudication.create"),
    )


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
        return page(
            request,
            who,
            "screen.html",
            422,
            result=None,
            batch=None,
            values={},
            errors=errors,
            may_adjudicate=False,
        )
    problems = [
        {"field": "file", "message": f"{filename} line {line}: {i.field}: {i.message}"}
        for line, row in enumerate(rows, start=2)
        for i in ctx.engine.query_issues(row)
    ][:20]
    if problems:
        return page(
            request,
            who,
            "screen.html",
            422,
            result=None,
            batch=None,
            values={},
            errors=problems,
            may_adjudicate=False,
        )
    if field(form, "format", 10) == "csv":
        results = await _call(partial(_screen_all, ctx, who, rows))
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
            results.extend(await _call(partial(_screen_all, ctx, who, chunk)))
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
        await _call(lambda: ctx.licensing.adjudications.record(who.principal, body))
    except InputError as error:
        return page(
            request,
            who,
            "screen.html",
            422,
            result=None,
            batch=None,
            values={},
            errors=_form_errors(error),
            may_adjudicate=True,
        )
    return page(
        request,
        who,
        "screen.html",
        result=None,
        batch=None,
        values={},
        adjudicated=body,
        may_adjudicate=True,
    )


# --- applications and the queue ----------------------------------------------------------------


@router.get("/applications")
def applications(
    request: Request, ctx: Ctx, who: Who, state: Short = "", cursor: Short = ""
) -> Response:
    listed = ctx.licensing.list_applications(
        who.principal, state or None, None, 50, cursor or None
    ).contract()
    return page(
        request,
        who,
        "applications.html",
        listed=listed,
        state=state,
        may_create=may(who.principal, "application.create"),
    )


PARTY_FIELDS = (
    "role",
    "name",
    "address",
    "city",
    "postal_code",
    "country",
    "headquarters",
    "type",
    "phone",
)
ITEM_FIELDS = ("component", "eccn", "quantity", "unit_value_usd", "total_value_usd", "description")
"""What the application form shows of each party and item; anything else an application
holds (an item's unit, a party the form has no row for) is kept as it is when it is edited."""


def _row(form: FormData, prefix: str, fields: tuple[str, ...]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key in fields:
        text = field(form, f"{prefix}_{key}", 300)
        if key in ("country", "headquarters"):
            text = text.upper()
        if key in ("quantity", "unit_value_usd", "total_value_usd"):
            row[key] = number(text.replace(",", "")) if text else ""
        else:
            row[key] = text
    return row


def _rows(
    form: FormData,
    kind: str,
    count: int,
    fields: tuple[str, ...],
    key: str,
    held: list[dict[str, Any]],
    new: dict[str, Any],
) -> list[dict[str, Any]]:
    """The form's rows over what the application ``held``: a row left blank (no ``key``)
    is dropped, a row's shown fields replace the held ones, its other fields stay, and
    rows beyond the form's stay as they are."""
    rows = []
    for index in range(max(count, len(held))):
        before = held[index] if index < len(held) else dict(new)
        if index >= count:
            rows.append(before)
            continue
        shown = _row(form, f"{kind}{index}", fields)
        if not shown[key]:
            continue
        kept = {k: v for k, v in before.items() if k not in fields}
        rows.append(kept | {k: v for k, v in shown.items() if v != ""})
    return rows


def _application_from_form(form: FormData, held: dict[str, Any] | None = None) -> dict[str, Any]:
    """The application document the form describes, over the one ``held`` when it is an
    edit (JSON merge patch: the lists are replaced whole, so they carry what is kept)."""
    held = held or {}
    body: dict[str, Any] = {
        "reference": field(form, "reference", 100),
        "date": field(form, "date", 10),
        "package": field(form, "package", 100),
        "destination": field(form, "destination", 10).upper(),
        "end_uses": [u for u in form.getlist("end_uses") if isinstance(u, str)][:20],
        "specific_end_use": field(form, "specific_end_use", 4000),
        "parties": _rows(
            form, "party", PARTY_ROWS, PARTY_FIELDS, "name", list(held.get("parties", [])), {}
        ),
        "items": _rows(
            form,
            "item",
            ITEM_ROWS,
            ITEM_FIELDS,
            "component",
            list(held.get("items", [])),
            {"unit": "units"},
        ),
    }
    return {k: v for k, v in body.items() if v not in ("", None)}


@router.get("/applications/new")
def new_application(request: Request, ctx: Ctx, who: Who, package: Short = "") -> Response:
    require(who.principal, "application.create")
    components: list[dict[str, Any]] = []
    if package:
        document = ctx.program.menu_package(who.principal, package)
        components = [c for layer in document["layers"].values() for c in layer["components"]]
    values = {"package": package}
    return page(
        request,
        who,
        "application_new.html",
        choices=_choices(ctx),
        values=values,
        components=components,
    )


@router.post("/applications/new")
async def create_application(request: Request, ctx: Ctx, who: Who) -> Response:
    form = await checked_form(request, who)
    body = _application_from_form(form)
    try:
        created = await _call(lambda: ctx.licensing.create_application(who.principal, body))
    except InputError as error:
        values: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        values["end_uses"] = body.get("end_uses", [])
        return page(
            request,
            who,
            "application_new.html",
            422,
            choices=_choices(ctx),
            values=values,
            components=[],
            errors=_form_errors(error),
        )
    return _seen_after(f"/applications/{created['id']}", "created")


def _form_values(document: dict[str, Any]) -> dict[str, Any]:
    """An application document as the application form's fields (to edit it)."""
    values: dict[str, Any] = {
        k: str(document.get(k, ""))
        for k in ("reference", "package", "destination", "date", "specific_end_use")
    }
    values["end_uses"] = list(document.get("end_uses", []))
    for index, party in enumerate(document.get("parties", [])[:PARTY_ROWS]):
        values.update({f"party{index}_{k}": str(v) for k, v in party.items()})
    for index, item in enumerate(document.get("items", [])[:ITEM_ROWS]):
        values.update({f"item{index}_{k}": str(v) for k, v in item.items()})
    return values


@router.get("/applications/{app_id}/edit")
def edit_application(request: Request, ctx: Ctx, who: Who, app_id: str) -> Response:
    view = ctx.licensing.get_application(who.principal, app_id[:60])
    require(who.principal, "application.edit")
    if view["state"] not in ("draft", "returned_without_action"):
        raise ConflictError(
            f"application {view['id']} is {view['state']}: only a draft or a "
            "returned application is edited"
        )
    editing = {"id": view["id"], "version": view["version"]}
    return page(
        request,
        who,
        "application_new.html",
        choices=_choices(ctx),
        values=_form_values(view["application"]),
        components=[],
        editing=editing,
        extra_rows=len(view["application"].get("parties", [])) > PARTY_ROWS
        or len(view["application"].get("items", [])) > ITEM_ROWS,
    )


def _application_page(
    request: Request, ctx: Ctx, who: Visitor, app_id: str, status: int = 200, **extra: Any
) -> Response:
    view = ctx.licensing.get_application(who.principal, app_id[:60])
    latest = view["determinations"][-1]["determination"] if view["determinations"] else None
    p = who.principal
    own = view["organization"] == p.organization_id
    actions = {
        "submit": own
        and may(p, "application.submit")
        and view["state"] in ("draft", "returned_without_action"),
        "withdraw": own
        and may(p, "application.withdraw")
        and view["state"] in ("draft", "submitted"),
        "edit": own
        and may(p, "application.edit")
        and view["state"] in ("draft", "returned_without_action"),
        "upload": own
        and may(p, "application.upload")
        and view["state"] in ("draft", "returned_without_action"),
        "take": may(p, "application.take") and view["state"] == "submitted",
        "decide": may(p, "application.decide") and view["state"] == "under_review",
        "ledger": view["state"] in ("approved", "approved_with_conditions"),
        "record_ledger": own and may(p, "ledger.record"),
    }
    # Each party's screening, from the latest determination's list findings.
    screening: dict[int, list[dict[str, Any]]] = {}
    for finding in (latest or {}).get("findings", []):
        index = finding.get("evidence", {}).get("party_index")
        if isinstance(index, int):
            screening.setdefault(index, []).append(finding)
    clock = None
    if view["submitted_at"]:
        from aiexports.services.clock import application_clock  # noqa: PLC0415

        clock = application_clock(ctx.licensing, p, view["id"])
    return page(
        request,
        who,
        "application.html",
        status,
        app=view,
        latest=latest,
        actions=actions,
        clock=clock,
        screening=screening,
        done=_done(request.query_params.get("done", "")),
        **extra,
    )


@router.get("/applications/{app_id}")
def application(request: Request, ctx: Ctx, who: Who, app_id: str) -> Response:
    return _application_page(request, ctx, who, app_id)


@router.get("/applications/{app_id}/dossier.pdf")
def application_dossier(request: Request, ctx: Ctx, who: Who, app_id: str) -> Response:
    """The latest determination of an application, as a PDF for the file."""
    view = ctx.licensing.get_application(who.principal, app_id[:60])
    if not view["determinations"]:
        raise UnknownResourceError(f"application {view['id']} has no determination yet")
    latest = view["determinations"][-1]
    document = view["application"]
    deal = {
        "id": document.get("reference", view["id"]),
        **{
            k: document[k]
            for k in ("date", "package", "destination", "parties", "end_uses")
            if k in document
        },
    }
    context = (
        ("Application", f"{view['id']} (round {latest['round']}, {_words_of(view['state'])})"),
    )
    return _pdf(deal, latest["determination"], ctx, f"dossier-{view['id']}", context)


def _words_of(value: str) -> str:
    return value.replace("_", " ")


@router.post("/applications/{app_id}/{action}")
async def application_action(
    request: Request, ctx: Ctx, who: Who, app_id: str, action: str
) -> Response:
    form = await checked_form(request, who)
    licensing = ctx.licensing
    p = who.principal
    moves: dict[str, Callable[[], Any]] = {
        "submit": lambda: licensing.submit(p, app_id, version_of(form)),
        "withdraw": lambda: licensing.withdraw(p, app_id, version_of(form)),
        "take": lambda: licensing.take(p, app_id, version_of(form)),
        "decision": lambda: licensing.decide(
            p, app_id, _decision_from_form(form), version_of(form)
        ),
    }
    if action == "edit":
        held = licensing.get_application(p, app_id[:60])["application"]
        patch = _application_from_form(form, held)
        moves["edit"] = lambda: licensing.edit_application(p, app_id, patch, version_of(form))
    if action == "documents":
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            error = InputError(Issue("choose a file", field="file"))
            return _application_page(request, ctx, who, app_id, 422, errors=_form_errors(error))
        content = await upload.read(10 * 1024 * 1024 + 1)
        await upload.close()
        kind = field(form, "kind", 60) or "supporting_document"
        name = upload.filename or "document"
        moves["documents"] = lambda: licensing.add_document(p, app_id, kind, name, content)
    if action not in moves:
        raise UnknownResourceError(f"no action {action[:40]!r}")
    try:
        await _call(moves[action])
    except StaleVersionError:
        return _application_page(request, ctx, who, app_id, 409, conflict=STALE)
    except InputError as error:
        if action == "edit":  # back to the form, with what was typed
            return _edit_page(request, ctx, who, app_id, form, _form_errors(error))
        return _application_page(request, ctx, who, app_id, 422, errors=_form_errors(error))
    return _seen_after(f"/applications/{app_id}", action)


def _edit_page(
    request: Request,
    ctx: Ctx,
    who: Visitor,
    app_id: str,
    form: FormData,
    errors: list[dict[str, str]],
) -> Response:
    view = ctx.licensing.get_application(who.principal, app_id[:60])
    values: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    values["end_uses"] = [u for u in form.getlist("end_uses") if isinstance(u, str)]
    return page(
        request,
        who,
        "application_new.html",
        422,
        choices=_choices(ctx),
        values=values,
        components=[],
        editing={"id": view["id"], "version": view["version"]},
        extra_rows=False,
        errors=errors,
    )


def _decision_from_form(form: FormData) -> dict[str, Any]:
    """The decision body (spec §4): the officer's own conditions and riders, one per line
    (a condition as ``ID: text``); the determination's conditions are kept by the use case."""
    conditions = []
    for line in field(form, "conditions", 8000).splitlines():
        if line.strip():
            ident, _, text = line.partition(":")
            conditions.append({"id": ident.strip(), "text": text.strip()})
    riders = [
        {"text": line.strip()} for line in field(form, "riders", 8000).splitlines() if line.strip()
    ]
    body: dict[str, Any] = {
        "decision": field(form, "decision", 40),
        "reason": field(form, "reason", 4000),
        "conditions": conditions,
        "riders": riders,
    }
    if until := field(form, "valid_until", 10):
        body["valid_until"] = until
    return body


@router.get("/queue")
def queue(request: Request, ctx: Ctx, who: Who, assigned: Short = "any") -> Response:
    listed = officer_queue(ctx.licensing, who.principal, assigned, 100).contract()
    return page(request, who, "queue.html", listed=listed, assigned=assigned)


# --- licenses and shipments ---------------------------------------------------------------------


@router.get("/licenses")
def licenses(request: Request, ctx: Ctx, who: Who, state: Short = "") -> Response:
    listed = ctx.licensing.list_licenses(who.principal, state or None).contract()
    return page(request, who, "licenses.html", listed=listed, state=state)


def _license_page(
    request: Request, ctx: Ctx, who: Visitor, license_id: str, status: int = 200, **extra: Any
) -> Response:
    view = ctx.licensing.get_license(who.principal, license_id[:60])
    p = who.principal
    own = view["licensee"] == p.organization_id
    actions = {
        "acknowledge": own
        and may(p, "license.acknowledge")
        and any(c["acknowledged_at"] is None for c in view["conditions"]),
        "ship": own and may(p, "license.ship") and view["state"] == "active",
        "officer": may(p, "license.suspend"),
    }
    monitoring = None
    if may(p, "alert.read"):
        found = ctx.monitoring.alerts(p, view["id"], None, None, 200).contract()["items"]
        monitoring = {
            "alerts": found,
            "open": sum(1 for a in found if a["state"] == "open"),
            "location": [a for a in found if a.get("check") == "LOCATION_INCONSISTENT"],
            "jobs": ctx.monitoring.jobs(p, view["id"])[:10],
        }
    return page(
        request,
        who,
        "license.html",
        status,
        lic=view,
        actions=actions,
        monitoring=monitoring,
        today=ctx.program.clock().date().isoformat(),
        done=_done(request.query_params.get("done", "")),
        **extra,
    )


@router.get("/licenses/{license_id}")
def license_view(request: Request, ctx: Ctx, who: Who, license_id: str) -> Response:
    return _license_page(request, ctx, who, license_id)


@router.post("/licenses/{license_id}/{action}")
async def license_action(
    request: Request, ctx: Ctx, who: Who, license_id: str, action: str
) -> Response:
    form = await checked_form(request, who)
    licensing = ctx.licensing
    p = who.principal
    moves: dict[str, Callable[[], Any]] = {
        "acknowledgments": lambda: licensing.acknowledge(
            p,
            license_id,
            {"conditions": [c for c in form.getlist("conditions") if isinstance(c, str)]},
        ),
        "shipments": lambda: licensing.ship(p, license_id, _shipment_from_form(form)),
    }
    moves["amend"] = lambda: licensing.change_license(
        p, license_id, "amend", _amendment_from_form(form), version_of(form)
    )
    for change in ("suspend", "reinstate", "revoke"):
        moves[change] = lambda change=change: licensing.change_license(  # type: ignore[misc]
            p, license_id, change, {"reason": field(form, "reason", 4000)}, version_of(form)
        )
    if action not in moves:
        raise UnknownResourceError(f"no action {action[:40]!r}")
    try:
        await _call(moves[action])
    except StaleVersionError:
        return _license_page(request, ctx, who, license_id, 409, conflict=STALE)
    except InputError as error:
        return _license_page(request, ctx, who, license_id, 422, errors=_form_errors(error))
    return _seen_after(f"/licenses/{license_id}", action)


def _amendment_from_form(form: FormData) -> dict[str, Any]:
    """An amendment (spec §5): only what the officer filled in changes."""
    body: dict[str, Any] = {"reason": field(form, "reason", 4000)}
    if until := field(form, "valid_until", 10):
        body["valid_until"] = until
    columns = [
        [v for v in form.getlist(name) if isinstance(v, str)]
        for name in ("component", "quantity", "value_usd")
    ]
    if len({len(c) for c in columns}) != 1 or len(columns[0]) > 200:
        raise InputError(Issue("one quantity and one value per item", field="items"))
    items = [
        {"component": c, "quantity": number(q.strip()), "value_usd": number(v.strip())}
        for c, q, v in zip(*columns, strict=True)
        if q.strip() or v.strip()
    ]
    if items:
        body["items"] = items
    conditions = []
    for line in field(form, "conditions", 8000).splitlines():
        if line.strip():
            ident, _, text = line.partition(":")
            conditions.append({"id": ident.strip(), "text": text.strip()})
    if conditions:
        body["conditions"] = conditions
    return body


def _shipment_from_form(form: FormData) -> dict[str, Any]:
    columns = [
        [v for v in form.getlist(name) if isinstance(v, str)]
        for name in ("component", "quantity", "value_usd")
    ]
    if len({len(c) for c in columns}) != 1 or len(columns[0]) > 200:
        raise InputError(Issue("one quantity and one value per item", field="items"))
    items = []
    for component, quantity, value in zip(*columns, strict=True):
        q, v = quantity.strip().replace(",", ""), value.strip().replace(",", "")
        if q or v:
            items.append({"component": component, "quantity": number(q), "value_usd": number(v)})
    return {
        "date": field(form, "date", 10),
        "consignee": field(form, "consignee", 300),
        "items": items,
    }


# --- the menu, for the program office ------------------------------------------------------------


@router.post("/menu/{package_id}/{action}")
async def menu_change(
    request: Request, ctx: Ctx, who: Who, package_id: str, action: str
) -> Response:
    """Suspend, reinstate or retire a package on the menu, with the reason (analysts)."""
    form = await checked_form(request, who)
    if action not in ("suspend", "reinstate", "retire"):
        raise UnknownResourceError(f"no action {action[:40]!r}")
    body = {"reason": field(form, "reason", 4000)}
    await _call(lambda: ctx.program.change_menu(who.principal, package_id[:100], action, body))
    # A retired package has left the menu: its record is on the transparency page.
    target = "/transparency" if action == "retire" else f"/menu/{package_id}"
    return _seen_after(target, "" if action == "retire" else action)


# --- end-use monitoring ---------------------------------------------------------------------------


@router.get("/alerts")
def alerts(
    request: Request,
    ctx: Ctx,
    who: Who,
    state: Short = "",
    check: Short = "",
    license: Short = "",
    cursor: Short = "",
) -> Response:
    listed = ctx.monitoring.alerts(
        who.principal, license or None, state or None, check or None, 50, cursor or None
    ).contract()
    filters = {"state": state, "check": check, "license": license}
    return page(request, who, "alerts.html", listed=listed, filters=filters, checks=CHECKS)


def _alert_page(
    request: Request, ctx: Ctx, who: Visitor, alert_id: str, status: int = 200, **extra: Any
) -> Response:
    view = ctx.monitoring.alert(who.principal, alert_id[:60])
    may_decide = may(who.principal, "alert.adjudicate") and view["state"] == "open"
    return page(
        request,
        who,
        "alert.html",
        status,
        alert=view,
        may_decide=may_decide,
        done=_done(request.query_params.get("done", "")),
        **extra,
    )


@router.get("/alerts/{alert_id}")
def alert(request: Request, ctx: Ctx, who: Who, alert_id: str) -> Response:
    return _alert_page(request, ctx, who, alert_id)


@router.post("/alerts/{alert_id}/adjudication")
async def adjudicate_alert(request: Request, ctx: Ctx, who: Who, alert_id: str) -> Response:
    form = await checked_form(request, who)
    body = {"state": field(form, "state", 20), "reason": field(form, "reason", 4000)}
    try:
        version = version_of(form)
        await _call(lambda: ctx.monitoring.adjudicate(who.principal, alert_id, body, version))
    except StaleVersionError:
        return _alert_page(request, ctx, who, alert_id, 409, conflict=STALE)
    except InputError as error:
        return _alert_page(request, ctx, who, alert_id, 422, errors=_form_errors(error))
    return _seen_after(f"/alerts/{alert_id}", "adjudication")


# --- the sovereignty ledger ----------------------------------------------------------------------


def _ledger_page(
    request: Request, ctx: Ctx, who: Visitor, app_id: str, status: int = 200, **extra: Any
) -> Response:
    view = ctx.licensing.ledgers.get(who.principal, app_id[:60])
    may_cosign = may(who.principal, "ledger.cosign") and not view["cosigned"]
    return page(
        request,
        who,
        "ledger.html",
        status,
        ledger=view,
        may_cosign=may_cosign,
        done=_done(request.query_params.get("done", "")),
        **extra,
    )


@router.get("/applications/{app_id}/ledger")
def ledger(request: Request, ctx: Ctx, who: Who, app_id: str) -> Response:
    return _ledger_page(request, ctx, who, app_id)


@router.post("/applications/{app_id}/ledger/{action}")
async def ledger_action(request: Request, ctx: Ctx, who: Who, app_id: str, action: str) -> Response:
    form = await checked_form(request, who)
    ledgers = ctx.licensing.ledgers
    moves: dict[str, Callable[[], Any]] = {
        "record": lambda: ledgers.record(who.principal, app_id),
        "cosign": lambda: ledgers.cosign(who.principal, app_id, version_of(form)),
    }
    if action not in moves:
        raise UnknownResourceError(f"no action {action[:40]!r}")
    try:
        await _call(moves[action])
    except StaleVersionError:
        return _ledger_page(request, ctx, who, app_id, 409, conflict=STALE)
    except InputError as error:
        return _ledger_page(request, ctx, who, app_id, 422, errors=_form_errors(error))
    return _seen_after(f"/applications/{app_id}/ledger", action)


# --- proposals and the audit trail --------------------------------------------------------------


@router.get("/proposals")
def proposals(request: Request, ctx: Ctx, who: Who) -> Response:
    listed = ctx.program.list_proposals(who.principal).contract()
    return page(request, who, "proposals.html", listed=listed)


def _proposal_page(
    request: Request, ctx: Ctx, who: Visitor, proposal_id: str, status: int = 200, **extra: Any
) -> Response:
    view = ctx.program.get_proposal(who.principal, proposal_id[:60])
    p = who.principal
    own = view["organization"] == p.organization_id
    state = view["state"]
    actions = {
        "submit": own and may(p, "proposal.submit") and state in ("draft", "returned"),
        "withdraw": own
        and may(p, "proposal.withdraw")
        and state in ("draft", "submitted", "returned"),
        "evaluate": may(p, "proposal.evaluate") and state == "submitted",
        "score": may(p, "proposal.score") and state == "under_evaluation",
        "decide": may(p, "proposal.decide") and state == "under_evaluation",
    }
    rubric = ctx.program.rubric(p) if actions["score"] else None
    return page(
        request,
        who,
        "proposal.html",
        status,
        proposal=view,
        actions=actions,
        rubric=rubric,
        done=_done(request.query_params.get("done", "")),
        **extra,
    )


@router.get("/proposals/{proposal_id}")
def proposal(request: Request, ctx: Ctx, who: Who, proposal_id: str) -> Response:
    return _proposal_page(request, ctx, who, proposal_id)


def _scores_from_form(form: FormData) -> dict[str, Any]:
    """The scorecard (``{criterion: {"score", "reason"}}``) from ``score_<id>`` and
    ``reason_<id>`` fields, for the rubric the use case checks it against."""
    scores: dict[str, Any] = {}
    for name, value in form.multi_items():
        if name.startswith("score_") and isinstance(value, str):
            criterion = name.removeprefix("score_")[:100]
            scores[criterion] = {
                "score": number(value.strip()),
                "reason": field(form, f"reason_{criterion}", 4000),
            }
    return {"scores": scores}


def _proposal_decision_from_form(form: FormData) -> dict[str, Any]:
    justifications = {
        name.removeprefix("justify_")[:100]: value.strip()
        for name, value in form.multi_items()
        if name.startswith("justify_") and isinstance(value, str) and value.strip()
    }
    return {
        "decision": field(form, "decision", 20),
        "reason": field(form, "reason", 4000),
        "justifications": justifications,
    }


@router.post("/proposals/{proposal_id}/{action}")
async def proposal_action(
    request: Request, ctx: Ctx, who: Who, proposal_id: str, action: str
) -> Response:
    form = await checked_form(request, who)
    program = ctx.program
    p = who.principal
    moves: dict[str, Callable[[], Any]] = {
        "submit": lambda: program.submit_proposal(p, proposal_id, version_of(form)),
        "withdraw": lambda: program.withdraw_proposal(p, proposal_id, version_of(form)),
        "evaluate": lambda: program.evaluate(p, proposal_id, version_of(form)),
        "score": lambda: program.score(p, proposal_id, _scores_from_form(form)),
        "decision": lambda: program.decide_proposal(
            p, proposal_id, _proposal_decision_from_form(form), version_of(form)
        ),
    }
    if action not in moves:
        raise UnknownResourceError(f"no action {action[:40]!r}")
    try:
        await _call(moves[action])
    except StaleVersionError:
        return _proposal_page(request, ctx, who, proposal_id, 409, conflict=STALE)
    except InputError as error:
        return _proposal_page(request, ctx, who, proposal_id, 422, errors=_form_errors(error))
    except ConflictError as error:
        problem = [{"field": "", "message": str(i.message)} for i in error.issues]
        return _proposal_page(request, ctx, who, proposal_id, 409, errors=problem)
    return _seen_after(f"/proposals/{proposal_id}", action)


@router.get("/outcomes")
def outcomes(request: Request, ctx: Ctx, who: Who) -> Response:
    from aiexports.services.published import Outcomes  # noqa: PLC0415

    table = Outcomes(ctx.program, ctx.licensing).table(who.principal)
    return page(request, who, "outcomes.html", table=table)


@router.get("/audit")
def audit_trail(
    request: Request,
    ctx: Ctx,
    who: Who,
    object: Short = "",
    actor: Short = "",
    since: Short = "",
    cursor: Short = "",
) -> Response:
    listed = audit.list_entries(
        ctx.store, who.principal, object or None, actor or None, since or None, 50, cursor or None
    ).contract()
    verdict = audit.verify_for(ctx.store, who.principal)
    filters = {"object": object, "actor": actor, "since": since}
    return page(
        request, who, "audit.html", listed=listed, verdict=verdict.contract(), filters=filters
    )
