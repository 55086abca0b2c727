"""Every rule's documented Example triggers it and its `Use instead:` code does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmlint.catalog import load_catalog
from llmlint.engine import EngineOptions, InputFile, run
from llmlint.registry import all_rules
from llmlint.rule import Rule


def findings_for(code: str, tmp_path: Path) -> set[str]:
    path = tmp_path / "example.py"
    path.write_text(code, encoding="utf-8")
    options = EngineOptions(tuple(r.code for r in all_rules()), load_catalog(), jobs=1)
    result = run([InputFile(path, "example.py", "example")], options)
    assert not result.errors, result.errors
    return {f.code for f in result.findings}


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_example_triggers_the_rule(rule: type[Rule], tmp_path: Path) -> None:
    assert rule.code in findings_for(rule.docs.example, tmp_path)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_use_instead_is_clean(rule: type[Rule], tmp_path: Path) -> None:
    assert rule.code not in findings_for(rule.docs.fix_example, tmp_path)
