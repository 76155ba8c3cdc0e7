"""What the program publishes, to anyone: the menu with its filters, a package's page, a
side-by-side comparison, partner profiles, the policy packs, and the transparency figures.

Every result here is safe to show a visitor who has not signed in (``catalog.read``): the
statistics are counts and medians over all applications, never one applicant's deal."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from aiexports.core.catalog import Package, ProgramTerms
from aiexports.core.clock import FINAL_STATES, TARGET_DAYS, StateChange, licensing_clock
from aiexports.core.sovereignty import score
from aiexports.core.vocabulary import ComponentKind, EndUse
from aiexports.errors import InputError, Issue, UnknownResourceError
from aiexports.services import catalog, policies
from aiexports.services.access import Principal, require
from aiexports.services.clock import _changes
from aiexports.sources.reference import SEAL_FRAMEWORK, sovereignty_framework
from aiexports.storage.tables import applications, licenses

if TYPE_CHECKING:
    from aiexports.services.licensing import Licensing
    from aiexports.services.proposals import Program

LAYERS = ("hardware", "data", "models", "security", "applications")
TIERS = ("starter", "standard", "flagship")
COMPARE_MIN, COMPARE_MAX = 2, 4
DECIDED = ("approved", "approved_with_conditions", "denied")
OUTCOMES = (
    "approved",
    "approved_with_conditions",
    "denied",
    "returned_without_action",
    "withdrawn",
)
PENDING = ("submitted", "under_review")
MIN_CELL = 5
"""The smallest count published: fewer applications than this in a cell could point at one
applicant's deal, so the cell says "fewer than 5" instead."""


@dataclass(frozen=True)
class MenuFilter:
    """What a visitor narrows the menu by; every field empty means the whole menu."""

    sector: str = ""
    component: str = ""
    """A component kind the package must include (``model``, ``cloud``…)."""
    tier: str = ""
    country: str = ""
    """A country the package is offered to, itself or through a bloc it belongs to."""
    min_seal: int | None = None

    def issues(self, countries: Any) -> list[Issue]:
        found = []
        if self.tier and self.tier not in TIERS:
            found.append(Issue(f"one of {', '.join(TIERS)}", field="tier"))
        if self.component and self.component not in {str(k) for k in ComponentKind}:
            kinds = ", ".join(str(k) for k in ComponentKind)
            found.append(Issue(f"one of {kinds}", field="component"))
        if self.country and self.country not in countries:
            found.append(Issue(f"no country {self.country[:10]!r}", field="country"))
        if self.min_seal is not None and not 0 <= self.min_seal <= 4:
            found.append(Issue("a SEAL level from 0 to 4", field="min_seal"))
        return found


def offered_to(package: Package, code: str, terms: ProgramTerms) -> bool:
    """Whether ``package`` is promoted to country ``code``, by name or through a bloc."""
    if code in package.target_countries:
        return True
    return any(
        bloc in terms.blocs and code in terms.blocs[bloc].members for bloc in package.target_blocs
    )


def seal(package: Package) -> dict[str, Any]:
    """The package's SEAL level (EU Cloud Sovereignty Framework), 0 when it attests none."""
    if package.assurances is None:
        return {"level": 0, "name": "SEAL-0 no sovereignty", "attested": False}
    found = score(sovereignty_framework(SEAL_FRAMEWORK), package.assurances)
    return {"level": found.level, "name": found.name, "attested": True, **found.contract()}


def _kinds(package: Package) -> set[str]:
    return {str(c.kind) for layer in LAYERS for c in getattr(package.layers, layer).components}


def _matches(package: Package, level: int, wanted: MenuFilter, terms: ProgramTerms) -> bool:
    """Whether ``package``, of SEAL level ``level``, passes every filter ``wanted``."""
    if wanted.sector and wanted.sector not in package.sectors:
        return False
    if wanted.tier and str(package.tier) != wanted.tier:
        return False
    if wanted.component and wanted.component not in _kinds(package):
        return False
    if wanted.country and not offered_to(package, wanted.country, terms):
        return False
    return wanted.min_seal is None or level >= wanted.min_seal


class Published:
    """The published views, over the runtime's data and the program's menu record."""

    def __init__(self, program: Program, licensing: Licensing) -> None:
        self.program = program
        self.licensing = licensing
        self.runtime = program.runtime

    # --- the menu ----------------------------------------------------------------------

    def menu(
        self, who: Principal, wanted: MenuFilter, as_of: dt.date | None = None
    ) -> dict[str, Any]:
        """The menu as the API lists it (``GET /menu``), narrowed by ``wanted``; each item
        with its SEAL level, and the choices each filter offers."""
        listed = self.program.menu(who, as_of)
        day = dt.date.fromisoformat(listed["as_of"])
        terms = self.runtime.program_terms
        problems = wanted.issues(self.runtime.countries)
        if problems:
            error = InputError(problems)
            error.root = "query"  # type: ignore[attr-defined]
            raise error
        _, packages = self.program.menu_on(day)
        by_id = {p.id: p for p in packages}
        items = []
        for item in listed["items"]:
            package = by_id.get(item["id"])
            if package is None:
                continue
            level = int(seal(package)["level"])
            if _matches(package, level, wanted, terms):
                items.append({**item, "seal": level, "kinds": sorted(_kinds(package))})
        return {
            **listed,
            "items": items,
            "total": len(listed["items"]),
            "choices": {
                "sector": sorted({s for p in packages for s in p.sectors}),
                "component": [str(k) for k in ComponentKind],
                "tier": list(TIERS),
                "country": sorted(
                    {c for p in packages for c in p.target_countries}
                    | {c for p in packages for b in p.target_blocs for c in terms.blocs[b].members}
                ),
            },
        }

    def package(self, who: Principal, package_id: str, to: str | None = None) -> dict[str, Any]:
        """A package as the API shows it, with its SEAL level, and the determination of a
        sample deal to ``to`` (its first target country by default): the conditions any
        deal for it to that country will carry at least."""
        document = self.program.menu_package(who, package_id)
        day = self.program.clock().date()
        _, packages = self.program.menu_on(day)
        package = next((p for p in packages if p.id == package_id), None)
        sample = None
        if package is not None:
            destination = (to or "").upper() or (package.target_countries or ("",))[0]
            if destination and destination in self.runtime.countries:
                sample = self._sample(package, destination, day)
        return {
            "package": document,
            "seal": seal(package) if package is not None else None,
            "sample": sample,
            "history": self.program.menu_history(who, package_id),
        }

    def _sample(self, package: Package, destination: str, day: dt.date) -> dict[str, Any]:
        from aiexports.services.deals import deal_from_json  # noqa: PLC0415

        uses = sorted({u for s in package.sectors if (u := s.replace(" ", "_")) in set(EndUse)})
        buyer = str(package.buyers[0]) if package.buyers else "government"
        deal = {
            "id": f"sample-{package.id}-{destination.lower()}",
            "date": day.isoformat(),
            "package": package.id,
            "destination": destination,
            "parties": [
                {"role": "end_user", "name": "Sample buyer", "country": destination, "type": buyer}
            ],
            "end_uses": uses or ["public_services"],
        }
        sourced = deal_from_json(deal, self.runtime.countries, "sample")
        determination = self.runtime.assessor().decide(sourced).contract()
        return {"deal": deal, "determination": determination}

    def compare(self, who: Principal, package_ids: Sequence[str]) -> dict[str, Any]:
        """2 to 4 packages side by side, on the facts a buyer weighs."""
        ids = list(dict.fromkeys(i for i in package_ids if i))
        if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
            error = InputError(
                Issue(f"{COMPARE_MIN} to {COMPARE_MAX} different packages", field="ids")
            )
            error.root = "query"  # type: ignore[attr-defined]
            raise error
        day = self.program.clock().date()
        _, packages = self.program.menu_on(day)
        by_id = {p.id: p for p in packages}
        columns = []
        for package_id in ids:
            document = self.program.menu_package(who, package_id)
            package = by_id.get(package_id)
            columns.append(
                {
                    "package": document,
                    "seal": seal(package) if package is not None else None,
                    "kinds": sorted(_kinds(package)) if package is not None else [],
                }
            )
        return {"as_of": day.isoformat(), "packages": columns}

    # --- partners and policies -------------------------------------------------------------

    def partner(self, who: Principal, code: str) -> dict[str, Any]:
        require(who, "catalog.read")
        try:
            profile = catalog.partner_profile(self.runtime, code[:10])
        except InputError:
            raise UnknownResourceError(f"no country {code[:10]!r}") from None
        return profile.contract()

    def partners(self, who: Principal) -> list[dict[str, str]]:
        require(who, "catalog.read")
        book = self.runtime.countries
        return [{"code": c, "name": book.profiles[c].name} for c in sorted(book.profiles)]

    def policy_list(self, who: Principal) -> list[dict[str, Any]]:
        require(who, "catalog.read")
        return [policies.policy_summary(p) for p in policies.list_policies(self.runtime)]

    def policy(self, who: Principal, pack_id: str, day: dt.date | None = None) -> dict[str, Any]:
        require(who, "catalog.read")
        if pack_id not in self.runtime.shelf.packs:
            raise UnknownResourceError(f"no policy pack {pack_id[:100]!r}")
        return policies.show_policy(self.runtime, pack_id, day).contract()

    # --- transparency ----------------------------------------------------------------------

    def transparency(self, who: Principal) -> dict[str, Any]:
        """Menu versions and changes, the published rubric, and aggregate outcomes: every
        application ever submitted by its state and destination region, the median days
        with the agency to a decision against the target, and licenses by state."""
        require(who, "catalog.read")
        today = self.program.clock().date()
        record = self.program.menu_record(who)
        first = min((dt.date.fromisoformat(e["effective"]) for e in record), default=today)
        regions = self.runtime.regions
        store = self.licensing.store
        with store.reading() as tx:
            submitted = list(
                tx.all(
                    select(
                        applications.c.id,
                        applications.c.state,
                        applications.c.destination,
                        applications.c.assigned_to,
                    ).where(applications.c.submitted_at.is_not(None))
                )
            )
            decided = [r for r in submitted if r.state in DECIDED]
            changes = _changes(tx, [r.id for r in decided])
            counted = select(licenses.c.state, func.count().label("n")).group_by(licenses.c.state)
            license_states = {str(r.state): int(r.n) for r in tx.all(counted)}
        now = self.program.clock()
        days = _agency_days(decided, changes, now)
        by_region: Counter[str] = Counter(
            regions.get(r.destination, ("Unknown", ""))[0] for r in submitted
        )
        by_outcome = _ordered_counts(
            Counter("pending" if r.state in PENDING else r.state for r in submitted),
            (*OUTCOMES, "pending"),
        )
        # The number decided is the sum of the decided cells: with one of them withheld,
        # it would give that one away.
        decided_withheld = any(c["withheld"] for c in by_outcome if c["key"] in DECIDED)
        enough = len(days) >= MIN_CELL
        return {
            "as_of": today.isoformat(),
            "menu": {
                "record": record,
                "changes": self.program.menu_changes(who, first, today),
            },
            "rubric": self.program.rubric(who),
            "applications": {
                "submitted": len(submitted),
                # Outcomes only: where a pending application stands is its applicant's.
                "by_outcome": by_outcome,
                "by_region": _ordered_counts(by_region, sorted(by_region)),
            },
            "days_to_decision": {
                "decided": None if decided_withheld else len(days),
                "any_decided": bool(days),
                "min_cell": MIN_CELL,
                # A median of fewer decisions than MIN_CELL is close to one deal's days.
                "median": statistics.median(days) if enough else None,
                "within_target": (
                    sum(1 for d in days if d <= TARGET_DAYS)
                    if enough and not decided_withheld
                    else None
                ),
                "target_days": TARGET_DAYS,
                "final_states": sorted(FINAL_STATES),
            },
            "licenses_by_state": _ordered_counts(license_states, sorted(license_states)),
        }


class Outcomes:
    """What became of the applications under each package and to each partner country,
    for the program office: exact counts (its own data), with the days to a decision."""

    def __init__(self, program: Program, licensing: Licensing) -> None:
        self.program = program
        self.licensing = licensing

    def table(self, who: Principal) -> dict[str, Any]:
        require(who, "outcomes.read")
        now = self.program.clock()
        with self.licensing.store.reading() as tx:
            rows = list(
                tx.all(
                    select(
                        applications.c.id,
                        applications.c.state,
                        applications.c.destination,
                        applications.c.assigned_to,
                        applications.c.document,
                    ).where(applications.c.submitted_at.is_not(None))
                )
            )
            changes = _changes(tx, [r.id for r in rows if r.state in DECIDED])
            licensed = list(tx.all(select(licenses.c.application_id, licenses.c.state)))
        active = {r.application_id for r in licensed if r.state == "active"}
        names = self.program.runtime.countries.profiles

        def grouped(key: Any) -> list[dict[str, Any]]:
            groups: dict[str, list[Any]] = {}
            for row in rows:
                groups.setdefault(key(row), []).append(row)
            out = []
            for name, members in sorted(groups.items()):
                days = _agency_days([r for r in members if r.state in DECIDED], changes, now)
                states = Counter(r.state for r in members)
                out.append(
                    {
                        "key": name,
                        "submitted": len(members),
                        "approved": states["approved"] + states["approved_with_conditions"],
                        "denied": states["denied"],
                        "returned": states["returned_without_action"],
                        "withdrawn": states["withdrawn"],
                        "pending": sum(states[s] for s in PENDING),
                        "active_licenses": sum(1 for r in members if r.id in active),
                        "median_days": statistics.median(days) if days else None,
                    }
                )
            return out

        by_country = grouped(lambda r: r.destination)
        for entry in by_country:
            entry["name"] = names[entry["key"]].name if entry["key"] in names else entry["key"]
        return {
            "as_of": now.date().isoformat(),
            "by_package": grouped(lambda r: (r.document or {}).get("package") or "(no package)"),
            "by_country": by_country,
        }


def _agency_days(
    decided: Sequence[Any], changes: Mapping[str, list[StateChange]], now: dt.datetime
) -> list[int]:
    """Each decided application's days with the agency, as its licensing clock counts them."""
    return [
        licensing_clock(changes[r.id], r.state, r.assigned_to, now).agency_days for r in decided
    ]


def _ordered_counts(counts: Mapping[str, int], order: Sequence[str]) -> list[dict[str, Any]]:
    """Counts in a stable order, each with its share of the largest (a bar's width). A
    count below ``MIN_CELL`` is withheld, and when it is the only one withheld the next
    smallest is too, so that the total does not give it away."""
    keys = [k for k in order if counts.get(k)] + sorted(k for k in counts if k not in order)
    withheld = {k for k in keys if counts[k] < MIN_CELL}
    if len(withheld) == 1 and len(keys) > 1:
        withheld.add(min((k for k in keys if k not in withheld), key=lambda k: counts[k]))
    shown = [counts[k] for k in keys if k not in withheld]
    top = max(shown, default=0) or 1
    return [
        {"key": k, "count": None, "share": 0.0, "withheld": True}
        if k in withheld
        else {"key": k, "count": counts[k], "share": counts[k] / top, "withheld": False}
        for k in keys
    ]
