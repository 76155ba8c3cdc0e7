"""The API's routes (service spec §1–6): read the request, call the use case, render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from aiexports.api.app import Caller, Ctx, created, etagged, json_body
from aiexports.core.application import ApplicationDocument
from aiexports.core.licensing import ApplicationState, LicenseState
from aiexports.errors import InputError, Issue
from aiexports.services import audit
from aiexports.services.access import require
from aiexports.services.idempotency import Response as Stored

router = APIRouter(prefix="/api/v1")

IfMatch = Annotated[str | None, Header(alias="If-Match", description='The ETag, e.g. "3"')]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)
]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=200)]

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": title, "content": {"application/problem+json": {}}}
    for code, title in (
        (400, "A malformed request (a broken multipart envelope)"),
        (401, "No or unknown credentials"),
        (403, "The role may not do this"),
        (404, "No such resource in the caller's view"),
        (413, "The body is too large"),
        (422, "Invalid request; `errors` lists every invalid field"),
    )
}
CHANGE_ERRORS = {
    **ERRORS,
    409: {
        "description": "The state does not allow it",
        "content": {"application/problem+json": {}},
    },
    412: {"description": "If-Match is stale", "content": {"application/problem+json": {}}},
    428: {"description": "If-Match is missing", "content": {"application/problem+json": {}}},
}


def _json_schema(model: Any) -> dict[str, Any]:
    schema: dict[str, Any] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return schema


def _body(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema or {"type": "object"}}},
        }
    }


@router.get("/health", tags=["service"])
def health(ctx: Ctx) -> JSONResponse:
    """Liveness and the database's state (no credentials needed)."""
    if ctx.store.healthy():
        return JSONResponse({"status": "ok", "database": "ok"})
    return JSONResponse({"status": "degraded", "database": "unavailable"}, status_code=503)


# --- the engine (spec §3) --------------------------------------------------------------------


@router.post(
    "/assessments",
    tags=["engine"],
    responses=ERRORS,
    openapi_extra=_body(
        {"type": "object", "description": "A deal document (determination spec §1)"}
    ),
)
async def assess(
    request: Request,
    ctx: Ctx,
    who: Caller,
    policy: Annotated[str | None, Query(max_length=100)] = None,
    compare_policy: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    """Decide a deal: the determination, exactly as `aiexports assess --format json`."""
    raw = await request.body()
    return await ctx.in_lane(_assess, ctx, who, raw, policy, compare_policy)


def _assess(
    ctx: Ctx, who: Caller, raw: bytes, policy: str | None, compare_policy: str | None
) -> JSONResponse:
    return JSONResponse(ctx.engine.assess(who, json_body(raw), policy, compare_policy))


@router.post(
    "/recommendations",
    tags=["engine"],
    responses=ERRORS,
    openapi_extra=_body(
        {"type": "object", "description": "Partner requirements (partner-requirements.schema.json)"}
    ),
)
async def recommendation(request: Request, ctx: Ctx, who: Caller) -> JSONResponse:
    """The menu's packages on the requirements' date for a partner: each classified with
    the determination of the partner's deal under it, fitted and ranked, and the optimal
    bundle with its binding constraints, as `aiexports recommend --format json`."""
    raw = await request.body()
    return await ctx.in_lane(_recommend, ctx, who, raw)


def _recommend(ctx: Ctx, who: Caller, raw: bytes) -> JSONResponse:
    return JSONResponse(ctx.engine.recommend(who, json_body(raw), ctx.program.menu_on))


@router.post(
    "/rmf/assessments",
    tags=["engine"],
    responses=ERRORS,
    openapi_extra=_body({"type": "object", "description": "A NIST AI RMF assessment"}),
)
async def rmf_assessment(
    request: Request,
    ctx: Ctx,
    who: Caller,
    form: Annotated[str | None, Query(alias="format", pattern="^(report|oscal)$")] = None,
) -> JSONResponse:
    """An RMF assessment's scores per function and category and its gaps as dated GOV-RMF
    remediation items (`aiexports rmf assess --format json`), or with `format=oscal` the
    assessment as OSCAL 1.2.3 assessment-results."""
    raw = await request.body()
    return await ctx.in_lane(_rmf, ctx, who, raw, form or "report")


def _rmf(ctx: Ctx, who: Caller, raw: bytes, form: str) -> JSONResponse:
    from aiexports.services import rmf  # noqa: PLC0415

    require(who, "engine.use")
    assessment = rmf.assessment_of(ctx.runtime, json_body(raw))
    if form == "oscal":
        return JSONResponse(rmf.oscal_assessment_results(ctx.runtime, assessment))
    return JSONResponse(rmf.report(ctx.runtime, assessment).contract())


@router.get("/rmf/catalog", tags=["engine"], responses=ERRORS)
def rmf_catalog(ctx: Ctx, who: Caller) -> JSONResponse:
    """The NIST AI RMF 1.0 Core as an OSCAL 1.2.3 catalog."""
    from aiexports.services.rmf import oscal_catalog  # noqa: PLC0415

    require(who, "engine.use")
    return JSONResponse(oscal_catalog())


MAX_QUERIES = 1000


@router.post("/screenings", tags=["engine"], responses=ERRORS, openapi_extra=_body())
async def screen(request: Request, ctx: Ctx, who: Caller) -> JSONResponse:
    """Screen a name (`{"name", "country"?, "type"?}`) or up to 1,000 (`{"queries": [...]}`)
    against the lists: ranked, explained matches as `aiexports screen --format json`."""
    raw = await request.body()
    return await ctx.in_lane(_screen, ctx, who, raw)


def _screen(ctx: Ctx, who: Caller, raw: bytes) -> JSONResponse:
    return JSONResponse(ctx.engine.screen(who, json_body(raw)))


@router.get("/partners/{cc}", tags=["engine"], responses=ERRORS)
def partner(cc: str, ctx: Ctx, who: Caller) -> JSONResponse:
    return JSONResponse(ctx.published.partner(who, cc))


@router.get("/policies", tags=["engine"], responses=ERRORS)
def policy_list(ctx: Ctx, who: Caller) -> JSONResponse:
    return JSONResponse({"items": ctx.published.policy_list(who)})


@router.get("/policies/{policy_id}", tags=["engine"], responses=ERRORS)
def policy(
    policy_id: str,
    ctx: Ctx,
    who: Caller,
    date: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
) -> JSONResponse:
    import datetime as dt  # noqa: PLC0415

    day = None
    if date is not None:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            error = InputError(Issue("not a date", field="date"))
            error.root = "query"  # type: ignore[attr-defined]
            raise error from None
    return JSONResponse(ctx.published.policy(who, policy_id, day))


# --- applications (spec §4) --------------------------------------------------------------------


@router.post(
    "/applications",
    tags=["applications"],
    status_code=201,
    responses=ERRORS,
    openapi_extra=_body(_json_schema(ApplicationDocument)),
)
async def create_application(
    request: Request, ctx: Ctx, who: Caller, key: IdempotencyKey = None
) -> Response:
    """A new `draft` of the caller's organisation."""
    raw = await request.body()

    def make() -> Stored:
        view = ctx.licensing.create_application(who, json_body(raw))
        location = f"/api/v1/applications/{view['id']}"
        return Stored(201, view, {"ETag": f'"{view["version"]}"', "Location": location})

    return await ctx.in_lane(created, ctx, who, request, raw, key, make)


@router.get("/applications", tags=["applications"], responses=ERRORS)
def applications(
    ctx: Ctx,
    who: Caller,
    state: ApplicationState | None = None,
    destination: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONResponse:
    """The applications the caller may see, newest first."""
    page = ctx.licensing.list_applications(
        who, str(state) if state else None, destination, limit, cursor
    )
    return JSONResponse(page.contract())


@router.get("/applications/{app_id}", tags=["applications"], responses=ERRORS)
def application(app_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """The application with every determination (and its `decision_id`) and its history."""
    return etagged(ctx.licensing.get_application(who, app_id))


@router.patch(
    "/applications/{app_id}",
    tags=["applications"],
    responses=CHANGE_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/merge-patch+json": {"schema": {"type": "object"}}},
        }
    },
)
async def edit_application(
    app_id: str, request: Request, ctx: Ctx, who: Caller, if_match: IfMatch = None
) -> JSONResponse:
    """Edit a `draft` or `returned_without_action` application (JSON merge patch)."""
    raw = await request.body()
    return await ctx.in_lane(
        lambda: etagged(ctx.licensing.edit_application(who, app_id, json_body(raw), if_match))
    )


@router.post(
    "/applications/{app_id}/documents",
    tags=["applications"],
    status_code=201,
    responses={**ERRORS, 409: CHANGE_ERRORS[409]},
)
def upload_document(
    app_id: str,
    ctx: Ctx,
    who: Caller,
    request: Request,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG or plain text; ≤ 10 MB")],
    kind: Annotated[str, Form(max_length=60)] = "supporting_document",
    key: IdempotencyKey = None,
) -> Response:
    """A supporting document, typed by its content (not its name) and kept with its
    SHA-256."""
    content = file.file.read(10 * 1024 * 1024 + 1)
    raw = kind.encode() + b"\0" + (file.filename or "").encode() + b"\0" + content

    def make() -> Stored:
        found = ctx.licensing.add_document(who, app_id, kind, file.filename or "document", content)
        return Stored(201, found, {})

    return created(ctx, who, request, raw, key, make)


def _action(name: str, summary: str, has_body: bool = False) -> None:
    extra = _body() if has_body else None

    @router.post(
        f"/applications/{{app_id}}/{name}",
        tags=["applications"],
        responses=CHANGE_ERRORS,
        summary=summary,
        name=f"application_{name}",
        openapi_extra=extra,
    )
    async def act(
        app_id: str, request: Request, ctx: Ctx, who: Caller, if_match: IfMatch = None
    ) -> JSONResponse:
        raw = await request.body() if has_body else b""

        def run() -> JSONResponse:
            use = ctx.licensing
            if name == "decision":
                return etagged(use.decide(who, app_id, json_body(raw), if_match))
            method = {"submit": use.submit, "take": use.take, "withdraw": use.withdraw}[name]
            return etagged(method(who, app_id, if_match))

        return await ctx.in_lane(run)


_action("submit", "Screen every party and decide; → submitted")
_action("take", "Take for review; → under_review (officers)")
_action("decision", "Decide: approve (creating the license), deny or return", has_body=True)
_action("withdraw", "Withdraw a draft or submitted application")


@router.get("/applications/{app_id}/rederivation", tags=["applications"], responses=ERRORS)
def rederive(app_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """Every stored determination decided again from its stored deal, with both ids."""
    return JSONResponse({"items": ctx.licensing.rederive(who, app_id)})


@router.post("/applications/{app_id}/ledger", tags=["applications"], responses=ERRORS)
def ledger_record(app_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """Record the deal's sovereignty ledger (the package's commitments and the deal's
    obligations) as its next version when they changed; the applicant's."""
    return etagged(ctx.licensing.ledgers.record(who, app_id))


@router.get("/applications/{app_id}/ledger", tags=["applications"], responses=ERRORS)
def ledger_read(
    app_id: str,
    ctx: Ctx,
    who: Caller,
    form: Annotated[str | None, Query(alias="format", pattern="^(json|html)$")] = None,
) -> Response:
    """The ledger's current version, every version and its co-signature; `format=html`
    for the printable document."""
    view = ctx.licensing.ledgers.get(who, app_id)
    if form == "html":
        from aiexports.web import render  # noqa: PLC0415

        return Response(render("ledger.html", ledger=view), media_type="text/html")
    return etagged(view)


@router.post("/applications/{app_id}/ledger/cosign", tags=["applications"], responses=CHANGE_ERRORS)
def ledger_cosign(app_id: str, ctx: Ctx, who: Caller, if_match: IfMatch = None) -> JSONResponse:
    """The destination's partner government co-signs the version it saw (If-Match)."""
    return etagged(ctx.licensing.ledgers.cosign(who, app_id, if_match))


# --- licenses and shipments (spec §5) ----------------------------------------------------------


@router.get("/licenses", tags=["licenses"], responses=ERRORS)
def license_list(
    ctx: Ctx,
    who: Caller,
    state: LicenseState | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONResponse:
    found = ctx.licensing.list_licenses(who, str(state) if state else None, limit, cursor)
    return JSONResponse(found.contract())


@router.get("/licenses/{license_id}", tags=["licenses"], responses=ERRORS)
def license_view(license_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    return etagged(ctx.licensing.get_license(who, license_id))


@router.get("/licenses/{license_id}/revisions", tags=["licenses"], responses=ERRORS)
def license_revisions(license_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """Every version the license has had (an amendment keeps the old)."""
    return JSONResponse({"items": ctx.licensing.license_revisions(who, license_id)})


@router.post(
    "/licenses/{license_id}/rmf-assessments",
    tags=["licenses"],
    status_code=201,
    responses={**ERRORS, 409: CHANGE_ERRORS[409]},
    openapi_extra=_body({"type": "object", "description": "A NIST AI RMF assessment"}),
)
async def rmf_assessment_record(
    license_id: str, request: Request, ctx: Ctx, who: Caller
) -> JSONResponse:
    """The licensee's RMF assessment: its gaps become the GOV-RMF condition's dated
    remediation items."""
    raw = await request.body()

    def run() -> JSONResponse:
        found = ctx.licensing.record_rmf_assessment(who, license_id, json_body(raw))
        return JSONResponse(found, status_code=201)

    return await ctx.in_lane(run)


@router.get("/licenses/{license_id}/rmf-remediation", tags=["licenses"], responses=ERRORS)
def rmf_remediation(license_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """The GOV-RMF remediation items in force and every assessment recorded."""
    return JSONResponse(ctx.licensing.rmf_remediation(who, license_id))


@router.post(
    "/licenses/{license_id}/acknowledgments",
    tags=["licenses"],
    status_code=201,
    responses={**ERRORS, 409: CHANGE_ERRORS[409]},
    openapi_extra=_body(),
)
async def acknowledge(
    license_id: str, request: Request, ctx: Ctx, who: Caller, key: IdempotencyKey = None
) -> Response:
    """Acknowledge binding conditions (who and when are recorded)."""
    raw = await request.body()

    def make() -> Stored:
        view = ctx.licensing.acknowledge(who, license_id, json_body(raw))
        return Stored(201, view, {"ETag": f'"{view["version"]}"'})

    return await ctx.in_lane(created, ctx, who, request, raw, key, make)


@router.post(
    "/licenses/{license_id}/shipments",
    tags=["licenses"],
    status_code=201,
    responses={**ERRORS, 409: CHANGE_ERRORS[409]},
    openapi_extra=_body(),
)
async def ship(
    license_id: str, request: Request, ctx: Ctx, who: Caller, key: IdempotencyKey = None
) -> Response:
    """Record a shipment against the license: depleted within it, or refused (409)."""
    raw = await request.body()

    def make() -> Stored:
        return Stored(201, ctx.licensing.ship(who, license_id, json_body(raw)), {})

    return await ctx.in_lane(created, ctx, who, request, raw, key, make)


def _license_action(name: str, summary: str) -> None:
    @router.post(
        f"/licenses/{{license_id}}/{name}",
        tags=["licenses"],
        responses=CHANGE_ERRORS,
        summary=summary,
        name=f"license_{name}",
        openapi_extra=_body(),
    )
    async def act(
        license_id: str, request: Request, ctx: Ctx, who: Caller, if_match: IfMatch = None
    ) -> JSONResponse:
        raw = await request.body()
        return await ctx.in_lane(
            lambda: etagged(
                ctx.licensing.change_license(who, license_id, name, json_body(raw), if_match)
            )
        )


_license_action("suspend", "Suspend an active license (officers)")
_license_action("reinstate", "Reinstate a suspended license (officers)")
_license_action("revoke", "Revoke a license (officers)")
_license_action("amend", "Amend quantities, validity or conditions: a new version (officers)")


# --- audit (spec §6) ---------------------------------------------------------------------------


@router.get("/audit", tags=["audit"], responses=ERRORS)
def audit_entries(
    ctx: Ctx,
    who: Caller,
    object: Annotated[str | None, Query(max_length=100)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONResponse:
    """The trail, newest first (auditors and analysts)."""
    page = audit.list_entries(ctx.store, who, object, actor, since, limit, cursor)
    return JSONResponse(page.contract())


@router.get("/audit/verify", tags=["audit"], responses=ERRORS)
def audit_verify(ctx: Ctx, who: Caller) -> JSONResponse:
    """Walk the chain: intact, or the first bad entry and why."""
    return JSONResponse(audit.verify_for(ctx.store, who).contract())
