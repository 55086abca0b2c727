"""The JSON reporter: a stable, documented schema (docs/json-output.md) for scripts.

Within `schema_version` 1 changes are additive only: keys are never removed, renamed or
retyped, and their order is fixed, so the output diffs cleanly between runs and versions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from typing import Any, TextIO

from llmlint.finding import Finding, FlowStep, Severity
from llmlint.report import ReportOptions, RunReport, find_rule

SCHEMA_VERSION = 1
TOOL_NAME = "llmlint"

# What json.dumps(ensure_ascii=False) leaves raw inside strings but a terminal or editor
# would act on: DEL and C1 controls, format characters (bidi overrides, zero-width), line
# and paragraph separators, and lone surrogates (which cannot even be encoded as UTF-8).
_RAW_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NOT_ASCII = re.compile("[\x7f-\U0010ffff]")


def render(run: RunReport, out: TextIO, options: ReportOptions) -> None:
    out.write(dumps(report_data(run)))


def report_data(run: RunReport) -> dict[str, Any]:
    """The report as JSON-ready data, keys in schema order."""
    counts = Counter(finding.severity for finding in run.findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": run.version},
        "summary": {
            "findings": len(run.findings),
            "by_severity": {severity.value: counts[severity] for severity in Severity},
            "files_checked": run.files_checked,
            "suppressed": run.suppressed,
        },
        "findings": [_finding(run, finding) for finding in run.findings],
        "errors": list(run.errors),
    }


def _finding(run: RunReport, finding: Finding) -> dict[str, Any]:
    rule = find_rule(run, finding.code)
    loc = finding.location
    return {
        "code": finding.code,
        "name": rule.name if rule else None,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "owasp": list(rule.owasp) if rule else [],
        "cwe": list(rule.cwe) if rule else [],
        "source_line": finding.source_line,
        "flow": [_step(step) for step in finding.flow],
        "related": [_step(step) for step in finding.related],
    }


def _step(step: FlowStep) -> dict[str, Any]:
    loc = step.location
    return {
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "message": step.message,
    }


def dumps(data: Any) -> str:
    """Indented UTF-8-friendly JSON plus a newline, with invisible characters `\\u`-escaped.

    The data is unchanged for a JSON reader; only what a human viewing the file would
    not see (or would see reordered) is written as an escape.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if not text.isascii():
        text = _NOT_ASCII.sub(_json_escape, text)
    return text + "\n"


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if unicodedata.category(char) not in _RAW_UNSAFE:
        return char
    point = ord(char)
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000
    return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"
