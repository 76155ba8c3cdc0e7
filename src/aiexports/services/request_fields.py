"""What the service reads from a request, checked before anything is written: the
bodies of decisions and shipments, amounts, counts, ids, texts and dates, ``If-Match``,
cursors, JSON merge patches and the type of an uploaded document."""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aiexports.core.application import cents
from aiexports.core.licensing import Decision
from aiexports.errors import (
    InputError,
    Issue,
    PreconditionRequiredError,
    StaleVersionError,
)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


DOCUMENT_TYPES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
"""Accepted supporting documents by their first bytes (never by the file's name)."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None

    def contract(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor}


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        number = text[1:]
        if not text.startswith("s") or not (number.isascii() and number.isdigit()):
            raise ValueError(cursor)
        if len(number) > 18:  # no row number this service gives out is that long
            raise ValueError(cursor)
        return int(number)
    except (ValueError, UnicodeDecodeError):
        error = InputError(Issue("not a cursor this service gave out", field="cursor"))
        error.root = "query"  # type: ignore[attr-defined]
        raise error from None


def require_version(if_match: str | None, current: int) -> int:
    """``current`` when ``If-Match`` names it (RFC 9110 strong comparison: ``"3"``, or a
    list of such); 428 without the header, 412 with the current ETag otherwise (a weak or
    malformed tag, or ``*``, never matches)."""
    if if_match is None:
        raise PreconditionRequiredError("this change needs If-Match with the resource's ETag")
    text = if_match.strip()
    # "*" names no version: two clients sending it would both win, so it never matches.
    if f'"{current}"' in (tag.strip() for tag in text.split(",")):
        return current
    raise StaleVersionError(current)


@dataclass(frozen=True)
class DecisionBody:
    decision: Decision
    reason: str
    conditions: tuple[Mapping[str, str], ...]
    riders: tuple[Mapping[str, str], ...]
    valid_until: dt.date | None


def parse_decision(body: object) -> DecisionBody:
    if not isinstance(body, Mapping):
        raise InputError(Issue("the body is a JSON object", field="body"))
    issues: list[Issue] = []
    try:
        decision = Decision(str(body.get("decision")))
    except ValueError:
        words = ", ".join(d.value for d in Decision)
        issues.append(Issue(f"one of: {words}", field="decision"))
        decision = Decision.DENIED
    reason = clean_text(body.get("reason"), "reason", issues, 4000)
    conditions = entries(body.get("conditions"), ("id", "text"), "conditions", issues)
    ids = [c["id"] for c in conditions]
    repeated = sorted({c for c in ids if ids.count(c) > 1})
    issues.extend(Issue(f"condition {c} appears twice", field="conditions") for c in repeated)
    riders = entries(body.get("riders"), ("text",), "riders", issues)
    until = None
    if body.get("valid_until") is not None:
        until = iso_date(body["valid_until"], "valid_until", issues)
    unknown = set(body) - {"decision", "reason", "conditions", "riders", "valid_until"}
    issues.extend(Issue("unknown field", field=name[:60]) for name in sorted(unknown))
    if issues:
        raise InputError(issues)
    assert reason is not None
    return DecisionBody(decision, reason, conditions, riders, until)


def entries(
    value: object, keys: tuple[str, ...], where: str, issues: list[Issue]
) -> tuple[Mapping[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        issues.append(Issue("a list", field=where))
        return ()
    found = []
    for index, entry in enumerate(value):
        if not isinstance(entry, Mapping) or set(entry) - set(keys):
            issues.append(Issue(f"an object with {', '.join(keys)}", field=f"{where}[{index}]"))
            continue
        for key in keys:
            place = f"{where}[{index}].{key}"
            if key == "id":
                identifier(entry.get(key), place, issues)
            else:
                clean_text(entry.get(key), place, issues, 4000)
        found.append({key: str(entry.get(key)) for key in keys})
    return tuple(found)


@dataclass(frozen=True)
class ShipmentBody:
    date: dt.date
    consignee: str | None
    items: tuple[tuple[str, int, int], ...]


def parse_shipment(body: object) -> ShipmentBody:
    if not isinstance(body, Mapping):
        raise InputError(Issue("the body is a JSON object", field="body"))
    issues: list[Issue] = []
    day = iso_date(body.get("date"), "date", issues) or dt.date.min
    consignee = body.get("consignee")
    if consignee is not None:
        consignee = clean_text(consignee, "consignee", issues, 500)
    raw = body.get("items")
    items: list[tuple[str, int, int]] = []
    if not isinstance(raw, list) or not raw:
        issues.append(Issue("at least one item", field="items"))
        raw = []
    for index, (component, quantity, value) in enumerate(item_amounts(raw, issues)):
        if quantity == 0 and value == 0:
            issues.append(
                Issue("an item ships something: a quantity or a value", field=f"items[{index}]")
            )
        else:
            items.append((component, quantity, value))
    unknown = set(body) - {"date", "consignee", "items"}
    issues.extend(Issue("unknown field", field=name[:60]) for name in sorted(unknown))
    if issues:
        raise InputError(issues)
    return ShipmentBody(day, consignee, tuple(items))


def string_list(body: object, name: str) -> list[str]:
    value = body.get(name) if isinstance(body, Mapping) else None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise InputError(Issue("a non-empty list of condition ids", field=name))
    return list(dict.fromkeys(value))


def merge_patch(target: object, patch: object) -> object:
    """RFC 7396: objects merge, ``null`` removes, anything else replaces."""
    if not isinstance(patch, Mapping):
        return patch
    merged = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def sniff_media_type(content: bytes) -> str:
    """The document's type by its first bytes; plain text is UTF-8 without control
    characters other than whitespace. Anything else is refused."""
    for magic, media_type in DOCUMENT_TYPES:
        if content.startswith(magic):
            return media_type
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and content and all(ch.isprintable() or ch in "\r\n\t\f" for ch in text):
        return "text/plain"
    raise InputError(
        Issue("a supporting document is a PDF, PNG, JPEG or plain text file", field="file")
    )


def well_formed_id(value: str) -> bool:
    """Whether ``value`` could be an id this service gave out (anything else names
    nothing, and is never sent to the database)."""
    return 0 < len(value) <= 40 and value.isascii() and all(c.isalnum() or c == "_" for c in value)


def no_document_list(body: object) -> None:
    if isinstance(body, Mapping) and "documents" in body:
        raise InputError(
            Issue(
                "documents are added by uploading them (POST .../documents), not written",
                field="documents",
            )
        )


MAX_QUANTITY = 10**12


MAX_CENTS = 10**15
"""Ten trillion dollars: past any license (and within every database's integers)."""


def identifier(value: object, field: str, issues: list[Issue], most: int = 100) -> str | None:
    """An id a client names (a component, a condition): 1–``most`` visible characters."""
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= most
        or not all(c.isprintable() and not c.isspace() for c in value)
    ):
        issues.append(Issue(f"an id of 1–{most} visible characters", field=field))
        return None
    return value


def calendar_day(text: str) -> dt.date:
    """A date written YYYY-MM-DD, and only so (``fromisoformat`` also reads week dates
    like 2026-W01-1 and compact ones like 20260101, which no one means by a day)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.replace("-", "").isdigit():
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def clean_text(value: object, field: str, issues: list[Issue], most: int) -> str | None:
    """Text without control characters (line breaks and tabs allowed), 1–``most`` long."""
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > most
        or not all(c.isprintable() or c in "\n\t" for c in value)
    ):
        issues.append(Issue(f"text of 1–{most} characters, no control characters", field=field))
        return None
    return value


def whole_number(value: object, field: str, issues: list[Issue]) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_QUANTITY:
        issues.append(Issue(f"a whole number from 0 to {MAX_QUANTITY:,}", field=field))
        return None
    return value


def amount_cents(value: object, field: str, issues: list[Issue]) -> int | None:
    """Dollars and cents as a JSON number: finite, from 0, at most two decimals."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, int) and not 0 <= value <= MAX_CENTS // 100)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        issues.append(Issue("an amount in dollars, from 0", field=field))
        return None
    amount = Decimal(str(value))
    exponent = amount.as_tuple().exponent
    if amount < 0 or not isinstance(exponent, int) or exponent < -2 or amount * 100 > MAX_CENTS:
        issues.append(Issue("dollars and cents from 0 (at most two decimals)", field=field))
        return None
    return cents(amount)


def iso_date(value: object, field: str, issues: list[Issue]) -> dt.date | None:
    """A date written ``YYYY-MM-DD`` (a JSON string; no number, no other form)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    issues.append(Issue("a date written YYYY-MM-DD", field=field))
    return None


def item_amounts(raw: list[Any], issues: list[Issue]) -> list[tuple[str, int, int]]:
    """Items of a shipment or an amendment: (component, quantity, cents) each, the bad
    ones reported in ``issues`` (and left out)."""
    found = []
    for index, item in enumerate(raw):
        where = f"items[{index}]"
        if not isinstance(item, Mapping) or set(item) - {"component", "quantity", "value_usd"}:
            issues.append(Issue("an object with component, quantity, value_usd", field=where))
            continue
        component = identifier(item.get("component"), f"{where}.component", issues)
        quantity = whole_number(item.get("quantity"), f"{where}.quantity", issues)
        value = amount_cents(item.get("value_usd"), f"{where}.value_usd", issues)
        if component is not None and quantity is not None and value is not None:
            found.append((component, quantity, value))
    return found
