"""License applications and licenses as state machines (service spec §4–5): which
action moves which state where. Pure values; the service applies them in a transaction."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from aiexports.errors import ConflictError


class ApplicationState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    DENIED = "denied"
    RETURNED_WITHOUT_ACTION = "returned_without_action"
    WITHDRAWN = "withdrawn"


class Decision(StrEnum):
    """What an officer decides; each is also the state the application goes to."""

    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    DENIED = "denied"
    RETURNED_WITHOUT_ACTION = "returned_without_action"

    @property
    def approves(self) -> bool:
        return self in (Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS)


class LicenseState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


A = ApplicationState
APPLICATION_MOVES: Mapping[str, tuple[frozenset[ApplicationState], ApplicationState | None]] = (
    MappingProxyType(
        {
            "edit": (frozenset({A.DRAFT, A.RETURNED_WITHOUT_ACTION}), None),
            "upload": (frozenset({A.DRAFT, A.RETURNED_WITHOUT_ACTION}), None),
            "submit": (frozenset({A.DRAFT, A.RETURNED_WITHOUT_ACTION}), A.SUBMITTED),
            "take": (frozenset({A.SUBMITTED}), A.UNDER_REVIEW),
            # The decided state is the decision's own word (see :func:`after_decision`).
            "decide": (frozenset({A.UNDER_REVIEW}), None),
            "withdraw": (frozenset({A.DRAFT, A.SUBMITTED}), A.WITHDRAWN),
        }
    )
)
"""action → (the states it may be taken from, the state it leads to; None: unchanged)."""

L = LicenseState
LICENSE_MOVES: Mapping[str, tuple[frozenset[LicenseState], LicenseState | None]] = MappingProxyType(
    {
        "suspend": (frozenset({L.ACTIVE}), L.SUSPENDED),
        "reinstate": (frozenset({L.SUSPENDED}), L.ACTIVE),
        "revoke": (frozenset({L.ACTIVE, L.SUSPENDED}), L.REVOKED),
        "amend": (frozenset({L.ACTIVE, L.SUSPENDED}), None),
        "acknowledge": (frozenset({L.ACTIVE, L.SUSPENDED}), None),
    }
)


def application_move(state: ApplicationState, action: str) -> ApplicationState:
    """The state ``action`` leads to from ``state``; a conflict when it may not be
    taken there."""
    allowed, to = APPLICATION_MOVES[action]
    if state not in allowed:
        words = ", ".join(sorted(allowed))
        raise ConflictError(f"cannot {action} an application that is {state} (only when {words})")
    return to or state


def license_move(state: LicenseState, action: str) -> LicenseState:
    allowed, to = LICENSE_MOVES[action]
    if state not in allowed:
        words = ", ".join(sorted(allowed))
        raise ConflictError(f"cannot {action} a license that is {state} (only when {words})")
    return to or state
