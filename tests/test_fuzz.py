"""Generated programs never cause an internal error: every rule and the data-flow
analysis run on hypothesmith's grammar-based and CST-based Python programs.

A short seeded run is part of the default suite; `pytest --run-slow tests/test_fuzz.py`
runs the long one (its result is recorded in docs/robustness.md).
"""

from __future__ import annotations

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from llmlint.catalog import load_catalog
from llmlint.pipeline import FileAnalyzer, FileTask
from llmlint.registry import all_rules

ANALYZER = FileAnalyzer(tuple(r.code for r in all_rules()), load_catalog(), facts=True)
QUICK = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
LONG = settings(QUICK, max_examples=2000)


def analyse(source: str) -> None:
    task = FileTask("/fuzz/case.py", "case.py", "case", False, source.encode("utf-8"))
    result = ANALYZER.analyze(task)
    assert not result.errors, result.errors


@QUICK
@given(hypothesmith.from_grammar())
def test_grammar_programs(source: str) -> None:
    analyse(source)


@QUICK
@given(hypothesmith.from_node())
def test_cst_programs(source: str) -> None:
    analyse(source)


@pytest.mark.slow
@LONG
@given(hypothesmith.from_grammar() | hypothesmith.from_node())
def test_long_fuzz(source: str) -> None:
    analyse(source)
