"""The data-flow engine on small projects, with a fixed catalog (independent of the shipped one)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from llmlint.analysis.facts import ModuleFacts
from llmlint.catalog import Catalog, load_catalog
from llmlint.finding import Finding
from tests.fixture_harness import run_sources

CATALOG_TABLE = {
    "llm-call": [
        {"call": "openai.OpenAI().chat.completions.create", "provider": "openai", "api": "chat"},
        {
            "call": "openai.OpenAI().embeddings.create",
            "provider": "openai",
            "api": "embeddings",
            "output": False,
        },
    ],
    "sink": [
        {"call": "builtins.exec", "rule": "LLM001", "args": [{"position": 0}]},
        {"call": "builtins.eval", "rule": "LLM001", "args": [{"position": 0}]},
        {
            "call": "subprocess.run",
            "rule": "LLM002",
            "args": [{"position": 0}],
            "when": {"shell": True},
        },
        {"call": "subprocess.run", "rule": "LLM002", "args": [{"position": 0}], "program": True},
        {
            "method": "execute",
            "receiver": "^(cur|cursor)$",
            "rule": "LLM003",
            "args": [{"position": 0}],
        },
        {
            "call": "builtins.open",
            "rule": "LLM007",
            "args": [{"position": 0}],
            "write-mode": {"position": 1, "keyword": "mode"},
        },
    ],
    "sanitizer": [
        {"call": "builtins.int"},
        {"call": "builtins.len"},
        {"call": "shlex.quote", "rules": ["LLM002"]},
    ],
    "tool-decorator": [{"decorator": "langchain_core.tools.tool", "framework": "langchain"}],
    "tool-registration": [
        {
            "call": "langchain_core.tools.StructuredTool.from_function",
            "function": {"position": 0, "keyword": "func"},
            "framework": "langchain",
        }
    ],
}
HEADER = "from openai import OpenAI\nclient = OpenAI()\n"
ASK = 'client.chat.completions.create(model="m", messages=[])'


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG_TABLE)


def analyse(tmp_path: Path, catalog: Catalog, files: dict[str, str]) -> list[Finding]:
    return run_sources(tmp_path, files, ("LLM001", "LLM002", "LLM003", "LLM007"), catalog)


def lines(findings: list[Finding]) -> set[tuple[str, int, str]]:
    return {(f.location.path, f.location.line, f.code) for f in findings}


def single(tmp_path: Path, catalog: Catalog, body: str) -> set[tuple[int, str]]:
    code = HEADER + textwrap.dedent(body).replace("ASK", ASK)
    return {(line, code) for _, line, code in lines(analyse(tmp_path, catalog, {"m.py": code}))}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("r = ASK\ntext = r.choices[0].message.content.strip()\nexec(text)\n", {(5, "LLM001")}),
        ("r = ASK\nexec(f'print({r})')\n", {(4, "LLM001")}),
        ("import json\nr = ASK\nexec(json.loads(r)['code'])\n", {(5, "LLM001")}),
        (
            "parts = []\nfor chunk in ASK:\n    parts.append(chunk)\nexec(''.join(parts))\n",
            {(6, "LLM001")},
        ),
        ("r = ASK\nexec([x for x in r][0])\n", {(4, "LLM001")}),
        ("async def f():\n    r = await ASK\n    exec(r)\n", {(5, "LLM001")}),
        ("r = ASK\nr = 'constant'\nexec(r)\n", set()),
        ("r = ASK\nexec(int(r))\nexec(len(r))\n", set()),
        ("v = client.embeddings.create(input='x')\nexec(v)\n", set()),
        ("import subprocess, shlex\nr = ASK\nsubprocess.run(shlex.quote(r), shell=True)\n", set()),
        ("import subprocess, shlex\nr = ASK\nexec(shlex.quote(r))\n", {(5, "LLM001")}),
        ("import subprocess\nr = ASK\nsubprocess.run(['ls', r])\n", set()),
        ("import subprocess\nr = ASK\nsubprocess.run([r, '-l'])\n", {(5, "LLM002")}),
        ("import subprocess\nr = ASK\nsubprocess.run(['bash', '-c', r])\n", {(5, "LLM002")}),
        ("r = ASK\nif r in ('a', 'b'):\n    exec(r)\nexec(r)\n", {(6, "LLM001")}),
        ("r = ASK\nif r not in {'a', 'b'}:\n    raise ValueError(r)\nexec(r)\n", set()),
        ("r = ASK\ncur.execute(r)\ncur.execute('SELECT ?', (r,))\n", {(4, "LLM003")}),
        ("r = ASK\nopen(r, 'w')\nopen(r)\nopen(r, mode='a')\n", {(4, "LLM007"), (6, "LLM007")}),
        ("def f(x):\n    return f(x)\nexec(f(ASK))\n", set()),
    ],
)
def test_local_flows(
    tmp_path: Path, catalog: Catalog, body: str, expected: set[tuple[int, str]]
) -> None:
    assert single(tmp_path, catalog, body) == expected


def test_functions_methods_and_fields(tmp_path: Path, catalog: Catalog) -> None:
    found = single(
        tmp_path,
        catalog,
        """
        def ask(q):
            return ASK

        def wrap(q):
            return ask(q).upper()

        def run(code):
            exec(code)

        class Agent:
            def __init__(self):
                self.last = None

            def think(self):
                self.last = wrap("q")

            def act(self):
                eval(self.last)

        run(wrap("x"))
        run("print(1)")
        """,
    )
    assert found == {(11, "LLM001"), (21, "LLM001")}


def test_flows_across_modules(tmp_path: Path, catalog: Catalog) -> None:
    findings = analyse(
        tmp_path,
        catalog,
        {
            "app/__init__.py": "",
            "app/clients.py": HEADER
            + "class Base:\n    def __init__(self):\n        self.llm = OpenAI()\n",
            "app/llm.py": f"from .clients import client\ndef ask(q):\n    return {ASK}\n",
            "app/shell.py": (
                "import subprocess\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n"
            ),
            "app/answer.py": "from app.llm import ask\nANSWER = ask('q')\n",
            "app/main.py": (
                "from app import shell\nfrom app.llm import ask as a\n"
                "from app.answer import ANSWER\nfrom app.clients import Base\n"
                "class Bot(Base):\n    def go(self):\n"
                "        exec(self.llm.chat.completions.create(model='m', messages=[]))\n"
                "shell.run(a('x'))\neval(ANSWER)\n"
            ),
        },
    )
    assert lines(findings) == {
        ("app/main.py", 7, "LLM001"),
        ("app/main.py", 9, "LLM001"),
        ("app/shell.py", 3, "LLM002"),
    }
    shell = next(f for f in findings if f.code == "LLM002")
    assert shell.message == (
        "LLM output from 'client.chat.completions.create' (app/llm.py:3) reaches 'subprocess.run'."
    )
    assert [step.location.path for step in shell.flow] == [
        "app/llm.py",
        "app/llm.py",
        "app/main.py",
        "app/main.py",
        "app/shell.py",
        "app/shell.py",
    ]
    assert shell.related[0].location.path == "app/llm.py"


def test_tool_arguments_are_chosen_by_the_model(tmp_path: Path, catalog: Catalog) -> None:
    found = single(
        tmp_path,
        catalog,
        """
        import subprocess
        from langchain_core.tools import StructuredTool, tool

        @tool
        def shell(command: str) -> str:
            return subprocess.run(command, shell=True).stdout

        def search(query: str) -> str:
            return eval(query)

        def helper(text: str) -> str:
            return eval(text)

        tools = [StructuredTool.from_function(search)]
        """,
    )
    assert found == {(9, "LLM002"), (12, "LLM001")}


def test_facts_round_trip_through_json(tmp_path: Path, catalog: Catalog) -> None:
    from llmlint.pipeline import FileAnalyzer, FileTask

    code = (
        HEADER
        + "import helper\ndef f(x):\n    r = "
        + ASK
        + "\n    exec(x + r)\n    return helper.g(r)\n"
    )
    result = FileAnalyzer(("LLM001",), catalog, facts=True).analyze(
        FileTask("m.py", "m.py", "m", False, code.encode())
    )
    assert result.facts is not None
    facts = ModuleFacts.from_json(result.facts)
    assert facts.to_json() == result.facts
    assert ModuleFacts.from_json(facts.to_json()) == facts
    assert {call.text for call in facts.calls.values()} == {"helper.g"}
    assert [hit.rule for hit in facts.sink_hits] == ["LLM001"]


def test_project_wrappers_sanitizers_and_sinks_from_configuration(tmp_path: Path) -> None:
    table = {
        "llm-call": [{"call": "acme.gateway.ask", "provider": "acme", "api": "ask"}],
        "sanitizer": [{"call": "acme.checks.safe_sql", "rules": ["LLM003"]}],
        "sink": [
            {"call": "acme.jobs.submit", "rule": "LLM002", "args": [{"position": 0}]},
            {"call": "acme.db.run", "rule": "LLM003", "args": [{"position": 0}]},
        ],
    }
    findings = analyse(
        tmp_path,
        load_catalog(table),
        {
            "main.py": """
                from acme.gateway import ask
                from acme import jobs, db
                from acme.checks import safe_sql

                script = ask("clean up")
                jobs.submit(script)
                db.run(safe_sql(ask("query")))
                db.run(ask("query"))
                """
        },
    )
    assert lines(findings) == {("main.py", 7, "LLM002"), ("main.py", 9, "LLM003")}
