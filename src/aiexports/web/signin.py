"""Sign-in pages (service spec §7): ``GET/POST /login`` and ``POST /logout``. The sign-in
form's CSRF token is held in its own cookie (double submit); every later form carries the
session's."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from aiexports.api.app import Ctx
from aiexports.services.sessions import SESSION_HOURS, TooManyAttemptsError, sign_in, sign_out
from aiexports.web.pages import SESSION_COOKIE, Visitor, Who, framed, page

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "aiexports_login_csrf"


def _secure(ctx: Ctx) -> bool:
    return ctx.runtime.settings.production


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _next(target: str) -> str:
    """Where to go after signing in: a path on this site only (never another origin)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target[:500]
    return "/"


@router.get("/login")
def login_form(request: Request, ctx: Ctx, who: Who, next: str = "/") -> Response:
    if who.signed_in:
        return RedirectResponse(_next(next), status_code=303)
    return _login_page(request, ctx, who, "", "", _next(next), 200)


def _login_page(
    request: Request, ctx: Ctx, who: Visitor, message: str, username: str, target: str, status: int
) -> Response:
    csrf = secrets.token_urlsafe(32)
    answer = page(
        request,
        who,
        "login.html",
        status,
        login_csrf=csrf,
        message=message,
        username=username,
        target=target,
    )
    answer.set_cookie(
        LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="lax", secure=_secure(ctx), path="/login"
    )
    return answer


@router.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    who: Who,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    # Over-long fields are wrong credentials, answered on the page like any other.
    username, password, csrf = username[:220], password[:1000], csrf[:100]
    target = _next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        message = "The form expired; please sign in again."
        return _login_page(request, ctx, who, message, username, target, 403)
    try:
        session = sign_in(ctx.store, username, password, _address(request), ctx.runtime.clock())
    except TooManyAttemptsError as error:
        message = str(error.issues[0].message).capitalize() + "."
        answer = _login_page(request, ctx, who, message, username, target, 429)
        answer.headers["Retry-After"] = str(error.retry_after)
        return answer
    if session is None:
        message = "The user name or password is wrong."
        return _login_page(request, ctx, who, message, username, target, 401)
    done = RedirectResponse(target, status_code=303)
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
    return framed(done)


@router.post("/logout")
def logout(
    request: Request, ctx: Ctx, who: Who, csrf: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    if who.session is None:
        return RedirectResponse("/login", status_code=303)
    if not hmac.compare_digest(who.csrf.encode(), csrf.encode()):
        return page(request, who, "home.html", 403, message="The form expired; sign out again.")
    sign_out(ctx.store, who.session, ctx.runtime.clock())
    done = RedirectResponse("/login", status_code=303)
    done.delete_cookie(SESSION_COOKIE, path="/")
    return done
