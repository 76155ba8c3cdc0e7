"""List files as read: their bytes, the name they are reported under, and their text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from aiexports.core.screening.snapshot import SourceFile
from aiexports.errors import Issue, ListFormatError
from aiexports.sources.lists.flags import Oddities

_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ListFile:
    """One downloaded file. ``name`` is relative to the folder it was found in (or the bare
    file name), so that origins and provenance do not depend on where the data lives."""

    name: str
    data: bytes

    def source_file(self) -> SourceFile:
        return SourceFile(
            name=self.name, sha256=hashlib.sha256(self.data).hexdigest(), bytes=len(self.data)
        )

    def error(
        self, message: str, line: int | None = None, field: str | None = None
    ) -> ListFormatError:
        return ListFormatError([Issue(message, source=self.name, line=line, field=field)])

    def where(self, line: int) -> str:
        return f"{self.name}:{line}"

    def latin1_text(self) -> str:
        """OFAC's legacy files are ASCII or Latin-1, which any byte decodes as."""
        return self.data.decode("latin-1")

    def utf8_text(self, oddities: Oddities) -> str:
        """UTF-8 (a BOM is allowed); other bytes are read as Latin-1 and flagged once."""
        data = self.data.removeprefix(_UTF8_BOM)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            oddities.note("not_utf8", self.where(line), "bytes that are not UTF-8, read as Latin-1")
            return data.decode("latin-1")
