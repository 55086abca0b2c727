"""The GitHub Actions reporter: one workflow command per finding, shown as a PR annotation.

    ::error file=app.py,line=14,col=5,endLine=14,endColumn=15,title=LLM001 name::message

Values are escaped the way the Actions runner unescapes them, so a message or path cannot
end the command early, start another one, or add properties. Other non-printing characters
are shown as escapes: the job log interprets ANSI sequences.
"""

from __future__ import annotations

from typing import TextIO

from llmlint.finding import Finding, Severity
from llmlint.report import ReportOptions, RunReport, find_rule, printable

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def render(run: RunReport, out: TextIO, options: ReportOptions) -> None:
    for finding in run.findings:
        out.write(annotation(run, finding) + "\n")
    for error in run.errors:
        out.write(f"::error::{escape_data(error)}\n")


def annotation(run: RunReport, finding: Finding) -> str:
    loc = finding.location
    rule = find_rule(run, finding.code)
    title = f"{finding.code} {rule.name}" if rule else finding.code
    properties = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in (
            ("file", loc.path),
            ("line", loc.line),
            ("col", loc.column),
            ("endLine", loc.end_line),
            ("endColumn", loc.end_column),
            ("title", title),
        )
    )
    return f"::{LEVELS[finding.severity]} {properties}::{escape_data(finding.message)}"


def escape_data(text: str) -> str:
    """A command's message: `%`, CR and LF percent-encoded (`%` first, so it round-trips)."""
    encoded = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(encoded)


def escape_property(text: str) -> str:
    """A property value: as data, and `:` and `,` too, which would end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
