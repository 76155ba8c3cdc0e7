"""A small XML tree that remembers the line each element starts on.

List files come from outside: a document type declaration (and with it any entity
expansion) is refused rather than processed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from aiexports.sources.lists.inputs import ListFile
from aiexports.sources.lists.parts import present


@dataclass
class Element:
    tag: str
    line: int
    attributes: dict[str, str]
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def child(self, tag: str) -> Element | None:
        return next((child for child in self.children if child.tag == tag), None)

    def all(self, tag: str) -> list[Element]:
        return [child for child in self.children if child.tag == tag]

    @property
    def value(self) -> str | None:
        """The element's text with runs of blanks (pretty-printing) made one space."""
        return present(" ".join(self.text.split()))

    def text_of(self, tag: str) -> str | None:
        """The :attr:`value` of the first ``tag`` child, None when absent or empty."""
        found = self.child(tag)
        return found.value if found is not None else None

    def values(self, tag: str) -> list[str]:
        """The texts of ``<tag><VALUE>…</VALUE>…</tag>`` (the UN's multi-value fields)."""
        return [
            text
            for holder in self.all(tag)
            for value in holder.all("VALUE")
            if (text := value.value)
        ]


class _RefusedError(Exception):
    pass


def parse_xml(file: ListFile) -> Element:
    parser = expat.ParserCreate()
    stack: list[Element] = []
    texts: list[list[str]] = []
    roots: list[Element] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = Element(tag, parser.CurrentLineNumber, attributes)
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)
        texts.append([])

    def end(tag: str) -> None:
        stack.pop().text = "".join(texts.pop())

    def characters(data: str) -> None:
        if texts:
            texts[-1].append(data)

    def refuse_doctype(*_: object) -> None:
        raise _RefusedError("a document type declaration is not allowed in a list file")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = refuse_doctype
    try:
        parser.Parse(file.data, True)
    except expat.ExpatError as error:
        message = expat.ErrorString(error.code) or "malformed XML"
        raise file.error(f"malformed XML: {message}", error.lineno) from None
    except _RefusedError as refusal:
        raise file.error(str(refusal), parser.CurrentLineNumber) from None
    return roots[0]
