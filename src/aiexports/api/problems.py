"""Every error as an RFC 9457 problem (service spec §1): one mapper from the product's
error root, FastAPI's validation errors and anything unforeseen. Never a stack trace."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from aiexports.errors import (
    AiExportsError,
    InputError,
    Issue,
    ServiceError,
    StaleVersionError,
    StorageError,
)

PROBLEM = "application/problem+json"
log = logging.getLogger("aiexports.api")

TITLES = {
    400: "Bad request",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Invalid request",
    428: "Precondition required",
    500: "Internal error",
    503: "Service unavailable",
}


def problem(
    status: int, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://aiexports.example/problems/{status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def issue_loc(issue: Issue, root: str) -> list[str | int]:
    """An issue's field as a location: ``parties[0].country`` → body, parties, 0, country."""
    if issue.field is None:
        return [root]
    loc: list[str | int] = [root]
    for part in issue.field.replace("]", "").replace("[", ".").split("."):
        if part:
            loc.append(int(part) if part.isascii() and part.isdigit() else part)
    return loc


def input_problem(error: InputError, root: str = "body") -> JSONResponse:
    errors = [
        {"loc": issue_loc(issue, root), "msg": issue.message, "type": "value_error"}
        for issue in error.issues
    ]
    detail = "; ".join(issue.render() for issue in error.issues[:5])
    return problem(422, detail or "invalid request", errors)


def error_problem(error: AiExportsError) -> JSONResponse:
    """The problem for one of the product's errors (the one mapper of the error root)."""
    detail = "; ".join(issue.render() for issue in error.issues)
    if isinstance(error, StaleVersionError):
        return problem(412, detail, current_etag=f'"{error.current_version}"')
    if isinstance(error, ServiceError):
        return problem(error.status, detail)
    if isinstance(error, InputError):
        return input_problem(error, getattr(error, "root", "body"))
    if isinstance(error, StorageError):
        log.error("storage: %s", detail)
        return problem(503, "the database is unavailable")
    log.error("reference data: %s", detail)
    return problem(500, "the service's reference data is broken")


API_PATHS = ("/api/", "/openapi.json", "/docs")
"""Where problems are answered as JSON; everywhere else is a page, answered as one."""

PageErrors = Callable[[Request, int, dict[str, Any]], Response]


def install(app: FastAPI, page_errors: PageErrors | None = None) -> None:
    """Map every error to its problem; on a page's path, ``page_errors`` renders the same
    problem as HTML with the same status."""

    def answer(request: Request, response: JSONResponse) -> Response:
        if page_errors is None or request.url.path.startswith(API_PATHS):
            return response
        return page_errors(request, response.status_code, json.loads(bytes(response.body)))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        errors = [
            {
                "loc": list(detail.get("loc", ())),
                "msg": str(detail.get("msg", "")),
                "type": str(detail.get("type", "value_error")),
            }
            for detail in error.errors()
        ]
        return answer(request, problem(422, "the request is not valid", errors))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        return answer(request, problem(error.status_code, str(error.detail)))

    @app.exception_handler(AiExportsError)
    async def _ours(request: Request, error: AiExportsError) -> Response:
        return answer(request, error_problem(error))

    @app.exception_handler(Exception)
    async def _unforeseen(request: Request, error: Exception) -> Response:
        log.exception("unhandled error", exc_info=error)
        return answer(request, problem(500, "an internal error occurred; it has been logged"))
