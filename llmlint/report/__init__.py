"""Reporters: turn a finished run into text, JSON, SARIF or GitHub annotations.

Every reporter is a function `render(run: RunReport, out: TextIO, options: ReportOptions)`.
Findings arrive sorted and already filtered (suppressions, per-file-ignores applied).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from llmlint.finding import Finding
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
