"""Glob translation and `.gitignore` matching, implemented here so discovery never runs git.

`translate_glob` is shared with `files.py`'s exclude patterns: `*` and `?` do not cross
`/`, `[...]` is a character class (`[!...]` or `[^...]` negates it), a backslash escapes
the next character, and `**` as a whole path segment matches any number of directories
(`**/x`, `a/**/b`, `a/**`). Anywhere else `**` is an ordinary `*`.

`.gitignore` semantics follow gitignore(5): the last matching pattern wins, deeper files
override shallower ones and `.git/info/exclude` is the weakest; a file inside an ignored
directory cannot be re-included. Global excludes (`core.excludesFile`) are not read, so a
run's result does not depend on the machine it runs on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

_FLAGS = re.DOTALL


def translate_glob(pattern: str) -> str | None:
    """A regex source (for `fullmatch`) equivalent to a glob; None if the glob is invalid."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            whole_segment = (i == 0 or pattern[i - 1] == "/") and (j == n or pattern[j] == "/")
            if j - i >= 2 and whole_segment:
                if j == n:
                    out.append(".*")
                else:
                    out.append("(?:.*/)?")
                    j += 1
            else:
                out.append("[^/]*")
            i = j
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = _class_end(pattern, i)
            if end is None:
                out.append(re.escape(char))
                i += 1
            else:
                out.append(_translate_class(pattern[i + 1 : end]))
                i = end + 1
        elif char == "\\":
            if i + 1 == n:
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _class_end(pattern: str, start: int) -> int | None:
    """Index of the `]` closing the class opened at `start`, or None."""
    j = start + 1
    if j < len(pattern) and pattern[j] in "!^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j if j < len(pattern) else None


def _translate_class(body: str) -> str:
    negated = body[:1] in ("!", "^")
    if negated:
        body = body[1:]
    chars: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            i += 1
            char = body[i]
            chars.append("\\" + char if char in "\\]^[-" else char)
        else:
            chars.append("\\" + char if char in "\\]^[" else char)
        i += 1
    # Like git's wildmatch in pathname mode, a class never matches '/'.
    return f"[^/{''.join(chars)}]" if negated else f"(?!/)[{''.join(chars)}]"


@dataclass(frozen=True)
class IgnorePattern:
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    # Unanchored patterns (no '/' but a trailing one) match the basename at any depth.
    basename: bool


def parse_gitignore(text: str) -> tuple[IgnorePattern, ...]:
    patterns: list[IgnorePattern] = []
    for raw in text.split("\n"):
        line = _trim_trailing_spaces(raw.removesuffix("\r"))
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/") if dir_only else line
        if not line:
            continue
        anchored = "/" in line
        source = translate_glob(line.lstrip("/") if anchored else line)
        if source is None:
            continue
        patterns.append(IgnorePattern(re.compile(source, _FLAGS), negated, dir_only, not anchored))
    return tuple(patterns)


def _trim_trailing_spaces(line: str) -> str:
    end = 0
    i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            i += 2
            end = i
            continue
        i += 1
        if line[i - 1] != " ":
            end = i
    return line[:end]


class IgnoreFile:
    """The patterns of one ignore file; `prefix` is its directory relative to the repo root."""

    __slots__ = ("_any_basename", "_any_path", "patterns", "prefix")

    def __init__(self, prefix: str, patterns: tuple[IgnorePattern, ...]) -> None:
        self.prefix = prefix
        self.patterns = patterns
        # One combined regex per kind answers "does anything match?" for most paths.
        self._any_basename = _combine(p for p in patterns if p.basename)
        self._any_path = _combine(p for p in patterns if not p.basename)

    def match(self, rel: str, name: str, is_dir: bool) -> bool | None:
        """True if ignored, False if re-included, None if no pattern matches `rel`."""
        sub = rel[len(self.prefix) :]
        if not (self._any_basename and self._any_basename.fullmatch(name)) and not (
            self._any_path and self._any_path.fullmatch(sub)
        ):
            return None
        for pattern in reversed(self.patterns):
            if pattern.dir_only and not is_dir:
                continue
            if pattern.regex.fullmatch(name if pattern.basename else sub):
                return not pattern.negated
        return None


def _combine(patterns: Iterable[IgnorePattern]) -> re.Pattern[str] | None:
    sources = [f"(?:{p.regex.pattern})" for p in patterns]
    return re.compile("|".join(sources), _FLAGS) if sources else None


@dataclass(frozen=True)
class DirIgnore:
    """The ignore files in effect for the entries of one directory of a work tree."""

    rel: str
    files: tuple[IgnoreFile, ...]

    def ignored(self, name: str, is_dir: bool) -> bool:
        rel = f"{self.rel}/{name}" if self.rel else name
        for ignore_file in reversed(self.files):
            verdict = ignore_file.match(rel, name, is_dir)
            if verdict is not None:
                return verdict
        return False


class GitIgnore:
    """Loads and caches ignore files; paths are absolute, normalized strings.

    Unreadable ignore files are skipped and described in `errors`.
    """

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._files: dict[str, IgnoreFile | None] = {}
        self._dirs: dict[str, DirIgnore | None] = {}
        self._ignored_dirs: dict[str, bool] = {}

    def repo(self, directory: str) -> DirIgnore:
        """Rules for the entries of `directory`, the root of a work tree."""
        files = (
            self._load(os.path.join(_git_dir(directory), "info", "exclude"), ""),
            self._load(os.path.join(directory, ".gitignore"), ""),
        )
        return DirIgnore("", tuple(f for f in files if f is not None))

    def descend(self, parent: DirIgnore, directory: str, has_gitignore: bool = True) -> DirIgnore:
        """Rules for the entries of `directory`, a subdirectory governed by `parent`."""
        name = os.path.basename(directory)
        rel = f"{parent.rel}/{name}" if parent.rel else name
        if not has_gitignore:
            return DirIgnore(rel, parent.files)
        own = self._load(os.path.join(directory, ".gitignore"), rel + "/")
        return DirIgnore(rel, (*parent.files, own) if own else parent.files)

    def at(self, directory: str) -> DirIgnore | None:
        """Rules for the entries of any directory; None outside a git work tree."""
        if directory in self._dirs:
            return self._dirs[directory]
        result: DirIgnore | None = None
        if os.path.lexists(os.path.join(directory, ".git")):
            result = self.repo(directory)
        else:
            parent = os.path.dirname(directory)
            if parent != directory:
                above = self.at(parent)
                result = self.descend(above, directory) if above else None
        self._dirs[directory] = result
        return result

    def is_ignored(self, path: str, is_dir: bool) -> bool:
        """Whether `path` or one of its directories is ignored in its work tree."""
        if is_dir and path in self._ignored_dirs:
            return self._ignored_dirs[path]
        parent = os.path.dirname(path)
        rules = self.at(parent) if parent != path else None
        ignored = rules is not None and (
            (bool(rules.rel) and self.is_ignored(parent, True))
            or rules.ignored(os.path.basename(path), is_dir)
        )
        if is_dir:
            self._ignored_dirs[path] = ignored
        return ignored

    def _load(self, path: str, prefix: str) -> IgnoreFile | None:
        if path in self._files:
            return self._files[path]
        result = None
        # isfile first: a fifo named .gitignore must never be opened.
        if os.path.isfile(path):
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    patterns = parse_gitignore(handle.read())
            except OSError as error:
                self.errors.append(f"cannot read {path!r}: {error.strerror or error}")
            else:
                result = IgnoreFile(prefix, patterns) if patterns else None
        self._files[path] = result
        return result


def _git_dir(work_tree: str) -> str:
    """The directory holding `info/exclude`, following `.git` files of worktrees and submodules."""
    dot_git = os.path.join(work_tree, ".git")
    if not os.path.isfile(dot_git):
        return dot_git
    try:
        with open(dot_git, encoding="utf-8") as handle:
            first = handle.readline().strip()
        if not first.startswith("gitdir:"):
            return dot_git
        git_dir = os.path.normpath(os.path.join(work_tree, first[len("gitdir:") :].strip()))
        common = os.path.join(git_dir, "commondir")
        if os.path.isfile(common):
            with open(common, encoding="utf-8") as handle:
                git_dir = os.path.normpath(os.path.join(git_dir, handle.read().strip()))
        return git_dir
    except (OSError, UnicodeDecodeError):
        return dot_git
