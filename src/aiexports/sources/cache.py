"""Derived data kept on disk between runs: the parsed bundled menu and built name indexes.

Building them takes longer than a one-shot command should (the name index over every
listed name and alias takes over a second); loading them back takes a few milliseconds.
An entry is named by the digest of everything it is derived from, the installed code
included, so a changed input or a new release never reads an old entry.

The cache is an accelerator, never a source of truth: an entry that is missing, damaged
or of another layout is rebuilt from its inputs, and a folder that cannot be written only
costs the time of building again.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from functools import cached_property
from pathlib import Path

import aiexports

MAGIC = b"aiexports-derived-1\n"
KEEP_PER_KIND = 4
"""Entries of one kind kept (current lists, a rollback, a test run's, ...)."""
_DIGEST_SIZE = hashlib.sha256().digest_size


class DerivedCache:
    """Entries of plain data (what :mod:`marshal` writes: numbers, strings, tuples,
    lists, dicts) in ``folder``, each checked by its sha256 on the way back."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @cached_property
    def code_version(self) -> str:
        """A digest of the installed package, code and bundled data: entries built by
        other code are never read."""
        root = Path(aiexports.__file__).parent
        hasher = hashlib.sha256()
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                hasher.update(path.relative_to(root).as_posix().encode() + b"\0")
                hasher.update(hashlib.sha256(path.read_bytes()).digest())
        return hasher.hexdigest()

    def key(self, *parts: str) -> str:
        """The entry name for the inputs ``parts`` under the installed code."""
        hasher = hashlib.sha256(self.code_version.encode())
        for part in parts:
            hasher.update(f"{len(part)}:{part}".encode())
        return hasher.hexdigest()[:40]

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key}.bin"

    def load(self, kind: str, key: str) -> object | None:
        """The entry, or None when there is none that checks out."""
        try:
            data = self._path(kind, key).read_bytes()
        except OSError:
            return None
        header = len(MAGIC) + _DIGEST_SIZE
        if not data.startswith(MAGIC) or len(data) < header:
            return None
        payload = data[header:]
        if hashlib.sha256(payload).digest() != data[len(MAGIC) : header]:
            return None
        try:
            value: object = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None
        return value

    def store(self, kind: str, key: str, value: object) -> bool:
        """Keep ``value`` (written whole or not at all); False if it could not be."""
        try:
            payload = marshal.dumps(value)  # type: ignore[arg-type]
        except ValueError:  # not plain data: a programming error, but never fatal here
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{kind}-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(MAGIC + hashlib.sha256(payload).digest() + payload)
                os.replace(temporary, self._path(kind, key))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._prune(kind)
        except OSError:
            return False
        return True

    def _prune(self, kind: str) -> None:
        entries = sorted(
            self.folder.glob(f"{kind}-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in entries[KEEP_PER_KIND:]:
            old.unlink(missing_ok=True)
