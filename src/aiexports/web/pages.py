"""What every page shares: who is visiting (a signed-in user or the public), the CSRF
check of every form that changes something, the navigation a role sees, and error pages
with the same status and words as the API's problems."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from aiexports.api.app import Ctx, Service, served
from aiexports.errors import ForbiddenError, InputError, Issue
from aiexports.services.access import PUBLIC_VISITOR, Principal, Role, may
from aiexports.services.sessions import Session, session_of
from aiexports.web import render

SESSION_COOKIE = "aiexports_session"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
MAX_FORM_FIELDS = 400


@dataclass(frozen=True)
class Visitor:
    """Whoever asked for the page: a signed-in user with the session's CSRF token, or
    the public (no token: the public submits no forms but the sign-in form)."""

    principal: Principal
    session: Session | None

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session is not None else ""


def visitor(request: Request, ctx: Ctx) -> Visitor:
    found = getattr(request.state, "visitor", None)
    if isinstance(found, Visitor):
        return found
    session = session_of(ctx.store, request.cookies.get(SESSION_COOKIE), ctx.runtime.clock())
    found = Visitor(session.principal if session else PUBLIC_VISITOR, session)
    request.state.visitor = found
    return found


Who = Annotated[Visitor, Depends(visitor)]

NAVIGATION: tuple[tuple[str, str, str], ...] = (
    # (path, label, the action whose permission shows it)
    ("/menu", "Menu", "catalog.read"),
    ("/compare", "Compare", "catalog.read"),
    ("/partners", "Partners", "catalog.read"),
    ("/policies", "Rules", "catalog.read"),
    ("/transparency", "Transparency", "catalog.read"),
    ("/assess", "Assess a deal", "engine.use"),
    ("/screen", "Screen names", "engine.use"),
    ("/recommend", "Recommendations", "engine.use"),
    ("/queue", "Queue", "queue.read"),
    ("/applications", "Applications", "application.read"),
    ("/licenses", "Licenses", "license.read"),
    ("/alerts", "Alerts", "alert.read"),
    ("/proposals", "Proposals", "proposal.read"),
    ("/outcomes", "Outcomes", "outcomes.read"),
    ("/audit", "Audit trail", "audit.read"),
)


def navigation(who: Principal, here: str) -> list[dict[str, Any]]:
    return [
        {"path": path, "label": label, "current": here == path or here.startswith(path + "/")}
        for path, label, action in NAVIGATION
        if may(who, action)
    ]


def done_word(value: str) -> str:
    """A confirmation word from the query, kept to known words (never echoed text)."""
    return value if re.fullmatch(r"[a-z_]{1,40}", value) else ""


def page_html(request: Request, visiting: Visitor, name: str, **values: Any) -> str:
    """A page in the site's frame: its navigation for the visitor's role, the CSRF token
    for its forms, and the confirmation of the change that led to it (``?done=``)."""
    framing = {
        "who": visiting.principal,
        "signed_in": visiting.signed_in,
        "csrf": visiting.csrf,
        "nav": navigation(visiting.principal, request.url.path),
        "here": request.url.path,
        "done": done_word(request.query_params.get("done", "")),
    }
    return render(name, **(framing | values))


def page(
    request: Request, visiting: Visitor, name: str, status: int = 200, **values: Any
) -> Response:
    """:func:`page_html` as a response, with the headers every page carries."""
    html = page_html(request, visiting, name, **values)
    return framed(HTMLResponse(html, status_code=status))


def framed(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


async def checked_form(request: Request, visiting: Visitor) -> FormData:
    """A state-changing form's fields, once its CSRF token matches the session's; a form
    without it, or from no session, is refused (403)."""
    form = await request.form(max_files=4, max_fields=MAX_FORM_FIELDS)
    sent = form.get("csrf")
    valid = visiting.signed_in and isinstance(sent, str)
    if not valid or not hmac.compare_digest(visiting.csrf.encode(), str(sent).encode()):
        await form.close()
        raise ForbiddenError("the form carries no valid CSRF token; reload the page and retry")
    return form


def field(form: FormData, name: str, most: int = 2000) -> str:
    value = form.get(name, "")
    if not isinstance(value, str):
        raise InputError(Issue("a text field", field=name))
    if len(value) > most:
        raise InputError(Issue(f"at most {most:,} characters", field=name))
    return value.strip()


def number(text: str) -> int | float | str:
    """A form's number as a JSON body would carry it (ASCII digits only); anything else
    stays text, for the use case to refuse with its field named."""
    if re.fullmatch(r"[0-9]{1,18}", text):
        return int(text)
    if re.fullmatch(r"[0-9]{1,18}\.[0-9]{1,12}", text):
        return float(text)
    return text


def version_of(form: FormData) -> str:
    """The If-Match of a change made from a page: the version the page showed."""
    shown = field(form, "version", 12)
    if not re.fullmatch(r"[0-9]{1,12}", shown):
        raise InputError(Issue("the page's version is missing: reload the page", field="version"))
    return f'"{shown}"'


def error_page(request: Request, status: int, problem: dict[str, Any]) -> Response:
    """The API's problem as a page. A visitor who is not signed in and reaches a page for
    signed-in users is sent to sign in first."""
    try:
        ctx: Service = served(request)
        visiting = visitor(request, ctx)
    except Exception:  # the database is down: the page still answers
        visiting = Visitor(PUBLIC_VISITOR, None)
    refused = status in (401, 403) and visiting.principal.role is Role.PUBLIC
    if refused and request.method == "GET":
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return page(request, visiting, "error.html", status, problem=problem)
