"""Pages of the program's oversight: the menu's management, end-use monitoring alerts,
proposals with their checks, scoring and designation, outcomes, and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from aiexports.api.app import Ctx
from aiexports.core.monitoring.checks import CHECKS as MONITORING_CHECKS
from aiexports.errors import (
    UnknownResourceError,
)
from aiexports.services import audit
from aiexports.services.access import may
from aiexports.web.forms import (
    Short,
    call,
    carried_out,
    seen_after,
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


# --- the menu, for the program office ------------------------------------------------------------


@router.post("/menu/{package_id}/{action}")
async def menu_change(
    request: Request, ctx: Ctx, who: Who, package_id: str, action: str
) -> Response:
    """Suspend, reinstate or retire a package on the menu, with the reason (analysts)."""
    form = await checked_form(request, who)
    if action not in ("suspend", "reinstate", "retire"):
        raise UnknownResourceError(f"no action {action[:40]!r}")
    body = {"reason": field(form, "reason", 4000)}
    await call(lambda: ctx.program.change_menu(who.principal, package_id[:100], action, body))
    # A retired package has left the menu: its record is on the transparency page.
    target = "/transparency" if action == "retire" else f"/menu/{package_id}"
    return seen_after(target, "" if action == "retire" else action)


# --- end-use monitoring ---------------------------------------------------------------------------


@router.get("/alerts")
def alerts(
    request: Request,
    ctx: Ctx,
    who: Who,
    state: Short = "",
    check: Short = "",
    license: Short = "",
    cursor: Short = "",
) -> Response:
    listed = ctx.monitoring.alerts(
        who.principal, license or None, state or None, check or None, 50, cursor or None
    ).contract()
    filters = {"state": state, "check": check, "license": license}
    return page(
        request, who, "alerts.html", listed=listed, filters=filters, checks=list(MONITORING_CHECKS)
    )


def _alert_page(
    request: Request, ctx: Ctx, who: Visitor, alert_id: str, status: int = 200, **extra: Any
) -> Response:
    view = ctx.monitoring.alert(who.principal, alert_id[:60])
    may_decide = may(who.principal, "alert.adjudicate") and view["state"] == "open"
    return page(request, who, "alert.html", status, alert=view, may_decide=may_decide, **extra)


@router.get("/alerts/{alert_id}")
def alert(request: Request, ctx: Ctx, who: Who, alert_id: str) -> Response:
    return _alert_page(request, ctx, who, alert_id)


@router.post("/alerts/{alert_id}/adjudication")
async def adjudicate_alert(request: Request, ctx: Ctx, who: Who, alert_id: str) -> Response:
    form = await checked_form(request, who)
    body = {"state": field(form, "state", 20), "reason": field(form, "reason", 4000)}
    moves = {
        "adjudication": lambda: ctx.monitoring.adjudicate(
            who.principal, alert_id, body, version_of(form)
        )
    }
    shown = partial(_alert_page, request, ctx, who, alert_id)
    return await carried_out("adjudication", moves, shown, f"/alerts/{alert_id}")


# --- proposals and the audit trail --------------------------------------------------------------


@router.get("/proposals")
def proposals(request: Request, ctx: Ctx, who: Who) -> Response:
    listed = ctx.program.list_proposals(who.principal).contract()
    return page(request, who, "proposals.html", listed=listed)


def _proposal_page(
    request: Request, ctx: Ctx, who: Visitor, proposal_id: str, status: int = 200, **extra: Any
) -> Response:
    view = ctx.program.get_proposal(who.principal, proposal_id[:60])
    p = who.principal
    own = view["organization"] == p.organization_id
    state = view["state"]
    actions = {
        "submit": own and may(p, "proposal.submit") and state in ("draft", "returned"),
        "withdraw": own
        and may(p, "proposal.withdraw")
        and state in ("draft", "submitted", "returned"),
        "evaluate": may(p, "proposal.evaluate") and state == "submitted",
        "score": may(p, "proposal.score") and state == "under_evaluation",
        "decide": may(p, "proposal.decide") and state == "under_evaluation",
    }
    rubric = ctx.program.rubric(p) if actions["score"] else None
    return page(
        request,
        who,
        "proposal.html",
        status,
        proposal=view,
        actions=actions,
        rubric=rubric,
        **extra,
    )


@router.get("/proposals/{proposal_id}")
def proposal(request: Request, ctx: Ctx, who: Who, proposal_id: str) -> Response:
    return _proposal_page(request, ctx, who, proposal_id)


def _scores_from_form(form: FormData) -> dict[str, Any]:
    """The scorecard (``{criterion: {"score", "reason"}}``) from ``score_<id>`` and
    ``reason_<id>`` fields, for the rubric the use case checks it against."""
    scores: dict[str, Any] = {}
    for name, value in form.multi_items():
        if name.startswith("score_") and isinstance(value, str):
            criterion = name.removeprefix("score_")[:100]
            scores[criterion] = {
                "score": number(value.strip()),
                "reason": field(form, f"reason_{criterion}", 4000),
            }
    return {"scores": scores}


def _proposal_decision_from_form(form: FormData) -> dict[str, Any]:
    justifications = {
        name.removeprefix("justify_")[:100]: value.strip()
        for name, value in form.multi_items()
        if name.startswith("justify_") and isinstance(value, str) and value.strip()
    }
    return {
        "decision": field(form, "decision", 20),
        "reason": field(form, "reason", 4000),
        "justifications": justifications,
    }


@router.post("/proposals/{proposal_id}/{action}")
async def proposal_action(
    request: Request, ctx: Ctx, who: Who, proposal_id: str, action: str
) -> Response:
    form = await checked_form(request, who)
    program = ctx.program
    p = who.principal
    moves: dict[str, Callable[[], Any]] = {
        "submit": lambda: program.submit_proposal(p, proposal_id, version_of(form)),
        "withdraw": lambda: program.withdraw_proposal(p, proposal_id, version_of(form)),
        "evaluate": lambda: program.evaluate(p, proposal_id, version_of(form)),
        "score": lambda: program.score(p, proposal_id, _scores_from_form(form)),
        "decision": lambda: program.decide_proposal(
            p, proposal_id, _proposal_decision_from_form(form), version_of(form)
        ),
    }
    shown = partial(_proposal_page, request, ctx, who, proposal_id)
    return await carried_out(action, moves, shown, f"/proposals/{proposal_id}")


@router.get("/outcomes")
def outcomes(request: Request, ctx: Ctx, who: Who) -> Response:
    from aiexports.services.published import Outcomes  # noqa: PLC0415

    table = Outcomes(ctx.program, ctx.licensing).table(who.principal)
    return page(request, who, "outcomes.html", table=table)


@router.get("/audit")
def audit_trail(
    request: Request,
    ctx: Ctx,
    who: Who,
    object: Short = "",
    actor: Short = "",
    since: Short = "",
    cursor: Short = "",
) -> Response:
    listed = audit.list_entries(
        ctx.store, who.principal, object or None, actor or None, since or None, 50, cursor or None
    ).contract()
    verdict = audit.verify_for(ctx.store, who.principal)
    filters = {"object": object, "actor": actor, "since": since}
    return page(
        request, who, "audit.html", listed=listed, verdict=verdict.contract(), filters=filters
    )
