"""Organisations, users and their credentials (service spec §2), and the demo seed.

Tokens are 32 random bytes, shown once and stored only as their SHA-256 (a token is not a
password: it has the entropy a slow hash exists to make up for); passwords, for the web
sign-in, are stored with Argon2id."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from aiexports.errors import ConflictError, InputError, Issue, UnauthenticatedError
from aiexports.services.access import ROLE_OF_KIND, OrgKind, Principal, Role
from aiexports.storage.service_store import (
    SYSTEM_ACTOR,
    ServiceStore,
    Transaction,
    new_id,
    organizations,
    tokens,
    users,
)

_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    if stored is None:
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class NewUser:
    """A created user with the credentials shown this once."""

    organization: str
    user: str
    user_id: str
    role: Role
    token: str
    password: str | None

    def contract(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "organization": self.organization,
            "user": self.user,
            "role": str(self.role),
            "token": self.token,
        }
        if self.password is not None:
            shown["password"] = self.password
        return shown


def create_organization(
    store: ServiceStore,
    slug: str,
    kind: str,
    country: str | None = None,
    name: str | None = None,
) -> str:
    """A new organisation; partner governments name their country."""
    try:
        org_kind = OrgKind(kind)
    except ValueError:
        words = ", ".join(k.value for k in OrgKind)
        raise InputError(Issue(f"unknown kind {kind!r} (one of: {words})", field="kind")) from None
    if org_kind is OrgKind.PARTNER_GOVERNMENT and not country:
        raise InputError(Issue("a partner government names its country", field="country"))
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise InputError(Issue(f"{country!r} is not a two-letter country code", field="country"))
    if not slug or len(slug) > 100 or not all(c.isalnum() or c in "-_" for c in slug):
        raise InputError(Issue("a slug is letters, digits, '-' and '_'", field="slug"))
    org_id = new_id("org")
    with store.transaction(_now()) as tx:
        if tx.one(select(organizations.c.id).where(organizations.c.slug == slug)) is not None:
            raise InputError(Issue(f"an organisation {slug!r} exists already", field="slug"))
        values = {
            "id": org_id,
            "slug": slug,
            "kind": str(org_kind),
            "country": country.upper() if country else None,
            "name": name or slug,
            "created_at": tx.now,
        }
        tx.insert(organizations, **values)
        tx.record(SYSTEM_ACTOR, "organization.create", "organization", org_id, None, values)
    return org_id


def create_user(
    store: ServiceStore,
    organization: str,
    name: str,
    role: str,
    password: str | None = None,
    tx: Transaction | None = None,
) -> NewUser:
    """A new user of ``organization`` (by slug) with a fresh token, and a password when
    given. The role must be the one of the organisation's kind."""
    if not name or len(name) > 100 or "/" in name:
        raise InputError(Issue("a user name is 1–100 characters without '/'", field="name"))
    try:
        user_role = Role(role)
    except ValueError:
        words = ", ".join(r.value for r in Role)
        raise InputError(Issue(f"unknown role {role!r} (one of: {words})", field="role")) from None
    if tx is None:
        with store.transaction(_now()) as own:
            return create_user(store, organization, name, role, password, own)
    org = tx.one(select(organizations).where(organizations.c.slug == organization))
    if org is None:
        raise InputError(Issue(f"no organisation {organization!r}", field="org"))
    expected = ROLE_OF_KIND[OrgKind(org.kind)]
    if user_role is not expected:
        raise InputError(
            Issue(f"users of a {org.kind} organisation have the role {expected}", field="role")
        )
    found = tx.one(
        select(users.c.id).where((users.c.organization_id == org.id) & (users.c.name == name))
    )
    if found is not None:
        raise InputError(Issue(f"{organization}/{name} exists already", field="name"))
    user_id = new_id("usr")
    tx.insert(
        users,
        id=user_id,
        organization_id=org.id,
        name=name,
        role=str(user_role),
        password_hash=hash_password(password) if password is not None else None,
        created_at=tx.now,
    )
    token = secrets.token_urlsafe(32)
    token_id = new_id("tok")
    tx.insert(tokens, id=token_id, user_id=user_id, token_hash=token_hash(token), created_at=tx.now)
    described = {"organization": organization, "name": name, "role": str(user_role)}
    tx.record(SYSTEM_ACTOR, "user.create", "user", user_id, None, described)
    tx.record(SYSTEM_ACTOR, "token.create", "token", token_id, None, {"user": user_id})
    return NewUser(organization, name, user_id, user_role, token, password)


def authenticate(store: ServiceStore, token: str | None) -> Principal:
    """The user a bearer token belongs to; 401 for none or an unknown one."""
    if not token:
        raise UnauthenticatedError("no credentials: send Authorization: Bearer <token>")
    statement = (
        select(users, organizations.c.slug, organizations.c.kind, organizations.c.country)
        .join(tokens, tokens.c.user_id == users.c.id)
        .join(organizations, organizations.c.id == users.c.organization_id)
        .where((tokens.c.token_hash == token_hash(token)) & tokens.c.revoked_at.is_(None))
    )
    with store.reading() as tx:
        row = tx.one(statement)
    if row is None:
        raise UnauthenticatedError("the token is not known")
    return principal_of(row)


def principal_of(row: Any) -> Principal:
    return Principal(
        user_id=row.id,
        user=row.name,
        organization_id=row.organization_id,
        organization=row.slug,
        kind=OrgKind(row.kind),
        role=Role(row.role),
        country=row.country,
    )


DEMO_ORGANIZATIONS: tuple[tuple[str, OrgKind, str | None, tuple[str, ...]], ...] = (
    ("demo-program-office", OrgKind.PROGRAM_OFFICE, None, ("analyst",)),
    ("demo-agency", OrgKind.LICENSING_AGENCY, None, ("officer-1", "officer-2")),
    ("demo-consortium-a", OrgKind.CONSORTIUM, None, ("applicant",)),
    ("demo-consortium-b", OrgKind.CONSORTIUM, None, ("applicant",)),
    ("demo-partner-in", OrgKind.PARTNER_GOVERNMENT, "IN", ("viewer",)),
    ("demo-auditor", OrgKind.AUDITOR, None, ("auditor",)),
)
"""Spec §2's demo organisations and users (the program office and auditor users are
named by their role)."""

DEMO_TOKENS_FILE = "demo-tokens.json"


def demo_seeded(store: ServiceStore) -> bool:
    with store.reading() as tx:
        found = tx.one(select(organizations.c.id).where(organizations.c.slug == "demo-agency"))
    return found is not None


def seed_demo(store: ServiceStore, home: Path) -> Path | None:
    """Create the demo organisations and users once, in one transaction, and write their
    credentials to ``home/demo-tokens.json`` (mode 0600). None when seeded already."""
    if demo_seeded(store):
        return None
    created: list[NewUser] = []
    try:
        with store.transaction(_now()) as tx:
            for slug, kind, country, names in DEMO_ORGANIZATIONS:
                org_id = new_id("org")
                values = {
                    "id": org_id,
                    "slug": slug,
                    "kind": str(kind),
                    "country": country,
                    "name": slug,
                    "created_at": tx.now,
                }
                tx.insert(organizations, **values)
                tx.record(SYSTEM_ACTOR, "organization.create", "organization", org_id, None, values)
                for name in names:
                    password = secrets.token_urlsafe(12)
                    user = create_user(store, slug, name, str(ROLE_OF_KIND[kind]), password, tx)
                    created.append(user)
    except ConflictError:  # another process seeded it at the same moment
        return None
    path = home / DEMO_TOKENS_FILE
    home.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump([user.contract() for user in created], handle, indent=2)
        handle.write("\n")
    os.chmod(path, 0o600)
    return path


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
