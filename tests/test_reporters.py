"""The four reporters on hand-made runs: layout, escaping, schema, and SARIF validity."""

from __future__ import annotations

import io
import json
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from llmlint.finding import Finding, FlowStep, Location, Severity
from llmlint.registry import all_rules
from llmlint.report import ReportOptions, RunReport, get_renderer
from llmlint.report.text import render_rule_docs, render_rules_table
from llmlint.rule import Report, Rule, RuleContext

VALIDATOR = Path(__file__).parents[2] / "shared/tools/validate-sarif"
SGR = re.compile(r"\x1b\[[0-9;]*m")


class FakeRule(Rule):
    """
    ## What it does
    Finds LLM output that reaches `exec`. It exists only for these tests.

    ## Why is this bad?
    The model's text runs as code.

    ## Example
    ```python
    exec(client.responses.create(model="m", input="x").output_text)
    ```

    Use instead:
    ```python
    print(client.responses.create(model="m", input="x").output_text)
    ```

    ## References
    - [OWASP LLM05:2025](https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/)
    """

    # Rule.__init_subclass__ validates this metadata and the docstring's sections.
    code = "LLM999"
    name = "fake-output-to-exec"
    severity = Severity.WARNING
    owasp = ("LLM02:2023", "LLM05:2025")
    cwe = (94, 95)

    def check(self, ctx: RuleContext) -> Iterable[Report]:
        return ()


RULES: tuple[type[Rule], ...] = (*all_rules(), FakeRule)


def loc(path: str, line: int, column: int, end_line: int, end_column: int) -> Location:
    return Location(path, line, column, end_line, end_column)


FLOW_FINDING = Finding(
    code="LLM999",
    message="LLM output from 'client.chat.completions.create' reaches 'exec'.",
    location=loc("app.py", 14, 5, 14, 15),
    severity=Severity.WARNING,
    source_line="    exec(code)",
    flow=(
        FlowStep(loc("app.py", 12, 12, 12, 40), "LLM output from 'client.chat.completions.create'"),
        FlowStep(loc("app.py", 13, 5, 13, 9), "assigned to 'code'"),
        FlowStep(loc("app.py", 14, 5, 14, 15), "reaches 'exec'"),
    ),
    related=(FlowStep(loc("app.py", 12, 12, 12, 40), "LLM output"),),
)
PARSE_ERROR = Finding(
    code="LLM000",
    message="Syntax error: invalid syntax",
    location=loc("broken dir/bad.py", 3, 7, 3, 8),
    severity=Severity.ERROR,
    source_line="def f(:",
)
ERROR_FINDING = Finding(
    code="LLM999",
    message="spans lines",
    location=loc("lib/a b.py", 1, 5, 3, 2),
    severity=Severity.ERROR,
    source_line="x = foo(",
)
NOTE_FINDING = Finding(
    code="LLM999",
    message="a note",
    location=loc("lib/c.py", 2, 1, 2, 2),
    severity=Severity.NOTE,
    source_line="y",
)


def make_run(*findings: Finding, **kwargs: object) -> RunReport:
    defaults: dict[str, object] = {"files_checked": 3, "suppressed": 0}
    defaults.update(kwargs)
    return RunReport(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules=RULES,
        root=Path("/project root"),
        version="1.2.3",
        **defaults,  # type: ignore[arg-type]
    )


def render(fmt: str, run: RunReport, out: io.StringIO | None = None, **options: object) -> str:
    out = out if out is not None else io.StringIO()
    get_renderer(fmt)(run, out, ReportOptions(**options))  # type: ignore[arg-type]
    return out.getvalue()


class TtyStringIO(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


# --- text -------------------------------------------------------------------------------


def test_text_layout_with_code_frame_and_flow() -> None:
    assert render("text", make_run(FLOW_FINDING)) == (
        "app.py:14:5: LLM999 [warning] LLM output from 'client.chat.completions.create'"
        " reaches 'exec'.\n"
        "   |\n"
        "14 |     exec(code)\n"
        "   |     ^^^^^^^^^^\n"
        "   |\n"
        "   = flow:    app.py:12:12  LLM output from 'client.chat.completions.create'\n"
        "           -> app.py:13:5   assigned to 'code'\n"
        "           -> app.py:14:5   reaches 'exec'\n"
        "\n"
        "Found 1 finding (0 errors, 1 warning, 0 notes) in 3 files.\n"
    )


def test_text_is_plain_off_a_terminal_whatever_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    output = render("text", make_run(FLOW_FINDING, ERROR_FINDING))
    assert "\x1b" not in output


def test_text_is_colored_when_forced() -> None:
    output = render("text", make_run(FLOW_FINDING), color=True)
    assert "\x1b[1;33mLLM999\x1b[0m" in output  # the code, bold yellow for a warning
    assert SGR.sub("", output) == render("text", make_run(FLOW_FINDING))


def test_text_on_a_terminal_is_colored_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    run = make_run(FLOW_FINDING)
    assert "\x1b[" in render("text", run, TtyStringIO())
    assert "\x1b" not in render("text", run, TtyStringIO(), color=False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in render("text", run, TtyStringIO())
    assert "\x1b[" in render("text", run, TtyStringIO(), color=True)


HOSTILE = "[red]x[/red] [link=https://evil.example]y[/link] \x1b[2J\x1b]8;;http://e\x07z\x08\r\u202e:smile:"


def test_text_neutralizes_markup_and_control_sequences() -> None:
    finding = Finding(
        code="LLM999",
        message=f"call {HOSTILE}",
        location=loc("evil\x1b[31m.py", 1, 1, 1, 2),
        severity=Severity.ERROR,
        source_line=f"s = '{HOSTILE}'",
    )
    escaped = (
        "[red]x[/red] [link=https://evil.example]y[/link] "
        "\\x1b[2J\\x1b]8;;http://e\\x07z\\x08\\r\\u202e:smile:"
    )
    plain = render("text", make_run(finding), quiet=True)
    assert plain == (
        f"evil\\x1b[31m.py:1:1: LLM999 [error] call {escaped}\n  |\n1 | s = '{escaped}'\n  | ^\n\n"
    )
    colored = render("text", make_run(finding), color=True)
    visible = SGR.sub("", colored)
    assert visible == render("text", make_run(finding))
    for raw in ("\x1b", "\x07", "\x08", "\r", "\u202e"):
        assert raw not in visible


def frame(source_line: str, column: int, end_column: int, end_line: int = 1) -> list[str]:
    finding = Finding(
        "LLM999", "m.", loc("f.py", 1, column, end_line, end_column), Severity.NOTE, source_line
    )
    return render("text", make_run(finding), quiet=True).splitlines()[2:4]


def test_caret_expands_tabs_and_counts_wide_characters_twice() -> None:
    line = "\tx = '中文' + y"
    assert frame(line, 13, 14) == ["1 |     x = '中文' + y", "  |                  ^"]
    # the quote (1 cell) and the two ideographs (2 cells each)
    assert frame(line, 6, 9) == ["1 |     x = '中文' + y", "  |         ^^^^^"]
    assert frame("  \tz", 4, 5) == ["1 |     z", "  |     ^"]


def test_caret_stays_under_escaped_characters() -> None:
    assert frame("a\x1bb = 1", 3, 4) == ["1 | a\\x1bb = 1", "  |      ^"]
    assert frame("a\u202eb", 2, 3) == ["1 | a\\u202eb", "  |  ^^^^^^"]


def test_caret_runs_to_end_of_line_for_multiline_findings() -> None:
    assert frame("x = foo(", 5, 2, end_line=3) == ["1 | x = foo(", "  |     ^^^^"]


def test_caret_is_at_least_one_wide() -> None:
    assert frame("abc", 4, 4) == ["1 | abc", "  |    ^"]


def test_summary_counts_and_suppressed() -> None:
    run = make_run(FLOW_FINDING, PARSE_ERROR, ERROR_FINDING, NOTE_FINDING, suppressed=4)
    last = render("text", run).splitlines()[-1]
    assert last == "Found 4 findings (2 errors, 1 warning, 1 note) in 3 files; 4 suppressed."
    assert render("text", make_run(files_checked=1)) == "No findings in 1 file.\n"
    assert render("text", make_run(suppressed=2)) == "No findings in 3 files; 2 suppressed.\n"


def test_quiet_prints_findings_without_summary() -> None:
    output = render("text", make_run(FLOW_FINDING), quiet=True)
    assert output.startswith("app.py:14:5: LLM999")
    assert "Found" not in output
    assert render("text", make_run(), quiet=True) == ""


def test_statistics_prints_only_the_table() -> None:
    run = make_run(FLOW_FINDING, PARSE_ERROR, ERROR_FINDING, NOTE_FINDING, suppressed=1)
    assert render("text", run, statistics=True) == (
        "3  LLM999  fake-output-to-exec\n1  LLM000  unparseable-file\n"
    )


def test_related_places_outside_the_flow_are_listed() -> None:
    finding = Finding(
        "LLM999",
        "m.",
        loc("a.py", 9, 1, 9, 2),
        Severity.ERROR,
        "x",
        related=(FlowStep(loc("b.py", 2, 3, 2, 4), "the source"),),
    )
    lines = render("text", make_run(finding), quiet=True).splitlines()
    assert lines[-2:] == ["  = related: b.py:2:3  the source", ""]


def test_rules_table_and_rule_docs() -> None:
    table = io.StringIO()
    render_rules_table(RULES, table, None)
    assert "\x1b" not in table.getvalue()
    row = next(line for line in table.getvalue().splitlines() if "LLM999" in line)
    assert row.split() == [
        "LLM999", "fake-output-to-exec", "warning", "LLM02:2023,", "LLM05:2025", "CWE-94,", "CWE-95"
    ]  # fmt: skip

    raw = io.StringIO()
    render_rule_docs(FakeRule, raw, None)
    assert raw.getvalue().startswith(
        "# LLM999: fake-output-to-exec\n\n- Severity: warning\n"
        "- OWASP: LLM02:2023, LLM05:2025\n- CWE: CWE-94, CWE-95\n\n## What it does\n"
    )
    rendered = TtyStringIO()
    render_rule_docs(FakeRule, rendered, False)
    assert "What it does" in rendered.getvalue()
    assert "## What" not in rendered.getvalue() and "```" not in rendered.getvalue()
    assert "\x1b" not in rendered.getvalue()


# --- json -------------------------------------------------------------------------------


def test_json_schema_keys_and_order() -> None:
    run = make_run(FLOW_FINDING, PARSE_ERROR, suppressed=2)
    output = render("json", run)
    assert output.endswith("}\n") and output.startswith('{\n  "schema_version": 1,\n')
    data = json.loads(output)
    assert list(data) == ["schema_version", "tool", "summary", "findings", "errors"]
    assert data["tool"] == {"name": "llmlint", "version": "1.2.3"}
    assert data["summary"] == {
        "findings": 2,
        "by_severity": {"error": 1, "warning": 1, "note": 0},
        "files_checked": 3,
        "suppressed": 2,
    }
    assert list(data["summary"]["by_severity"]) == ["error", "warning", "note"]
    flow, parse_error = data["findings"]
    assert list(flow) == [
        "code", "name", "severity", "message", "path", "line", "column", "end_line",
        "end_column", "owasp", "cwe", "source_line", "flow", "related",
    ]  # fmt: skip
    assert flow["name"] == "fake-output-to-exec"
    assert flow["owasp"] == ["LLM02:2023", "LLM05:2025"] and flow["cwe"] == [94, 95]
    assert [list(step) for step in flow["flow"]] == [
        ["path", "line", "column", "end_line", "end_column", "message"]
    ] * 3
    assert flow["related"][0]["message"] == "LLM output"
    assert parse_error["code"] == "LLM000" and parse_error["name"] == "unparseable-file"
    assert parse_error["owasp"] == [] and parse_error["cwe"] == []


def test_json_keeps_text_but_escapes_invisible_characters() -> None:
    finding = Finding("LLM999", "中 \u202e \x1b \x85", loc("é.py", 1, 1, 1, 2), Severity.NOTE, "x")
    output = render("json", make_run(finding))
    assert '"message": "中 \\u202e \\u001b \\u0085"' in output
    assert '"path": "é.py"' in output
    assert json.loads(output)["findings"][0]["message"] == finding.message


# --- github -----------------------------------------------------------------------------


def test_github_annotations_and_escaping() -> None:
    finding = Finding(
        "LLM999", "100% bad\r\nnext:line, ok", loc("d,ir/a:b.py", 2, 3, 2, 9), Severity.NOTE, "x"
    )
    output = render("github", make_run(finding, FLOW_FINDING, PARSE_ERROR))
    assert output.splitlines() == [
        "::warning file=app.py,line=14,col=5,endLine=14,endColumn=15,"
        "title=LLM999 fake-output-to-exec::"
        "LLM output from 'client.chat.completions.create' reaches 'exec'.",
        "::error file=broken dir/bad.py,line=3,col=7,endLine=3,endColumn=8,"
        "title=LLM000 unparseable-file::Syntax error: invalid syntax",
        "::notice file=d%2Cir/a%3Ab.py,line=2,col=3,endLine=2,endColumn=9,"
        "title=LLM999 fake-output-to-exec::100%25 bad%0D%0Anext:line, ok",
    ]


def test_github_escapes_terminal_sequences() -> None:
    finding = Finding("LLM999", "a\x1b[31mb", loc("a.py", 1, 1, 1, 2), Severity.NOTE, "x")
    assert render("github", make_run(finding)).endswith("::a\\x1b[31mb\n")


# --- sarif ------------------------------------------------------------------------------


def sarif(run: RunReport) -> Any:
    return json.loads(render("sarif", run))


def test_sarif_structure() -> None:
    run = make_run(FLOW_FINDING, PARSE_ERROR, ERROR_FINDING, NOTE_FINDING)
    log = sarif(run)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "llmlint" and driver["semanticVersion"] == "1.2.3"
    assert driver["informationUri"] == "https://github.com/llmlint/llmlint"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(rule.code for rule in RULES)
    fake = driver["rules"][ids.index("LLM999")]
    assert fake["name"] == "FakeOutputToExec"
    assert fake["shortDescription"]["text"] == "Finds LLM output that reaches `exec`."
    assert fake["help"]["markdown"] == FakeRule.docs.markdown
    assert fake["helpUri"].endswith("/LLM999.md")
    assert fake["defaultConfiguration"] == {"level": "warning"}
    assert fake["properties"] == {
        "tags": [
            "security",
            "owasp-llm02:2023",
            "owasp-llm05:2025",
            "external/cwe/cwe-94",
            "external/cwe/cwe-95",
        ],
        "precision": "high",
        "security-severity": "5.5",
    }
    assert sarif_run["columnKind"] == "unicodeCodePoints"
    assert sarif_run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///project%20root/"}}

    results = sarif_run["results"]
    assert [r["ruleId"] for r in results] == ["LLM999"] * 3  # LLM000 is not a result
    for result in results:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"].endswith(".")
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert set(location["physicalLocation"]["region"]) >= {
            "startLine", "startColumn", "endLine", "endColumn"
        }  # fmt: skip
        assert result["partialFingerprints"]["llmlint/v1"]
    flow, error, _note = results
    assert [r["level"] for r in results] == ["warning", "error", "note"]
    assert error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "lib/a%20b.py"
    assert error["message"]["text"] == "spans lines."
    assert "codeFlows" not in error and "relatedLocations" not in error
    (code_flow,) = flow["codeFlows"]
    (thread_flow,) = code_flow["threadFlows"]
    steps = thread_flow["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [
        "LLM output from 'client.chat.completions.create'.",
        "assigned to 'code'.",
        "reaches 'exec'.",
    ]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps] == [
        12,
        13,
        14,
    ]
    assert flow["relatedLocations"][0]["id"] == 1
    assert flow["relatedLocations"][0]["message"] == {"text": "LLM output."}
    assert flow["message"]["text"] == (
        "LLM output from 'client.chat.completions.create' reaches 'exec'. See [source](1)."
    )

    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is True
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == "Syntax error: invalid syntax."
    assert notification["associatedRule"] == {"id": "LLM000", "index": ids.index("LLM000")}
    artifact = notification["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "broken%20dir/bad.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_escapes_link_lookalikes_in_messages() -> None:
    finding = Finding(
        "LLM999", "reaches [click](https://evil.example)", loc("a.py", 1, 1, 1, 2),
        Severity.ERROR, "x",
    )  # fmt: skip
    result = sarif(make_run(finding))["runs"][0]["results"][0]
    assert result["message"]["text"] == "reaches \\[click\\](https://evil.example)."


def test_sarif_fingerprints_ignore_line_numbers_but_count_repeats() -> None:
    def fingerprints(*lines: int) -> list[str]:
        findings = [
            Finding("LLM999", "m.", loc("a.py", n, 1, n, 2), Severity.ERROR, "exec(code)")
            for n in lines
        ]
        results = sarif(make_run(*findings))["runs"][0]["results"]
        return [r["partialFingerprints"]["llmlint/v1"] for r in results]

    first = fingerprints(3, 8)
    assert first == fingerprints(10, 20)
    assert first[0] != first[1]


def test_sarif_is_deterministic() -> None:
    run = make_run(FLOW_FINDING, PARSE_ERROR, ERROR_FINDING, NOTE_FINDING)
    copy = make_run(*[Finding.from_dict(f.to_dict()) for f in run.findings])
    assert render("sarif", run) == render("sarif", run) == render("sarif", copy)
    assert render("sarif", run).endswith("}\n")


def test_sarif_with_no_findings_has_an_empty_results_list() -> None:
    sarif_run = sarif(make_run())["runs"][0]
    assert sarif_run["results"] == []
    assert sarif_run["invocations"] == [{"executionSuccessful": True}]


@pytest.mark.skipif(not VALIDATOR.exists(), reason="../shared/tools/validate-sarif not present")
def test_sarif_passes_the_validator(tmp_path: Path) -> None:
    hostile = Finding(
        "LLM999",
        f"odd {HOSTILE} [x](1)",
        loc("dir with space/ünï#1.py", 2, 1, 2, 3),
        Severity.ERROR,
        f"  {HOSTILE}",
        related=(FlowStep(loc("x.py", 1, 1, 1, 2), "a"), FlowStep(loc("y.py", 1, 1, 1, 2), "b")),
    )
    run = make_run(FLOW_FINDING, PARSE_ERROR, ERROR_FINDING, NOTE_FINDING, hostile)
    path = tmp_path / "out.sarif"
    path.write_text(render("sarif", run), encoding="utf-8")
    completed = subprocess.run(
        [str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
