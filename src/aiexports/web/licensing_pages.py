"""Pages of the licensing work: applications (create, edit, submit, documents), the
officers' queue and decisions, licenses (acknowledgments, shipments, amendments, suspension)
and the deal's sovereignty ledger."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from aiexports.api.app import Ctx
from aiexports.errors import (
    ConflictError,
    InputError,
    Issue,
    UnknownResourceError,
)
from aiexports.services.access import may, require
from aiexports.services.clock import queue as officer_queue
from aiexports.web import words
from aiexports.web.forms import (
    ITEM_ROWS,
    PARTY_ROWS,
    Short,
    call,
    carried_out,
    form_choices,
    form_errors,
    pdf_response,
    seen_after,
    typed,
)
from aiexports.web.pages import (
    Visitor,
    Who,
    checked_form,
    field,
    number,
    page,
    version_of,
)

router = APIRouter(include_in_schema=False)

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
        choices=form_choices(ctx),
        values=values,
        components=components,
    )


@router.post("/applications/new")
async def create_application(request: Request, ctx: Ctx, who: Who) -> Response:
    form = await checked_form(request, who)
    body = _application_from_form(form)
    try:
        created = await call(lambda: ctx.licensing.create_application(who.principal, body))
    except InputError as error:
        values = typed(form)
        return page(
            request,
            who,
            "application_new.html",
            422,
            choices=form_choices(ctx),
            values=values,
            components=[],
            errors=form_errors(error),
        )
    return seen_after(f"/applications/{created['id']}", "created")


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
        choices=form_choices(ctx),
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
    context = (("Application", f"{view['id']} (round {latest['round']}, {words(view['state'])})"),)
    return pdf_response(deal, latest["determination"], ctx, f"dossier-{view['id']}", context)


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
            return _application_page(request, ctx, who, app_id, 422, errors=form_errors(error))
        content = await upload.read(10 * 1024 * 1024 + 1)
        await upload.close()
        kind = field(form, "kind", 60) or "supporting_document"
        name = upload.filename or "document"
        moves["documents"] = lambda: licensing.add_document(p, app_id, kind, name, content)

    def shown(status: int, **values: Any) -> Response:
        if action == "edit" and "errors" in values:  # back to the form, with what was typed
            return _edit_page(request, ctx, who, app_id, form, values["errors"])
        return _application_page(request, ctx, who, app_id, status, **values)

    return await carried_out(action, moves, shown, f"/applications/{app_id}")


def _edit_page(
    request: Request,
    ctx: Ctx,
    who: Visitor,
    app_id: str,
    form: FormData,
    errors: list[dict[str, str]],
) -> Response:
    view = ctx.licensing.get_application(who.principal, app_id[:60])
    values = typed(form)
    return page(
        request,
        who,
        "application_new.html",
        422,
        choices=form_choices(ctx),
        values=values,
        components=[],
        editing={"id": view["id"], "version": view["version"]},
        extra_rows=False,
        errors=errors,
    )


def _conditions(form: FormData) -> list[dict[str, str]]:
    """Conditions written one per line as ``ID: text``."""
    conditions = []
    for line in field(form, "conditions", 8000).splitlines():
        if line.strip():
            ident, _, text = line.partition(":")
            conditions.append({"id": ident.strip(), "text": text.strip()})
    return conditions


def _item_amounts(form: FormData) -> list[dict[str, Any]]:
    """A license's per-item rows (``component``, ``quantity``, ``value_usd``, repeated in
    order); a row with neither amount is left out."""
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
    return items


def _decision_from_form(form: FormData) -> dict[str, Any]:
    """The decision body (spec §4): the officer's own conditions and riders, one per line
    (a condition as ``ID: text``); the determination's conditions are kept by the use case."""
    riders = [
        {"text": line.strip()} for line in field(form, "riders", 8000).splitlines() if line.strip()
    ]
    body: dict[str, Any] = {
        "decision": field(form, "decision", 40),
        "reason": field(form, "reason", 4000),
        "conditions": _conditions(form),
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
    shown = partial(_license_page, request, ctx, who, license_id)
    return await carried_out(action, moves, shown, f"/licenses/{license_id}")


def _amendment_from_form(form: FormData) -> dict[str, Any]:
    """An amendment (spec §5): only what the officer filled in changes."""
    body: dict[str, Any] = {"reason": field(form, "reason", 4000)}
    if until := field(form, "valid_until", 10):
        body["valid_until"] = until
    if items := _item_amounts(form):
        body["items"] = items
    if conditions := _conditions(form):
        body["conditions"] = conditions
    return body


def _shipment_from_form(form: FormData) -> dict[str, Any]:
    return {
        "date": field(form, "date", 10),
        "consignee": field(form, "consignee", 300),
        "items": _item_amounts(form),
    }


# --- the sovereignty ledger ----------------------------------------------------------------------


def _ledger_page(
    request: Request, ctx: Ctx, who: Visitor, app_id: str, status: int = 200, **extra: Any
) -> Response:
    view = ctx.licensing.ledgers.get(who.principal, app_id[:60])
    may_cosign = may(who.principal, "ledger.cosign") and not view["cosigned"]
    return page(request, who, "ledger.html", status, ledger=view, may_cosign=may_cosign, **extra)


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
    shown = partial(_ledger_page, request, ctx, who, app_id)
    return await carried_out(action, moves, shown, f"/applications/{app_id}/ledger")
