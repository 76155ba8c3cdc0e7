"""The API's end-use monitoring routes (spec monitoring.md; issue "into the program"):
a license's monitoring terms, reports and profile, telemetry batches as jobs, and alerts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from aiexports.api.app import Caller, Ctx, etagged, json_body
from aiexports.api.routes import CHANGE_ERRORS, ERRORS, Cursor, IfMatch, Limit, _body
from aiexports.services.license_monitoring import (
    ALERT_STATES,
    MonitoringTerms,
    Upload,
    profile_document,
    profile_yaml,
)

router = APIRouter(prefix="/api/v1")
ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"description": "The batch is kept and queued; follow `Location`"}
}

TableFile = Annotated[UploadFile | None, File(description="CSV, or Parquet where it may be")]


@router.put(
    "/licenses/{license_id}/monitoring",
    tags=["monitoring"],
    responses=CHANGE_ERRORS,
    openapi_extra=_body(MonitoringTerms.model_json_schema()),
)
async def monitoring_terms(
    license_id: str, request: Request, ctx: Ctx, who: Caller, if_match: IfMatch = None
) -> JSONResponse:
    """Set the licensed sites, limits and report schedule (officers; a new version)."""
    raw = await request.body()
    return await ctx.in_lane(
        lambda: etagged(ctx.monitoring.set_terms(who, license_id, json_body(raw), if_match))
    )


@router.post(
    "/licenses/{license_id}/reports",
    tags=["monitoring"],
    status_code=201,
    responses={**ERRORS, 409: CHANGE_ERRORS[409]},
    openapi_extra=_body(),
)
async def monitoring_report(
    license_id: str, request: Request, ctx: Ctx, who: Caller
) -> JSONResponse:
    """A compliance report received today (the licensee)."""
    raw = await request.body()
    return await ctx.in_lane(
        lambda: JSONResponse(
            ctx.monitoring.file_report(who, license_id, json_body(raw)), status_code=201
        )
    )


@router.get(
    "/licenses/{license_id}/monitoring-profile",
    tags=["monitoring"],
    responses={**ERRORS, 409: CHANGE_ERRORS[409]},
)
def monitoring_profile(
    license_id: str,
    ctx: Ctx,
    who: Caller,
    format: Annotated[str, Query(pattern="^(yaml|json)$")] = "yaml",
) -> Response:
    """The license's profile for ``aiexports monitor run --profiles`` (a list of one)."""
    profile = ctx.monitoring.profile(who, license_id)
    if format == "json":
        return JSONResponse(profile_document(profile))
    return Response(
        profile_yaml(profile),
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{license_id}-profile.yaml"'},
    )


@router.post(
    "/licenses/{license_id}/telemetry",
    tags=["monitoring"],
    status_code=202,
    responses={**ERRORS, **ACCEPTED, 409: CHANGE_ERRORS[409]},
)
def upload_telemetry(
    license_id: str,
    ctx: Ctx,
    who: Caller,
    telemetry: Annotated[UploadFile | None, File(description="Parquet or CSV")] = None,
    tenants: TableFile = None,
    attestations: TableFile = None,
    locations: TableFile = None,
    attestation_keys: TableFile = None,
) -> JSONResponse:
    """A telemetry batch of the license (with its tenant table, and optionally location
    attestations), checked as a job: 202 and the job, whose state says when it is done."""
    given = {
        "telemetry": telemetry,
        "tenants": tenants,
        "attestations": attestations,
        "locations": locations,
        "attestation_keys": attestation_keys,
    }
    uploads = [
        Upload(name, file.filename or name, file.file)
        for name, file in given.items()
        if file is not None
    ]
    job = ctx.monitoring.submit(who, license_id, uploads)
    return JSONResponse(
        job, status_code=202, headers={"Location": f"/api/v1/telemetry-jobs/{job['id']}"}
    )


@router.get("/licenses/{license_id}/telemetry", tags=["monitoring"], responses=ERRORS)
def telemetry_jobs(license_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """The license's telemetry jobs, newest first."""
    return JSONResponse({"items": ctx.monitoring.jobs(who, license_id)})


@router.get("/telemetry-jobs/{job_id}", tags=["monitoring"], responses=ERRORS)
def telemetry_job(job_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """A job's state (queued, running, succeeded, failed), summary or problem."""
    return JSONResponse(ctx.monitoring.job(who, job_id))


@router.get("/alerts", tags=["monitoring"], responses=ERRORS)
def alerts(
    ctx: Ctx,
    who: Caller,
    license: Annotated[str | None, Query(max_length=40)] = None,
    state: Annotated[str | None, Query(pattern="^(" + "|".join(ALERT_STATES) + ")$")] = None,
    check: Annotated[str | None, Query(max_length=60)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONResponse:
    """Monitoring alerts in the caller's view, newest first."""
    return JSONResponse(ctx.monitoring.alerts(who, license, state, check, limit, cursor).contract())


@router.get("/alerts/{alert_id}", tags=["monitoring"], responses=ERRORS)
def alert(alert_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    return etagged(ctx.monitoring.alert(who, alert_id))


@router.post(
    "/alerts/{alert_id}/adjudication",
    tags=["monitoring"],
    responses=CHANGE_ERRORS,
    openapi_extra=_body(
        {
            "type": "object",
            "required": ["state", "reason"],
            "properties": {
                "state": {"enum": ["confirmed", "dismissed"]},
                "reason": {"type": "string", "minLength": 1, "maxLength": 4000},
            },
        }
    ),
)
async def adjudicate_alert(
    alert_id: str, request: Request, ctx: Ctx, who: Caller, if_match: IfMatch = None
) -> JSONResponse:
    """Confirm or dismiss an open alert, with the reason (officers)."""
    raw = await request.body()
    return await ctx.in_lane(
        lambda: etagged(ctx.monitoring.adjudicate(who, alert_id, json_body(raw), if_match))
    )
