"""Per-file results cached on disk, keyed by content hash, settings and version.

Like ruff's `.ruff_cache`: one JSON file per (llmlint version, settings fingerprint)
maps each project-relative path to the SHA-256 of its bytes and its result. A file
whose bytes, the selected rules, the catalog or llmlint itself changed is analysed
again. JSON, not pickle: a cache directory must never be a way to run code.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llmlint.gcpause import collector_paused
from llmlint.pipeline import FileResult

_COMPACT = (",", ":")
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by llmlint.\n"
)


class ResultCache:
    def __init__(self, directory: Path | None, version: str, fingerprint: str) -> None:
        self.file = directory / version / f"{fingerprint}.json" if directory else None
        self.directory = directory
        # Entries read from the file are dicts; those put by this run are their JSON text.
        self._entries: dict[str, dict[str, Any] | str] = {}
        self._project: dict[str, Any] = {}
        self._dirty = False
        if self.file is not None:
            self._load()

    def _load(self) -> None:
        assert self.file is not None
        try:
            with collector_paused():
                data = json.loads(self.file.read_text(encoding="utf-8"))
            entries, project = data["entries"], data.get("project", {})
            if isinstance(entries, dict) and isinstance(project, dict):
                self._entries, self._project = entries, project
        except (OSError, ValueError, KeyError, TypeError):
            self._entries = {}  # a missing or corrupt cache is an empty one

    def get(self, rel: str, digest: str) -> FileResult | None:
        entry = self._entries.get(rel)
        if isinstance(entry, str):
            entry = json.loads(entry)
        if not isinstance(entry, dict) or entry.get("digest") != digest:
            return None
        try:
            return FileResult.from_dict(entry["result"])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, rel: str, digest: str, result: FileResult, encoded: str | None = None) -> None:
        """Remember `result`; `encoded` is its `to_dict()` as JSON text, when known."""
        if self.file is None or result.errors:
            return  # never cache an internal error: a fixed llmlint must look again
        text = encoded if encoded is not None else json.dumps(result.to_dict(), separators=_COMPACT)
        self._entries[rel] = f'{{"digest":{json.dumps(digest)},"result":{text}}}'
        self._dirty = True

    def get_project(self, key: str) -> dict[str, Any] | None:
        """The project-wide results computed from exactly these files, if cached."""
        if self._project.get("key") != key:
            return None
        data = self._project.get("data")
        return data if isinstance(data, dict) else None

    def put_project(self, key: str, data: dict[str, Any]) -> None:
        if self.file is not None:
            self._project = {"key": key, "data": data}
            self._dirty = True

    def save(self) -> str | None:
        """Write the cache atomically; returns a warning message when that fails."""
        if self.file is None or self.directory is None or not self._dirty:
            return None
        try:
            self._prepare_directory(self.directory)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.writelines(self._json())
                os.replace(temporary, self.file)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:
            return f"could not write the cache in {self.directory}: {exc.strerror or exc}"
        return None

    def _json(self) -> Iterator[str]:
        """The cache as JSON, one entry at a time: the whole of a large project's cache in
        one string would be hundreds of megabytes more at the run's peak."""
        yield '{"entries":{'
        for index, (rel, entry) in enumerate(self._entries.items()):
            comma = "," if index else ""
            text = entry if isinstance(entry, str) else json.dumps(entry, separators=_COMPACT)
            yield f"{comma}{json.dumps(rel)}:{text}"
        yield f'}},"project":{json.dumps(self._project, separators=_COMPACT)}}}'

    @staticmethod
    def _prepare_directory(directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        tag = directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(CACHEDIR_TAG, encoding="utf-8")
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Automatically created by llmlint.\n*\n", encoding="utf-8")
