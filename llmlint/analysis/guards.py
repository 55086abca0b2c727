"""Conditions that validate a value: after them, the value is no longer untrusted.

`if action in ALLOWED:` (a constant collection), `if mode == "fast":` and
`if re.fullmatch(pattern, text):` leave only known-good values in the branch they
guard. Some checks protect one kind of sink only: a URL that starts with a fixed
`https://host/` cannot point elsewhere (LLM006), a path that starts with a fixed folder
or `is_relative_to` one cannot escape it (LLM007). Negations (`not in`, `!=`, `not ...`)
validate the other branch, which is also the rest of the function when the guarded
branch always exits.
"""

from __future__ import annotations

import re

import libcst as cst

from llmlint.analysis.module import UNKNOWN, ModuleModel
from llmlint.analysis.scope import Scope
from llmlint.analysis.values import ALL_RULES

FULL_MATCHES = frozenset({"re.fullmatch", "regex.fullmatch"})
COMPILED = frozenset({"re.compile()", "regex.compile()"})
# `text.isdigit()` and the like: only digits, or only an identifier, can pass.
CHARACTER_CLASS_CHECKS = frozenset(
    {"isdigit", "isdecimal", "isnumeric", "isidentifier", "isalnum", "isalpha"}
)
NORMALIZERS = frozenset({"lower", "upper", "casefold", "strip", "title"})
_URL_PREFIX = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]+/")
# name -> the rules it is safe for ("*": every rule)
Cleared = dict[str, frozenset[str]]
_ALL = frozenset({ALL_RULES})


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
        values = [b for b in scope.lookup(node.value) if b.node is not None]
        return (
            len(values) == 1
            and isinstance(values[0].node, cst.BaseExpression)
            and _constant_collection(values[0].node, model, values[0].scope)
        )
    return model.literal(node, scope) is not UNKNOWN


def _root_name(node: cst.BaseExpression) -> str | None:
    """`candidate` for `candidate.resolve()`, `Path(candidate)` and `candidate`."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            node = node.func.value
        elif isinstance(node, cst.Call) and len(node.args) == 1:
            node = node.args[0].value
        else:
            return None


def _method_guard(test: cst.Call, model: ModuleModel, scope: Scope) -> Cleared:
    func = test.func
    if not isinstance(func, cst.Attribute):
        return {}
    name = _root_name(func.value)
    if name is None:
        return {}
    method = func.attr.value
    if method in CHARACTER_CLASS_CHECKS and not test.args:
        return {name: _ALL}
    if method == "fullmatch" and model.paths(func.value, scope) & COMPILED and test.args:
        argument = _root_name(test.args[0].value)
        return {argument: _ALL} if argument else {}
    if method == "is_relative_to":
        return {name: frozenset({"LLM007"})}
    if method == "startswith" and test.args:
        prefix = model.literal(test.args[0].value, scope)
        if isinstance(prefix, str) and _URL_PREFIX.match(prefix):
            return {name: frozenset({"LLM006"})}
        if isinstance(prefix, str) and prefix.startswith("/") and prefix.endswith("/"):
            return {name: frozenset({"LLM007"})}
    return {}


def _normalized(node: cst.BaseExpression) -> cst.BaseExpression:
    """`city` for `city.lower()`, `city.strip()`: a case or space change keeps it allowed."""
    if (
        isinstance(node, cst.Call)
        and not node.args
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in NORMALIZERS
        and isinstance(node.func.value, cst.Name)
    ):
        return node.func.value
    return node


def cleared_names(
    test: cst.BaseExpression, model: ModuleModel, scope: Scope
) -> tuple[Cleared, Cleared]:
    """(names safe in the true branch, names safe in the false branch) of an `if`."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        when_true, when_false = cleared_names(test.expression, model, scope)
        return when_false, when_true
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        first, _ = cleared_names(test.left, model, scope)
        second, _ = cleared_names(test.right, model, scope)
        return {**first, **second}, {}
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        operator, right, left = comparison.operator, comparison.comparator, _normalized(test.left)
        if isinstance(left, cst.Name) and _constant_collection(right, model, scope):
            if isinstance(operator, (cst.In, cst.Equal, cst.Is)):
                return {left.value: _ALL}, {}
            if isinstance(operator, (cst.NotIn, cst.NotEqual, cst.IsNot)):
                return {}, {left.value: _ALL}
        if isinstance(right, cst.Name) and model.literal(left, scope) is not UNKNOWN:
            if isinstance(operator, cst.Equal):
                return {right.value: _ALL}, {}
            if isinstance(operator, cst.NotEqual):
                return {}, {right.value: _ALL}
    if isinstance(test, cst.Call):
        if (
            model.paths(test.func, scope) & FULL_MATCHES
            and len(test.args) >= 2
            and isinstance(test.args[1].value, cst.Name)
        ):
            return {test.args[1].value.value: _ALL}, {}
        return _method_guard(test, model, scope), {}
    return {}, {}
