"""The catalog: what llmlint knows about SDKs, frameworks, sources and sinks, as data.

The knowledge lives in the TOML files of this package, one per SDK or topic. Users add
entries of the same format in `[tool.llmlint.catalog]` (or in files it `include`s).
Every entry is checked against `llmlint.catalog.schema`: an unknown section or field, or
a value of the wrong type, is a CatalogError that names the file and the entry.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, asdict, dataclass, fields
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

from llmlint.catalog.schema import SECTIONS, ArgRef
from llmlint.config import ConfigError, read_toml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

T = TypeVar("T")
USER_ONLY_KEYS = ("include",)
SOURCE_KINDS = ("untrusted-input", "indirect-content", "secret")
RATE_LIMIT_KINDS = (
    "decorator",
    "dependency",
    "app",
    "middleware",
    "setting",
    "attribute",
    "exempt",
)


class CatalogError(Exception):
    """A catalog file or table that does not follow the schema."""


class PatternIndex(Generic[T]):
    """Finds the entries whose call pattern matches a resolved callee path.

    Globs are bucketed by their last segment (the method name), so a lookup tries only
    the few that can match, however large the catalog grows.
    """

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        self._exact: dict[str, list[T]] = {}
        self._globs: dict[str, list[tuple[re.Pattern[str], T]]] = {}
        for pattern, item in items:
            if "*" in pattern:
                parts = (re.escape(p) for p in pattern.split("*"))
                regex = re.compile("[^()]*".join(parts) + r"\Z")
                last = pattern.rpartition(".")[2]
                self._globs.setdefault("" if "*" in last else last, []).append((regex, item))
            else:
                self._exact.setdefault(pattern, []).append(item)

    def match(self, path: str) -> list[T]:
        found = list(self._exact.get(path, ()))
        last = path.rpartition(".")[2]
        for bucket in (self._globs.get(last, ()), self._globs.get("", ())):
            found.extend(item for regex, item in bucket if regex.match(path))
        return found

    def match_any(self, paths: Iterable[str]) -> list[T]:
        """Entries matching any of `paths`, each once, in catalog order of first match."""
        seen: dict[int, T] = {}
        for path in sorted(paths):
            for item in self.match(path):
                seen.setdefault(id(item), item)
        return list(seen.values())


@dataclass(frozen=True, eq=False)
class Catalog:
    """Entries per section; compared and hashed by identity (one per run)."""

    sections: Mapping[str, tuple[Any, ...]]

    def entries(self, kind: type[T]) -> tuple[T, ...]:
        entries: tuple[T, ...] = self.sections.get(_section_name(kind), ())
        return entries

    def index(self, kind: type[T], attribute: str = "call") -> PatternIndex[T]:
        key = (kind, attribute)
        cache = self._indexes
        if key not in cache:
            cache[key] = PatternIndex(
                (getattr(e, attribute), e) for e in self.entries(kind) if getattr(e, attribute)
            )
        index: PatternIndex[T] = cache[key]
        return index

    @cached_property
    def _indexes(self) -> dict[tuple[type, str], PatternIndex[Any]]:
        return {}

    @cached_property
    def fingerprint(self) -> str:
        canonical = {name: [asdict(e) for e in entries] for name, entries in self.sections.items()}
        encoded = json.dumps(canonical, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]


def _section_name(kind: type) -> str:
    for name, cls in SECTIONS.items():
        if cls is kind:
            return name
    raise KeyError(kind)


_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}


def _describe(value: object) -> str:
    return _TYPE_NAMES.get(type(value), "a " + type(value).__name__)


def _convert(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if set(options) == {str, int, float, bool}:
            if isinstance(value, (str, int, float, bool)):
                return value
            raise CatalogError(
                f"{where}: expected a string, number or boolean, got {_describe(value)}"
            )
        return _convert(value, options[0], where)
    if hint is ArgRef:
        if not isinstance(value, dict):
            raise CatalogError(f'{where}: expected a table like {{ position = 0, keyword = "x" }}')
        ref = _build(ArgRef, value, where)
        if ref.position is None and ref.keyword is None:
            raise CatalogError(f"{where}: needs a position or a keyword")
        return ref
    if origin is tuple and typing.get_args(hint)[0] is ArgRef:
        if not isinstance(value, list):
            raise CatalogError(f"{where}: expected a list of argument tables")
        return tuple(_convert(item, ArgRef, f"{where}[{n}]") for n, item in enumerate(value))
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CatalogError(f"{where}: expected a list of strings, got {_describe(value)}")
        return tuple(value)
    if origin is dict:
        if not isinstance(value, dict):
            raise CatalogError(f"{where}: expected a table, got {_describe(value)}")
        for key, item in value.items():
            _convert(item, typing.get_args(hint)[1], f"{where}.{key}")
        return dict(value)
    expected = hint if isinstance(hint, type) else object
    if (expected is int and isinstance(value, bool)) or not isinstance(value, expected):
        wanted = _TYPE_NAMES.get(expected, expected.__name__)
        raise CatalogError(f"{where}: expected {wanted}, got {_describe(value)}")
    return value


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _build(kind: type[T], raw: Mapping[str, Any], where: str) -> T:
    hints = _hints(kind)  # type: ignore[arg-type]
    known = {f.name.replace("_", "-"): f for f in fields(kind)}  # type: ignore[arg-type]
    for key in raw:
        if key not in known:
            raise CatalogError(f"{where}: unknown field {key!r} (fields: {', '.join(known)})")
    values = {}
    for key, spec in known.items():
        if key in raw:
            values[spec.name] = _convert(raw[key], hints[spec.name], f"{where}.{key}")
        elif spec.default is MISSING and spec.default_factory is MISSING:
            raise CatalogError(f"{where}: missing required field {key!r}")
    entry = kind(**values)
    _check_entry(entry, where)
    return entry


def _check_entry(entry: Any, where: str) -> None:
    for attribute in ("regex",):
        pattern = getattr(entry, attribute, None)
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CatalogError(f"{where}.{attribute}: invalid regex: {exc}") from None
    exclusive = {
        "CredentialSetting": ("attribute", "environment"),
        "Sink": ("call", "method"),
        "Source": ("call", "method", "attribute", "name"),
    }
    fields_ = exclusive.get(type(entry).__name__)
    if fields_ and sum(getattr(entry, f) is not None for f in fields_) != 1:
        names = ", ".join(repr(f) for f in fields_)
        raise CatalogError(f"{where}: give exactly one of {names}")
    kind = getattr(entry, "kind", None)
    if type(entry).__name__ == "Source" and kind not in SOURCE_KINDS:
        raise CatalogError(f"{where}.kind: expected one of {', '.join(SOURCE_KINDS)}")
    if type(entry).__name__ == "RateLimit" and kind not in RATE_LIMIT_KINDS:
        raise CatalogError(f"{where}.kind: expected one of {', '.join(RATE_LIMIT_KINDS)}")
    for attribute in ("receiver", "key_pattern"):
        pattern = getattr(entry, attribute, None)
        if isinstance(pattern, str) and pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CatalogError(f"{where}.{attribute}: invalid regex: {exc}") from None
    rule = getattr(entry, "rule", None)
    if isinstance(rule, str) and not re.fullmatch(r"LLM\d{3}", rule):
        raise CatalogError(f"{where}.rule: {rule!r} is not a rule code")


def parse_sections(
    data: Mapping[str, Any], origin: str, allowed_extra: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """Validate a catalog document (a file, or the user's table) into entries per section."""
    parsed: dict[str, list[Any]] = {}
    extra = set(allowed_extra)
    for name, items in data.items():
        if name in extra:
            continue
        if name not in SECTIONS:
            raise CatalogError(
                f"{origin}: unknown catalog section {name!r} (sections: {', '.join(SECTIONS)})"
            )
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise CatalogError(f"{origin}: {name!r} must be an array of tables ([[{name}]])")
        parsed[name] = [
            _build(SECTIONS[name], item, f"{origin}: {name}[{n}]") for n, item in enumerate(items)
        ]
    return parsed


def _read_toml(path: Path, origin: str) -> dict[str, Any]:
    try:
        return read_toml(path)
    except ConfigError as error:
        raise CatalogError(f"{origin}: catalog include: {error}") from None


def _shipped() -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for item in sorted(resources.files(__package__).iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            data = tomllib.loads(item.read_text(encoding="utf-8"))
            for name, entries in parse_sections(data, f"catalog/{item.name}").items():
                merged.setdefault(name, []).extend(entries)
    return merged


def load_catalog(
    user: Mapping[str, Any] | None = None, base_dir: Path | None = None, origin: str = "config"
) -> Catalog:
    """The shipped catalog extended by a user's `[tool.llmlint.catalog]` table."""
    merged = _shipped()
    user = user or {}
    include = user.get("include", [])
    if not isinstance(include, list) or not all(isinstance(i, str) for i in include):
        raise CatalogError(f"{origin}: [tool.llmlint.catalog] include: expected a list of paths")
    documents = [(dict(user), f"{origin}: [tool.llmlint.catalog]")]
    for name in include:
        path = (base_dir or Path.cwd()) / name
        documents.append((_read_toml(path, origin), str(path)))
    for data, where in documents:
        for name, entries in parse_sections(data, where, USER_ONLY_KEYS).items():
            merged.setdefault(name, []).extend(entries)
    return Catalog({name: tuple(entries) for name, entries in merged.items()})
