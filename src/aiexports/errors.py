"""The one error root of aiexports.

::

    AiExportsError                 anything the product reports instead of a traceback
    ├── InputError                 a document, file or argument a user gave is wrong
    │   ├── NotFoundError          an id, code or path names nothing
    │   └── ListFormatError        a restricted-party list file is malformed
    ├── ReferenceDataError         bundled or installed reference data is broken
    ├── StorageError               the database refused or is out of date
    └── ServiceError               the service refuses a request (its HTTP status)
        ├── UnauthenticatedError       401: no or unknown credentials
        ├── ForbiddenError             403: the role may not do this
        ├── UnknownResourceError       404: no such resource in the caller's view
        ├── ConflictError              409: the resource's state forbids the change
        ├── StaleVersionError          412: If-Match names an old version
        └── PreconditionRequiredError  428: a state change without If-Match

Every error carries :class:`Issue` records naming the source file, line and field, so that
one renderer turns them into CLI messages (exit status 2), HTTP problems (422) or page
messages without knowing which part of the product raised them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing wrong with an input, located as precisely as the reader could."""

    message: str
    source: str | None = None
    line: int | None = None
    field: str | None = None

    def located(self, source: str | None = None, line: int | None = None) -> Issue:
        """The same issue, filling in a location it does not have yet."""
        return Issue(
            self.message,
            self.source if self.source is not None else source,
            self.line if self.line is not None else line,
            self.field,
        )

    def render(self) -> str:
        field = f"field '{self.field}': " if self.field else ""
        if self.source is None and self.line is None:
            return f"{field}{self.message}"
        where = self.source or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {field}{self.message}"


class AiExportsError(Exception):
    """Base of every error aiexports reports to a user."""

    exit_code = 1

    def __init__(self, issues: Iterable[Issue] | Issue | str) -> None:
        if isinstance(issues, str):
            issues = Issue(issues)
        self.issues: tuple[Issue, ...] = (issues,) if isinstance(issues, Issue) else tuple(issues)
        super().__init__("\n".join(issue.render() for issue in self.issues))

    def located(self, source: str | None, line: int | None = None) -> AiExportsError:
        """A copy of this error whose issues default to ``source`` and ``line``."""
        return type(self)(issue.located(source, line) for issue in self.issues)


class InputError(AiExportsError):
    """Something a user supplied is invalid; nothing was written."""

    exit_code = 2


class NotFoundError(InputError):
    """An identifier, code or path refers to nothing known."""


class ListFormatError(InputError):
    """A restricted-party list file does not have the structure of its format."""


class ReferenceDataError(AiExportsError):
    """Bundled or installed reference data failed validation."""

    exit_code = 3


class StorageError(AiExportsError):
    """The database could not be used as required."""

    exit_code = 4


class ServiceError(AiExportsError):
    """A request the service refuses for a reason other than a bad field; ``status`` is
    its HTTP status."""

    status = 400
    title = "Bad request"


class UnauthenticatedError(ServiceError):
    """No credentials, or credentials that name no user."""

    status = 401
    title = "Unauthenticated"


class ForbiddenError(ServiceError):
    """A known user whose role may not do this."""

    status = 403
    title = "Forbidden"


class UnknownResourceError(ServiceError):
    """The resource does not exist, or is not in the caller's view (never revealed)."""

    status = 404
    title = "Not found"


class ConflictError(ServiceError):
    """The resource's state does not allow the change (a shipment past its quantity, an
    approval of a prohibited determination, a request still in progress)."""

    status = 409
    title = "Conflict"


class PreconditionRequiredError(ServiceError):
    """A state change without ``If-Match``."""

    status = 428
    title = "Precondition required"


class StaleVersionError(ServiceError):
    """``If-Match`` names a version that is no longer current."""

    status = 412
    title = "Precondition failed"

    def __init__(self, current_version: int) -> None:
        super().__init__(f"the resource has changed; its current version is {current_version}")
        self.current_version = current_version
