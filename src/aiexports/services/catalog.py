"""Use cases over the menu and the partner profiles: what a buyer or analyst asks.

Each returns a typed result whose ``contract()`` is the JSON every edge (CLI, API, web)
shows, so that no edge builds its own shape of the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiexports.core.catalog import Package, ProposalFinding, review_proposal
from aiexports.core.countries import CountryProfile, GroupInfo
from aiexports.core.vocabulary import PackageStatus, RiskTier
from aiexports.errors import InputError, Issue
from aiexports.sources.documents import DOCUMENT_SUFFIXES
from aiexports.sources.reference import read_packages

if TYPE_CHECKING:
    from aiexports.runtime import Runtime


@dataclass(frozen=True)
class MenuListing:
    version: str
    packages: tuple[Package, ...]

    def contract(self) -> list[dict[str, object]]:
        return [package_summary(p) for p in self.packages]


def package_summary(package: Package) -> dict[str, object]:
    return {
        "id": package.id,
        "version": package.version,
        "title": package.title,
        "status": str(package.status),
        "tier": package.tier,
        "sectors": list(package.sectors),
        "target_countries": list(package.target_countries),
        "consortium": package.consortium.name,
        "surveillance_capable": package.surveillance_capable,
    }


def list_menu(runtime: Runtime, status: PackageStatus | None = None) -> MenuListing:
    menu = runtime.reference.menu
    return MenuListing(
        menu.version,
        tuple(p for p in menu.packages.values() if status in (None, p.status)),
    )


def show_package(runtime: Runtime, package_id: str) -> Package:
    return runtime.reference.menu.package(package_id)


@dataclass(frozen=True)
class PackageCheck:
    """One package file checked against the schema and the proposal rules."""

    path: Path
    package: Package
    findings: tuple[ProposalFinding, ...]
    duplicate_of: Path | None

    @property
    def passed(self) -> bool:
        errors = any(f.severity == "error" for f in self.findings)
        return not errors and self.duplicate_of is None


def validate_packages(runtime: Runtime, paths: Sequence[Path]) -> list[PackageCheck]:
    """Schema errors raise (exit 2, located); broken proposal rules are in the results."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in DOCUMENT_SUFFIXES))
        elif path.exists():
            files.append(path)
        else:
            raise InputError(Issue("file or folder not found", str(path)))
    if not files:
        raise InputError(Issue("no package files found", ", ".join(map(str, paths))))
    book = runtime.countries
    checks = []
    seen: dict[str, Path] = {}
    for path, package in read_packages(files, book, runtime.limits):
        findings = review_proposal(package, book, runtime.program_terms, runtime.frameworks)
        checks.append(PackageCheck(path, package, tuple(findings), seen.get(package.id)))
        seen[package.id] = path
    return checks


@dataclass(frozen=True)
class PartnerProfile:
    profile: CountryProfile
    groups: tuple[tuple[str, GroupInfo], ...]
    packages: tuple[str, ...]
    countries_version: str

    def contract(self) -> dict[str, Any]:
        return {
            **self.profile.model_dump(mode="json"),
            "packages": list(self.packages),
            "countries_version": self.countries_version,
        }


def partner_profile(runtime: Runtime, code: str) -> PartnerProfile:
    book = runtime.countries
    profile = book.profile(code.upper())
    blocs = runtime.program_terms.blocs
    # The packages on offer to the country: designated ones (a suspended, retired or
    # merely proposed package is not promoted), naming it or a bloc it belongs to.
    packages = tuple(
        p.id
        for p in runtime.menu.packages.values()
        if p.status == PackageStatus.DESIGNATED
        and (
            profile.code in p.target_countries
            or any(b in blocs and profile.code in blocs[b].members for b in p.target_blocs)
        )
    )
    groups = tuple((group, book.groups[group]) for group in profile.ear_groups)
    return PartnerProfile(profile, groups, packages, book.version)


def list_partners(
    runtime: Runtime, group: str | None = None, risk: RiskTier | None = None
) -> list[CountryProfile]:
    return [
        p
        for p in runtime.countries.profiles.values()
        if (group is None or group in p.ear_groups) and risk in (None, p.risk_tier)
    ]
