"""YAML 1.2 / JSON documents read with line numbers, validated into pydantic models.

Every problem becomes an :class:`~aiexports.errors.InputError` whose issues name the file,
the line and the field (``parties[0].country``), never a traceback.

Hostile input is refused before it costs anything: a document larger than the size limit
is not read past the limit, aliases (``&a``/``*a``, the "billion laughs") are refused, and
nesting deeper than the depth limit stops the parser. Impossible dates (``2025-02-30``)
are errors on their line, and messages quote at most a short excerpt of a bad value.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer, ComposerError, MaxDepthExceededError
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import ScalarNode

from aiexports.errors import InputError, Issue

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class ReadLimits:
    """How much a reader accepts of one document."""

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 100_000
    """Values (mappings, lists, scalars) in one YAML document: the largest bundled
    document has a few thousand."""

    def describe_size(self) -> str:
        return f"{self.max_bytes / (1024 * 1024):g} MB"


DEFAULT_LIMITS = ReadLimits()
MAX_ISSUES = 50
"""The most problems reported for one document (a broken export can have thousands)."""
EXCERPT = 60
"""The most of a bad value an error message quotes."""


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """``repr(value)``, cut to ``limit`` characters (a message never echoes a whole blob)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Document:
    """Parsed YAML/JSON data and where it came from; ``data`` keeps line information."""

    source: str
    data: Any

    def line_of(self, loc: Sequence[int | str]) -> int | None:
        return locate(self.data, loc)[0]


class _SourceKeepingConstructor(RoundTripConstructor):
    """Keeps the text a float was written as (``source_text``): under the YAML 1.2 core
    schema ``eccn: 4E091`` is the number 4e91, and the ECCN field needs the text back.
    Refuses merge keys (``<<:``): a YAML 1.1 feature that makes a key's value come from
    elsewhere in the document, which no document the product reads needs."""

    def flatten_mapping(self, node: Any) -> Any:
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConstructorError(
                    None, None, "merge keys (<<) are not accepted", key_node.start_mark
                )
        return super().flatten_mapping(node)


class _AliasRefusingComposer(Composer):
    """Refuses aliases: no document the product reads needs them, and a few bytes of
    nested aliases expand to billions of nodes. Counts the nodes too: a document of
    hundreds of thousands of keys fits in the size limit but would take minutes to build
    and validate."""

    nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.parser.check_event(AliasEvent):
            event = self.parser.peek_event()
            raise ComposerError(None, None, "aliases (*name) are not accepted", event.start_mark)
        self.nodes += 1
        limit = getattr(self.loader, "max_nodes", None)
        if limit is not None and self.nodes > limit:
            event = self.parser.peek_event()
            raise ComposerError(
                None, None, f"more than {limit:,} values in one document", event.start_mark
            )
        return super().compose_node(parent, index)


def _timestamp(constructor: RoundTripConstructor, node: ScalarNode) -> Any:
    try:
        return RoundTripConstructor.construct_yaml_timestamp(constructor, node)
    except (ValueError, OverflowError) as error:
        raise ConstructorError(
            None, None, f"{excerpt(node.value)} is not a valid date ({error})", node.start_mark
        ) from None


def _float_with_text(constructor: RoundTripConstructor, node: ScalarNode) -> Any:
    value = RoundTripConstructor.construct_yaml_float(constructor, node)
    # A plain float (inf, nan) cannot carry the text; it is no ECCN anyway.
    with contextlib.suppress(AttributeError):
        value.source_text = node.value
    return value


_SourceKeepingConstructor.add_constructor("tag:yaml.org,2002:float", _float_with_text)
_SourceKeepingConstructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _yaml(limits: ReadLimits) -> YAML:
    yaml = YAML(typ="rt")  # round-trip nodes keep line numbers; YAML 1.2 core schema
    yaml.version = (1, 2)
    yaml.allow_duplicate_keys = False
    yaml.max_depth = limits.max_depth
    yaml.max_nodes = limits.max_nodes  # type: ignore[attr-defined]  # read by the composer
    yaml.Constructor = _SourceKeepingConstructor
    yaml.Composer = _AliasRefusingComposer
    return yaml


def parse_text(text: str, source: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Parse YAML 1.2 (JSON is a subset) from ``text``."""
    if len(text) > limits.max_bytes:
        raise InputError(Issue(f"larger than the {limits.describe_size()} limit", source))
    try:
        data = _yaml(limits).load(io.StringIO(text))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "not valid YAML"
        if isinstance(error, MaxDepthExceededError):
            problem = f"nested deeper than {limits.max_depth} levels"
        raise InputError(Issue(f"not valid YAML/JSON: {_short(problem)}", source, line)) from None
    except YAMLError as error:
        raise InputError(Issue(f"not valid YAML/JSON: {_short(str(error))}", source)) from None
    except RecursionError:
        raise InputError(Issue("not valid YAML/JSON: nested too deeply", source)) from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise InputError(Issue(f"not valid YAML/JSON: {_short(str(error))}", source)) from None
    return Document(source, data)


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_bounded(path: Path, source: str, limits: ReadLimits = DEFAULT_LIMITS) -> bytes:
    """At most ``limits.max_bytes`` of a file (``/dev/zero`` included): more is an error,
    found without reading on."""
    try:
        with path.open("rb") as stream:
            data = stream.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise InputError(Issue("file not found", source)) from None
    except IsADirectoryError:
        raise InputError(Issue("is a directory, not a file", source)) from None
    except PermissionError:
        raise InputError(Issue("cannot read: permission denied", source)) from None
    except OSError as error:
        raise InputError(Issue(f"cannot read: {error.strerror or error}", source)) from None
    if len(data) > limits.max_bytes:
        raise InputError(Issue(f"larger than the {limits.describe_size()} limit", source))
    return data


def decode_text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            Issue(f"not UTF-8 text ({error.reason} at byte {error.start})", source)
        ) from None


def read_document(
    path: Path, display: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
) -> Document:
    """Read a YAML or JSON file; unreadable, oversized or malformed files are input
    errors."""
    source = display or str(path)
    text = decode_text(read_bounded(path, source, limits), source)
    if "\x00" in text:
        raise InputError(Issue("binary data, not a YAML or JSON document", source))
    return parse_text(text, source, limits)


def validate_document(
    model: type[ModelT], document: Document, context: Mapping[str, Any] | None = None
) -> ModelT:
    """Validate a document into ``model``; errors carry file, line and field."""
    if not isinstance(document.data, Mapping):
        raise InputError(Issue("expected a mapping of fields at the top level", document.source, 1))
    try:
        return model.model_validate(document.data, context=dict(context or {}))
    except ValidationError as error:
        raise InputError(issues_from(error, document.source, document.data)) from None


def validate_body(
    model: type[ModelT], body: object, context: Mapping[str, Any] | None = None
) -> ModelT:
    """Validate a request body (a JSON value) into ``model``; errors name each field."""
    try:
        return model.model_validate(body, context=dict(context or {}))
    except ValidationError as error:
        raise InputError(issues_from(error, None, body)) from None


def issues_from(
    error: ValidationError, source: str | None, data: Any = None, line: int | None = None
) -> list[Issue]:
    """Turn pydantic's errors into issues, locating each in ``data`` when it has lines;
    past ``MAX_ISSUES``, one more issue says how many were left out."""
    details = error.errors(include_url=False)
    issues: list[Issue] = []
    for detail in details:
        if len(issues) == MAX_ISSUES:
            more = len(details) - MAX_ISSUES
            issues.append(Issue(f"… and up to {more:,} more problems", source, line))
            break
        loc = tuple(detail["loc"])
        if detail["type"] == "too_short" and any(
            len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc
            for other in details
        ):
            continue  # a list left short only because one of its items is invalid
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            discriminator = str(detail.get("ctx", {}).get("discriminator", "")).strip("'")
            loc = (*loc, discriminator)
        missing = detail["type"] in ("missing", "union_tag_not_found")
        found_line, path = locate(data, loc, missing=missing)
        issues.append(
            Issue(
                _message(detail),
                source,
                found_line if found_line is not None else line,
                path or None,
            )
        )
    return issues


def locate(data: Any, loc: Sequence[int | str], missing: bool = False) -> tuple[int | None, str]:
    """The line of ``loc`` in ``data`` and its field path, skipping pydantic's union tags
    (``inline``, ``hardware``…), which name no key of the document."""
    node = data
    line: int | None = _first_line(data)
    path = ""
    for position, key in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(node, Mapping) and key in node:
            if isinstance(node, CommentedMap) and node.lc.data is not None and key in node.lc.data:
                line = node.lc.key(key)[0] + 1
            path = f"{path}.{key}" if path else str(key)
            node = node[key]
        elif isinstance(node, Sequence) and not isinstance(node, str) and isinstance(key, int):
            if 0 <= key < len(node):
                if (
                    isinstance(node, CommentedSeq)
                    and node.lc.data is not None
                    and key in node.lc.data
                ):
                    line = node.lc.item(key)[0] + 1
                node = node[key]
            path = f"{path}[{key}]"
        elif last and missing and isinstance(key, str):
            path = f"{path}.{key}" if path else key
        # otherwise: a union tag or a model-level location; nothing to add
    return line, path


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_path(field: str) -> list[int | str]:
    """``components[0].tpp`` → ``["components", 0, "tpp"]``."""
    return [int(index) if index else name for name, index in _PART.findall(field)]


def _first_line(data: Any) -> int | None:
    if isinstance(data, CommentedMap | CommentedSeq):
        return int(data.lc.line) + 1
    return None


_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
}


def _message(detail: Mapping[str, Any]) -> str:
    kind = detail["type"]
    if kind in _MESSAGES:
        return str(_MESSAGES[kind])
    if kind == "union_tag_invalid":
        context = detail.get("ctx", {})
        expected = re.findall(r"'([^']+)'>", str(context.get("expected_tags", "")))
        allowed = ", ".join(expected) or str(context.get("expected_tags", ""))
        return f"{context.get('tag')!r} is not one of: {allowed}"
    if kind == "union_tag_not_found":
        return "required field is missing"
    message = str(detail["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif message.startswith("Assertion failed, "):
        message = message[len("Assertion failed, ") :]
    received = detail.get("input")
    if kind.startswith(("enum", "literal")) and received is not None:
        message = f"{excerpt(received)} is not allowed: {message[0].lower()}{message[1:]}"
    return _short(message)
