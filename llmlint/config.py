"""Configuration: `[tool.llmlint]` in pyproject.toml or top-level keys in llmlint.toml.

Loading is strict: an unknown key or a value of the wrong type is an error naming the
file and the key, because a silently ignored setting (a misspelt `ignore`, say) changes
what a security linter reports without anyone noticing. Rule codes are not checked
against the registry here; `registry.select_rules` does that with the recorded origin.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmlint.files import DEFAULT_EXCLUDES

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

CONFIG_FILE = "llmlint.toml"
PYPROJECT = "pyproject.toml"
CACHE_DIR_ENV = "LLMLINT_CACHE_DIR"
DEFAULT_CACHE_DIR = ".llmlint_cache"
LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")
KNOWN_KEYS = (*LIST_KEYS, "per-file-ignores", "respect-gitignore", "cache-dir", "catalog")


class ConfigError(Exception):
    """A configuration file that cannot be read, parsed or understood."""


@dataclass(frozen=True)
class Config:
    """One configuration file's settings; None and empty mean "not set"."""

    path: Path | None
    root: Path
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    respect_gitignore: bool = True
    cache_dir: Path | None = None
    # Validated by the catalog loader; its relative paths are relative to `catalog_dir`.
    catalog: dict[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def default(cls, root: Path) -> Config:
        return cls(path=None, root=Path(os.path.abspath(root)))

    @property
    def catalog_dir(self) -> Path:
        return self.root


@dataclass(frozen=True)
class CliOverrides:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    force_exclude: bool = False
    no_cache: bool = False
    jobs: int | None = None


@dataclass(frozen=True)
class Settings:
    """The effective settings of a run: the config file's, overridden by the CLI's.

    `*_origin` name where selectors came from ("/p/pyproject.toml", "--select",
    "/p/pyproject.toml, --ignore" or "default"), for error messages;
    `selector_origins` pairs each selector with its own origin.
    """

    root: Path
    config_path: Path | None
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    extend_select: tuple[str, ...]
    select_origin: str
    ignore_origin: str
    extend_select_origin: str
    selector_origins: tuple[tuple[str, str], ...]
    exclude: tuple[str, ...]
    extend_exclude: tuple[str, ...]
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...]
    respect_gitignore: bool
    force_exclude: bool
    cache_dir: Path | None
    jobs: int | None
    catalog_dir: Path
    catalog: dict[str, Any] = field(hash=False)


def find_config(start: Path) -> Path | None:
    """The nearest llmlint.toml, or pyproject.toml with a [tool.llmlint] table, upward."""
    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    for candidate in (directory, *directory.parents):
        own = candidate / CONFIG_FILE
        if own.is_file():
            return own
        pyproject = candidate / PYPROJECT
        if pyproject.is_file():
            tool = read_toml(pyproject).get("tool")
            if isinstance(tool, dict) and "llmlint" in tool:
                return pyproject
    return None


def load_config(path: Path) -> Config:
    """Reads and strictly validates one configuration file."""
    path = Path(os.path.abspath(path))
    data = read_toml(path)
    section = ""
    if path.name == PYPROJECT:
        section = "[tool.llmlint]"
        tool = data.get("tool", {})
        data = tool.get("llmlint", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.llmlint] must be a table, got {_kind(data)}")
    return _Parser(path, section).parse(data)


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's contents, or a ConfigError naming the file and what is wrong."""
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({error.reason})") from error


class _Parser:
    def __init__(self, path: Path, section: str) -> None:
        self.path = path
        self.section = section

    def error(self, message: str) -> ConfigError:
        where = f"{self.section} " if self.section else ""
        return ConfigError(f"{self.path}: {where}{message}")

    def parse(self, data: dict[str, Any]) -> Config:
        for key in data:
            if key not in KNOWN_KEYS:
                import difflib  # only for this error message

                close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                where = f" in {self.section}" if self.section else ""
                raise ConfigError(f"{self.path}: unknown key {key!r}{where}{hint}")
        lists = {key: self.strings(key, data[key]) for key in LIST_KEYS if key in data}
        codes = {key: tuple(code.upper() for code in lists.get(key, ())) for key in LIST_KEYS}
        respect = data.get("respect-gitignore", True)
        if not isinstance(respect, bool):
            raise self.error(f"respect-gitignore: expected a boolean, got {_kind(respect)}")
        catalog = data.get("catalog", {})
        if not isinstance(catalog, dict):
            raise self.error(f"catalog: expected a table, got {_kind(catalog)}")
        root = self.path.parent
        return Config(
            path=self.path,
            root=root,
            select=codes["select"] if "select" in data else None,
            ignore=codes["ignore"],
            extend_select=codes["extend-select"],
            exclude=lists["exclude"] if "exclude" in data else None,
            extend_exclude=lists.get("extend-exclude", ()),
            per_file_ignores=self.per_file_ignores(data.get("per-file-ignores", {})),
            respect_gitignore=respect,
            cache_dir=self.cache_dir(data["cache-dir"], root) if "cache-dir" in data else None,
            catalog=catalog,
        )

    def strings(self, key: str, value: object) -> tuple[str, ...]:
        expected = "expected a list of strings"
        if not isinstance(value, list):
            raise self.error(f"{key}: {expected}, got {_kind(value)}")
        for item in value:
            if not isinstance(item, str):
                raise self.error(f"{key}: {expected}, got a list containing {_kind(item)}")
            if not item.strip():
                raise self.error(f"{key}: {expected}, got a list containing an empty string")
        return tuple(item.strip() for item in value)

    def per_file_ignores(self, value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if not isinstance(value, dict):
            raise self.error(f"per-file-ignores: expected a table, got {_kind(value)}")
        return tuple(
            (pattern, tuple(c.upper() for c in self.strings(_dotted(pattern), codes)))
            for pattern, codes in value.items()
        )

    def cache_dir(self, value: object, root: Path) -> Path:
        if not isinstance(value, str) or not value.strip():
            got = "an empty string" if isinstance(value, str) else _kind(value)
            raise self.error(f"cache-dir: expected a non-empty string, got {got}")
        return root / Path(value).expanduser()


def _dotted(pattern: str) -> str:
    return f"per-file-ignores.{json.dumps(pattern, ensure_ascii=False)}"


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


def resolve_settings(
    config: Config, overrides: CliOverrides, environ: Mapping[str, str] | None = None
) -> Settings:
    """Merges the config with the CLI.

    `--select` replaces the config's `select` and, since that extends the replaced
    selection, its `extend-select`; `--ignore` and `--extend-select` add to the config's.
    """
    environ = os.environ if environ is None else environ
    source = str(config.path) if config.path else "default"
    cli_extend = ("--extend-select", _normalize(overrides.extend_select))
    if overrides.select is not None:
        select = [("--select", _normalize(overrides.select))]
        extend = [cli_extend]
    else:
        select = [(source, config.select) if config.select is not None else ("default", ("ALL",))]
        extend = [(source, config.extend_select), cli_extend]
    ignore = [(source, config.ignore), ("--ignore", _normalize(overrides.ignore))]
    (select_codes, select_origin), (ignore_codes, ignore_origin), (extend_codes, extend_origin) = (
        _merge(group) for group in (select, ignore, extend)
    )
    return Settings(
        root=config.root,
        config_path=config.path,
        select=select_codes,
        ignore=ignore_codes,
        extend_select=extend_codes,
        select_origin=select_origin,
        ignore_origin=ignore_origin,
        extend_select_origin=extend_origin,
        selector_origins=tuple(
            (code, origin) for origin, codes in (*select, *ignore, *extend) for code in codes
        ),
        exclude=config.exclude if config.exclude is not None else DEFAULT_EXCLUDES,
        extend_exclude=config.extend_exclude,
        per_file_ignores=config.per_file_ignores,
        respect_gitignore=config.respect_gitignore,
        force_exclude=overrides.force_exclude,
        cache_dir=None if overrides.no_cache else _cache_dir(config, environ),
        jobs=overrides.jobs,
        catalog_dir=config.catalog_dir,
        catalog=config.catalog,
    )


def _merge(group: list[tuple[str, tuple[str, ...]]]) -> tuple[tuple[str, ...], str]:
    """The codes of (origin, codes) pairs, and the origins that contributed any."""
    codes = tuple(code for _, part in group for code in part)
    origins = [origin for origin, part in group if part] or [group[0][0]]
    return codes, ", ".join(origins)


def _normalize(codes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in codes if code.strip())


def _cache_dir(config: Config, environ: Mapping[str, str]) -> Path:
    from_env = environ.get(CACHE_DIR_ENV, "").strip()
    if from_env:
        return Path(os.path.abspath(os.path.expanduser(from_env)))
    return config.cache_dir or config.root / DEFAULT_CACHE_DIR
