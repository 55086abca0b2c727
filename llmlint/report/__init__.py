"""Reporters: turn a finished run into text, JSON, SARIF or GitHub annotations.

Every reporter is a function `render(run: RunReport, out: TextIO, options: ReportOptions)`.
Findings arrive sorted and already filtered (suppressions, per-file-ignores applied).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from llmlint.finding import Finding
from llmlint.registry import all_rules
from llmlint.rule import Rule

FORMATS = ("text", "json", "sarif", "github")


@dataclass(frozen=True)
class RunReport:
    """The outcome of one `llmlint check` run, as reporters see it.

    `findings` holds every finding that survived suppression, in deterministic order,
    LLM000 (unparseable file) included. `root` is the project root: finding paths are
    POSIX paths relative to it. `rules` are the rules that were selected for the run.
    """

    findings: tuple[Finding, ...]
    rules: tuple[type[Rule], ...]
    root: Path
    version: str
    files_checked: int = 0
    files_from_cache: int = 0
    suppressed: int = 0
    errors: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ReportOptions:
    statistics: bool = False
    quiet: bool = False
    color: bool | None = None  # None: decide from the terminal and NO_COLOR


Renderer = Callable[[RunReport, TextIO, ReportOptions], None]

# Control (Cc), format (Cf: bidi overrides, zero-width characters), lone surrogates (Cs) and
# line/paragraph separators (Zl, Zp): characters that move the cursor, recolor or reorder a
# terminal's output, or hide text from a reviewer (Trojan Source), rather than print.
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escape_char(char: str) -> str:
    """`char` itself, or a visible Python-style escape (`\\x1b`, `\\u202e`) if it does not print.

    Reporters show text taken from scanned files (source lines, paths, messages quoting
    source); an attacker who controls that text must not control the reader's terminal.
    """
    if unicodedata.category(char) not in _UNPRINTABLE_CATEGORIES:
        return char
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def printable(text: str) -> str:
    """`text` with every non-printing character escaped (see `escape_char`); tabs too."""
    if text.isprintable():
        return text
    return "".join(escape_char(char) for char in text)


def find_rule(run: RunReport, code: str) -> type[Rule] | None:
    """The metadata of the rule that reported `code`: a selected rule, else any known one.

    The engine reports LLM000 whatever the selection, so a finding's rule is not always
    among `run.rules`.
    """
    for rule in run.rules:
        if rule.code == code:
            return rule
    return next((rule for rule in all_rules() if rule.code == code), None)


def get_renderer(fmt: str) -> Renderer:
    if fmt == "text":
        from llmlint.report.text import render
    elif fmt == "json":
        from llmlint.report.json import render
    elif fmt == "sarif":
        from llmlint.report.sarif import render
    elif fmt == "github":
        from llmlint.report.github import render
    else:
        raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return render
