"""Sign-in pages (service spec §7): ``GET/POST /login``, ``POST /logout``, and the page a
signed-in user lands on. The form posts carry CSRF tokens: the sign-in form one held in
its own cookie (double submit), every later form the session's."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aiexports.api.app import Ctx
from aiexports.services.sessions import (
    SESSION_HOURS,
    Session,
    TooManyAttemptsError,
    session_of,
    sign_in,
    sign_out,
)
from aiexports.web import render

router = APIRouter(include_in_schema=False)
SESSION_COOKIE = "aiexports_session"
LOGIN_CSRF_COOKIE = "aiexports_login_csrf"


def _page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(render(name, **values), status_code=status)


def _secure(ctx: Ctx) -> bool:
    return ctx.runtime.settings.production


def _session(request: Request, ctx: Ctx) -> Session | None:
    return session_of(ctx.store, request.cookies.get(SESSION_COOKIE), ctx.runtime.clock())


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


@router.get("/login")
def login_form(request: Request, ctx: Ctx) -> Response:
    if _session(request, ctx) is not None:
        return RedirectResponse("/", status_code=303)
    return _login_page(ctx, "", "", 200)


def _login_page(ctx: Ctx, message: str, username: str, status: int) -> Response:
    csrf = secrets.token_urlsafe(32)
    page = _page("login.html", status, csrf=csrf, message=message, username=username)
    page.set_cookie(
        LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="lax", secure=_secure(ctx), path="/login"
    )
    return page


@router.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    # Over-long fields are wrong credentials, answered on the page like any other.
    username, password, csrf = username[:220], password[:1000], csrf[:100]
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return _login_page(ctx, "The form expired; please sign in again.", username, 403)
    try:
        session = sign_in(ctx.store, username, password, _address(request), ctx.runtime.clock())
    except TooManyAttemptsError as error:
        page = _login_page(ctx, str(error.issues[0].message).capitalize() + ".", username, 429)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    if session is None:
        return _login_page(ctx, "The user name or password is wrong.", username, 401)
    done = RedirectResponse("/", status_code=303)
    done.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(ctx),
        path="/",
    )
    done.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return done


@router.post("/logout")
def logout(request: Request, ctx: Ctx, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    session = _session(request, ctx)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    if not hmac.compare_digest(session.csrf.encode(), csrf.encode()):
        return _page("home.html", 403, who=session.principal, csrf=session.csrf)
    sign_out(ctx.store, session, ctx.runtime.clock())
    done = RedirectResponse("/login", status_code=303)
    done.delete_cookie(SESSION_COOKIE, path="/")
    return done


@router.get("/")
def home(request: Request, ctx: Ctx) -> Response:
    session = _session(request, ctx)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    return _page("home.html", who=session.principal, csrf=session.csrf)
