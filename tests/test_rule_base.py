"""The Rule base class rejects malformed rules when they are defined."""

from __future__ import annotations

import re

import pytest

from llmlint.finding import Severity
from llmlint.registry import SelectionError, all_rules, codes_matching, rule_by_code, select_rules
from llmlint.rule import Rule, RuleDefinitionError

VALID_DOC = """
## What it does
Finds things.

## Why is this bad?
Because.

## Example
```python
bad()
```

Use instead:
```python
good()
```

## References
- nowhere
"""


def define(**overrides: object) -> type[Rule]:
    attributes: dict[str, object] = {
        "__doc__": VALID_DOC,
        "code": "LLM998",
        "name": "a-test-rule",
        "severity": Severity.WARNING,
        "owasp": ("LLM01:2023", "LLM01:2025"),
        "cwe": (20,),
        "check": lambda self, ctx: iter(()),
    }
    attributes.update(overrides)
    return type("TestRule", (Rule,), attributes)


def test_a_valid_rule_is_accepted() -> None:
    rule = define()
    assert rule.docs.summary == "Finds things."
    assert rule.docs.example == "bad()\n"
    assert rule.docs.fix_example == "good()\n"
    assert rule.pascal_name() == "ATestRule"
    assert rule.security_severity == 5.5


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"code": "LLM1"}, "not of the form LLMnnn"),
        ({"code": "XYZ001"}, "not of the form LLMnnn"),
        ({"name": "Not_Kebab"}, "not kebab-case"),
        ({"severity": "error"}, "severity must be a Severity"),
        ({"owasp": ("A01:2021",)}, "OWASP id"),
        ({"owasp": ("LLM01:2023",)}, "both the 2023 and the 2025 list"),
        ({"cwe": ("CWE-79",)}, "CWE ids must be positive integers"),
        ({"precision": "certain"}, "precision must be one of"),
        (
            {"__doc__": VALID_DOC.replace("## References", "## Refs")},
            "lacks the section(s) ## References",
        ),
        ({"__doc__": VALID_DOC + "\n## Trivia\nx\n"}, "unknown section"),
        ({"__doc__": VALID_DOC.replace("Use instead:", "Or:")}, "`Use instead:` code block"),
    ],
)
def test_malformed_rules_are_rejected(overrides: dict[str, object], problem: str) -> None:
    with pytest.raises(RuleDefinitionError, match=re.escape(problem)):
        define(**overrides)


def test_a_rule_without_check_is_rejected() -> None:
    attributes = {"check": Rule.check}
    with pytest.raises(RuleDefinitionError, match="does not implement check"):
        define(**attributes)


def test_registry_finds_every_rule_module_once() -> None:
    codes = [rule.code for rule in all_rules()]
    assert codes == sorted(set(codes))
    assert {"LLM000", "LLM105", "LLM401", "LLM402", "LLM403", "LLM404"} <= set(codes)
    assert rule_by_code("llm401") is rule_by_code("trust-remote-code") is not None


def test_selection_most_specific_selector_wins() -> None:
    chosen = {r.code for r in select_rules(["LLM4"], ignore=["LLM40"], extend_select=["LLM401"])}
    assert chosen == {"LLM000", "LLM401"}  # LLM000 is reported unless it is ignored
    assert {r.code for r in select_rules(["ALL"], ignore=["LLM4"])} >= {"LLM000", "LLM105"}
    assert not {r.code for r in select_rules(["ALL"], ignore=["LLM4"])} & {"LLM401", "LLM404"}
    assert "LLM000" not in {r.code for r in select_rules(["LLM4"], ignore=["LLM000"])}
    assert codes_matching(["LLM40"]) >= {"LLM401", "LLM402", "LLM403", "LLM404"}


def test_unknown_selector_names_its_origin() -> None:
    with pytest.raises(SelectionError, match=r"pyproject.toml: 'LLM9' matches no rule"):
        select_rules(["LLM9"], origin="pyproject.toml")
