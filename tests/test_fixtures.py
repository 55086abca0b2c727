from __future__ import annotations

from pathlib import Path

import pytest

from llmlint.registry import all_rules
from tests.fixture_harness import fixture_cases, read_expectations, run_llmlint


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda p: p.name)
def test_fixture(case: Path) -> None:
    expected = read_expectations(case)
    known = {rule.code for rule in all_rules()}
    assert expected.codes <= known, f"annotations name unknown codes: {expected.codes - known}"
    annotated = expected.expect | expected.ok | expected.todo_expect | expected.todo_ok
    assert annotated, f"{case.name} has no annotation"
    actual = {
        (f.location.path, f.location.line, f.code)
        for f in run_llmlint(case)
        if f.code in expected.codes
    }
    now_found = sorted(actual & expected.todo_expect)
    assert not now_found, f"todo-expect now found (make it expect:): {now_found}"
    gone = sorted(expected.todo_ok - actual)
    assert not gone, f"todo-ok no longer reported (make it ok:): {gone}"
    flagged_ok = sorted(actual & expected.ok)
    assert not flagged_ok, f"findings on ok: lines: {flagged_ok}"
    assert sorted(actual - expected.todo_ok) == sorted(expected.expect)


def test_every_rule_has_a_fixture() -> None:
    covered = set()
    for case in fixture_cases():
        covered |= read_expectations(case).codes
    missing = {rule.code for rule in all_rules()} - covered
    assert not missing, f"rules without a fixture: {sorted(missing)}"
