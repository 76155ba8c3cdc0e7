"""What the pages for signed-in users share: the form choices, the confirmation after a
change (Post/Redirect/Get), the conflict message, and running a use case off the event loop."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from aiexports.api.app import Ctx
from aiexports.core.vocabulary import EndUse, PartyRole, PartyType
from aiexports.errors import ConflictError, InputError, StaleVersionError, UnknownResourceError
from aiexports.web.pages import framed

T = TypeVar("T")
Short = Annotated[str, Query(max_length=100)]
PARTY_ROWS = 3
ITEM_ROWS = 3
PARTY_ROLES = tuple(str(r) for r in PartyRole)
PARTY_TYPES = tuple(str(t) for t in PartyType)
STALE = (
    "Another user changed this a moment ago (another officer may have decided it): the page "
    "now shows its current state. Nothing you sent was applied; review it and act again."
)


def seen_after(
    path: str, message: str = ""
) -> Response:  # Post/Redirect/Get: a reload never posts twice
    target = path + (f"?done={message}" if message else "")
    return framed(RedirectResponse(target, status_code=303))


async def call(work: Callable[[], T]) -> T:
    return await run_in_threadpool(work)


def form_choices(ctx: Ctx) -> dict[str, Any]:
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


def form_errors(error: InputError) -> list[dict[str, str]]:
    return [{"field": i.field or "", "message": i.message} for i in error.issues]


def pdf_response(
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


async def carried_out(
    action: str,
    moves: Mapping[str, Callable[[], object]],
    shown: Callable[..., Response],
    done: str,
) -> Response:
    """Take ``action``, one of ``moves``, then Post/Redirect/Get to ``done``. When it is
    refused (a stale version or a state that forbids it: 409; bad input: 422), ``shown``
    gives the resource's page again, with the reason and the same status."""
    if action not in moves:
        raise UnknownResourceError(f"no action {action[:40]!r}")
    try:
        await call(moves[action])
    except StaleVersionError:
        return shown(409, conflict=STALE)
    except InputError as error:
        return shown(422, errors=form_errors(error))
    except ConflictError as error:
        return shown(409, errors=[{"field": "", "message": i.message} for i in error.issues])
    return seen_after(done, action)


def typed(form: FormData) -> dict[str, Any]:
    """What was typed into a form, to show it again with the form's refusal: each field's
    text, and the checked boxes of its lists."""
    values: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    for listed in ("end_uses", "sectors"):
        values[listed] = [v for v in form.getlist(listed) if isinstance(v, str)]
    return values
