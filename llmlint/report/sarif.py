"""The SARIF 2.1.0 reporter, written for GitHub code scanning and checked by its validator.

The log is built from sarif-om objects and serialized by `to_json_data` below (sarif-om has
no serializer). Output is a pure function of the run: no timestamps, GUIDs or absolute
paths other than `%SRCROOT%`, so the same run gives the same bytes.

Choices the standard leaves open:
- Files that could not be parsed (LLM000) are tool execution notifications, not results:
  they are not flaws of the code, and results would raise alerts.
- Every result carries its `level` even when it equals SARIF's default, since an absent
  level means "the rule's default level", not "warning".
- `partialFingerprints["llmlint/v1"]` hashes the rule, the path and the whitespace-
  normalized text of the finding's line, plus the occurrence number of that triple in
  the file, and not the line number: an alert survives code moving above it.
- A finding's `related` places (the source of the data) become relatedLocations 1..n and
  are linked from the message (`See [source](1).`), the only way GitHub shows them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

import attr
import sarif_om as om

from llmlint.finding import Finding, FlowStep
from llmlint.finding import Location as SourceLocation
from llmlint.report import ReportOptions, RunReport, find_rule, printable
from llmlint.report.json import dumps
from llmlint.rule import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "llmlint"
INFORMATION_URI = "https://github.com/llmlint/llmlint"
HELP_URI = "https://github.com/llmlint/llmlint/blob/main/docs/rules/{code}.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "llmlint/v1"
# The engine's own rule: a file it could not read or parse.
ENGINE_RULE = "LLM000"

# Keys written first, in this order; the others follow in sarif-om's order.
_LEADING_KEYS = ("$schema", "id", "name", "version", "ruleId", "ruleIndex", "level", "message")
# Written even when equal to sarif-om's default (see the module docstring).
_ALWAYS_WRITTEN = frozenset({"level"})
# Something a viewer could take for an embedded link: `[text](target)`.
_LINK_LIKE = re.compile(r"\[[^\]]*\]\(")


def render(run: RunReport, out: TextIO, options: ReportOptions) -> None:
    out.write(dumps(to_json_data(sarif_log(run))))


def sarif_log(run: RunReport) -> Any:
    """The whole log as sarif-om objects."""
    rules = driver_rules(run)
    index = {rule.code: position for position, rule in enumerate(rules)}
    fingerprints = _fingerprints(run.findings)
    results = []
    notifications = []
    for finding, fingerprint in zip(run.findings, fingerprints, strict=True):
        if finding.code == ENGINE_RULE:
            notifications.append(_notification(finding, index))
        else:
            results.append(_result(finding, index, fingerprint))
    notifications += [
        om.Notification(message=om.Message(text=_message_text(error)), level="error")
        for error in run.errors
    ]
    driver = om.ToolComponent(
        name=TOOL_NAME,
        version=run.version,
        semantic_version=run.version,
        information_uri=INFORMATION_URI,
        rules=[_descriptor(rule) for rule in rules],
    )
    sarif_run = om.Run(
        tool=om.Tool(driver=driver),
        column_kind="unicodeCodePoints",
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=root_uri(run.root))},
        invocations=[
            om.Invocation(
                execution_successful=True,
                tool_execution_notifications=notifications or None,
            )
        ],
        results=results,
    )
    return om.SarifLog(runs=[sarif_run], version=SARIF_VERSION, schema_uri=SCHEMA_URI)


def driver_rules(run: RunReport) -> list[type[Rule]]:
    """The selected rules, plus any rule that reported without being selected, by code."""
    rules = {rule.code: rule for rule in run.rules}
    for finding in run.findings:
        if finding.code not in rules and (rule := find_rule(run, finding.code)) is not None:
            rules[finding.code] = rule
    return [rules[code] for code in sorted(rules)]


def _descriptor(rule: type[Rule]) -> Any:
    docs = rule.docs
    return om.ReportingDescriptor(
        id=rule.code,
        name=rule.pascal_name(),
        short_description=om.MultiformatMessageString(text=docs.summary),
        full_description=om.MultiformatMessageString(text=docs.description),
        help=om.MultiformatMessageString(text=docs.plain_text, markdown=docs.markdown),
        help_uri=HELP_URI.format(code=rule.code),
        default_configuration=om.ReportingConfiguration(level=rule.severity.value),
        properties={
            "tags": rule_tags(rule),
            "precision": rule.precision,
            "security-severity": f"{rule.security_severity:.1f}",
        },
    )


def rule_tags(rule: type[Rule]) -> list[str]:
    """`security`, then OWASP ids as `owasp-llm01:2025`, then CWEs the way GitHub reads them."""
    owasp = [f"owasp-{owasp_id.lower()}" for owasp_id in rule.owasp]
    cwe = [f"external/cwe/cwe-{number}" for number in rule.cwe]
    return ["security", *owasp, *cwe]


def _result(finding: Finding, index: dict[str, int], fingerprint: str) -> Any:
    text = _message_text(finding.message)
    if finding.related:
        text = f"{text} See {_source_links(len(finding.related))}."
    return om.Result(
        message=om.Message(text=text),
        rule_id=finding.code,
        rule_index=index.get(finding.code, -1),
        level=finding.severity.value,
        locations=[om.Location(physical_location=_physical(finding.location, finding))],
        partial_fingerprints={FINGERPRINT_KEY: fingerprint},
        code_flows=[_code_flow(finding.flow)] if finding.flow else None,
        related_locations=[
            _location(step, location_id=number)
            for number, step in enumerate(finding.related, start=1)
        ]
        or None,
    )


def _source_links(count: int) -> str:
    if count == 1:
        return "[source](1)"
    return ", ".join(f"[source {number}]({number})" for number in range(1, count + 1))


def _code_flow(steps: Sequence[FlowStep]) -> Any:
    return om.CodeFlow(
        thread_flows=[
            om.ThreadFlow(locations=[om.ThreadFlowLocation(location=_location(s)) for s in steps])
        ]
    )


def _location(step: FlowStep, location_id: int = -1) -> Any:
    return om.Location(
        id=location_id,
        physical_location=_physical(step.location),
        message=om.Message(text=_message_text(step.message)),
    )


def _notification(finding: Finding, index: dict[str, int]) -> Any:
    return om.Notification(
        message=om.Message(text=_message_text(finding.message)),
        level="error",
        locations=[om.Location(physical_location=_physical(finding.location))],
        associated_rule=om.ReportingDescriptorReference(
            id=finding.code, index=index.get(finding.code, -1)
        ),
    )


def _physical(loc: SourceLocation, finding: Finding | None = None) -> Any:
    """The file relative to %SRCROOT%, and the full region (clamped to a valid one)."""
    line = max(loc.line, 1)
    column = max(loc.column, 1)
    end_line = max(loc.end_line, line)
    end_column = max(loc.end_column, column) if end_line == line else max(loc.end_column, 1)
    snippet = None
    if finding is not None and end_line == line:
        source = finding.source_line.rstrip("\r\n")
        if end_column - 1 <= len(source) and end_column > column:
            snippet = om.ArtifactContent(text=source[column - 1 : end_column - 1])
    return om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=path_uri(loc.path), uri_base_id=SRCROOT),
        region=om.Region(
            start_line=line,
            start_column=column,
            end_line=end_line,
            end_column=end_column,
            snippet=snippet,
        ),
    )


def path_uri(path: str) -> str:
    """A relative POSIX path as an RFC 3986 relative reference (spaces, `%`, `#`, `:`...)."""
    return quote(path, safe="/", errors="surrogateescape")


def root_uri(root: Path) -> str:
    """The `file:` URI of the project root, with the trailing slash SARIF requires."""
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _message_text(text: str) -> str:
    """A plain-text SARIF message: one or more sentences, with no accidental links.

    Messages quote source code. Characters that do not print (bidi overrides can reorder
    what a reviewer reads) are shown as escapes, and where a quote could read as an
    embedded link, brackets and backslashes are escaped as SARIF 3.11.6 prescribes.
    """
    text = printable(" ".join(text.split()))
    if _LINK_LIKE.search(text):
        text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return _sentence(text)


def _sentence(text: str) -> str:
    text = " ".join(text.split()) or "No details"
    return text if text.endswith(".") else text + "."


def _fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One stable hash per finding (see the module docstring)."""
    seen: Counter[str] = Counter()
    prints = []
    for finding in findings:
        line = " ".join(finding.source_line.split())
        key = "\0".join((finding.code, finding.location.path, line))
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        seen[digest] += 1
        prints.append(f"{digest}:{seen[digest]}")
    return prints


def to_json_data(value: Any) -> Any:
    """sarif-om objects as JSON-ready data, under SARIF's property names.

    Properties that are None or equal to their default are left out (except `level`);
    dicts (property bags, `originalUriBaseIds`, fingerprints) and lists are walked.
    """
    if attr.has(type(value)):
        data: dict[str, Any] = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            name = field.metadata["schema_property_name"]
            if item is None or (name not in _ALWAYS_WRITTEN and item == _default(field)):
                continue
            data[name] = to_json_data(item)
        leading = [key for key in _LEADING_KEYS if key in data]
        return {key: data[key] for key in [*leading, *(k for k in data if k not in leading)]}
    if isinstance(value, dict):
        return {str(key): to_json_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_data(item) for item in value]
    return value


def _default(field: Any) -> Any:
    default = field.default
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        return default.factory()
    return None if default is attr.NOTHING else default
