"""The PDF dossier of a determination: the deal, the outcome with the policy and data it
was decided under, every finding with its citations and evidence, the conditions, and, for
a what-if, the other pack's determination and the differences. Set in DejaVu Sans (shipped
with the package) so that names print as written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF

from aiexports.web import words

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"


class _Dossier(FPDF):
    decision_id = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90, 92, 101)
        self.cell(0, 6, f"{self.decision_id}    page {self.page_no()} of {{nb}}", align="C")


def _flat(value: object) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{words(k)}: {_flat(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_flat(v) for v in value) or "none"
    return "—" if value is None else str(value)


class _Writer:
    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.ln(2)
        self.pdf.set_font(FAMILY, "B", size)
        self.pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def text(self, text: str, size: int = 10, bold: bool = False) -> None:
        self.pdf.set_font(FAMILY, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        for label, value in rows:
            self.pdf.set_font(FAMILY, "B", 10)
            self.pdf.cell(42, 5, label)
            self.pdf.set_font(FAMILY, "", 10)
            self.pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")

    def determination(self, d: Mapping[str, Any], title: str) -> None:
        self.heading(f"{title}: {words(d['outcome'])}")
        policy = d["policy"]
        rows = [
            ("Policy pack", f"{policy['id']} {policy['version']} ({policy['title']})"),
            ("Pack digest", str(policy["digest"])),
            ("Decision id", str(d["decision_id"])),
        ]
        if d.get("review_policy"):
            rows.append(("Review policy", words(d["review_policy"])))
        rows += [(f"Data: {k}", str(v)) for k, v in d["data_versions"].items()]
        self.facts(rows)
        self.heading("Findings", 11)
        if not d["findings"]:
            self.text("No rule requires a license or forbids the deal.")
        for finding in d["findings"]:
            outcome = words(finding["outcome"])
            self.text(f"{finding['rule']} — {outcome}", bold=True)
            self.text(str(finding["message"]))
            self.text("Citations: " + ", ".join(finding["citations"]), size=9)
            evidence = {k: v for k, v in finding.get("evidence", {}).items() if k != "explanation"}
            if evidence:
                self.text("Evidence: " + _flat(evidence), size=9)
            self.pdf.ln(1.5)
        self.heading("Conditions the deal carries", 11)
        if not d["conditions"]:
            self.text("None.")
        for condition in d["conditions"]:
            binding = "binding" if condition.get("binding") else "advisory"
            self.text(f"{condition['id']} ({binding}, from {condition['source_rule']})", bold=True)
            self.text(str(condition["text"]))
            self.pdf.ln(1)


def dossier_pdf(
    deal: Mapping[str, Any],
    result: Mapping[str, Any],
    countries: Mapping[str, str],
    printed: dt.datetime,
    context: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The dossier of ``deal`` decided as ``result`` (a determination, or a comparison
    with ``determination``, ``other`` and ``differences``); ``context`` adds facts (an
    application's id and state, say)."""
    compared = "differences" in result
    first = result["determination"] if compared else result
    pdf = _Dossier(format="A4")
    pdf.decision_id = str(first["decision_id"])
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Export determination dossier {deal.get('id', '')}".strip())
    pdf.set_creator("aiexports")
    pdf.set_lang("en")
    pdf.set_creation_date(printed)
    pdf.set_auto_page_break(True, 16)
    pdf.set_margins(16, 16, 16)
    pdf.add_page()
    out = _Writer(pdf)
    out.heading("Export determination dossier", 17)
    out.text(
        f"Printed {printed.strftime('%Y-%m-%d %H:%M UTC')}. The decision id identifies this "
        "determination: the same deal, policy pack and data always give it.",
        size=9,
    )
    destination = str(deal.get("destination", ""))
    out.heading("The deal")
    rows = [
        *context,
        ("Deal", str(deal.get("id", "—"))),
        ("Date", str(deal.get("date", "—"))),
        ("Package", str(deal.get("package", "—"))),
        ("Destination", f"{countries.get(destination, destination)} ({destination})"),
        ("End uses", ", ".join(words(u) for u in deal.get("end_uses", [])) or "—"),
    ]
    for index, party in enumerate(deal.get("parties", []), start=1):
        where = party.get("country", "")
        rows.append(
            (
                f"Party {index}",
                f"{party.get('name', '')} — {words(party.get('role', ''))}, "
                f"{words(party.get('type', ''))}, {countries.get(where, where)}",
            )
        )
    if deal.get("quantities"):
        rows.append(("Quantities", _flat(deal["quantities"])))
    if deal.get("value_usd") is not None:
        rows.append(
            (
                "Value (US$)",
                f"{deal['value_usd']:,}"
                if isinstance(deal["value_usd"], (int, float))
                else str(deal["value_usd"]),
            )
        )
    out.facts(rows)
    out.determination(first, "Determination")
    if compared:
        differences = result["differences"]
        out.heading(f"What if: under {result['other']['policy']['id']}")
        out.facts(
            [
                (
                    "Outcome",
                    f"{words(differences['outcome']['from'])} → "
                    f"{words(differences['outcome']['to'])} ({differences['direction']})",
                ),
                ("Rules added", ", ".join(differences["rules_added"]) or "none"),
                ("Rules removed", ", ".join(differences["rules_removed"]) or "none"),
                ("Conditions added", ", ".join(differences["conditions_added"]) or "none"),
                ("Conditions removed", ", ".join(differences["conditions_removed"]) or "none"),
            ]
        )
        out.determination(result["other"], "Under the other pack")
    return bytes(pdf.output())
