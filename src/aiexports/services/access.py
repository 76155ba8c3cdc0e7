"""Who may do what (service spec §2): one table of role × action × scope, checked in the
use cases and nowhere else.

A *scope* says which resources of an action's kind a role reaches. A resource outside the
caller's read scope does not exist for them (404, never revealed); one they may read but
whose action their role may not take is a 403."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiexports.errors import ForbiddenError, UnknownResourceError


class OrgKind(StrEnum):
    PROGRAM_OFFICE = "program_office"
    LICENSING_AGENCY = "licensing_agency"
    CONSORTIUM = "consortium"
    PARTNER_GOVERNMENT = "partner_government"
    AUDITOR = "auditor"


class Role(StrEnum):
    ANALYST = "analyst"
    OFFICER = "officer"
    APPLICANT = "applicant"
    VIEWER = "viewer"
    AUDITOR = "auditor"
    PUBLIC = "public"
    """A visitor who has not signed in: the published menu, rules and statistics only."""


ROLE_OF_KIND: Mapping[OrgKind, Role] = {
    OrgKind.PROGRAM_OFFICE: Role.ANALYST,
    OrgKind.LICENSING_AGENCY: Role.OFFICER,
    OrgKind.CONSORTIUM: Role.APPLICANT,
    OrgKind.PARTNER_GOVERNMENT: Role.VIEWER,
    OrgKind.AUDITOR: Role.AUDITOR,
}
"""The one role each kind of organisation's users have."""


class Scope(StrEnum):
    ALL = "all"
    """Every resource of the kind."""
    NOT_OTHERS_DRAFTS = "not_others_drafts"
    """Everything but other organisations' applications never submitted."""
    SUBMITTED = "submitted"
    """Applications submitted at least once (never drafts); every license."""
    OWN = "own"
    """The caller's organisation's."""
    DESTINATION = "destination"
    """Submitted applications and licenses bound for the caller's country."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller."""

    user_id: str
    user: str
    organization_id: str
    organization: str
    kind: OrgKind | None
    role: Role
    country: str | None

    def actor(self) -> dict[str, str]:
        """How the audit trail names the caller."""
        return {"user": self.user_id, "name": self.user, "organization": self.organization}


PUBLIC_VISITOR = Principal(
    user_id="",
    user="public",
    organization_id="",
    organization="public",
    kind=None,
    role=Role.PUBLIC,
    country=None,
)
"""Whoever reads the public pages without signing in."""

R = Role
S = Scope
SIGNED_IN = [role for role in Role if role is not Role.PUBLIC]
POLICY: Mapping[str, Mapping[Role, Scope]] = {
    # The engine (assess, screen, recommend): any authenticated user.
    "engine.use": dict.fromkeys(SIGNED_IN, S.ALL),
    # What the program publishes: the menu and its history, partner profiles, the policy
    # packs, the proposal rubric and the aggregate statistics; anyone, signed in or not.
    "catalog.read": dict.fromkeys(Role, S.ALL),
    "application.read": {
        R.ANALYST: S.NOT_OTHERS_DRAFTS,
        R.OFFICER: S.SUBMITTED,
        R.APPLICANT: S.OWN,
        R.VIEWER: S.DESTINATION,
        R.AUDITOR: S.ALL,
    },
    "application.create": {R.APPLICANT: S.OWN},
    "application.edit": {R.APPLICANT: S.OWN},
    "application.upload": {R.APPLICANT: S.OWN},
    "application.submit": {R.APPLICANT: S.OWN},
    "application.withdraw": {R.APPLICANT: S.OWN},
    "application.take": {R.OFFICER: S.SUBMITTED},
    "application.decide": {R.OFFICER: S.SUBMITTED},
    "license.read": {
        R.ANALYST: S.ALL,
        R.OFFICER: S.ALL,
        R.APPLICANT: S.OWN,
        R.VIEWER: S.DESTINATION,
        R.AUDITOR: S.ALL,
    },
    "license.acknowledge": {R.APPLICANT: S.OWN},
    # The licensee's NIST AI RMF assessments against the license's GOV-RMF condition.
    "license.assess": {R.APPLICANT: S.OWN},
    "license.ship": {R.APPLICANT: S.OWN},
    "license.suspend": {R.OFFICER: S.ALL},
    "license.reinstate": {R.OFFICER: S.ALL},
    "license.revoke": {R.OFFICER: S.ALL},
    "license.amend": {R.OFFICER: S.ALL},
    # End-use monitoring: an officer sets the terms, the licensee reports and uploads its
    # operator's telemetry (an officer may upload what an operator sent the agency); the
    # alerts are read like the license, and adjudicated by officers.
    "license.monitor": {R.OFFICER: S.ALL},
    "license.report": {R.APPLICANT: S.OWN},
    "license.telemetry": {R.APPLICANT: S.OWN, R.OFFICER: S.ALL},
    "alert.read": {
        R.ANALYST: S.ALL,
        R.OFFICER: S.ALL,
        R.APPLICANT: S.OWN,
        R.VIEWER: S.DESTINATION,
        R.AUDITOR: S.ALL,
    },
    "alert.adjudicate": {R.OFFICER: S.ALL},
    "audit.read": {R.ANALYST: S.ALL, R.AUDITOR: S.ALL},
    # Outcomes per package and partner country, with small counts (the program's own view).
    "outcomes.read": {R.ANALYST: S.ALL, R.OFFICER: S.ALL, R.AUDITOR: S.ALL},
    # The licensing clock and the officers' queue (15 CFR 750.4).
    "queue.read": {R.OFFICER: S.SUBMITTED, R.ANALYST: S.SUBMITTED, R.AUDITOR: S.SUBMITTED},
    # Package proposals and the menu (the program office manages them).
    "proposal.read": {R.ANALYST: S.NOT_OTHERS_DRAFTS, R.APPLICANT: S.OWN, R.AUDITOR: S.ALL},
    "proposal.create": {R.APPLICANT: S.OWN},
    "proposal.edit": {R.APPLICANT: S.OWN},
    "proposal.submit": {R.APPLICANT: S.OWN},
    "proposal.withdraw": {R.APPLICANT: S.OWN},
    "proposal.evaluate": {R.ANALYST: S.SUBMITTED},
    "proposal.score": {R.ANALYST: S.SUBMITTED},
    "proposal.decide": {R.ANALYST: S.SUBMITTED},
    "menu.manage": {R.ANALYST: S.ALL},
    "rubric.publish": {R.ANALYST: S.ALL},
    # Screening adjudications: officers judge for every screening, an applicant's
    # compliance users for their own organisation's.
    "adjudication.read": {
        R.ANALYST: S.ALL,
        R.OFFICER: S.ALL,
        R.APPLICANT: S.OWN,
        R.AUDITOR: S.ALL,
    },
    "adjudication.create": {R.OFFICER: S.ALL, R.APPLICANT: S.OWN},
    "adjudication.withdraw": {R.OFFICER: S.ALL, R.APPLICANT: S.OWN},
    # A deal's sovereignty ledger: the applicant records it, the partner government of the
    # destination co-signs it; whoever reads the application reads the ledger.
    "ledger.record": {R.APPLICANT: S.OWN},
    "ledger.cosign": {R.VIEWER: S.DESTINATION},
}
"""action → the roles that may take it, each with the resources it reaches."""


def in_scope(principal: Principal, scope: Scope, resource: Mapping[str, Any]) -> bool:
    """Whether ``resource`` (with its ``organization_id``, ``destination`` and, for an
    application, ``submitted_at``) is within ``scope`` for ``principal``."""
    own = resource.get("organization_id") == principal.organization_id
    submitted = resource.get("submitted_at", True) is not None
    if scope is Scope.ALL:
        return True
    if scope is Scope.OWN:
        return own
    if scope is Scope.NOT_OTHERS_DRAFTS:
        return own or submitted
    if scope is Scope.SUBMITTED:
        return submitted
    return submitted and resource.get("destination") == principal.country


def may(principal: Principal, action: str) -> bool:
    """Whether the caller's role may take ``action`` on anything at all (what a page
    offers; each resource is still checked when the action is taken)."""
    return principal.role in POLICY[action]


def require(principal: Principal, action: str) -> Scope:
    """The scope of ``action`` for the caller's role; 403 when the role may not take it."""
    scope = POLICY[action].get(principal.role)
    if scope is None:
        raise ForbiddenError(f"a user with the role {principal.role} may not {action}")
    return scope


def check(principal: Principal, action: str, resource: Mapping[str, Any], kind: str) -> None:
    """Authorise ``action`` on ``resource``: 403 when the caller's role reads no
    resource of the kind (nothing about this one is disclosed by saying so), 404 when it
    may not read this one, 403 when they may read it but their role may not take the
    action, 404 when the action reaches fewer resources than reading does and this one is
    outside it."""
    read = require(principal, f"{kind}.read")
    if not in_scope(principal, read, resource):
        raise UnknownResourceError(f"no {kind} {resource.get('id')!r}")
    scope = require(principal, action)
    if not in_scope(principal, scope, resource):
        raise UnknownResourceError(f"no {kind} {resource.get('id')!r}")
