"""What OFAC's free-text Remarks say about a party, read best effort.

Remarks are ``; ``-separated statements such as ``DOB 10 Jul 1957``, ``POB Baghdad, Iraq``,
``nationality Iraq``, ``Passport A123 (Iraq) issued 2001``, ``a.k.a. 'ABU X'`` or ``Linked
To: Y``; ``alt.`` before a statement gives another value of the same kind. Statements that
are not understood stay in the entry's remarks, which always keep the full text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aiexports.core.screening.entries import Alias

# Labels OFAC writes before an identifier, tried longest first so that "Telephone" does not
# take the start of "Telephone No." nor "Passport" that of a longer label.
_LABELS = {
    # identity documents
    "Passport", "Diplomatic Passport", "British National Overseas Passport",
    "Stateless Person Passport", "Stateless Person ID Card", "Travel Document Number",
    "National ID No.", "National Foreign ID Number", "Identification Number",
    "Personal ID Card", "Kenyan ID No.", "Turkish Identification Number",
    "Citizen's Card Number", "Numero de Identidad", "Refugee ID Card", "Cedula No.",
    "D.N.I.", "C.U.R.P.", "C.U.R.P. #", "C.U.I.P.", "C.U.I.T.", "C.U.I.", "R.F.C.",
    "R.F.C. #", "RFC", "NIT #", "RUC #", "RIF #", "RTN", "I.F.E.", "LE Number",
    "Credencial electoral", "Electoral Registry No.",
    "Cartilla de Servicio Militar Nacional", "Driver's License No.",
    "Birth Certificate Number", "SSN", "Residency Number", "VisaNumberID",
    "Italian Fiscal Code", "Tax ID No.", "V.A.T. Number", "US FEIN", "NIE",
    "Immigration No.", "Public Security and Immigration No.",
    "Tazkira National ID Card", "Moroccan Personal ID No.", "N.I.E.",
    "CNP (Personal Numerical Code)", "Romanian Permanent Resident", "Fiscal Code",
    "Romanian Tax Registration", "Numero Unico de Identificacao Tributaria (NUIT)",
    "SRE Permit No.", "Pilot License Number", "Tarjeta Profesional",
    "Seafarer's Identification Document",
    # registrations
    "Registration ID", "Registration Number", "Company Number", "UK Company Number",
    "Business Registration Number", "Business Registration Document #",
    "Commercial Registry Number", "Public Registration Number",
    "Government Gazette Number", "Folio Mercantil No.", "Matricula Mercantil No",
    "Trade License No.", "Chamber of Commerce Number",
    "Dubai Chamber of Commerce Membership No.", "C.R. No.",
    "Certificate of Incorporation Number", "Legal Entity Number", "Enterprise Number",
    "Branch Unit Number", "United Social Credit Code Certificate (USCCC)",
    "Unified Social Credit Code (USCC)", "D-U-N-S Number", "Registered Charity No.",
    "File Number", "License", "BIK (RU)", "SWIFT/BIC", "Chinese Commercial Code",
    "Economic Register Number (CBLS)", "Afghan Money Service Provider License Number",
    "C.I.F.", "Istanbul Chamber of Comm. No.", "Romanian C.R.", "Business Number",
    "RSIN", "MSB Registration Number", "Tourism License No.",
    "Central Registration System Number",
    # contacts
    "Email Address", "Website", "Phone Number", "Telephone No.", "Telephone",
    "Phone No.", "Fax No.", "Fax",
    # vessels and aircraft
    "Vessel Registration Identification", "MMSI", "Other Vessel Call Sign",
    "Other Vessel Flag", "Other Vessel Type", "Former Vessel Flag",
    "Vessel Year of Build", "Nationality of Registration",
    "Aircraft Construction Number (also called L/N or S/N or F/N)",
    "Aircraft Manufacture Date", "Aircraft Model", "Aircraft Operator",
    "Aircraft Manufacturer's Serial Number (MSN)", "Aircraft Tail Number",
    "Previous Aircraft Tail Number", "Aircraft Mode S Transponder Code",
    # person
    "Gender",
}  # fmt: skip
IDENTIFIER_LABELS: tuple[str, ...] = tuple(sorted(_LABELS, key=len, reverse=True))

_ALT = re.compile(r"^alt\.\s+", re.IGNORECASE)
_ALIAS = re.compile(r"^(?P<kind>[afn])\.k\.a\.,?\s+(?P<name>.+)$", re.IGNORECASE)
_DIGITAL_CURRENCY = re.compile(r"^(?P<type>Digital Currency Address - \w+)\s+(?P<value>\S+)$")
_VALIDITY = re.compile(r"\s+(?:issued|expires)\s+.*$", re.IGNORECASE)
_COUNTRY_SUFFIX = re.compile(r"^(?P<value>.*?)\s*\((?P<country>[^()]+)\)$")


@dataclass(frozen=True, slots=True)
class WrittenIdentifier:
    """An identifier as written; the country is resolved by the caller."""

    type: str
    value: str
    country: str | None


@dataclass
class RemarkFacts:
    aliases: list[Alias] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    """As written after ``DOB``; normalised by the caller."""
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    """Nationalities and citizenships, as written."""
    identifiers: list[WrittenIdentifier] = field(default_factory=list)


def read_remarks(text: str) -> RemarkFacts:
    facts = RemarkFacts()
    for statement in statements(text):
        _read_statement(_ALT.sub("", statement), facts)
    return facts


def statements(text: str) -> list[str]:
    body = text.strip().removesuffix(".")
    return [part.strip() for part in body.split("; ") if part.strip()]


def _read_statement(statement: str, facts: RemarkFacts) -> None:
    head, _, rest = statement.partition(" ")
    rest = rest.strip()
    if head == "DOB" and rest:
        facts.birth_dates.append(rest)
    elif head == "POB" and rest:
        facts.birth_places.append(rest)
    elif head in ("nationality", "citizen") and rest:
        facts.nationalities.append(rest)
    elif alias := _ALIAS.match(statement):
        name = alias["name"].strip()
        if len(name) >= 2 and name[0] == name[-1] == "'":
            name = name[1:-1].strip()
        if name:
            kind = f"{alias['kind'].lower()}ka"
            facts.aliases.append(Alias(name=name, strength="weak", kind=kind))
    elif currency := _DIGITAL_CURRENCY.match(statement):
        facts.identifiers.append(WrittenIdentifier(currency["type"], currency["value"], None))
    elif identifier := _identifier(statement):
        facts.identifiers.append(identifier)


def _identifier(statement: str) -> WrittenIdentifier | None:
    for label in IDENTIFIER_LABELS:
        if statement.startswith(label + " "):
            value = _VALIDITY.sub("", statement[len(label) :].strip())
            country = None
            if suffix := _COUNTRY_SUFFIX.match(value):
                value, country = suffix["value"].strip(), suffix["country"].strip()
            return WrittenIdentifier(label, value, country) if value else None
    return None
