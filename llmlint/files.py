"""Turns the paths given on the command line into the sorted list of files to check.

Exclude patterns (`exclude`, `extend-exclude`, and the patterns of `per-file-ignores`):

- A pattern without `/` matches any single path component, file or directory:
  `build`, `*_pb2.py`.
- A pattern with `/` is a glob matched against the POSIX path relative to the project
  root: `tests/fixtures/**`, `src/gen/*.py`. `*` and `?` do not cross `/`; `**` as a whole
  segment matches any number of directories. A leading `/` or `./` anchors a pattern at
  the root (`/build` is only the top-level one); a trailing `/` is ignored. Patterns
  with `/` only match paths under the root.
- A path is excluded when it or any of its directories matches. `exclude` replaces
  DEFAULT_EXCLUDES, `extend-exclude` adds to them. Directories containing `pyvenv.cfg`
  (virtualenvs under any name) are skipped as well.

Excludes and `.gitignore` apply to what is found inside folders. Paths named on the
command line are always checked, whatever their extension, unless `force_exclude` is set
and they are excluded (pre-commit passes every staged file name). Traversal never follows
directory symlinks (so loops cannot hang a run) and never opens a file: non-regular files
found in folders are skipped, explicitly named ones are passed on for the engine to report.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from llmlint.gitignore import DirIgnore, GitIgnore, translate_glob

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".llmlint_cache",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)
PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class SourcePath:
    """A file to check: `path` is absolute as found, `rel` the POSIX path shown to users."""

    path: Path
    rel: str
    explicit: bool


@dataclass(frozen=True)
class Discovery:
    files: tuple[SourcePath, ...]
    errors: tuple[str, ...]


class PathPatterns:
    """Exclude-style patterns (see the module docstring), compiled once into two regexes."""

    def __init__(self, patterns: Iterable[str]) -> None:
        names: list[str] = []
        paths: list[str] = []
        for pattern in patterns:
            pattern = pattern.rstrip("/")
            anchored = "/" in pattern
            while pattern.startswith(("./", "/")):
                pattern = pattern[2:] if pattern.startswith("./") else pattern[1:]
            source = translate_glob(pattern) if pattern else None
            if source is not None:
                (paths if anchored else names).append(f"(?:{source})")
        self._names = re.compile("|".join(names), re.DOTALL) if names else None
        self._paths = re.compile("|".join(paths), re.DOTALL) if paths else None

    def match_entry(self, name: str, rel: str | None) -> bool:
        """Whether one path component matches; `rel` is None outside the root."""
        return bool(
            (self._names and self._names.fullmatch(name))
            or (rel is not None and self._paths and self._paths.fullmatch(rel))
        )

    def matches(self, rel: str, under_root: bool = True) -> bool:
        """Whether `rel` or one of its directories matches (only the name outside the root)."""
        if not under_root:
            return self.match_entry(rel.rsplit("/", 1)[-1], None)
        parts = rel.split("/")
        return any(
            self.match_entry(part, "/".join(parts[: index + 1])) for index, part in enumerate(parts)
        )


def discover(
    paths: Sequence[Path],
    *,
    root: Path,
    exclude: Sequence[str],
    extend_exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
) -> Discovery:
    """The files under `paths`, sorted by `rel` and deduplicated on their real path."""
    walker = _Walker(
        root, PathPatterns([*exclude, *extend_exclude]), respect_gitignore, force_exclude
    )
    for path in paths:
        walker.add(path)
    return walker.result()


class _Walker:
    def __init__(
        self, root: Path, patterns: PathPatterns, respect_gitignore: bool, force_exclude: bool
    ) -> None:
        self.root = os.path.abspath(root)
        self.real_root = os.path.realpath(root)
        self.patterns = patterns
        self.gitignore = GitIgnore() if respect_gitignore else None
        self.force_exclude = force_exclude
        self.found: dict[str, SourcePath] = {}
        self.errors: list[str] = []

    def result(self) -> Discovery:
        files = sorted(self.found.values(), key=lambda f: (f.rel, str(f.path)))
        errors = self.errors + (self.gitignore.errors if self.gitignore else [])
        return Discovery(tuple(files), tuple(errors))

    def add(self, given: Path) -> None:
        path = os.path.abspath(given)
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            broken = os.path.islink(path)
            self.errors.append(
                f"path {str(given)!r} {'is a broken symlink' if broken else 'does not exist'}"
            )
            return
        except OSError as error:
            self.errors.append(f"cannot access {str(given)!r}: {error.strerror or error}")
            return
        is_dir = stat.S_ISDIR(mode)
        rel, under_root = self._relative(path, given)
        if self.force_exclude and self._force_excluded(path, rel, under_root, is_dir):
            return
        if is_dir:
            self._walk(path, rel, under_root)
        else:
            self._add(SourcePath(Path(path), rel, True), os.path.realpath(path))

    def _relative(self, path: str, given: Path) -> tuple[str, bool]:
        head, tail = os.path.split(path)
        real = os.path.join(os.path.realpath(head), tail)
        for base, candidate in ((self.root, path), (self.real_root, real)):
            if candidate == base:
                return ".", True
            prefix = base.rstrip(os.sep) + os.sep
            if candidate.startswith(prefix):
                return candidate[len(prefix) :].replace(os.sep, "/"), True
        return Path(os.path.normpath(given)).as_posix(), False

    def _force_excluded(self, path: str, rel: str, under_root: bool, is_dir: bool) -> bool:
        if rel != "." and self.patterns.matches(rel, under_root):
            return True
        if under_root and rel != ".":
            parts = rel.split("/")
            directories = parts if is_dir else parts[:-1]
            for index in range(len(directories)):
                directory = os.path.join(self.root, *directories[: index + 1])
                if os.path.lexists(os.path.join(directory, "pyvenv.cfg")):
                    return True
        return self.gitignore is not None and self.gitignore.is_ignored(path, is_dir)

    def _add(self, source: SourcePath, real: str) -> None:
        """Keeps one path per real file: named on the command line, else not via a symlink."""

        def rank(candidate: SourcePath) -> tuple[bool, bool, str]:
            return (not candidate.explicit, str(candidate.path) != real, candidate.rel)

        current = self.found.get(real)
        if current is None or rank(source) < rank(current):
            self.found[real] = source

    def _walk(self, top: str, top_rel: str, under_root: bool) -> None:
        gitignore = self.gitignore
        stack: list[_Pending] = [
            _Pending(top, top_rel, os.path.realpath(top), gitignore.at(top) if gitignore else None)
        ]
        while stack:
            pending = stack.pop()
            directory, rules = pending.path, pending.rules
            try:
                with os.scandir(directory) as scan:
                    entries = sorted(scan, key=lambda entry: entry.name)
            except OSError as error:
                self.errors.append(
                    f"cannot read directory {pending.rel!r}: {error.strerror or error}"
                )
                continue
            names = {entry.name for entry in entries}
            if not pending.is_top:
                if "pyvenv.cfg" in names:
                    continue
                if gitignore is not None and ".git" in names:
                    rules = gitignore.repo(directory)
                elif gitignore is not None and rules is not None:
                    rules = gitignore.descend(rules, directory, ".gitignore" in names)
            for entry in entries:
                rel = entry.name if pending.rel == "." else f"{pending.rel}/{entry.name}"
                try:
                    self._visit(entry, rel, pending.real, rules, under_root, stack)
                except OSError:
                    continue

    def _visit(
        self,
        entry: os.DirEntry[str],
        rel: str,
        parent_real: str,
        rules: DirIgnore | None,
        under_root: bool,
        stack: list[_Pending],
    ) -> None:
        name = entry.name
        is_dir = entry.is_dir(follow_symlinks=False)
        if not is_dir and not name.endswith(PYTHON_SUFFIXES):
            return
        if self.patterns.match_entry(name, rel if under_root else None):
            return
        if rules is not None and rules.ignored(name, is_dir):
            return
        if is_dir:
            stack.append(_Pending(entry.path, rel, os.path.join(parent_real, name), rules, False))
        elif entry.is_file():
            symlink = entry.is_symlink()
            real = os.path.realpath(entry.path) if symlink else os.path.join(parent_real, name)
            self._add(SourcePath(Path(entry.path), rel, False), real)


@dataclass(frozen=True)
class _Pending:
    """A directory waiting to be listed; `rules` are its own (top) or its parent's."""

    path: str
    rel: str
    real: str
    rules: DirIgnore | None
    is_top: bool = True


def module_name(path: Path, packages: dict[str, tuple[str, ...]] | None = None) -> str:
    """The dotted name Python would import `path` as, following `__init__` files upward.

    `packages` remembers what each folder was found to be across calls: a project's files
    share their folders, and each test for an `__init__` file is a system call.
    """
    directory, filename = os.path.split(os.path.abspath(path))
    stem, suffix = os.path.splitext(filename)
    parts = _package_parts(directory, {} if packages is None else packages)
    if not (stem == "__init__" and suffix in PYTHON_SUFFIXES):
        parts = (*parts, stem)
    return ".".join(parts) or stem


def _package_parts(directory: str, known: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The dotted name of the package `directory` is; empty when it is not one."""
    parts = known.get(directory)
    if parts is None:
        parent = os.path.dirname(directory)
        is_package = parent != directory and (
            os.path.isfile(os.path.join(directory, "__init__.py"))
            or os.path.isfile(os.path.join(directory, "__init__.pyi"))
        )
        parts = (*_package_parts(parent, known), os.path.basename(directory)) if is_package else ()
        known[directory] = parts
    return parts
