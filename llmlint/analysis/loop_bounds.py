"""What stops repeated LLM calls: loop exits, recursion bounds and agent limits (LLM204).

A model call repeated with nothing to stop it runs up cost without limit. Three shapes
are looked at:

- `while True` loops: `infinite_loops` finds them and `loop_body` their calls and exits.
- Self-recursive functions: `tested_names`, `derived_names`, `in_iteration` and
  `parameter_names` tell whether a parameter the function tests bounds the recursion.
- Agent loops of frameworks: `limit_argument` and `limit_value` read the iteration
  limits given to them (`max_iterations=None`, `recursion_limit=10**6`).

`LLMReach` tells which of the module's functions call a model, directly or through
each other, so that a loop calling a helper that calls the model counts too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst

from llmlint.analysis.builder import dotted_name
from llmlint.analysis.call_options import builds_options, string_key
from llmlint.analysis.module import UNKNOWN, CallSite, ModuleModel
from llmlint.analysis.receivers import llm_calls
from llmlint.analysis.scope import BindingKind, Scope, ScopeKind
from llmlint.catalog.schema import ArgRef, NoReturn

INFINITE_CONSTANTS = frozenset({"math.inf", "sys.maxsize", "numpy.inf", "np.inf", "float.inf"})
_VALUE_BINDINGS = (BindingKind.ASSIGN, BindingKind.ELEMENT, BindingKind.WITH)


# -- agent limits ------------------------------------------------------------------------------


class Absent:
    """A limit argument that is not passed (a singleton)."""


ABSENT = Absent()


def limit_argument(
    call: CallSite, ref: ArgRef
) -> tuple[cst.CSTNode, cst.BaseExpression] | Absent | None:
    """Where the limit at `ref` is given (node to report, value), ABSENT, or None when it
    may be given somewhere llmlint cannot see (an options dict from elsewhere)."""
    arg = call.keyword(ref.keyword) if ref.keyword else None
    if arg is None and ref.position is not None:
        arg = call.positional(ref.position)
    if arg is None:
        return ABSENT
    if ref.key is None:
        return arg, arg.value
    model = call.model
    containers = model.dict_definitions(arg.value, call.scope)
    if not containers:
        return None
    for container in containers:
        here = container is arg.value  # located in the call, unless the dict is written here
        if isinstance(container, cst.Dict):
            for element in container.elements:
                if isinstance(element, cst.DictElement) and string_key(element) == ref.key:
                    return (element if here else arg), element.value
            if any(isinstance(e, cst.StarredDictElement) for e in container.elements):
                return None
        elif isinstance(container, cst.Call):
            callees = model.paths(container.func, call.scope)
            if not builds_options(container.func, callees):
                return None
            for inner in container.args:
                if inner.keyword is not None and inner.keyword.value == ref.key:
                    return (inner if here else arg), inner.value
            if any(inner.keyword is None for inner in container.args):
                return None
        else:
            return None
    return ABSENT


def limit_value(model: ModuleModel, expr: cst.BaseExpression, scope: Scope) -> Any:
    """A limit's value: a number (math.inf for infinity), None, or UNKNOWN."""
    value = model.literal(expr, scope)
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    if isinstance(expr, cst.Call) and "builtins.float" in model.paths(expr.func, scope):
        argument = model.literal(expr.args[0].value, scope) if len(expr.args) == 1 else None
        if isinstance(argument, str) and argument.strip().lower() in ("inf", "infinity", "+inf"):
            return math.inf
    if isinstance(expr, (cst.Attribute, cst.Name)):
        paths = model.paths(expr, scope) | {dotted_name(expr) or ""}
        if paths & INFINITE_CONSTANTS:
            return math.inf
    if isinstance(expr, cst.BinaryOperation) and isinstance(
        expr.operator, (cst.Power, cst.Multiply)
    ):
        left = limit_value(model, expr.left, scope)
        right = limit_value(model, expr.right, scope)
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            if isinstance(expr.operator, cst.Multiply):
                return left * right
            return math.inf if right > 64 else left**right
    return UNKNOWN


# -- functions that call a model, and while True loops -------------------------------------


def owner_function(scope: Scope) -> Scope:
    """The function (or module) whose body a scope's code runs in: comprehensions inline."""
    while scope.kind is ScopeKind.COMPREHENSION and scope.parent is not None:
        scope = scope.parent
    return scope


class LLMReach:
    """Which functions of the module call an LLM, directly or through each other."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.direct = {call.node for call, _ in llm_calls(model)}
        self.sites = {call.node: call for call in model.calls}
        witness: dict[Scope, cst.Call] = {}
        edges: dict[Scope, set[Scope]] = {}
        for call in model.calls:
            owner = owner_function(call.scope)
            if call.node in self.direct:
                witness.setdefault(owner, call.node)
            for callee in self.callee_functions(call):
                edges.setdefault(callee, set()).add(owner)
        queue = list(witness)
        while queue:
            function = queue.pop()
            for caller in edges.get(function, ()):
                if caller not in witness:
                    witness[caller] = witness[function]
                    queue.append(caller)
        self.witness = witness

    def callee_functions(self, call: CallSite) -> list[Scope]:
        return self.model.functions_called(call.callees)

    def llm_call_in(self, call: cst.Call) -> cst.Call | None:
        """The LLM call `call` is or leads to (through this module's functions)."""
        if call in self.direct:
            return call
        site = self.sites.get(call)
        if site is None:
            return None
        for function in self.callee_functions(site):
            if function in self.witness:
                return self.witness[function]
        return None


@dataclass
class LoopBody:
    """What the body of a loop holds (nested functions and classes left out)."""

    calls: list[cst.Call]
    exits: bool = False  # a break of this loop, a return, raise, yield or exit call


_SKIPPED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def loop_body(loop: cst.While) -> LoopBody:
    body = LoopBody(calls=[])
    stack: list[tuple[cst.CSTNode, bool]] = [(loop.body, False)]
    while stack:
        node, nested_loop = stack.pop()
        if isinstance(node, _SKIPPED):
            continue
        if isinstance(node, cst.Call):
            body.calls.append(node)
        elif isinstance(node, (cst.Return, cst.Raise, cst.Yield)) or (
            isinstance(node, cst.Break) and not nested_loop
        ):
            body.exits = True
        inner = nested_loop or isinstance(node, (cst.For, cst.While))
        for child in node.children:
            # A loop's `else` runs after it ends: its breaks belong to the outer loop.
            child_nested = inner and not (
                isinstance(node, (cst.For, cst.While)) and child is node.orelse
            )
            stack.append((child, child_nested))
    return body


def infinite_loops(model: ModuleModel) -> Iterator[cst.While]:
    """`while True:` / `while 1:` loops of the module, found by a walk over statements."""
    stack: list[tuple[cst.CSTNode, Scope]] = [(model.tree, model.scope)]
    while stack:
        node, scope = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            scope = model.definitions.get(node, scope)
        if isinstance(node, cst.While):
            test = model.literal(node.test, scope)
            if test is True or (type(test) is int and test != 0):
                yield node
        stack.extend((child, scope) for child in _statement_children(node))


def _statement_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements (and blocks) directly inside a statement or block."""
    if isinstance(node, (cst.Module, cst.IndentedBlock)):
        return list(node.body)
    if isinstance(node, (cst.SimpleStatementSuite, cst.SimpleStatementLine)):
        return []
    found: list[cst.CSTNode] = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, cst.CSTNode):
            found.append(value)
    if isinstance(node, (cst.Try, cst.TryStar)):
        found.extend(node.handlers)
    if isinstance(node, cst.Match):
        found.extend(case.body for case in node.cases)
    return found


def exits_process(model: ModuleModel, call: cst.Call, scope: Scope) -> bool:
    """Whether `call` never returns: it ends the process or raises ([[no-return]])."""
    return bool(model.catalog.index(NoReturn).match_any(model.paths(call.func, scope)))


# -- recursion bounded by a parameter ----------------------------------------------------------


def names_in(expr: cst.CSTNode, limit: int = 64) -> set[str]:
    """The names an expression reads (nested functions and lambdas included)."""
    found: set[str] = set()
    stack = [expr]
    while stack and len(found) < limit:
        node = stack.pop()
        if isinstance(node, cst.Name):
            found.add(node.value)
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)  # `a.b` reads a, not a name b
            continue
        stack.extend(node.children)
    return found


def tested_names(function: cst.FunctionDef) -> set[str]:
    """Names read by the conditions of a function: if/while/assert tests, comparisons."""
    found: set[str] = set()
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, _SKIPPED):
            continue
        if isinstance(node, (cst.If, cst.While, cst.IfExp, cst.Assert)):
            found |= names_in(node.test)
        elif isinstance(node, cst.Comparison):
            found |= names_in(node)
        elif isinstance(node, cst.Match):
            found |= names_in(node.subject)
        stack.extend(node.children)
    return found


def derived_names(model: ModuleModel, call: CallSite, hops: int = 3) -> set[str]:
    """Names the arguments of a call are computed from, following assignments a few hops."""
    found: set[str] = set()
    frontier: set[str] = set()
    for arg in call.node.args:
        frontier |= names_in(arg.value)
    for _ in range(hops + 1):
        new = frontier - found
        if not new:
            break
        found |= new
        frontier = set()
        for name in new:
            for binding in call.scope.lookup(name):
                if binding.kind in _VALUE_BINDINGS and binding.node is not None:
                    frontier |= names_in(binding.node)
    return found


def in_iteration(function: cst.FunctionDef, target: cst.Call) -> bool:
    """Whether `target` is inside a for loop or a comprehension of the function's body."""
    stack: list[tuple[cst.CSTNode, bool]] = [(function.body, False)]
    while stack:
        node, iterating = stack.pop()
        if node is target:
            return iterating
        if isinstance(node, _SKIPPED):
            continue
        inner = iterating or isinstance(node, (cst.For, cst.BaseComp))
        stack.extend((child, inner) for child in node.children)
    return False


def parameter_names(function: cst.FunctionDef) -> set[str]:
    params = function.params
    found = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    return found - {"self", "cls"}
