"""The pipeline's parse: libcst's tree, without per-node validation while parsing."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from llmlint.pipeline import parse_module

SAMPLES = [  # fixtures that parse (LLM000's are broken on purpose)
    path
    for path in sorted((Path(__file__).parent / "fixtures").rglob("*.py"))
    if not path.name.startswith("LLM000")
][:60]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_same_tree_as_libcst(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tree = parse_module(text)
    assert tree.deep_equals(cst.parse_module(text))
    assert tree.code == text


def test_validation_is_back_after_parsing() -> None:
    parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")  # libcst rejects it only while validation is on


def test_validation_is_back_after_a_syntax_error() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
