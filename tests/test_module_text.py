"""ModuleModel answers that several analyses share: code text and the functions a call runs."""

from __future__ import annotations

import libcst as cst
import pytest

from tests.test_analysis import model_of


@pytest.mark.parametrize(
    "expression",
    [
        "client.chat.completions.create",
        "(client).chat",
        "client . chat",
        "client.\\\n    chat",
        "f(x).y",
    ],
)
def test_text_of_is_the_code_as_written(expression: str) -> None:
    model = model_of(f"value = {expression}\n")
    statement = model.tree.body[0]
    assert isinstance(statement, cst.SimpleStatementLine)
    assign = statement.body[0]
    assert isinstance(assign, cst.Assign)
    assert model.text_of(assign.value) == expression


def test_functions_called_are_in_path_order_whatever_the_set_order() -> None:
    model = model_of("def b():\n    pass\n\ndef a():\n    pass\n")
    names = ["pkg.sub.mod.b", "pkg.sub.mod.a", "pkg.sub.mod.missing"]
    for order in (names, list(reversed(names))):
        found = model.functions_called(order)
        assert [scope.name for scope in found] == ["a", "b"]
