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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import MISSING, dataclass, fields
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from llmlint.catalog.schema import SECTIONS, ArgRef, CredentialSetting, RateLimit, Sink, Source
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


_Key = tuple[str | None, str | None]  # a glob's first and last segment; None: has `*`


@cache
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """`*` matches any run of characters except parentheses; the whole path must match."""
    return re.compile("[^()]*".join(re.escape(p) for p in pattern.split("*")) + r"\Z")


class _Globs(Generic[T]):
    """Globs that may match the same paths, in catalog order; compiled on first use."""

    __slots__ = ("_patterns", "_regexes")

    def __init__(self, patterns: list[tuple[str, T]]) -> None:
        self._patterns = patterns
        self._regexes: list[tuple[re.Pattern[str], T]] | None = None

    def matching(self, path: str) -> Iterator[T]:
        if self._regexes is None:
            self._regexes = [(_glob_regex(p), item) for p, item in self._patterns]
        return (item for regex, item in self._regexes if regex.match(path))


_MAX_KNOWN = 50_000


class _ByMethod(Protocol):
    @property
    def method(self) -> str | None: ...

    @property
    def receiver(self) -> str: ...


M = TypeVar("M", bound=_ByMethod)


def by_method(entries: Iterable[M], method: str, receiver_text: str) -> list[M]:
    """The entries given by `method` with `receiver` (a regex over the receiver's last
    name), for calls on objects whose type is unknown: `cursor.execute(...)`."""
    name = receiver_text.rsplit(".", 1)[-1]
    return [e for e in entries if e.method == method and re.search(e.receiver, name)]


class PatternIndex(Generic[T]):
    """Finds the entries whose call pattern matches a resolved callee path.

    Globs are bucketed by their first segment (the package) and their last (the method
    name), where these have no `*`, so a lookup tries only the few that can match, however
    large the catalog grows. A bucket's regexes are compiled on its first lookup: a run
    compiles only those of the names that its files call.
    """

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        self._exact: dict[str, list[T]] = {}
        grouped: dict[_Key, list[tuple[int, str, T]]] = {}
        for order, (pattern, item) in enumerate(items):
            if "*" in pattern:
                first, last = pattern.partition(".")[0], pattern.rpartition(".")[2]
                key = (None if "*" in first else first, None if "*" in last else last)
                grouped.setdefault(key, []).append((order, pattern, item))
            else:
                self._exact.setdefault(pattern, []).append(item)
        # A package's bucket also holds the globs of any package with the same last
        # segment, in catalog order: a path then tries one bucket per kind of last segment.
        self._globs: dict[_Key, _Globs[T]] = {}
        for (package, method), globs in grouped.items():
            if package is not None:
                globs = sorted(globs + grouped.get((None, method), []), key=lambda g: g[0])
            self._globs[package, method] = _Globs([(pattern, item) for _, pattern, item in globs])
        # The same few thousand paths are looked up again and again (every call of
        # `str.join` in every file); the catalog never changes during a run.
        self._known: dict[str, tuple[T, ...]] = {}
        self._known_sets: dict[frozenset[str], tuple[T, ...]] = {}

    def match(self, path: str) -> list[T]:
        return list(self._matching(path))

    def _matching(self, path: str) -> tuple[T, ...]:
        known = self._known.get(path)
        if known is not None:
            return known
        found = list(self._exact.get(path, ()))
        if self._globs:
            first, last = path.partition(".")[0], path.rpartition(".")[2]
            for tail in (last, None):
                globs = self._globs.get((first, tail)) or self._globs.get((None, tail))
                if globs:
                    found.extend(globs.matching(path))
        if len(self._known) >= _MAX_KNOWN:
            self._known.clear()  # bounds a worker's memory on a huge project
        known = self._known[path] = tuple(found)
        return known

    def match_any(self, paths: Iterable[str]) -> list[T]:
        """Entries matching any of `paths`, each once, in catalog order of first match."""
        if isinstance(paths, frozenset):  # the module model's cached path sets recur
            known = self._known_sets.get(paths)
            if known is None:
                if len(self._known_sets) >= _MAX_KNOWN:
                    self._known_sets.clear()
                known = self._known_sets[paths] = self._match_all(paths)
            return list(known)
        return list(self._match_all(paths))

    def _match_all(self, paths: Iterable[str]) -> tuple[T, ...]:
        seen: dict[int, T] = {}
        for path in sorted(paths):
            for item in self._matching(path):
                seen.setdefault(id(item), item)
        return tuple(seen.values())


@dataclass(frozen=True, eq=False)
class Catalog:
    """Entries per section; compared and hashed by identity (one per run)."""

    sections: Mapping[str, tuple[Any, ...]]

    def entries(self, kind: type[T]) -> tuple[T, ...]:
        entries: tuple[T, ...] = self.sections.get(_SECTION_NAMES[kind], ())
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
        encoded = json.dumps(self.sections, sort_keys=True, default=_fields_of).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]


def _fields_of(value: object) -> object:
    """For the fingerprint: an entry's or ArgRef's fields, as `asdict` gives them but
    without its deep copy (json encodes the values themselves)."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        return str(value)
    return {name: getattr(value, name) for name in names}


_FIELD_NAMES = {
    kind: tuple(spec.name for spec in fields(kind)) for kind in (*SECTIONS.values(), ArgRef)
}
_SECTION_NAMES = {kind: name for name, kind in SECTIONS.items()}


_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
_RULE_CODE = re.compile(r"LLM\d{3}")
# Sections whose entries give exactly one of these fields.
_EXCLUSIVE: dict[type, tuple[str, ...]] = {
    CredentialSetting: ("attribute", "environment"),
    Sink: ("call", "method"),
    Source: ("call", "method", "attribute", "name"),
}
_ALLOWED_KINDS: dict[type, tuple[str, ...]] = {Source: SOURCE_KINDS, RateLimit: RATE_LIMIT_KINDS}

# Checks a TOML value and returns the field's value; `where` names it in errors.
Converter = Callable[[Any, str], Any]


def _describe(value: object) -> str:
    return _TYPE_NAMES.get(type(value), "a " + type(value).__name__)


def _scalar(value: Any, where: str) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    raise CatalogError(f"{where}: expected a string, number or boolean, got {_describe(value)}")


def _arg_ref(value: Any, where: str) -> ArgRef:
    if not isinstance(value, dict):
        raise CatalogError(f'{where}: expected a table like {{ position = 0, keyword = "x" }}')
    ref: ArgRef = _build(ArgRef, value, where)
    if ref.position is None and ref.keyword is None:
        raise CatalogError(f"{where}: needs a position or a keyword")
    return ref


def _arg_refs(value: Any, where: str) -> tuple[ArgRef, ...]:
    if not isinstance(value, list):
        raise CatalogError(f"{where}: expected a list of argument tables")
    return tuple(_arg_ref(item, f"{where}[{n}]") for n, item in enumerate(value))


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(f"{where}: expected a list of strings, got {_describe(value)}")
    return tuple(value)


def _table(convert: Converter) -> Converter:
    def table(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise CatalogError(f"{where}: expected a table, got {_describe(value)}")
        for key, item in value.items():
            convert(item, f"{where}.{key}")
        return dict(value)

    return table


def _plain(expected: type) -> Converter:
    def plain(value: Any, where: str) -> Any:
        if (expected is int and isinstance(value, bool)) or not isinstance(value, expected):
            wanted = _TYPE_NAMES.get(expected, expected.__name__)
            raise CatalogError(f"{where}: expected {wanted}, got {_describe(value)}")
        return value

    return plain


def _converter(hint: Any) -> Converter:
    """The converter of a field's type, worked out once per field rather than per value."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if set(options) == {str, int, float, bool}:
            return _scalar
        return _converter(options[0])
    if hint is ArgRef:
        return _arg_ref
    if origin is tuple:
        return _arg_refs if typing.get_args(hint)[0] is ArgRef else _strings
    if origin is dict:
        return _table(_converter(typing.get_args(hint)[1]))
    return _plain(hint if isinstance(hint, type) else object)


@cache
def _schema(kind: type) -> dict[str, tuple[str, Converter, bool]]:
    """A section's TOML keys: each with its field name, converter and whether it is required."""
    hints = typing.get_type_hints(kind)
    return {
        spec.name.replace("_", "-"): (
            spec.name,
            _converter(hints[spec.name]),
            spec.default is MISSING and spec.default_factory is MISSING,
        )
        for spec in fields(kind)
    }


def _build(kind: type, raw: Mapping[str, Any], where: str) -> Any:
    known = _schema(kind)
    for key in raw:
        if key not in known:
            raise CatalogError(f"{where}: unknown field {key!r} (fields: {', '.join(known)})")
    values = {}
    for key, (name, convert, required) in known.items():
        if key in raw:
            values[name] = convert(raw[key], f"{where}.{key}")
        elif required:
            raise CatalogError(f"{where}: missing required field {key!r}")
    return kind(**values)


def _entry(kind: type, raw: Mapping[str, Any], where: str) -> Any:
    entry = _build(kind, raw, where)
    _check_entry(entry, where)
    return entry


def _check_regex(entry: Any, attribute: str, where: str) -> None:
    pattern = getattr(entry, attribute, None)
    if isinstance(pattern, str) and pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CatalogError(f"{where}.{attribute}: invalid regex: {exc}") from None


def _regex_fields(section: type) -> tuple[str, ...]:
    fields_ = _REGEX_FIELDS.get(section)
    if fields_ is None:
        fields_ = _REGEX_FIELDS[section] = tuple(
            f.name for f in fields(section) if f.metadata.get("regex")
        )
    return fields_


_REGEX_FIELDS: dict[type, tuple[str, ...]] = {}


def _check_entry(entry: Any, where: str) -> None:
    section = type(entry)
    for attribute in _regex_fields(section):
        _check_regex(entry, attribute, where)
    exclusive = _EXCLUSIVE.get(section)
    if exclusive and sum(getattr(entry, f) is not None for f in exclusive) != 1:
        names = ", ".join(repr(f) for f in exclusive)
        raise CatalogError(f"{where}: give exactly one of {names}")
    allowed = _ALLOWED_KINDS.get(section)
    if allowed and entry.kind not in allowed:
        raise CatalogError(f"{where}.kind: expected one of {', '.join(allowed)}")
    rule = getattr(entry, "rule", None)
    if isinstance(rule, str) and not _RULE_CODE.fullmatch(rule):
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
            _entry(SECTIONS[name], item, f"{origin}: {name}[{n}]") for n, item in enumerate(items)
        ]
    return parsed


def _read_toml(path: Path, origin: str) -> dict[str, Any]:
    try:
        return read_toml(path)
    except ConfigError as error:
        raise CatalogError(f"{origin}: catalog include: {error}") from None


@cache
def _shipped() -> dict[str, tuple[Any, ...]]:
    """The shipped files' entries, validated once per process (they are immutable)."""
    merged: dict[str, list[Any]] = {}
    for item in sorted(resources.files(__package__).iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            data = tomllib.loads(item.read_text(encoding="utf-8"))
            for name, entries in parse_sections(data, f"catalog/{item.name}").items():
                merged.setdefault(name, []).extend(entries)
    return {name: tuple(entries) for name, entries in merged.items()}


def load_catalog(
    user: Mapping[str, Any] | None = None, base_dir: Path | None = None, origin: str = "config"
) -> Catalog:
    """The shipped catalog extended by a user's `[tool.llmlint.catalog]` table."""
    merged = {name: list(entries) for name, entries in _shipped().items()}
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
