"""Remembered screening adjudications: recording who cleared or confirmed a match, when and
why, and handing the ones in force to every later screening of the same party.

Officers adjudicate for every screening (scope ``program``); an applicant's compliance
users for their own organisation's screenings (scope ``organization``), and only matches
below the block threshold: clearing a block-level match needs an officer. Where both exist
for one party and entry, the officer's holds. The newest adjudication of a scope holds;
a withdrawn one holds no more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, or_, select

from aiexports.core.screening.adjudication import (
    Adjudication,
    Memory,
    Verdict,
    choose,
    entry_fields,
    folded,
    party_details,
    party_key,
)
from aiexports.core.screening.results import ListMatch
from aiexports.core.vocabulary import ListCode
from aiexports.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    Issue,
    UnknownResourceError,
)
from aiexports.services.access import POLICY, Principal, Role, Scope, check, require
from aiexports.services.request_fields import (
    Page,
    clean_text,
    decode_cursor,
    encode_cursor,
    well_formed_id,
)
from aiexports.storage.service_store import ServiceStore, Transaction, as_utc, new_id, rfc3339
from aiexports.storage.tables import adjudications, determinations

if TYPE_CHECKING:
    from aiexports.core.deal import Deal
    from aiexports.runtime import Runtime
    from aiexports.services.assessment import Remembered
    from aiexports.services.licensing import Licensing

MAX_REASON = 4000
BODY_FIELDS = frozenset(
    {"application", "party_index", "party", "list", "entity_number", "verdict", "reason"}
)


class Adjudications:
    def __init__(
        self,
        store: ServiceStore,
        runtime: Runtime,
        licensing: Licensing,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.store = store
        self.runtime = runtime
        self.licensing = licensing
        self.clock = clock or runtime.clock

    def record(self, who: Principal, body: object) -> dict[str, Any]:
        """Clear a match as a false positive or confirm it. The party is named by an
        application and the index of one of its parties, or by its details; the match is
        the party's against the list entry named, as the lists in use score it."""
        require(who, "adjudication.create")
        fields = self._fields(body)
        issues: list[Issue] = []
        verdict = fields.get("verdict")
        if verdict not in {v.value for v in Verdict}:
            issues.append(Issue("false_positive or confirmed", field="verdict"))
        reason = clean_text(fields.get("reason"), "reason", issues, MAX_REASON)
        source = fields.get("list")
        number = fields.get("entity_number")
        for name, value in (("list", source), ("entity_number", number)):
            if not isinstance(value, str) or not value.strip() or len(value) > 100:
                issues.append(
                    Issue("the list entry's code and number as matches show them", field=name)
                )
        details = self._party(who, fields, issues)
        if issues:
            raise InputError(issues)
        assert isinstance(source, str)
        assert isinstance(number, str)
        assert reason
        assert details
        assessor = self.runtime.assessor()
        key = f"{source.strip().upper()}:{number.strip()}"
        entry = assessor.screener.entry(key)
        if entry is None:
            raise InputError(Issue(f"no entry {key} in the lists in use", field="entity_number"))
        name, country = str(details["name"]), str(details["country"])
        match = next(
            (m for m in assessor.screener.matches(name, country) if m.entry_key == key), None
        )
        if match is None:
            raise InputError(
                Issue(
                    f"{name!r} ({country}) does not match {key} at or above the review "
                    "threshold: there is no match to adjudicate",
                    field="entity_number",
                )
            )
        bands = assessor.screener.bands(name)
        blocking = match.score >= bands.block
        if who.role is Role.APPLICANT and verdict == Verdict.FALSE_POSITIVE and blocking:
            raise ForbiddenError(
                f"the match scores {match.score:.2f}, at or above the block threshold: only a "
                "licensing officer may clear it"
            )
        adjudication_id = new_id("adj")
        with self.store.transaction(self.clock()) as tx:
            adjudication = Adjudication(
                id=adjudication_id,
                verdict=Verdict(str(verdict)),
                entry_key=key,
                entry=entry_fields(entry),
                party=details,
                reason=reason,
                decided_by=f"{who.organization}/{who.user}",
                decided_at=rfc3339(tx.now),
                organization=who.organization,
                scope="program" if who.role is Role.OFFICER else "organization",
            )
            tx.insert(
                adjudications,
                id=adjudication_id,
                organization_id=who.organization_id,
                scope=adjudication.scope,
                entry_key=key,
                party_key=party_key(name, country),
                verdict=str(adjudication.verdict),
                record=adjudication.record(),
                decided_by=who.user_id,
                created_at=tx.now,
            )
            view = {
                **_public(adjudication),
                "score": round(match.score, 4),
                "band": bands.band(match.score),
                "lists_version": assessor.screener.lists_version,
            }
            tx.record(
                who.actor(), "adjudication.create", "adjudication", adjudication_id, None, view
            )
        return {**view, "withdrawn_at": None}

    def withdraw(self, who: Principal, adjudication_id: str, body: object) -> dict[str, Any]:
        """Withdraw an adjudication, with a reason: later screenings alert again."""
        with self.store.transaction(self.clock()) as tx:
            row = self._visible(tx, who, adjudication_id, "adjudication.withdraw", lock=True)
            fields = body if isinstance(body, Mapping) else {}
            issues: list[Issue] = [
                Issue("unknown field", field=str(name)) for name in fields if name != "reason"
            ]
            reason = clean_text(fields.get("reason"), "reason", issues, MAX_REASON)
            if issues:
                raise InputError(issues)
            if row.withdrawn_at is not None:
                raise ConflictError(f"adjudication {adjudication_id} is withdrawn already")
            tx.connection.execute(
                adjudications.update()
                .where(adjudications.c.id == adjudication_id)
                .values(withdrawn_at=tx.now)
            )
            tx.record(
                who.actor(),
                "adjudication.withdraw",
                "adjudication",
                adjudication_id,
                {"withdrawn_at": None},
                {"withdrawn_at": rfc3339(tx.now), "reason": reason},
            )
        return self.get(who, adjudication_id)

    def get(self, who: Principal, adjudication_id: str) -> dict[str, Any]:
        with self.store.reading() as tx:
            return _view(self._visible(tx, who, adjudication_id, "adjudication.read"))

    def list_adjudications(
        self,
        who: Principal,
        entry: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        from aiexports.services.licensing import scope_filter  # noqa: PLC0415

        scope = require(who, "adjudication.read")
        c = adjudications.c
        statement = (
            select(adjudications)
            .where(scope_filter(who, scope, c, applications_only=False))
            .order_by(c.seq.desc())
            .limit(limit + 1)
        )
        if entry is not None:
            statement = statement.where(c.entry_key == entry)
        after = decode_cursor(cursor)
        if after is not None:
            statement = statement.where(c.seq < after)
        with self.store.reading() as tx:
            rows = list(tx.all(statement))
        page = rows[:limit]
        more = len(rows) > limit
        return Page(
            [_view(r) for r in page], encode_cursor(page[-1].seq) if more and page else None
        )

    # --- what later screenings see ---------------------------------------------------------

    def remembered(
        self, tx: Transaction, organization_id: str, parties: Sequence[Mapping[str, str | None]]
    ) -> Remembered:
        """The adjudications in force for ``parties`` screened for ``organization_id``."""
        from aiexports.services.assessment import Remembered  # noqa: PLC0415

        keys = sorted({party_key(str(p["name"]), str(p["country"])) for p in parties})
        rows = tx.all(_IN_FORCE_FOR, {"keys": keys, "organization_id": organization_id})
        return Remembered(parties, in_force(Adjudication.from_record(r.record) for r in rows))

    def for_deal(self, who: Principal, deal: Deal) -> Remembered:
        """The adjudications in force for a deal's parties, screened for the caller."""
        parties = [party_details(p.model_dump(mode="json")) for p in deal.parties]
        with self.store.reading() as tx:
            return self.remembered(tx, who.organization_id, parties)

    def annotate(
        self, who: Principal, name: str, country: str | None, matches: list[dict[str, Any]]
    ) -> None:
        """Mark each match of a name screening that an adjudication in force judged.
        A name screening knows only the name and country, so only those are compared
        (a determination compares every detail); the match stays listed either way."""
        if country is None or not matches:
            return
        details = party_details({"name": name, "country": country})
        with self.store.reading() as tx:
            memory = self.remembered(tx, who.organization_id, [details]).memory
        if not memory:
            return
        screener = self.runtime.assessor().screener
        key = party_key(name, country)
        for row in matches:
            entry_key = f"{row['source']}:{row['entity_number']}"
            found = memory.get((entry_key, key), ())
            if not found:
                continue
            match = ListMatch(
                ListCode(row["source"]),
                str(row["entity_number"]),
                str(row["name"]),
                str(row["matched_name"]),
                float(row["score"]),
            )
            use = choose(
                found,
                match,
                details,
                screener.entry(entry_key),
                screener.bands(name).block,
                ("name", "country"),
            )
            if use is not None:
                row["adjudication"] = use.contract()

    # --- inside ----------------------------------------------------------------------------

    def _fields(self, body: object) -> Mapping[str, Any]:
        if not isinstance(body, Mapping):
            raise InputError(Issue("the body is a JSON object", field="body"))
        unknown = set(map(str, body)) - BODY_FIELDS
        if unknown:
            raise InputError(Issue(f"unknown fields: {', '.join(sorted(unknown))}", field="body"))
        return body

    def _party(
        self, who: Principal, fields: Mapping[str, Any], issues: list[Issue]
    ) -> dict[str, str | None] | None:
        if ("application" in fields) == ("party" in fields):
            issues.append(
                Issue(
                    "name the party by 'application' and 'party_index', or by 'party'",
                    field="party",
                )
            )
            return None
        if "application" in fields:
            return self._application_party(who, fields, issues)
        given = fields["party"]
        if not isinstance(given, Mapping):
            issues.append(Issue("an object with the party's name and country", field="party"))
            return None
        details = party_details(given)
        unknown = set(map(str, given)) - set(details)
        if unknown:
            issues.append(Issue(f"unknown fields: {', '.join(sorted(unknown))}", field="party"))
            return None
        for name, value in given.items():
            if value is None:
                continue
            most = PARTY_FIELD_LENGTHS[name]
            if not isinstance(value, str) or len(value) > most or not value.isprintable():
                issues.append(
                    Issue(f"one line of at most {most} characters", field=f"party.{name}")
                )
                return None
        if not details["name"]:
            issues.append(Issue("the party's name", field="party.name"))
        country = details["country"]
        if not country or country.upper() not in self.runtime.countries.profiles:
            issues.append(Issue("the party's country code", field="party.country"))
        else:
            details["country"] = country.upper()
        return details

    def _application_party(
        self, who: Principal, fields: Mapping[str, Any], issues: list[Issue]
    ) -> dict[str, str | None] | None:
        app_id, index = fields.get("application"), fields.get("party_index")
        if not isinstance(app_id, str):
            issues.append(Issue("an application id", field="application"))
            return None
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            issues.append(
                Issue("the index of one of the application's parties", field="party_index")
            )
            return None
        with self.store.reading() as tx:
            self.licensing.visible_application(tx, who, app_id, "application.read")
            screened = tx.one(
                select(determinations.c.inputs)
                .where(determinations.c.application_id == app_id)
                .order_by(determinations.c.round.desc())
                .limit(1)
            )
        # The party as it was screened at the latest submission: a draft's parties were
        # never screened (and are its organisation's alone until it is submitted).
        if screened is None or not screened.inputs:
            issues.append(
                Issue(
                    "the application has not been screened yet: adjudicate after its "
                    "submission, or name the party by 'party'",
                    field="application",
                )
            )
            return None
        parties = screened.inputs.get("parties", [])
        if index >= len(parties):
            issues.append(Issue(f"the application has {len(parties)} parties", field="party_index"))
            return None
        return dict(parties[index])

    def _visible(
        self, tx: Transaction, who: Principal, adjudication_id: str, action: str, lock: bool = False
    ) -> Any:
        require(who, "adjudication.read")  # a role that reads none learns of none
        if not well_formed_id(adjudication_id):
            raise UnknownResourceError(f"no adjudication {adjudication_id[:60]!r}")
        statement = select(adjudications).where(adjudications.c.id == adjudication_id)
        row = tx.one(statement.with_for_update() if lock else statement)
        if row is None:
            raise UnknownResourceError(f"no adjudication {adjudication_id!r}")
        check(who, action, {"id": row.id, "organization_id": row.organization_id}, "adjudication")
        return row


PARTY_FIELD_LENGTHS = {
    "name": 500,
    "country": 2,
    "headquarters": 2,
    "type": 40,
    "address": 2000,
    "city": 200,
    "postal_code": 40,
}
"""The longest each party detail may be (as an application's party)."""


def in_force(found: Iterable[Adjudication]) -> Memory:
    """The adjudications in force for each (entry, name and country), in ``found``'s order
    (oldest first): of those made with the same details in the same scope, the newest
    (it supersedes); parties of one name at other addresses are kept apart. Officers'
    (``program``) come before organisations', newest first."""
    newest: dict[tuple[tuple[str, str], str, str], Adjudication] = {}
    for adjudication in found:
        details = repr(sorted((k, folded(v)) for k, v in adjudication.party.items() if v))
        newest.pop((adjudication.key, adjudication.scope, details), None)
        newest[(adjudication.key, adjudication.scope, details)] = adjudication
    memory: dict[tuple[str, str], list[Adjudication]] = {}
    for (key, _, _), adjudication in reversed(list(newest.items())):
        memory.setdefault(key, []).append(adjudication)
    return {
        key: tuple(sorted(found_, key=lambda a: a.scope != "program"))
        for key, found_ in memory.items()
    }


def remembered_from(inputs: Mapping[str, Any] | None) -> Remembered | None:
    """The adjudications a stored determination was decided with, to decide it again."""
    from aiexports.services.assessment import Remembered  # noqa: PLC0415

    if not inputs:
        return None
    memory = in_force(Adjudication.from_record(r) for r in inputs.get("adjudications", []))
    return Remembered(inputs.get("parties", []), memory)


def _public(adjudication: Adjudication) -> dict[str, Any]:
    record = adjudication.record()
    return {
        "id": record["id"],
        "verdict": record["verdict"],
        "list": adjudication.entry_key.split(":", 1)[0],
        "entity_number": adjudication.entry_key.split(":", 1)[1],
        "listed_name": adjudication.entry.get("name"),
        "party": record["party"],
        "reason": record["reason"],
        "decided_by": record["decided_by"],
        "decided_at": record["decided_at"],
        "organization": record["organization"],
        "scope": record["scope"],
    }


def _view(row: Any) -> dict[str, Any]:
    adjudication = Adjudication.from_record(row.record)
    return {
        **_public(adjudication),
        "withdrawn_at": rfc3339(as_utc(row.withdrawn_at)) if row.withdrawn_at else None,
    }


WITHHELD = frozenset({"reason", "decided_by", "decided_at", "organization"})
"""What an adjudication's use shows only to those who may read the adjudication itself (its
id stays, so that the applicant can name it when it asks for a review)."""


def _readable(who: Principal, use: Mapping[str, Any]) -> bool:
    scope = POLICY["adjudication.read"].get(who.role)
    return scope is Scope.ALL or (
        scope is Scope.OWN and use.get("organization") == who.organization
    )


def shown_to(who: Principal, value: dict[str, Any]) -> dict[str, Any]:
    """``value`` (a determination or a screening) with every adjudication the caller may
    not read reduced to its effect: an officer's judgement clears or confirms a match for
    everyone, but who made it and why is for those who may read adjudications."""
    found = _withheld(who, value)
    assert isinstance(found, dict)
    return found


def _withheld(who: Principal, value: Any) -> Any:
    if isinstance(value, list):
        return [_withheld(who, v) for v in value]
    if not isinstance(value, dict):
        return value
    if {"adjudication", "verdict", "decided_by"} <= value.keys() and not _readable(who, value):
        kept = {k: v for k, v in value.items() if k not in WITHHELD}
        judged = (
            "cleared as a false positive" if value["verdict"] == "false_positive" else "confirmed"
        )
        kept["explanation"] = f"{judged} by the program (who and why are not shown to your role)"
        return kept
    return {k: _withheld(who, v) for k, v in value.items()}


# Built once: every submission and assessment reads it (see ``service_store``).
_IN_FORCE_FOR = (
    select(adjudications.c.scope, adjudications.c.record)
    .where(
        adjudications.c.party_key.in_(bindparam("keys", expanding=True)),
        adjudications.c.withdrawn_at.is_(None),
        or_(
            adjudications.c.scope == "program",
            adjudications.c.organization_id == bindparam("organization_id"),
        ),
    )
    .order_by(adjudications.c.seq)
)
