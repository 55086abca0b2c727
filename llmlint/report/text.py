"""The terminal reporter: ruff-like finding lines, a code frame under each, then a summary.

With cli.py, the only module that imports rich. Whatever comes from a scanned file (paths,
source lines, messages that quote source) is put into rich `Text` objects, never into
markup strings, and its non-printing characters are shown as escapes: a file under review
must not be able to restyle, hide or rewrite the report about it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal, TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from llmlint.finding import Finding, Location, Severity
from llmlint.report import ReportOptions, RunReport, escape_char, find_rule, printable
from llmlint.rule import Rule

TAB_SIZE = 4
# Width of a console that is not a terminal: tables never wrap when piped to a file.
PIPE_WIDTH = 1000
# Width of rendered Markdown forced onto something that is not a terminal.
MARKDOWN_WIDTH = 100

SEVERITY_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.NOTE: "bold cyan",
}
GUTTER_STYLE = "bold blue"


def render(run: RunReport, out: TextIO, options: ReportOptions) -> None:
    console = make_console(out, options.color)
    if options.statistics:
        for line in _statistics(run):
            console.print(line)
        return
    for finding in run.findings:
        for line in _finding_lines(finding):
            console.print(line)
        console.print()
    for error in run.errors:
        console.print(Text.assemble(("error", "bold red"), ": ", printable(error)))
    if not options.quiet:
        console.print(_summary(run), style="bold")


def render_rules_table(rules: Sequence[type[Rule]], out: TextIO, color: bool | None) -> None:
    """`llmlint rules`: one row per rule with its code, name, severity, OWASP and CWE ids."""
    # rich's tables and Markdown are slow to import, and `llmlint check` needs neither.
    from rich import box
    from rich.table import Table

    console = make_console(out, color)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("Code", "Name", "Severity", "OWASP", "CWE"):
        table.add_column(column, no_wrap=True)
    for rule in rules:
        style = SEVERITY_STYLE[rule.severity]
        table.add_row(
            Text(rule.code, style=style),
            Text(rule.name),
            Text(rule.severity.value, style=style),
            Text(", ".join(rule.owasp) or "-"),
            Text(_cwe_list(rule.cwe) or "-"),
        )
    console.print(table)


def render_rule_docs(rule: type[Rule], out: TextIO, color: bool | None) -> None:
    """`llmlint rule CODE`: the rule's docstring, rendered on a terminal, raw Markdown else."""
    document = "\n".join(
        [
            f"# {rule.code}: {rule.name}",
            "",
            f"- Severity: {rule.severity.value}",
            f"- OWASP: {', '.join(rule.owasp) or '-'}",
            f"- CWE: {_cwe_list(rule.cwe) or '-'}",
            "",
            rule.docs.markdown,
            "",
        ]
    )
    if _isatty(out) or color:
        # Links as "text (url)": the references are the point, and not every terminal
        # supports OSC 8 hyperlinks.
        from rich.markdown import Markdown  # slow to import: see render_rules_table

        console = make_console(out, color, width=MARKDOWN_WIDTH)
        console.print(Markdown(document, hyperlinks=False))
    else:
        out.write(document)


def make_console(out: TextIO, color: bool | None, *, width: int = PIPE_WIDTH) -> Console:
    """A console writing to `out`: colored as asked, else only on a terminal without NO_COLOR.

    Every automatic behaviour that could add bytes we did not ask for is off: markup,
    emoji codes, highlighting, Jupyter display, and wrapping (a wrapped `path:line:col`
    cannot be copied). Off a terminal nothing but text is written, whatever the environment
    (FORCE_COLOR, TTY_COMPATIBLE) says.
    """
    tty = _isatty(out)
    # Asked for: colors whatever TERM says. Automatic: on a terminal, as TERM allows.
    color_system: Literal["standard", "auto"] | None = "standard" if color else None
    if color is None:
        color = tty and not os.environ.get("NO_COLOR")
        color_system = "auto" if color else None
    return Console(
        file=out,
        force_terminal=color,
        color_system=color_system,
        no_color=not color,
        width=None if tty else width,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=True,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
    )


def _isatty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


def _finding_lines(finding: Finding) -> Iterable[Text]:
    loc = finding.location
    style = SEVERITY_STYLE[finding.severity]
    yield Text.assemble(
        (printable(loc.path), "bold"),
        f":{loc.line}:{loc.column}: ",
        (printable(finding.code), style),
        " ",
        (f"[{finding.severity.value}]", style),
        " ",
        printable(finding.message),
    )
    gutter = " " * len(str(loc.line))
    frame = list(_code_frame(finding, gutter, style))
    notes = list(_flow_notes(finding))
    yield from frame
    if frame and notes:
        yield Text(f"{gutter} |", style=GUTTER_STYLE)
    for label, arrow, where, message in notes:
        yield Text.assemble((f"{gutter} {label}", GUTTER_STYLE), (arrow, "dim"), where, message)


MAX_FRAME_CHARS = 160  # longer lines (minified or generated code) are shown in part


def _code_frame(finding: Finding, gutter: str, style: str) -> Iterable[Text]:
    """The finding's first line under a line-number gutter, with `^^^` under its columns."""
    line = finding.source_line.rstrip("\r\n")
    if not line.strip():
        return
    loc = finding.location
    first = min(max(loc.column - 1, 0), len(line))
    last = loc.end_column - 1 if loc.end_line == loc.line else len(line)
    last = min(max(last, first), len(line))
    before = after = ""
    if len(line) > MAX_FRAME_CHARS:  # a window around the start of the finding
        start = max(0, min(first - MAX_FRAME_CHARS // 4, len(line) - MAX_FRAME_CHARS))
        end = start + MAX_FRAME_CHARS
        before, after = ("…" if start else ""), ("…" if end < len(line) else "")
        line, first, last = line[start:end], first - start, min(last - start, MAX_FRAME_CHARS)
    shown, starts = expand_line(line)
    width = max(starts[last] - starts[first], 1)
    indent = " " * (starts[first] + len(before))
    yield Text(f"{gutter} |", style=GUTTER_STYLE)
    yield Text.assemble((f"{loc.line} | ", GUTTER_STYLE), before + shown + after)
    yield Text.assemble((f"{gutter} | ", GUTTER_STYLE), indent, ("^" * width, style))


def expand_line(line: str) -> tuple[str, list[int]]:
    """The line as displayed, and the display cell where each of its characters starts.

    Tabs go to the next multiple of TAB_SIZE, non-printing characters become escapes
    several cells wide, East Asian wide characters take two cells: the caret line is
    built from these offsets so it stays under the characters it marks. The list has one
    entry more than the line, for the end of the line.
    """
    pieces: list[str] = []
    starts: list[int] = []
    cell = 0
    for char in line:
        starts.append(cell)
        piece = " " * (TAB_SIZE - cell % TAB_SIZE) if char == "\t" else escape_char(char)
        pieces.append(piece)
        cell += cell_len(piece)
    starts.append(cell)
    return "".join(pieces), starts


def _flow_notes(finding: Finding) -> Iterable[tuple[str, str, str, str]]:
    """(label, arrow, location, message) for each flow step and each other related place."""
    in_flow = {step.location for step in finding.flow}
    related = [step for step in finding.related if step.location not in in_flow]
    rows = [("= flow:    ", "", step) for step in finding.flow[:1]]
    rows += [("        ", "-> ", step) for step in finding.flow[1:]]
    rows += [("= related: ", "", step) for step in related]
    width = max((len(_where(step.location)) for _, _, step in rows), default=0)
    for label, arrow, step in rows:
        yield label, arrow, _where(step.location).ljust(width + 2), printable(step.message)


def _where(loc: Location) -> str:
    return f"{printable(loc.path)}:{loc.line}:{loc.column}"


def _summary(run: RunReport) -> str:
    files = _plural(run.files_checked, "file")
    if run.findings:
        counts = Counter(finding.severity for finding in run.findings)
        by_severity = ", ".join(_plural(counts[severity], severity.value) for severity in Severity)
        text = f"Found {_plural(len(run.findings), 'finding')} ({by_severity}) in {files}."
    else:
        text = f"No findings in {files}."
    if run.suppressed:
        text = f"{text[:-1]}; {run.suppressed} suppressed."
    return text


def _statistics(run: RunReport) -> Iterable[Text]:
    """Like `ruff --statistics`: count, code and rule name, most frequent first."""
    counts = Counter(finding.code for finding in run.findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    count_width = max((len(str(count)) for _, count in rows), default=0)
    code_width = max((len(code) for code, _ in rows), default=0)
    for code, count in rows:
        rule = find_rule(run, code)
        style = SEVERITY_STYLE[rule.severity] if rule else ""
        name = rule.name if rule else ""
        yield Text.assemble(
            str(count).rjust(count_width),
            "  ",
            (printable(code).ljust(code_width), style),
            f"  {name}" if name else "",
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _cwe_list(cwe: Iterable[int]) -> str:
    return ", ".join(f"CWE-{number}" for number in cwe)
