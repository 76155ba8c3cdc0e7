"""The API's program workflow routes: package proposals, the versioned menu, the proposal
rubric, screening adjudications, and the licensing clock and queue."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from aiexports.api.app import Caller, Ctx, created, etagged, json_body
from aiexports.api.routes import (
    CHANGE_ERRORS,
    ERRORS,
    Cursor,
    IdempotencyKey,
    IfMatch,
    Limit,
    _body,
)
from aiexports.core.proposals import ProposalState
from aiexports.errors import InputError, Issue
from aiexports.services import clock
from aiexports.services.idempotency import Response as Stored
from aiexports.services.request_fields import calendar_day

router = APIRouter(prefix="/api/v1")

DateText = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD (UTC)")]
CONFLICT: dict[int | str, dict[str, Any]] = {409: CHANGE_ERRORS[409]}


def _day(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return calendar_day(value)
    except ValueError:
        error = InputError(Issue("a date, YYYY-MM-DD", field=field))
        error.root = "query"  # type: ignore[attr-defined]
        raise error from None


# --- the menu ----------------------------------------------------------------------------------


@router.get("/menu", tags=["menu"], responses=ERRORS)
def menu(ctx: Ctx, who: Caller, as_of: DateText = None) -> JSONResponse:
    """The priority AI export packages on the menu today, or as it stood at the end of
    `as_of`."""
    return JSONResponse(ctx.program.menu(who, _day(as_of, "as_of")))


@router.get("/menu/diff", tags=["menu"], responses=ERRORS)
def menu_diff(
    ctx: Ctx,
    who: Caller,
    start: Annotated[str, Query(alias="from", max_length=10, description="YYYY-MM-DD")],
    end: Annotated[str, Query(alias="to", max_length=10, description="YYYY-MM-DD")],
) -> JSONResponse:
    """What changed on the menu from the end of `from` to the end of `to`: packages added,
    removed, and changed (with the fields that changed)."""
    first, last = _day(start, "from"), _day(end, "to")
    assert first is not None
    assert last is not None
    return JSONResponse(ctx.program.menu_changes(who, first, last))


@router.get("/menu/{package_id}", tags=["menu"], responses=ERRORS)
def package(package_id: str, ctx: Ctx, who: Caller, as_of: DateText = None) -> JSONResponse:
    """One package as it is on the menu (or was, at the end of `as_of`)."""
    return JSONResponse(ctx.program.menu_package(who, package_id, _day(as_of, "as_of")))


@router.get("/menu/{package_id}/history", tags=["menu"], responses=ERRORS)
def package_history(package_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """Every entry of the package in the menu's record: designations, suspensions,
    reinstatements and retirements, with their reasons."""
    return JSONResponse({"items": ctx.program.menu_history(who, package_id)})


def _menu_action(name: str, summary: str) -> None:
    @router.post(
        f"/menu/{{package_id}}/{name}",
        tags=["menu"],
        responses={**ERRORS, **CONFLICT},
        summary=summary,
        name=f"menu_{name}",
        openapi_extra=_body(),
    )
    async def act(package_id: str, request: Request, ctx: Ctx, who: Caller) -> JSONResponse:
        raw = await request.body()
        return await ctx.in_lane(
            lambda: JSONResponse(ctx.program.change_menu(who, package_id, name, json_body(raw)))
        )


_menu_action("suspend", "Suspend a designated package, with a reason (program office)")
_menu_action("reinstate", "Reinstate a suspended package, with a reason (program office)")
_menu_action("retire", "Retire a package from the menu, with a reason (program office)")


# --- proposals ---------------------------------------------------------------------------------


@router.post(
    "/proposals",
    tags=["proposals"],
    status_code=201,
    responses={**ERRORS, **CONFLICT},
    openapi_extra=_body(
        {"type": "object", "description": "A package document (the menu's schema)"}
    ),
)
async def create_proposal(
    request: Request, ctx: Ctx, who: Caller, key: IdempotencyKey = None
) -> Response:
    """A draft proposal of the caller's consortium: a package document whose `status` is
    `proposed` (the program office sets it, and `status_date`, on designation)."""
    raw = await request.body()

    def make() -> Stored:
        view = ctx.program.create_proposal(who, json_body(raw))
        location = f"/api/v1/proposals/{view['id']}"
        return Stored(201, view, {"ETag": f'"{view["version"]}"', "Location": location})

    return await ctx.in_lane(created, ctx, who, request, raw, key, make)


@router.get("/proposals", tags=["proposals"], responses=ERRORS)
def proposal_list(
    ctx: Ctx,
    who: Caller,
    state: ProposalState | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONResponse:
    page = ctx.program.list_proposals(who, str(state) if state else None, limit, cursor)
    return JSONResponse(page.contract())


@router.get("/proposals/{proposal_id}", tags=["proposals"], responses=ERRORS)
def proposal(proposal_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """The proposal with the proposal rules' findings, its scorecards and history."""
    return etagged(ctx.program.get_proposal(who, proposal_id))


@router.patch(
    "/proposals/{proposal_id}",
    tags=["proposals"],
    responses=CHANGE_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/merge-patch+json": {"schema": {"type": "object"}}},
        }
    },
)
async def edit_proposal(
    proposal_id: str, request: Request, ctx: Ctx, who: Caller, if_match: IfMatch = None
) -> JSONResponse:
    """Edit the package of a draft or returned proposal (JSON merge patch)."""
    raw = await request.body()
    return await ctx.in_lane(
        lambda: etagged(ctx.program.edit_proposal(who, proposal_id, json_body(raw), if_match))
    )


def _proposal_action(name: str, summary: str, has_body: bool = False) -> None:
    @router.post(
        f"/proposals/{{proposal_id}}/{name}",
        tags=["proposals"],
        responses=CHANGE_ERRORS,
        summary=summary,
        name=f"proposal_{name}",
        openapi_extra=_body() if has_body else None,
    )
    async def act(
        proposal_id: str, request: Request, ctx: Ctx, who: Caller, if_match: IfMatch = None
    ) -> JSONResponse:
        raw = await request.body() if has_body else b""

        def run() -> JSONResponse:
            use = ctx.program
            if name == "decision":
                return etagged(use.decide_proposal(who, proposal_id, json_body(raw), if_match))
            method = {
                "submit": use.submit_proposal,
                "withdraw": use.withdraw_proposal,
                "evaluate": use.evaluate,
            }[name]
            return etagged(method(who, proposal_id, if_match))

        return await ctx.in_lane(run)


_proposal_action("submit", "Submit: the proposal rules run; → submitted (consortium)")
_proposal_action("withdraw", "Withdraw a draft, submitted or returned proposal (consortium)")
_proposal_action("evaluate", "Take a submitted proposal under evaluation (program office)")
_proposal_action(
    "decision",
    "Designate (onto the menu), reject or return, with a reason (program office)",
    has_body=True,
)


@router.post(
    "/proposals/{proposal_id}/scores",
    tags=["proposals"],
    status_code=201,
    responses={**ERRORS, **CONFLICT},
    openapi_extra=_body(),
)
async def score(
    proposal_id: str, request: Request, ctx: Ctx, who: Caller, key: IdempotencyKey = None
) -> Response:
    """An evaluator's scorecard: `{"scores": {"<criterion>": {"score": n, "reason": "..."}}}`
    against the rubric in force (or `rubric_version`); the total and each criterion's
    contribution come back."""
    raw = await request.body()

    def make() -> Stored:
        return Stored(201, ctx.program.score(who, proposal_id, json_body(raw)), {})

    return await ctx.in_lane(created, ctx, who, request, raw, key, make)


# --- the rubric --------------------------------------------------------------------------------


@router.get("/rubric", tags=["rubric"], responses=ERRORS)
def rubric(
    ctx: Ctx, who: Caller, version: Annotated[int | None, Query(ge=1, le=10**6)] = None
) -> JSONResponse:
    """The proposal rubric in force (or a published `version`): criteria, weights, scales."""
    return JSONResponse(ctx.program.rubric(who, version))


@router.get("/rubric/versions", tags=["rubric"], responses=ERRORS)
def rubric_versions(ctx: Ctx, who: Caller) -> JSONResponse:
    return JSONResponse({"items": ctx.program.rubric_versions(who)})


@router.post(
    "/rubric",
    tags=["rubric"],
    status_code=201,
    responses=ERRORS,
    openapi_extra=_body(),
)
async def publish_rubric(
    request: Request, ctx: Ctx, who: Caller, key: IdempotencyKey = None
) -> Response:
    """Publish a new version of the rubric (program office); it is numbered and dated by
    the server."""
    raw = await request.body()

    def make() -> Stored:
        return Stored(201, ctx.program.publish_rubric(who, json_body(raw)), {})

    return await ctx.in_lane(created, ctx, who, request, raw, key, make)


# --- screening adjudications -------------------------------------------------------------------


@router.post(
    "/adjudications",
    tags=["screening"],
    status_code=201,
    responses={**ERRORS, **CONFLICT},
    openapi_extra=_body(),
)
async def adjudicate(
    request: Request, ctx: Ctx, who: Caller, key: IdempotencyKey = None
) -> Response:
    """Clear a match as a `false_positive` or mark it `confirmed`, with a reason. The
    party: `{"application", "party_index"}` or `{"party": {"name", "country", ...}}`; the
    entry: `list` and `entity_number` as the match shows them."""
    raw = await request.body()

    def make() -> Stored:
        return Stored(201, ctx.licensing.adjudications.record(who, json_body(raw)), {})

    return await ctx.in_lane(created, ctx, who, request, raw, key, make)


@router.get("/adjudications", tags=["screening"], responses=ERRORS)
def adjudication_list(
    ctx: Ctx,
    who: Caller,
    entry: Annotated[str | None, Query(max_length=200, description="e.g. SDN:12345")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONResponse:
    page = ctx.licensing.adjudications.list_adjudications(who, entry, limit, cursor)
    return JSONResponse(page.contract())


@router.get("/adjudications/{adjudication_id}", tags=["screening"], responses=ERRORS)
def adjudication(adjudication_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    return JSONResponse(ctx.licensing.adjudications.get(who, adjudication_id))


@router.post(
    "/adjudications/{adjudication_id}/withdraw",
    tags=["screening"],
    responses={**ERRORS, **CONFLICT},
    openapi_extra=_body(),
)
async def withdraw_adjudication(
    adjudication_id: str, request: Request, ctx: Ctx, who: Caller
) -> JSONResponse:
    """Withdraw an adjudication, with a reason: later screenings alert again."""
    raw = await request.body()
    return await ctx.in_lane(
        lambda: JSONResponse(
            ctx.licensing.adjudications.withdraw(who, adjudication_id, json_body(raw))
        )
    )


# --- the licensing clock -----------------------------------------------------------------------


@router.get("/applications/{app_id}/clock", tags=["applications"], responses=ERRORS)
def application_clock(app_id: str, ctx: Ctx, who: Caller) -> JSONResponse:
    """Days against the 90-day target (15 CFR 750.4): with the agency, with the applicant,
    who holds it and the expected decision date."""
    return JSONResponse(clock.application_clock(ctx.licensing, who, app_id))


@router.get("/queue", tags=["applications"], responses=ERRORS)
def officer_queue(
    ctx: Ctx,
    who: Caller,
    assigned: Annotated[str, Query(max_length=10, description="any, me or none")] = "any",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> JSONResponse:
    """Applications awaiting a decision, most urgent first (fewest days left)."""
    page = clock.queue(ctx.licensing, who, assigned, limit, cursor)
    return JSONResponse(page.contract())
