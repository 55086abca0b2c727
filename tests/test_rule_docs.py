"""Every rule's documented Example triggers it and its `Use instead:` code does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmlint.catalog import load_catalog
from llmlint.pipeline import FileAnalyzer, FileTask
from llmlint.registry import all_rules
from llmlint.rule import Rule


def findings_for(code: str, tmp_path: Path) -> set[str]:
    analyzer = FileAnalyzer(tuple(r.code for r in all_rules()), load_catalog())
    data = code.encode()
    result = analyzer.analyze(
        FileTask(str(tmp_path / "example.py"), "example.py", "example", False, data)
    )
    assert not result.errors, result.errors
    return {f.code for f in result.findings}


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_example_triggers_the_rule(rule: type[Rule], tmp_path: Path) -> None:
    assert rule.code in findings_for(rule.docs.example, tmp_path)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_use_instead_is_clean(rule: type[Rule], tmp_path: Path) -> None:
    assert rule.code not in findings_for(rule.docs.fix_example, tmp_path)
