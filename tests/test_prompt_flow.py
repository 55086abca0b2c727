"""What goes into prompts (LLM101-LLM104), on small projects with a catalog written here:
the placement rules (bare, spliced, system role), validators, and user-defined sources,
prompts and templates, independent of the shipped catalog."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from llmlint.catalog import Catalog, load_catalog
from tests.fixture_harness import run_sources

PROMPT_RULES = ("LLM101", "LLM102", "LLM103", "LLM104")
CATALOG_TABLE = {
    "prompt": [
        {"call": "acme.llm.ask", "text": [{"position": 0}], "system": [{"keyword": "system"}]},
        {"call": "acme.llm.chat", "messages": [{"position": 0}]},
        {"call": "acme.llm.run_chain", "template": True},
    ],
    "source": [
        {"kind": "untrusted-input", "label": "ticket", "call": "acme.helpdesk.ticket"},
        {"kind": "indirect-content", "label": "page", "call": "acme.web.fetch"},
        {
            "kind": "secret",
            "label": "secret",
            "call": "os.getenv",
            "key": {"position": 0},
            "key-pattern": "(?i)token|secret",
        },
    ],
    "route": [{"decorator": "acme.web.route", "framework": "acme"}],
    "message-role": [
        {"call": "acme.llm.System", "content": {"position": 0}, "role": "system"},
        {"call": "acme.llm.Message", "content": {"position": 1}, "role-argument": {"position": 0}},
    ],
    "template": [{"call": "acme.llm.Template().render"}],
    "sanitizer": [
        {"call": "builtins.int"},
        {"call": "acme.safety.clean", "rules": ["LLM101", "LLM102", "LLM103"]},
        {"call": "acme.safety.check", "rules": ["LLM101", "LLM102", "LLM103"], "validates": True},
    ],
}
HEADER = "import os\nfrom acme import helpdesk, llm, safety, web\nfrom acme.llm import ask, chat\n"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG_TABLE)


def analyse(tmp_path: Path, catalog: Catalog, files: dict[str, str]) -> set[tuple[str, int, str]]:
    findings = run_sources(tmp_path, files, PROMPT_RULES, catalog)
    return {(f.location.path, f.location.line, f.code) for f in findings}


def single(tmp_path: Path, catalog: Catalog, body: str) -> set[tuple[int, str]]:
    code = HEADER + textwrap.dedent(body)
    return {(line, code) for _, line, code in analyse(tmp_path, catalog, {"m.py": code})}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A bare value is the user's own message: the intended channel.
        ("t = helpdesk.ticket()\nask(t)\n", set()),
        ("t = helpdesk.ticket()\nask(f'Summarize: {t}')\n", {(5, "LLM101")}),
        ("t = helpdesk.ticket()\nask('Summarize: ' + t)\n", {(5, "LLM101")}),
        ("t = helpdesk.ticket()\nask('Summarize: %s' % t)\n", {(5, "LLM101")}),
        ("t = helpdesk.ticket()\nask('Summarize: {}'.format(t))\n", {(5, "LLM101")}),
        ("t = helpdesk.ticket()\nask('\\n'.join(['Summarize:', t]))\n", {(5, "LLM101")}),
        ("t = helpdesk.ticket()\nask(f'{t}')\n", set()),
        ("t = helpdesk.ticket()\nask(llm.Template('Hi {{t}}').render(t=t))\n", {(5, "LLM101")}),
        # The system role, however the value is placed there.
        ("t = helpdesk.ticket()\nask('hi', system=t)\n", {(5, "LLM102")}),
        ("t = helpdesk.ticket()\nchat([{'role': 'system', 'content': t}])\n", {(5, "LLM102")}),
        ("t = helpdesk.ticket()\nchat([{'role': 'developer', 'content': t}])\n", {(5, "LLM102")}),
        ("t = helpdesk.ticket()\nchat([{'role': 'user', 'content': t}])\n", set()),
        ("t = helpdesk.ticket()\nchat([('system', f'Be {t}')])\n", {(5, "LLM102")}),
        ("t = helpdesk.ticket()\nchat([llm.System(t)])\n", {(5, "LLM102")}),
        ("t = helpdesk.ticket()\nchat([llm.Message('system', t)])\n", {(5, "LLM102")}),
        ("t = helpdesk.ticket()\nchat([llm.Message('user', t)])\n", set()),
        # Templated calls: every argument is spliced.
        ("t = helpdesk.ticket()\nllm.run_chain(question=t)\n", {(5, "LLM101")}),
        # Indirect content counts when spliced or in the system role, not bare.
        ("p = web.fetch()\nask(p)\n", set()),
        ("p = web.fetch()\nask('Summarize: ' + p)\n", {(5, "LLM103")}),
        ("p = web.fetch()\nask('x', system=p)\n", {(5, "LLM103")}),
        # Secrets count anywhere; only keys that match the pattern are secrets.
        ("k = os.getenv('ORDERS_TOKEN')\nask(k)\n", {(5, "LLM104")}),
        ("k = os.getenv('MODEL_NAME')\nask(f'use {k}')\n", set()),
        # Validators: conversions, guards, cleaning and checking calls.
        ("t = int(helpdesk.ticket())\nask(f'Pick {t}')\n", set()),
        ("t = helpdesk.ticket()\nif t in ('a', 'b'):\n    ask(f'Pick {t}')\n", set()),
        ("t = safety.clean(helpdesk.ticket())\nask(f'Summarize: {t}')\n", set()),
        ("t = helpdesk.ticket()\nsafety.check(t)\nask(f'Summarize: {t}')\n", set()),
        ("t = helpdesk.ticket()\nsafety.check(t)\nask('x', system=t)\n", set()),
        # A validator for prompt injection does not make a secret shareable.
        ("k = safety.clean(os.getenv('API_TOKEN'))\nask(k)\n", {(5, "LLM104")}),
    ],
)
def test_placement_and_validation(
    tmp_path: Path, catalog: Catalog, body: str, expected: set[tuple[int, str]]
) -> None:
    assert single(tmp_path, catalog, body) == expected


def test_route_parameters_are_untrusted_unless_injected_or_scalar(
    tmp_path: Path, catalog: Catalog
) -> None:
    found = single(
        tmp_path,
        catalog,
        """
        @web.route("/a")
        def handler(topic, count: int, name: str):
            ask(f"Write about {topic}")
            ask(f"Write {count} lines")
            ask("hi", system=name)

        def not_a_route(topic):
            ask(f"Write about {topic}")
        """,
    )
    assert found == {(7, "LLM101"), (9, "LLM102")}


def test_handler_and_prompt_builder_in_other_modules(tmp_path: Path, catalog: Catalog) -> None:
    found = analyse(
        tmp_path,
        catalog,
        {
            "app/__init__.py": "",
            "app/prompts.py": """
                def build(question):
                    return f"Answer in one sentence: {question}"

                def persona(name):
                    return [{"role": "system", "content": name}]
            """,
            "app/views.py": """
                from acme import web
                from acme.llm import ask, chat
                from app.prompts import build, persona

                @web.route("/q")
                def view(question, name):
                    ask(build(question))
                    chat(persona(name))
            """,
        },
    )
    assert found == {("app/views.py", 8, "LLM101"), ("app/views.py", 9, "LLM102")}
