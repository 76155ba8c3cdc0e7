"""The recommendation use case: a partner's requirements against the menu as of their
date, each package's deal decided by the engine for the partner's destination and buyer."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiexports.core.catalog import Package
from aiexports.core.deal import Deal
from aiexports.core.recommend import DealOutcome, PartnerRequirements, Recommendation, recommend
from aiexports.core.records import validation_context
from aiexports.core.vocabulary import Outcome, PackageStatus, ReviewPolicy
from aiexports.services.deals import SourcedDeal
from aiexports.sources.documents import read_document, validate_body, validate_document
from aiexports.sources.reference import SEAL_FRAMEWORK, SIX_FRAMEWORK, sovereignty_framework

if TYPE_CHECKING:
    from aiexports.runtime import Runtime

MenuOn = Callable[[dt.date], tuple[str, Sequence[Package]]]
"""The menu's version and its designated packages at the end of a day."""


def read_requirements(runtime: Runtime, path: Path) -> PartnerRequirements:
    """A requirements file, every error located by file, line and field."""
    document = read_document(path, limits=runtime.limits)
    return validate_document(PartnerRequirements, document, validation_context(runtime.countries))


_banner_lock = threading.Lock()
_banner_silenced = False


def silence_solver_banner() -> None:
    """HiGHS prints its banner on the process's standard output when its first solver is
    made, before any option can turn it off. The first one is made here with that output
    pointed elsewhere, so that a command's JSON on standard output stays JSON."""
    global _banner_silenced  # noqa: PLW0603
    with _banner_lock:
        if _banner_silenced:
            return
        import highspy  # noqa: PLC0415

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as sink:
                os.dup2(sink.fileno(), 1)
                highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_silenced = True


def requirements_of(runtime: Runtime, body: object) -> PartnerRequirements:
    """A requirements body of a request (errors named by field)."""
    return validate_body(PartnerRequirements, body, validation_context(runtime.countries))


def bundled_menu_on(runtime: Runtime) -> MenuOn:
    """The bundled menu on a day: packages designated on or before it."""

    def on(day: dt.date) -> tuple[str, Sequence[Package]]:
        menu = runtime.reference.menu
        return menu.version, [
            p
            for p in menu.packages.values()
            if p.status == PackageStatus.DESIGNATED
            and (p.status_date is None or p.status_date <= day)
        ]

    return on


def recommend_for(
    runtime: Runtime, requirements: PartnerRequirements, menu_on: MenuOn | None = None
) -> Recommendation:
    silence_solver_banner()
    version, packages = (menu_on or bundled_menu_on(runtime))(requirements.date)
    assessor = runtime.assessor()
    outcomes = {p.id: _outcome(runtime, assessor, requirements, p) for p in packages}
    return recommend(
        requirements,
        packages,
        outcomes,
        sovereignty_framework(SEAL_FRAMEWORK),
        sovereignty_framework(SIX_FRAMEWORK),
        version,
    )


def partner_deal(requirements: PartnerRequirements, package: Package) -> dict[str, Any]:
    """The deal a partner's purchase of ``package`` is: its buyer as the end user in its
    country, for its end uses, on its date."""
    buyer: dict[str, Any] = {
        "role": "end_user",
        "name": requirements.buyer.name,
        "country": requirements.country,
        "type": str(requirements.buyer.type),
    }
    if requirements.buyer.headquarters is not None:
        buyer["headquarters"] = requirements.buyer.headquarters
    return {
        "id": f"{requirements.country.lower()}-{package.id}",
        "date": requirements.date.isoformat(),
        "package": package.id,
        "destination": requirements.country,
        "parties": [buyer],
        "end_uses": sorted(str(u) for u in requirements.end_uses),
    }


def _outcome(
    runtime: Runtime, assessor: Any, requirements: PartnerRequirements, package: Package
) -> DealOutcome:
    deal = Deal.model_validate(
        partner_deal(requirements, package), context=validation_context(runtime.countries)
    )
    sourced = SourcedDeal(deal, None, f"package {package.id}")
    determination = assessor.decide(sourced)
    binding = [f for f in determination.findings if f.outcome == determination.outcome]
    path = None
    strict = determination.outcome is Outcome.PROHIBITED or (
        determination.review_policy is ReviewPolicy.PRESUMPTION_OF_DENIAL
    )
    if strict:  # what would make the package recommendable, searched over the policy
        path = assessor.path_to_approval(sourced).contract()
    return DealOutcome(
        outcome=str(determination.outcome),
        review_policy=str(determination.review_policy) if determination.review_policy else None,
        decision_id=determination.decision_id,
        rules=tuple(dict.fromkeys(f.rule for f in binding)),
        conditions=tuple(c.id for c in determination.conditions),
        path_to_approval=path,
    )
