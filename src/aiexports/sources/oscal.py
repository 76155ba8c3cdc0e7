"""OSCAL 1.2.3 JSON exports: the NIST AI RMF Core as a ``catalog`` (functions and
categories as groups, subcategories as controls) and an RMF assessment as
``assessment-results`` (a finding per assessed subcategory, an observation per item with
its evidence, a risk with its deadline per gap). UUIDs are derived from the content, so
the same assessment exports to the same document."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from aiexports.core.rmf import RmfAssessment
from aiexports.sources.reference import data_file

OSCAL_VERSION = "1.2.3"
NAMESPACE = "urn:aiexports:nist-ai-rmf-assessment"
"""The namespace of this program's properties (maturity, status) in the exports."""
_ROOT = uuid.UUID("6f1d1c1e-4a7b-5c8e-9d2f-3b4a5c6d7e8f")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_ROOT, "\x1f".join(parts)))


def control_id(subcategory: str) -> str:
    """``GOVERN 1.1`` → ``govern-1.1`` (an OSCAL token)."""
    return subcategory.lower().replace(" ", "-")


def rmf_core() -> Mapping[str, Any]:
    raw: Mapping[str, Any] = json.loads(
        data_file("frameworks", "nist-ai-rmf-1.0-core.json").read_text("utf-8")
    )
    return raw


def catalog(core: Mapping[str, Any]) -> dict[str, Any]:
    meta = core["framework"]
    groups = []
    for function in core["functions"]:
        categories = []
        for category in function["categories"]:
            controls = [
                {
                    "id": control_id(sub["id"]),
                    "class": "subcategory",
                    "title": sub["id"],
                    "parts": [
                        {
                            "id": f"{control_id(sub['id'])}_stmt",
                            "name": "statement",
                            "prose": sub["statement"],
                        }
                    ],
                }
                for sub in category["subcategories"]
            ]
            categories.append(
                {
                    "id": control_id(category["id"]),
                    "class": "category",
                    "title": category["id"],
                    "parts": [{"name": "overview", "prose": category["statement"]}],
                    "controls": controls,
                }
            )
        groups.append(
            {
                "id": control_id(function["id"]),
                "class": "function",
                "title": function["title"],
                "groups": categories,
            }
        )
    return {
        "catalog": {
            "uuid": _uuid("catalog", meta["id"], meta["version"]),
            "metadata": {
                "title": meta["title"],
                "published": f"{meta['published']}T00:00:00Z",
                "last-modified": f"{meta['published']}T00:00:00Z",
                "version": meta["version"],
                "oscal-version": OSCAL_VERSION,
                "remarks": f"{meta['document']} ({meta['source']}), doi {meta['doi']}. "
                f"{meta['license']}.",
            },
            "groups": groups,
        }
    }


def assessment_results(assessment: RmfAssessment, report: Mapping[str, Any]) -> dict[str, Any]:
    """``report`` is the assessment's report contract (scores and gaps)."""
    a = assessment
    key = (a.deployer.name, a.deployer.country, a.date.isoformat(), a.package or "")
    moment = f"{a.date.isoformat()}T00:00:00Z"
    observations = []
    findings = []
    for item in a.items:
        observation = _uuid("observation", *key, item.subcategory)
        described = item.notes or f"{item.subcategory}: {item.status.replace('_', ' ')}"
        observations.append(
            {
                "uuid": observation,
                "title": item.subcategory,
                "description": described,
                "props": [
                    {"name": "status", "ns": NAMESPACE, "value": item.status},
                    {"name": "maturity", "ns": NAMESPACE, "value": str(item.maturity)},
                ],
                "methods": ["EXAMINE"],
                **(
                    {"relevant-evidence": [{"description": ref} for ref in item.evidence]}
                    if item.evidence
                    else {}
                ),
                "collected": moment,
            }
        )
        satisfied = item.status in ("implemented", "not_applicable")
        findings.append(
            {
                "uuid": _uuid("finding", *key, item.subcategory),
                "title": item.subcategory,
                "description": item.reason or described,
                "target": {
                    "type": "objective-id",
                    "target-id": control_id(item.subcategory),
                    "status": {"state": "satisfied" if satisfied else "not-satisfied"},
                },
                "related-observations": [{"observation-uuid": observation}],
            }
        )
    risks = [
        {
            "uuid": _uuid("risk", *key, gap["subcategory"]),
            "title": f"{gap['subcategory']}: {gap['why']}",
            "description": f"A remediation item of the license's {gap['condition']} condition.",
            "statement": f"{gap['subcategory']} is {gap['why']}; the package commits to it at "
            f"maturity {gap['required_maturity']}.",
            "status": "open",
            "deadline": f"{gap['due']}T00:00:00Z",
        }
        for gap in report["gaps"]
    ]
    result: dict[str, Any] = {
        "uuid": _uuid("result", *key),
        "title": f"NIST AI RMF assessment of {a.deployer.name}",
        "description": f"Self-assessment of a {a.deployer.role.replace('_', ' ')} in "
        f"{a.deployer.country}" + (f" deploying {a.package}" if a.package else "") + ".",
        "start": moment,
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
        "observations": observations,
        "findings": findings,
    }
    if risks:
        result["risks"] = risks
    return {
        "assessment-results": {
            "uuid": _uuid("assessment-results", *key),
            "metadata": {
                "title": f"NIST AI RMF assessment of {a.deployer.name} ({a.date.isoformat()})",
                "last-modified": moment,
                "version": a.date.isoformat(),
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": {"href": f"#{_uuid('assessment-plan', *key)}"},
            "results": [result],
        }
    }
