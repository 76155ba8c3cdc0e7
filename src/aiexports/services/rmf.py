"""NIST AI RMF assessment use cases: read (YAML, JSON or CSV, errors located by line),
score, find the gaps against a package's committed subcategories, and write back."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from ruamel.yaml import YAML

from aiexports.core.records import validation_context
from aiexports.core.rmf import RmfAssessment, check_against, gaps, scores
from aiexports.errors import InputError, Issue
from aiexports.sources.documents import (
    decode_text,
    issues_from,
    read_bounded,
    read_document,
    validate_body,
    validate_document,
)
from aiexports.sources.rmf_csv import csv_document, to_csv

if TYPE_CHECKING:
    from aiexports.runtime import Runtime


def assessment_of(runtime: Runtime, body: object) -> RmfAssessment:
    """An assessment in a request body (errors named by field)."""
    assessment = validate_body(RmfAssessment, body, validation_context(runtime.countries))
    _check_framework(runtime, assessment, None)
    return assessment


def _check_framework(runtime: Runtime, assessment: RmfAssessment, source: str | None) -> None:
    catalog = runtime.frameworks.get(assessment.framework)
    if catalog is None:
        known = ", ".join(sorted(runtime.frameworks))
        message = f"no framework {assessment.framework!r} (known: {known})"
        raise InputError(Issue(message, source, None, "framework"))
    unknown = check_against(assessment, catalog)
    if unknown:
        message = f"not a subcategory of {catalog.id}: {', '.join(unknown)}"
        raise InputError(Issue(message, source, None, "items"))
    if assessment.package is not None and assessment.package not in runtime.menu.packages:
        message = f"no package {assessment.package!r} on the menu"
        raise InputError(Issue(message, source, None, "package"))


def read_assessment(runtime: Runtime, path: Path) -> RmfAssessment:
    context = validation_context(runtime.countries)
    if path.suffix.lower() == ".csv":
        source = str(path)
        text = decode_text(read_bounded(path, source, runtime.limits), source)
        try:
            document, lines = csv_document(text)
        except ValueError as error:
            raise InputError(Issue(str(error), source)) from None
        try:
            assessment = RmfAssessment.model_validate(document, context=context)
        except ValidationError as error:
            issues = []
            for issue in issues_from(error, source, document):
                line = None
                if issue.field and issue.field.startswith("items["):
                    index = int(issue.field[len("items[") :].split("]", 1)[0])
                    line = lines.get(index)
                issues.append(Issue(issue.message, source, line, issue.field))
            raise InputError(issues) from None
    else:
        assessment = validate_document(
            RmfAssessment, read_document(path, limits=runtime.limits), context
        )
    _check_framework(runtime, assessment, str(path))
    return assessment


@dataclass(frozen=True)
class AssessmentReport:
    assessment: RmfAssessment
    functions: list[Any]
    categories: list[Any]
    gaps: list[Any]
    required: tuple[str, ...]
    required_maturity: int

    def contract(self) -> dict[str, Any]:
        a = self.assessment
        return {
            "framework": a.framework,
            "deployer": a.deployer.model_dump(mode="json"),
            "date": a.date.isoformat(),
            "package": a.package,
            "required": {"subcategories": list(self.required), "maturity": self.required_maturity},
            "functions": [s.contract() for s in self.functions],
            "categories": [s.contract() for s in self.categories],
            "gaps": [g.contract() for g in self.gaps],
        }


def report(runtime: Runtime, assessment: RmfAssessment) -> AssessmentReport:
    """Scores per function and category, and the gaps against the package's committed
    subcategories (none without a package) at the maturity the program requires."""
    catalog = runtime.frameworks[assessment.framework]
    terms = runtime.program_terms
    required: tuple[str, ...] = ()
    if assessment.package is not None:
        package = runtime.menu.package(assessment.package)
        required = tuple(package.governance.rmf_subcategories)
    return AssessmentReport(
        assessment,
        scores(assessment, catalog, "function"),
        scores(assessment, catalog, "category"),
        gaps(assessment, required, terms.rmf_required_maturity, terms.rmf_remediation_days),
        required,
        terms.rmf_required_maturity,
    )


def written(assessment: RmfAssessment, form: str) -> str:
    """The assessment as ``csv`` or ``yaml`` text (each reads back to the same)."""
    if form == "csv":
        return to_csv(assessment)
    yaml = YAML()
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(assessment.model_dump(mode="json", exclude_none=True), out)
    return out.getvalue()


def oscal_catalog() -> dict[str, Any]:
    """The bundled NIST AI RMF Core as an OSCAL catalog."""
    from aiexports.sources.oscal import catalog, rmf_core  # noqa: PLC0415

    return catalog(rmf_core())


def oscal_assessment_results(runtime: Runtime, assessment: RmfAssessment) -> dict[str, Any]:
    """The assessment, its findings and its gaps (as risks with deadlines) as OSCAL
    assessment-results."""
    from aiexports.sources.oscal import assessment_results  # noqa: PLC0415

    return assessment_results(assessment, report(runtime, assessment).contract())
