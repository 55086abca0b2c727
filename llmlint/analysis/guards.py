"""Conditions that validate a value: after them, the value is no longer untrusted.

`if action in ALLOWED:` (a constant collection), `if mode == "fast":`, and
`if re.fullmatch(pattern, text):` leave only known-good values in the branch they
guard; their negations (`not in`, `!=`, `not re.fullmatch(...)`) do so in the other
branch, which is also the rest of the function when the guarded branch always exits.
"""

from __future__ import annotations

import libcst as cst

from llmlint.analysis.module import UNKNOWN, ModuleModel
from llmlint.analysis.scope import Scope

FULL_MATCHES = frozenset({"re.fullmatch", "regex.fullmatch"})


def _constant_collection(node: cst.BaseExpression, model: ModuleModel, scope: Scope) -> bool:
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return all(model.literal(e.value, scope) is not UNKNOWN for e in node.elements)
    if isinstance(node, cst.Call) and model.text_of(node.func) in ("frozenset", "set", "tuple"):
        return len(node.args) == 1 and _constant_collection(node.args[0].value, model, scope)
    if isinstance(node, cst.Dict):
        return all(
            isinstance(e, cst.DictElement) and model.literal(e.key, scope) is not UNKNOWN
            for e in node.elements
        )
    if isinstance(node, cst.Name):
        bindings = scope.lookup(node.value)
        values = [b for b in bindings if b.node is not None]
        return (
            len(values) == 1
            and isinstance(values[0].node, cst.BaseExpression)
            and (_constant_collection(values[0].node, model, values[0].scope))
        )
    return model.literal(node, scope) is not UNKNOWN


def _guarded(
    test: cst.BaseExpression, model: ModuleModel, scope: Scope
) -> tuple[set[str], set[str]]:
    """Names validated when `test` is true, and names validated when it is false."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        when_true, when_false = _guarded(test.expression, model, scope)
        return when_false, when_true
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        first, _ = _guarded(test.left, model, scope)
        second, _ = _guarded(test.right, model, scope)
        return first | second, set()
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        operator, right = comparison.operator, comparison.comparator
        left = test.left
        if isinstance(left, cst.Name) and _constant_collection(right, model, scope):
            if isinstance(operator, (cst.In, cst.Equal, cst.Is)):
                return {left.value}, set()
            if isinstance(operator, (cst.NotIn, cst.NotEqual, cst.IsNot)):
                return set(), {left.value}
        constant_left = model.literal(left, scope) is not UNKNOWN
        if isinstance(right, cst.Name) and constant_left:
            names = {right.value}
            if isinstance(operator, cst.Equal):
                return names, set()
            if isinstance(operator, cst.NotEqual):
                return set(), names
    if (
        isinstance(test, cst.Call)
        and model.paths(test.func, scope) & FULL_MATCHES
        and len(test.args) >= 2
        and isinstance(test.args[1].value, cst.Name)
    ):
        return {test.args[1].value.value}, set()
    return set(), set()


def cleared_names(
    test: cst.BaseExpression, model: ModuleModel, scope: Scope
) -> tuple[set[str], set[str]]:
    """(names safe in the true branch, names safe in the false branch) of an `if`."""
    return _guarded(test, model, scope)
