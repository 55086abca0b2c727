"""End-to-end tests of the installed `llmlint` command, run in a subprocess.

Every test builds a small project under tmp_path and runs the console script the way
users do. Results are written to a cache under tmp_path, never into the repository.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

import llmlint
from llmlint.registry import all_rules

LLMLINT = Path(sys.executable).parent / "llmlint"
TESTS = Path(__file__).resolve().parent
SNAPSHOT_PROJECT = TESTS / "snapshots" / "project"
SNAPSHOT_SARIF = TESTS / "snapshots" / "project.sarif"
SRCROOT_PLACEHOLDER = "file:///SRCROOT/"
TIMEOUT = 60

# Sources that trigger one rule each (or two: from_pretrained), on a known line.
TORCH_LOAD = 'import torch\n\nstate = torch.load("model.pt")\n'  # LLM402 at 3:9
REMOTE_CODE = (  # LLM403 at 3:9, LLM401 at 3:44
    "from transformers import AutoModel\n"
    "\n"
    'model = AutoModel.from_pretrained("org/x", trust_remote_code=True)\n'
)
RAY_DASHBOARD = 'import ray\n\nray.init(dashboard_host="0.0.0.0")\n'  # LLM404 at 3:10
API_KEY = "sk-proj-Va26gkl5PYYzEZoByFNF5YuDuB1TFLnYttfOb0jP"
# LLM105 at 3:25 (the timeout keeps LLM203 away).
HARDCODED_KEY = f'from openai import OpenAI\n\nclient = OpenAI(api_key="{API_KEY}", timeout=30)\n'
CLEAN = 'import json\n\nprint(json.dumps({"ok": True}))\n'
# LLM000 at 3:1 ("'(' was never closed"); it names torch.load, so no prefilter skips it.
SYNTAX_ERROR = "import torch\n\ndef restore(path:\n    return torch.load(path)\n"

# One file per rule: every code, once, at line 3.
ALL_RULES_PROJECT = {
    "models.py": TORCH_LOAD,
    "hub.py": REMOTE_CODE,
    "serve.py": RAY_DASHBOARD,
    "client.py": HARDCODED_KEY,
}
ALL_FINDINGS = {
    ("client.py", 3, "LLM105"),
    ("hub.py", 3, "LLM401"),
    ("hub.py", 3, "LLM403"),
    ("models.py", 3, "LLM402"),
    ("serve.py", 3, "LLM404"),
}

FINDING_LINE = re.compile(r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): (?P<code>LLM\d{3}) ", re.M)


@dataclass(frozen=True)
class Result:
    returncode: int
    raw_stdout: bytes
    stdout: str
    stderr: str

    def findings(self) -> set[tuple[str, int, str]]:
        """(path, line, code) of every finding line of the text report."""
        return {(m["path"], int(m["line"]), m["code"]) for m in FINDING_LINE.finditer(self.stdout)}

    def json(self) -> dict:
        return json.loads(self.stdout)


class Project:
    """A throwaway project at `root`, with its llmlint cache outside of it."""

    def __init__(self, base: Path) -> None:
        self.root = base / "project"
        self.cache = base / "cache"
        self.root.mkdir()

    def write(self, files: Mapping[str, str | bytes]) -> Project:
        for name, content in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return self

    def run(self, *args: str, cwd: Path | None = None, expect: int | None = None) -> Result:
        return run_llmlint(args, cwd=cwd or self.root, cache=self.cache, expect=expect)

    def check(self, *args: str, expect: int | None = None) -> Result:
        return self.run("check", *args, expect=expect)


def run_llmlint(
    args: Sequence[str],
    *,
    cwd: Path,
    cache: Path | None = None,
    expect: int | None = None,
    command: Sequence[str] = (str(LLMLINT),),
) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMLINT_", "FORCE_COLOR"))}
    env["NO_COLOR"] = "1"
    if cache is not None:
        env["LLMLINT_CACHE_DIR"] = str(cache)
    proc = subprocess.run(
        [*command, *args], cwd=cwd, env=env, capture_output=True, timeout=TIMEOUT, check=False
    )
    result = Result(
        proc.returncode,
        proc.stdout,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
    if expect is not None:
        assert result.returncode == expect, (result.returncode, result.stdout, result.stderr)
    return result


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def test_console_script_is_installed() -> None:
    assert LLMLINT.is_file(), f"{LLMLINT} is missing: pip install -e . in this environment"


# --- exit codes ---------------------------------------------------------------------


def test_exit_codes_clean_findings_and_exit_zero(project: Project) -> None:
    project.write({"app.py": CLEAN})
    clean = project.check(expect=0)
    assert clean.stdout == "No findings in 1 file.\n"
    assert clean.stderr == ""

    project.write({"models.py": TORCH_LOAD})
    found = project.check(expect=1)
    assert found.findings() == {("models.py", 3, "LLM402")}

    zero = project.check("--exit-zero", expect=0)
    assert zero.stdout == found.stdout


@pytest.mark.parametrize(
    ("files", "args", "messages"),
    [
        pytest.param(
            {}, ["--select", "LLM999"], ["--select: 'LLM999' matches no rule"], id="select"
        ),
        pytest.param(
            {},
            ["--ignore", "XYZ1"],
            ["--ignore: 'XYZ1' matches no rule"],
            id="ignore",
        ),
        pytest.param(
            {},
            ["--extend-select", "LLM9"],
            ["--extend-select: 'LLM9' matches no rule"],
            id="extend-select",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.llmlint]\nignore = ["XYZ1"]\n'},
            [],
            ["{root}/pyproject.toml: 'XYZ1' matches no rule"],
            id="unknown-code-in-config-ignore",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.llmlint]\nselct = ["LLM4"]\n'},
            [],
            ["{root}/pyproject.toml", "unknown key 'selct'", "did you mean 'select'"],
            id="unknown-key-pyproject",
        ),
        pytest.param(
            {"llmlint.toml": "colour = true\n"},
            [],
            ["{root}/llmlint.toml", "unknown key 'colour'"],
            id="unknown-key-llmlint-toml",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.llmlint]\nselect = "LLM4"\n'},
            [],
            ["{root}/pyproject.toml", "select: expected a list of strings, got str"],
            id="wrong-type-list",
        ),
        pytest.param(
            {"llmlint.toml": 'respect-gitignore = "yes"\n'},
            [],
            ["{root}/llmlint.toml", "respect-gitignore: expected a boolean, got str"],
            id="wrong-type-bool",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.llmlint]\nselect = ["LLM999"]\n'},
            [],
            ["{root}/pyproject.toml", "'LLM999' matches no rule"],
            id="unknown-code-in-config",
        ),
        pytest.param(
            {"pyproject.toml": "[tool.llmlint]\nselect = [\n"},
            [],
            ["{root}/pyproject.toml", "invalid TOML"],
            id="invalid-toml",
        ),
        pytest.param(
            {},
            ["--config", "missing.toml"],
            ["missing.toml: no such configuration file"],
            id="missing-config",
        ),
    ],
)
def test_config_and_selection_errors_exit_2(
    project: Project, files: dict[str, str], args: list[str], messages: list[str]
) -> None:
    project.write({"models.py": TORCH_LOAD, **files})
    result = project.check(*args, expect=2)
    assert result.stdout == ""
    assert result.stderr.startswith("llmlint: error: ")
    assert result.stderr.count("\n") == 1  # one line: no traceback, no usage dump
    root = str(project.root.resolve())
    for message in messages:
        assert message.format(root=root) in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jobs", "0"], "Invalid value for '-j' / '--jobs': 0 is not in the range x>=1."),
        (["--output-format", "xml"], "Invalid value for '--output-format': 'xml' is not one of"),
        (["--no-such-flag"], "No such option '--no-such-flag'"),
    ],
)
def test_usage_errors_exit_2(project: Project, args: list[str], message: str) -> None:
    project.write({"models.py": TORCH_LOAD})
    result = project.check(*args, expect=2)
    assert result.stdout == ""
    assert message in result.stderr


def test_missing_path_is_an_error_but_other_paths_are_checked(project: Project) -> None:
    project.write({"models.py": TORCH_LOAD, "serve.py": RAY_DASHBOARD})
    result = project.check("models.py", "nowhere.py", "serve.py", expect=2)
    assert result.stderr == "llmlint: error: path 'nowhere.py' does not exist\n"
    assert result.findings() == {("models.py", 3, "LLM402"), ("serve.py", 3, "LLM404")}


# --- configuration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "args", "expected"),
    [
        pytest.param("", [], {"LLM105", "LLM401", "LLM402", "LLM403", "LLM404"}, id="default"),
        pytest.param(
            'select = ["LLM40"]', [], {"LLM401", "LLM402", "LLM403", "LLM404"}, id="select"
        ),
        pytest.param('select = ["llm402"]', [], {"LLM402"}, id="select-lowercase"),
        pytest.param(
            'select = ["LLM4"]\nignore = ["LLM403"]',
            [],
            {"LLM401", "LLM402", "LLM404"},
            id="ignore",
        ),
        pytest.param(
            'select = ["LLM105"]\nextend-select = ["LLM404"]',
            [],
            {"LLM105", "LLM404"},
            id="extend-select",
        ),
        pytest.param('select = ["LLM4"]', ["--select", "LLM105"], {"LLM105"}, id="cli-select-wins"),
        pytest.param(
            'ignore = ["LLM403"]',
            ["--ignore", "LLM402,LLM105"],
            {"LLM401", "LLM404"},
            id="cli-ignore-adds",
        ),
        pytest.param(
            'select = ["LLM40"]',
            ["--extend-select", "LLM105"],
            {"LLM105", "LLM401", "LLM402", "LLM403", "LLM404"},
            id="cli-extend-select",
        ),
        pytest.param(
            'select = ["LLM105"]\nextend-select = ["LLM404"]',
            ["--select", "LLM402"],
            {"LLM402"},
            id="cli-select-drops-config-extend-select",
        ),
    ],
)
def test_rule_selection_from_config_and_cli(
    project: Project, config: str, args: list[str], expected: set[str]
) -> None:
    project.write({**ALL_RULES_PROJECT, "pyproject.toml": f"[tool.llmlint]\n{config}\n"})
    result = project.check("-q", *args, expect=1)
    assert {code for _, _, code in result.findings()} == expected


def test_excludes_and_per_file_ignores(project: Project) -> None:
    project.write(
        {
            "src/models.py": TORCH_LOAD,
            "gen/models.py": TORCH_LOAD,
            "legacy/models.py": TORCH_LOAD,
            "build/models.py": TORCH_LOAD,  # excluded by default
            "tests/test_models.py": TORCH_LOAD + HARDCODED_KEY.replace("\n\n", "\n"),
            "pyproject.toml": (
                "[tool.llmlint]\n"
                'extend-exclude = ["gen", "/legacy/"]\n'
                '[tool.llmlint.per-file-ignores]\n"tests/*.py" = ["LLM402"]\n'
            ),
        }
    )
    result = project.check(expect=1)
    assert result.findings() == {
        ("src/models.py", 3, "LLM402"),
        ("tests/test_models.py", 5, "LLM105"),
    }

    # `exclude` replaces the default excludes: build/ is checked, legacy/ is not.
    project.write({"pyproject.toml": '[tool.llmlint]\nexclude = ["legacy"]\n'})
    result = project.check(expect=1)
    assert {path for path, _, _ in result.findings()} == {
        "build/models.py",
        "gen/models.py",
        "src/models.py",
        "tests/test_models.py",
    }


def test_force_exclude_applies_excludes_to_named_files(project: Project) -> None:
    project.write(
        {
            "gen/models.py": TORCH_LOAD,
            "src/serve.py": RAY_DASHBOARD,
            "pyproject.toml": '[tool.llmlint]\nextend-exclude = ["gen"]\n',
        }
    )
    named = project.check("gen/models.py", expect=1)
    assert named.findings() == {("gen/models.py", 3, "LLM402")}
    forced = project.check("--force-exclude", "gen/models.py", "src/serve.py", expect=1)
    assert forced.findings() == {("src/serve.py", 3, "LLM404")}
    only_excluded = project.check("--force-exclude", "gen/models.py", expect=0)
    assert only_excluded.stdout == "No findings in 0 files.\n"


def test_config_is_found_from_the_first_path_upward(project: Project) -> None:
    project.write(
        {
            "pyproject.toml": '[tool.llmlint]\nselect = ["LLM404"]\n',
            "pkg/sub/__init__.py": "",
            "pkg/sub/all.py": TORCH_LOAD + RAY_DASHBOARD.replace("\n\n", "\n"),
        }
    )
    # Run from outside the project: paths are shown relative to the project root.
    result = project.run("check", "project/pkg/sub", cwd=project.root.parent, expect=1)
    assert result.findings() == {("pkg/sub/all.py", 5, "LLM404")}

    # A pyproject.toml without [tool.llmlint] is passed over on the way up.
    project.write({"pkg/pyproject.toml": '[project]\nname = "pkg"\n'})
    result = project.run("check", "project/pkg/sub/all.py", cwd=project.root.parent, expect=1)
    assert result.findings() == {("pkg/sub/all.py", 5, "LLM404")}


def test_llmlint_toml_is_supported_and_preferred(project: Project) -> None:
    project.write(
        {
            **ALL_RULES_PROJECT,
            "llmlint.toml": 'select = ["LLM105"]\n',
            "pyproject.toml": '[tool.llmlint]\nselect = ["LLM404"]\n',
        }
    )
    assert project.check(expect=1).findings() == {("client.py", 3, "LLM105")}
    result = project.check("--config", "pyproject.toml", expect=1)
    assert result.findings() == {("serve.py", 3, "LLM404")}


# --- suppressions -------------------------------------------------------------------

SUPPRESSIONS = """\
import torch

a = torch.load("a.pt")  # noqa
b = torch.load("b.pt")  # noqa: LLM402
c = torch.load("c.pt")  # noqa: LLM999
d = torch.load("d.pt")  # llmlint: ignore[LLM402] produced by our own signed pipeline
e = torch.load(
    "e.pt",
    map_location="cpu",
)  # noqa: LLM402
f = torch.load("f.pt", map_location="# noqa")
g = torch.load(  # NOQA:LLM401,LLM402
    "g.pt",
)
h = torch.load("h.pt")  # noqa: LLM401
"""


def test_suppressions(project: Project) -> None:
    project.write({"sup.py": SUPPRESSIONS})
    text = project.check(expect=1)
    assert text.findings() == {
        ("sup.py", 5, "LLM402"),
        ("sup.py", 11, "LLM402"),
        ("sup.py", 15, "LLM402"),
    }
    assert text.stdout.splitlines()[-1] == (
        "Found 3 findings (3 errors, 0 warnings, 0 notes) in 1 file; 5 suppressed."
    )

    report = project.check("--output-format", "json", expect=1).json()
    assert report["summary"]["suppressed"] == 5
    assert [f["line"] for f in report["findings"]] == [5, 11, 15]

    sarif = project.check("--output-format", "sarif", expect=1).json()
    results = sarif["runs"][0]["results"]
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]
    assert lines == [5, 11, 15]
    assert all("suppressions" not in r for r in results)


# --- output formats -----------------------------------------------------------------

EXPECTED_TEXT = """\
hub.py:3:9: LLM403 [note] 'AutoModel.from_pretrained' downloads 'org/x' without a pinned \
revision: pin a commit hash.
  |
3 | model = AutoModel.from_pretrained("org/x", trust_remote_code=True)
  |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

hub.py:3:44: LLM401 [error] 'AutoModel.from_pretrained' is called with trust_remote_code=True: \
it runs Python code from the model repository on this machine.
  |
3 | model = AutoModel.from_pretrained("org/x", trust_remote_code=True)
  |                                            ^^^^^^^^^^^^^^^^^^^^^^

models.py:3:9: LLM402 [error] 'torch.load' without weights_only=True unpickles the file, which \
runs any code it contains.
  |
3 | state = torch.load("model.pt")
  |         ^^^^^^^^^^^^^^^^^^^^^^

Found 3 findings (2 errors, 0 warnings, 1 note) in 3 files.
"""


def test_text_output(project: Project) -> None:
    project.write({"hub.py": REMOTE_CODE, "models.py": TORCH_LOAD, "clean.py": CLEAN})
    result = project.check(expect=1)
    assert result.stdout == EXPECTED_TEXT
    assert result.stderr == ""

    quiet = project.check("-q", expect=1)
    assert quiet.stdout == EXPECTED_TEXT.rsplit("\n\n", 1)[0] + "\n\n"
    project.write({"hub.py": CLEAN, "models.py": CLEAN})
    assert project.check("-q", expect=0).stdout == ""


def test_statistics(project: Project) -> None:
    project.write({**ALL_RULES_PROJECT, "more.py": TORCH_LOAD + TORCH_LOAD})
    result = project.check("--statistics", expect=1)
    assert result.stdout == (
        "3  LLM402  unsafe-model-deserialization\n"
        "1  LLM105  hardcoded-llm-api-key\n"
        "1  LLM401  trust-remote-code\n"
        "1  LLM403  unpinned-model-download\n"
        "1  LLM404  exposed-model-server\n"
    )


def test_json_output(project: Project) -> None:
    project.write({**ALL_RULES_PROJECT, "broken.py": SYNTAX_ERROR, "clean.py": CLEAN})
    result = project.check("--output-format", "json", expect=1)
    assert API_KEY[8:20] not in result.stdout  # the key is redacted
    report = result.json()
    assert list(report) == ["schema_version", "tool", "summary", "findings", "errors"]
    assert report["schema_version"] == 1
    assert report["tool"] == {"name": "llmlint", "version": llmlint.__version__}
    assert report["summary"] == {
        "findings": 6,
        "by_severity": {"error": 5, "warning": 0, "note": 1},
        "files_checked": 6,
        "suppressed": 0,
    }
    assert report["errors"] == []
    found = {(f["path"], f["line"], f["code"]) for f in report["findings"]}
    assert found == ALL_FINDINGS | {("broken.py", 3, "LLM000")}
    keys = [
        "code", "name", "severity", "message", "path", "line", "column", "end_line",
        "end_column", "owasp", "cwe", "source_line", "flow", "related",
    ]  # fmt: skip
    assert all(list(f) == keys for f in report["findings"])
    torch_load = next(f for f in report["findings"] if f["code"] == "LLM402")
    assert torch_load == {
        **torch_load,
        "name": "unsafe-model-deserialization",
        "severity": "error",
        "path": "models.py",
        "line": 3,
        "column": 9,
        "end_line": 3,
        "end_column": 31,
        "cwe": [502],
        "source_line": 'state = torch.load("model.pt")',
    }


def test_sarif_output(project: Project) -> None:
    project.write({**ALL_RULES_PROJECT, "broken.py": SYNTAX_ERROR})
    sarif = project.check("--output-format", "sarif", expect=1).json()
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"]) == 1
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "llmlint"
    assert driver["version"] == llmlint.__version__
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == sorted(rule.code for rule in all_rules())
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.root.resolve().as_uri() + "/"

    results = run["results"]
    assert len(results) == len(ALL_FINDINGS)
    found = set()
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"].endswith(".")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        found.add(
            (location["artifactLocation"]["uri"], location["region"]["startLine"], result["ruleId"])
        )
    assert found == ALL_FINDINGS

    # An unparseable file is a tool execution notification, not a result.
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["associatedRule"] == {"id": "LLM000", "index": rule_ids.index("LLM000")}
    assert notification["level"] == "error"
    assert notification["message"]["text"].startswith("Syntax error at line 3")
    where = notification["locations"][0]["physicalLocation"]
    assert where["artifactLocation"] == {"uri": "broken.py", "uriBaseId": "%SRCROOT%"}


def test_github_output(project: Project) -> None:
    project.write(
        {
            "models.py": TORCH_LOAD,
            "hub.py": REMOTE_CODE,
            "client.py": HARDCODED_KEY,
            "broken.py": SYNTAX_ERROR,
        }
    )
    output = project.check("--output-format", "github", expect=1).stdout
    assert API_KEY[8:20] not in output  # the key is redacted
    lines = output.splitlines()
    assert [line.split("::")[1] for line in lines] == [
        "error file=broken.py,line=3,col=1,endLine=3,endColumn=18,title=LLM000 unparseable-file",
        "error file=client.py,line=3,col=25,endLine=3,endColumn=75,title=LLM105 "
        "hardcoded-llm-api-key",
        "notice file=hub.py,line=3,col=9,endLine=3,endColumn=67,title=LLM403 "
        "unpinned-model-download",
        "error file=hub.py,line=3,col=44,endLine=3,endColumn=66,title=LLM401 trust-remote-code",
        "error file=models.py,line=3,col=9,endLine=3,endColumn=31,title=LLM402 "
        "unsafe-model-deserialization",
    ]
    assert lines[-1].endswith(
        "::'torch.load' without weights_only=True unpickles the file, "
        "which runs any code it contains."
    )


@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_output_file(project: Project, fmt: str) -> None:
    project.write({**ALL_RULES_PROJECT, "broken.py": SYNTAX_ERROR})
    to_stdout = project.check("--output-format", fmt, expect=1)
    assert "LLM105" in to_stdout.stdout
    assert API_KEY[8:20] not in to_stdout.stdout  # the key is redacted
    to_file = project.check("--output-format", fmt, "-o", "report.out", expect=1)
    assert to_file.stdout == ""
    assert to_file.stderr == ""
    assert (project.root / "report.out").read_bytes() == to_stdout.raw_stdout


def test_text_output_escapes_terminal_controls_and_markup(project: Project) -> None:
    project.write({"evil.py": 'import torch\nstate = torch.load("\x1b[31mRED[bold red]x[/].pt")\n'})
    result = project.check(expect=1)
    assert b"\x1b" not in result.raw_stdout
    assert '2 | state = torch.load("\\x1b[31mRED[bold red]x[/].pt")' in result.stdout
    github = project.check("--output-format", "github", expect=1)
    assert b"\x1b" not in github.raw_stdout


# --- unparseable files (LLM000) -----------------------------------------------------


def test_unparseable_files_are_reported_and_the_rest_is_checked(project: Project) -> None:
    project.write(
        {
            "broken.py": SYNTAX_ERROR,
            "binary.py": b"import torch\nstate = torch.load('m.pt')\x00\x01\x02\n",
            "latin1.py": b'import openai\nname = "caf\xe9"\n',
            "models.py": TORCH_LOAD,
        }
    )
    result = project.check("-q", expect=1)
    assert result.findings() == {
        ("binary.py", 2, "LLM000"),
        ("broken.py", 3, "LLM000"),
        ("latin1.py", 2, "LLM000"),
        ("models.py", 3, "LLM402"),
    }
    for message in (
        "binary.py:2:1: LLM000 [error] File contains NUL bytes (a binary file?).",
        "broken.py:3:1: LLM000 [error] Syntax error at line 3: '(' was never closed.",
        "latin1.py:2:1: LLM000 [error] Cannot decode byte 0xe9 as utf-8",
    ):
        assert message in result.stdout
    assert result.stderr == ""


def test_syntax_errors_are_reported_in_files_the_prefilter_skips(project: Project) -> None:
    project.write({"text.py": 'def slugify(title:\n    return title.lower().replace(" ", "-")\n'})
    result = project.check("-q")
    assert result.findings() == {("text.py", 1, "LLM000")}
    assert result.returncode == 1


def test_unparseable_files_are_reported_whatever_the_selection(project: Project) -> None:
    project.write({"broken.py": SYNTAX_ERROR, "models.py": TORCH_LOAD})
    result = project.check("--select", "LLM402", "-q")
    assert result.findings() == {("broken.py", 3, "LLM000"), ("models.py", 3, "LLM402")}
    assert result.returncode == 1


# --- determinism and cache ----------------------------------------------------------


def _results_by_file(sarif: dict) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for result in sarif["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        grouped.setdefault(uri, []).append(result)
    return grouped


def test_output_is_identical_across_jobs_and_cache(project: Project) -> None:
    files = {f"pkg/mod{i}.py": source for i, source in enumerate(ALL_RULES_PROJECT.values())}
    files |= {f"pkg/more{i}.py": TORCH_LOAD + RAY_DASHBOARD for i in range(6)}
    project.write({**files, "pkg/__init__.py": "", "pkg/broken.py": SYNTAX_ERROR})
    sarif = ("--output-format", "sarif")

    cold = project.check(*sarif, "-j1", expect=1)
    cache_files = sorted(project.cache.rglob("*.json"))
    assert len(cache_files) == 1
    cache_file = cache_files[0]
    written = cache_file.stat().st_mtime_ns, cache_file.read_bytes()

    warm = project.check(*sarif, "-j4", expect=1)
    assert warm.raw_stdout == cold.raw_stdout
    # Every file came from the cache: nothing was analysed again, so nothing was rewritten.
    assert (cache_file.stat().st_mtime_ns, cache_file.read_bytes()) == written
    uncached = project.check(*sarif, "-j4", "--no-cache", expect=1)
    assert uncached.raw_stdout == cold.raw_stdout

    # Change one file: only its results change, and the cache is updated.
    project.write({"pkg/more3.py": CLEAN + TORCH_LOAD})
    changed = project.check(*sarif, "-j4", expect=1)
    assert cache_file.read_bytes() != written[1]
    before, after = _results_by_file(cold.json()), _results_by_file(changed.json())
    assert {k: v for k, v in after.items() if k != "pkg/more3.py"} == {
        k: v for k, v in before.items() if k != "pkg/more3.py"
    }
    lines = [
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after["pkg/more3.py"]
    ]
    assert [r["ruleId"] for r in after["pkg/more3.py"]] == ["LLM402"]
    assert lines == [6]
    assert project.check(*sarif, "-j1", "--no-cache", expect=1).raw_stdout == changed.raw_stdout


# --- file discovery -----------------------------------------------------------------


def test_gitignore_is_respected_in_a_git_repository(project: Project) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(project.root)], check=True, timeout=TIMEOUT)
    project.write(
        {
            ".gitignore": "generated/\n*_local.py\n",
            "app/models.py": TORCH_LOAD,
            "app/settings_local.py": HARDCODED_KEY,
            "generated/serve.py": RAY_DASHBOARD,
            "app/.gitignore": "!settings_local.py\nhub.py\n",
            "app/hub.py": REMOTE_CODE,
        }
    )
    result = project.check(expect=1)
    assert result.findings() == {
        ("app/models.py", 3, "LLM402"),
        ("app/settings_local.py", 3, "LLM105"),
    }
    # A file named on the command line is checked, unless --force-exclude.
    assert project.check("generated/serve.py", expect=1).findings() == {
        ("generated/serve.py", 3, "LLM404")
    }
    assert project.check("--force-exclude", "generated/serve.py", expect=0).findings() == set()
    # respect-gitignore = false checks everything.
    project.write({"llmlint.toml": "respect-gitignore = false\n"})
    assert {path for path, _, _ in project.check(expect=1).findings()} == {
        "app/hub.py",
        "app/models.py",
        "app/settings_local.py",
        "generated/serve.py",
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_hostile_filesystem(project: Project) -> None:
    project.write({"app/models.py": TORCH_LOAD, "app/sub/serve.py": RAY_DASHBOARD})
    app = project.root / "app"
    (app / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (app / "self").symlink_to(".", target_is_directory=True)
    (app / "dangling.py").symlink_to("nowhere.py")
    (app / "alias.py").symlink_to("models.py")
    os.mkfifo(app / "pipe.py")

    result = project.check(expect=1)
    assert result.findings() == {("app/models.py", 3, "LLM402"), ("app/sub/serve.py", 3, "LLM404")}
    assert result.stderr == ""

    named = project.check("app/pipe.py", "app/dangling.py", "app/sub/serve.py", expect=2)
    assert named.findings() == {("app/pipe.py", 1, "LLM000"), ("app/sub/serve.py", 3, "LLM404")}
    assert "app/pipe.py:1:1: LLM000 [error] Cannot read file: not a regular file." in named.stdout
    assert named.stderr == "llmlint: error: path 'app/dangling.py' is a broken symlink\n"


# --- other commands -----------------------------------------------------------------


def test_rule_docs(project: Project) -> None:
    docs = project.run("rule", "LLM401", expect=0)
    assert docs.stdout.startswith("# LLM401: trust-remote-code\n")
    assert "## What it does" in docs.stdout
    assert "## Why is this bad?" in docs.stdout
    assert project.run("rule", "trust-remote-code", expect=0).stdout == docs.stdout

    missing = project.run("rule", "LLM999", expect=2)
    assert missing.stdout == ""
    assert missing.stderr == "llmlint: error: no rule 'LLM999' (see `llmlint rules`)\n"


def test_rules_lists_every_rule(project: Project) -> None:
    listed = project.run("rules", expect=0).stdout
    for rule in all_rules():
        assert re.search(
            rf"^{rule.code}\s+{re.escape(rule.name)}\s+{rule.severity.value}\b", listed, re.M
        )


def test_version(project: Project) -> None:
    expected = f"llmlint {llmlint.__version__}\n"
    assert project.run("--version", expect=0).stdout == expected
    module = run_llmlint(["--version"], cwd=project.root, command=(sys.executable, "-m", "llmlint"))
    assert (module.returncode, module.stdout) == (0, expected)


# --- SARIF snapshot -----------------------------------------------------------------


def _normalized_sarif(text: str) -> str:
    data = json.loads(text)
    for run in data["runs"]:
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = SRCROOT_PLACEHOLDER
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_sarif_snapshot(update_snapshots: bool) -> None:
    result = run_llmlint(
        ["check", "--output-format", "sarif", "--no-cache", "."], cwd=SNAPSHOT_PROJECT, expect=1
    )
    data = json.loads(result.stdout)
    assert data["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (
        SNAPSHOT_PROJECT.resolve().as_uri() + "/"
    )
    actual = _normalized_sarif(result.stdout)
    if update_snapshots:
        SNAPSHOT_SARIF.write_text(actual, encoding="utf-8", newline="\n")
    assert SNAPSHOT_SARIF.is_file(), "no snapshot: run pytest with --update-snapshots"
    expected = SNAPSHOT_SARIF.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                str(SNAPSHOT_SARIF),
                "llmlint output",
            )
        )
        pytest.fail(f"SARIF differs from the snapshot (update with --update-snapshots):\n{diff}")
    # The snapshot covers what it is meant to.
    run = data["runs"][0]
    assert sorted(r["ruleId"] for r in run["results"]) == [
        "LLM105",
        "LLM401",
        "LLM402",
        "LLM403",
        "LLM404",
    ]
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["associatedRule"]["id"] for n in notifications] == ["LLM000"]


def test_output_file_parents_are_created(project: Project) -> None:
    project.write({"models.py": TORCH_LOAD})
    project.check("--output-format", "sarif", "-o", "out/nested/report.sarif", expect=1)
    assert json.loads((project.root / "out/nested/report.sarif").read_text())["version"] == "2.1.0"
