"""The REST API (service spec): an app factory over one runtime and one store.

Routes are thin: they read the request, call a use case with the caller, and render its
result; who may do what is decided in the use cases (:mod:`aiexports.services.access`).
Handlers are plain functions: FastAPI runs them in its thread pool, each with a short
synchronous transaction (SQLAlchemy's pooled connections; SQLite queues its writers, and
PostgreSQL settles races with conditional updates and row locks)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles

from aiexports import __version__
from aiexports.api import problems
from aiexports.errors import AiExportsError, InputError, Issue, StorageError
from aiexports.runtime import Runtime
from aiexports.services.access import Principal
from aiexports.services.accounts import authenticate
from aiexports.services.engine_use import EngineUse
from aiexports.services.idempotency import Response as StoredResponse
from aiexports.services.idempotency import once, request_hash
from aiexports.services.license_monitoring import MAX_TELEMETRY_BYTES, LicenseMonitoring
from aiexports.services.licensing import Licensing
from aiexports.services.proposals import Program
from aiexports.services.published import Published
from aiexports.services.serving import ServiceStore

MAX_JSON_BYTES = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024 + 64 * 1024
"""A request body's limit: a document of 10 MB with its multipart envelope."""
MAX_JSON_DEPTH = 32
MAX_TELEMETRY_REQUEST_BYTES = MAX_TELEMETRY_BYTES + 1024 * 1024
"""A telemetry batch with its tables and multipart envelope."""


T = TypeVar("T")

TOKEN_SECONDS = 5.0
"""How long a token, once checked, is taken as valid without asking the database again."""
SERVICE_LIST_RECHECK_SECONDS = 1.0
USE_CASE_LANES = 2
"""How many use cases with a JSON body one server process runs at once. Python runs one
thread at a time: more of them only take turns, and the turns lengthen every transaction,
the writer holding SQLite's lock or the audit chain's head among them (measured with
``benchmarks/api_load.py`` on 2 cores: 2 lanes gave about 1.2x the submissions per
second of the pool's 40 threads on SQLite and 1.3x on PostgreSQL). One lane waiting on
the database lets the other run."""


@dataclass
class Service:
    """What every request works with: the runtime, the store and the use cases."""

    runtime: Runtime
    store: ServiceStore
    licensing: Licensing
    program: Program
    monitoring: LicenseMonitoring
    published: Published
    engine: EngineUse
    _callers: dict[str, tuple[float, Principal]] = field(default_factory=dict, repr=False)
    _lanes: CapacityLimiter | None = field(default=None, repr=False)

    async def in_lane(self, function: Callable[..., T], *args: Any) -> T:
        """Run the synchronous use case in a worker thread, one of ``USE_CASE_LANES``
        (the body was read here)."""
        if self._lanes is None:  # made on the event loop's thread, which runs every request
            self._lanes = CapacityLimiter(USE_CASE_LANES)
        return await to_thread.run_sync(partial(function, *args), limiter=self._lanes)

    def known_caller(self, token: str | None) -> Principal | None:
        """The token's user if it was checked within ``TOKEN_SECONDS``, else None."""
        found = self._callers.get(token) if token else None
        if found is not None and time.monotonic() - found[0] < TOKEN_SECONDS:
            return found[1]
        return None

    def caller(self, token: str | None) -> Principal:
        """The token's user, from a short-lived cache (one database round trip saved
        on almost every request; a token removed is refused within ``TOKEN_SECONDS``)."""
        found = self.known_caller(token)
        if found is not None:
            return found
        moment = time.monotonic()
        principal = authenticate(self.store, token)
        if len(self._callers) > 10_000:
            self._callers.clear()
        assert token is not None
        self._callers[token] = (moment, principal)
        return principal


def served(request: Request) -> Service:
    """The service the app was built over."""
    found: Service = request.app.state.service
    return found


# The dependencies are coroutines: FastAPI runs a plain function dependency in the thread
# pool, a thread hop per request for what is, but every few seconds, a dictionary lookup.
async def service(request: Request) -> Service:
    return served(request)


bearer = HTTPBearer(auto_error=False, description="A token from `aiexports users create`")


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    token = credentials.credentials if credentials else None
    known = served(request).known_caller(token)
    if known is not None:
        return known
    from starlette.concurrency import run_in_threadpool  # noqa: PLC0415

    return await run_in_threadpool(served(request).caller, token)


Ctx = Annotated[Service, Depends(service)]
Caller = Annotated[Principal, Depends(caller)]


class BodyLimit:
    """Refuse a body over the limit (413) from its declared length, or as it streams in,
    before it is read whole into memory; and a body that is not JSON where JSON is read
    (415)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        telemetry = scope["path"].endswith("/telemetry")
        # A page's upload (a document, a batch of names) checks its own size and answers
        # on its page; the envelope is bounded here.
        upload = (
            scope["path"].endswith("/documents") or telemetry or scope["path"] == "/screen/batch"
        )
        limit = (
            MAX_TELEMETRY_REQUEST_BYTES
            if telemetry
            else MAX_UPLOAD_BYTES
            if upload
            else MAX_JSON_BYTES
        )
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        has_body = declared not in (None, b"0") or b"transfer-encoding" in headers
        json_media = media == b"application/json" or (
            media.startswith(b"application/") and media.endswith(b"+json")
        )
        # The API reads JSON; pages post forms.
        writes = scope["method"] in ("POST", "PATCH", "PUT") and scope["path"].startswith("/api/")
        if has_body and writes and not upload and not json_media:
            await problems.problem(415, "send the body as application/json")(scope, receive, send)
            return
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, limit)(scope, receive, send)
            return
        seen = 0

        async def bounded() -> MutableMapping[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, bounded, send)
        except _TooLargeError:
            await _too_large(scope, limit)(scope, receive, send)


def _too_large(scope: MutableMapping[str, Any], limit: int) -> Response:
    """413 as a problem for the API, as a plain page for the pages (refused before the
    app, so without the site's frame)."""
    detail = f"the request body is over {limit:,} bytes"
    if str(scope["path"]).startswith(problems.API_PATHS):
        return problems.problem(413, detail)
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Too large · '
        "aiexports</title></head><body><main><h1>Too large</h1><p>The form sent is too "
        f"large: {detail}. Go back and send a smaller file.</p></main></body></html>"
    )
    return HTMLResponse(html, status_code=413)


class _TooLargeError(Exception):
    pass


def json_body(raw: bytes) -> Any:
    """The body as JSON: malformed, repeated keys or nested past the bound is a 422."""
    if not raw:
        raise _body_error("the body is empty; send a JSON document")
    try:
        value = json.loads(raw, object_pairs_hook=_unique)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _body_error(f"not valid JSON: {error}") from None
    except RecursionError:
        raise _body_error("not valid JSON: nested too deeply") from None
    except ValueError as error:
        raise _body_error(f"not valid JSON: {error}") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise _body_error(f"nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return found


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def _body_error(message: str) -> InputError:
    return InputError(Issue(message))


def etagged(view: dict[str, Any], status: int = 200, location: str | None = None) -> JSONResponse:
    headers = {"ETag": f'"{view["version"]}"'}
    if location is not None:
        headers["Location"] = location
    return JSONResponse(view, status_code=status, headers=headers)


def created(
    ctx: Service,
    who: Principal,
    request: Request,
    raw: bytes,
    key: str | None,
    make: Callable[[], StoredResponse],
) -> Response:
    """A creating request, run once per idempotency key when one is given. A refusal
    (4xx) is the first response too, and is what a repeat gets; only a failure of the
    service itself (the database down) lets a repeat try again."""
    if key is None:
        stored = make()
    else:
        fingerprint = request_hash(request.method, request.url.path, raw)
        stored = once(
            ctx.store, who.user_id, key, fingerprint, ctx.runtime.clock(), _refusals_kept(make)
        )
    media_type = problems.PROBLEM if stored.status >= 400 else "application/json"
    return JSONResponse(
        stored.body, status_code=stored.status, headers=stored.headers, media_type=media_type
    )


def _refusals_kept(make: Callable[[], StoredResponse]) -> Callable[[], StoredResponse]:
    def run() -> StoredResponse:
        try:
            return make()
        except AiExportsError as error:
            answer = problems.error_problem(error)
            if answer.status_code >= 500:
                raise
            return StoredResponse(answer.status_code, json.loads(bytes(answer.body)), {})

    return run


def create_app(runtime: Runtime | None = None, store: ServiceStore | None = None) -> FastAPI:
    """The API over ``runtime`` (from the environment by default) and ``store`` (its
    database, created and migrated when missing)."""
    from aiexports.api import monitoring_routes, program_routes, routes  # noqa: PLC0415

    runtime = runtime or Runtime.from_environment()
    store = store or runtime.service_store
    app = FastAPI(
        title="aiexports",
        version=__version__,
        summary="The AI export program's service: engine, license applications, licenses, "
        "shipments and the audit trail.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    runtime.list_recheck_seconds = max(runtime.list_recheck_seconds, SERVICE_LIST_RECHECK_SECONDS)
    program = Program(store, runtime)
    with contextlib.suppress(StorageError):  # down now: seeded on first use (health says 503)
        program.ensure_seeded()
    runtime.menu_source = program
    licensing = Licensing(store, runtime)
    monitoring = LicenseMonitoring(store, runtime, licensing)
    with contextlib.suppress(StorageError):  # down now: its jobs wait for the next start
        monitoring.resume()
    app.state.service = Service(
        runtime,
        store,
        licensing,
        program,
        monitoring,
        Published(program, licensing),
        EngineUse(runtime, licensing),
    )
    app.router.add_event_handler("shutdown", monitoring.close)
    from aiexports.web import (  # noqa: PLC0415
        STATIC,
        engine_pages,
        licensing_pages,
        program_pages,
        public,
        signin,
    )
    from aiexports.web.pages import error_page  # noqa: PLC0415

    problems.install(app, error_page)
    app.include_router(program_routes.router)
    app.include_router(routes.router)
    app.include_router(monitoring_routes.router)
    app.include_router(signin.router)
    app.include_router(public.router)
    app.include_router(engine_pages.router)
    app.include_router(licensing_pages.router)
    app.include_router(program_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit)
    return app


def serving_app() -> FastAPI:
    """The app of one ``aiexports serve --workers N`` process: its own runtime from the
    environment, the lists loaded and indexed before the first request."""
    runtime = Runtime.from_environment()
    runtime.assessor()
    return create_app(runtime)
