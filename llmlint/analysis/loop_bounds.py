"""What stops repeated LLM calls: loop exits, recursion bounds and agent limits (LLM204).

A model call repeated with nothing to stop it runs up cost without limit. Three shapes
are looked at:

- Agent loops of frameworks: `unbounded_agents` reads the iteration limits given to them
  (`max_iterations=None`, `recursion_limit=10**6`) against their `[[agent-limit]]`.
- `while True` loops: `unbounded_loops`, those with no exit that call a model and wait
  for no event each turn (`[[loop-wait]]`, `LoopWaits`).
- Self-recursive functions: `unbounded_recursion`, those that call a model and test no
  parameter feeding the recursive call.

`LLMReach` tells which of the module's functions call a model, directly or through
each other, so that a loop calling a helper that calls the model counts too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst

from llmlint.analysis.builder import NODE_TYPES, dotted_name
from llmlint.analysis.call_options import builds_options, string_key
from llmlint.analysis.module import UNKNOWN, CallSite, ModuleModel, matching_calls
from llmlint.analysis.receivers import llm_calls
from llmlint.analysis.scope import BindingKind, Scope, ScopeKind
from llmlint.catalog import Catalog
from llmlint.catalog.schema import AgentLimit, ArgRef, LoopWait, NoReturn

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


def unbounded_agents(
    model: ModuleModel,
) -> Iterator[tuple[CallSite, AgentLimit, cst.CSTNode, str]]:
    """Agent loops built or run with no bound: the call, its `[[agent-limit]]`, where the
    limit is removed (the call itself when none is given), and what is given."""
    seen: set[cst.Call] = set()
    for call, entry in matching_calls(model, model.catalog.index(AgentLimit)):
        if call.node in seen or call.has_unpacked_arguments:
            continue
        seen.add(call.node)
        found = removed_limit(call, entry)
        if found is not None:
            node, given = found
            yield call, entry, node, given


def removed_limit(call: CallSite, entry: AgentLimit) -> tuple[cst.CSTNode, str] | None:
    """Where the limit is removed (the call itself when no limit is given), and what is
    given; None when some limit bounds the loop."""
    model = call.model
    names: dict[str, list[ArgRef]] = {}
    for ref in entry.limits:
        names.setdefault(ref.key or ref.keyword or "", []).append(ref)
    removed: cst.CSTNode | None = None
    given: list[str] = []
    missing: list[str] = []
    for name, refs in names.items():
        where: tuple[cst.CSTNode, cst.BaseExpression] | Absent | None = ABSENT
        for ref in refs:
            where = limit_argument(call, ref)
            if where is not ABSENT:
                break
        if where is None:
            return None  # given somewhere llmlint cannot see
        if not isinstance(where, Absent):
            node, expr = where
            value = limit_value(model, expr, call.scope)
            ceiling = entry.ceilings.get(name, math.inf)
            if value is UNKNOWN or (value is not None and value <= ceiling):
                return None
            if value is not None or not entry.none_is_default:
                removed = removed or node
                given.append(f"{name}={model.text_of(expr)}")
                continue
        if name in entry.defaults:
            return None  # not passed, or None standing for the default: bounded
        missing.append(name)
    if removed is None and _extra_positionals(call, entry):
        return None  # the limits may be among the positional arguments
    if given and len(missing) > 1:
        given.append("no other limit")
    else:
        given.extend(f"no {name}" for name in missing)
    return (removed or call.node), ", ".join(given)


def _extra_positionals(call: CallSite, entry: AgentLimit) -> bool:
    positions = [r.position for r in entry.limits if r.position is not None]
    allowed = max(positions, default=0) + 1
    count = sum(1 for arg in call.node.args if arg.keyword is None and not arg.star)
    return count > allowed


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


class LoopWaits:
    """The calls that wait for outside input or time ([[loop-wait]])."""

    def __init__(self, catalog: Catalog) -> None:
        self.index = catalog.index(LoopWait)
        self.methods = [e for e in catalog.entries(LoopWait) if e.method]

    def matches(self, site: CallSite) -> bool:
        if site.callees and self.index.match_any(site.callees):
            return True
        func = site.node.func
        if not isinstance(func, cst.Attribute):
            return False
        receiver = site.model.text_of(func.value).rsplit(".", 1)[-1]
        return any(
            entry.method == func.attr.value and re.search(entry.receiver, receiver)
            for entry in self.methods
        )


def unbounded_loops(reach: LLMReach, waits: LoopWaits) -> Iterator[tuple[cst.While, cst.Call]]:
    """`while True` loops that call an LLM, with the first LLM call found: those with no
    exit, no call that ends the process and no call waiting for an event each turn."""
    model = reach.model
    for loop in infinite_loops(model, reach.witness):
        body = loop_body(loop)
        if body.exits:
            continue
        llm: cst.Call | None = None
        for node in body.calls:
            site = reach.sites.get(node)
            if site is None:
                continue
            if exits_process(model, node, site.scope) or waits.matches(site):
                break  # it ends the process, or waits for an event each turn
            llm = llm or reach.llm_call_in(node)
        else:
            if llm is not None:
                yield loop, llm


@dataclass
class LoopBody:
    """What the body of a loop holds (nested functions and classes left out)."""

    calls: list[cst.Call]
    exits: bool = False  # a break of this loop, a return, raise, yield or exit call


_SKIPPED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_OWN_SCOPES = (cst.FunctionDef, cst.ClassDef)


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


def infinite_loops(model: ModuleModel, functions: Iterable[Scope]) -> Iterator[cst.While]:
    """`while True:` / `while 1:` loops in the statements of `functions` (the module, its
    functions or classes), each walked without the definitions nested in it. A loop that
    calls a model makes its function one that calls a model (`LLMReach.witness`): only
    those need walking."""
    for function in functions:
        if not isinstance(function.node, (cst.Module, *_OWN_SCOPES)):
            continue  # a lambda: no statements
        stack = _statement_children(function.node)
        while stack:
            node = stack.pop()
            if isinstance(node, _OWN_SCOPES):
                continue  # walked as a function of its own when it calls a model
            if isinstance(node, cst.While):
                test = model.literal(node.test, function)
                if test is True or (type(test) is int and test != 0):
                    yield node
            stack.extend(_statement_children(node))


def _statement_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements (and blocks) directly inside a statement or block."""
    if isinstance(node, (cst.Module, cst.IndentedBlock)):
        return list(node.body)
    if isinstance(node, (cst.SimpleStatementSuite, cst.SimpleStatementLine)):
        return []
    found: list[cst.CSTNode] = []
    for name in ("body", "orelse", "finalbody"):
        value: Any = getattr(node, name, None)
        if type(value) in NODE_TYPES:  # isinstance() on libcst's ABCs is slow
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


def unbounded_recursion(
    reach: LLMReach, waits: LoopWaits
) -> Iterator[tuple[CallSite, cst.FunctionDef, cst.Call]]:
    """Calls by which a function that calls an LLM calls itself with nothing bounding the
    depth, with the function and an LLM call it makes. A function waiting for an event
    (`[[loop-wait]]`), recursing over the parts of its data (inside a for loop), or testing
    a parameter the recursive call's arguments come from is bounded."""
    model = reach.model
    paced = {owner_function(call.scope) for call in model.calls if waits.matches(call)}
    for call in model.calls:
        function = owner_function(call.scope)
        node = function.node
        if function.kind is not ScopeKind.FUNCTION or function not in reach.witness:
            continue
        if not isinstance(node, cst.FunctionDef) or function in paced:
            continue
        if function not in reach.callee_functions(call):
            continue
        if in_iteration(node, call.node):
            continue  # recursion over the parts of its data (a tree walk)
        tested = tested_names(node) & parameter_names(node)
        if tested & derived_names(model, call):
            continue
        yield call, node, reach.witness[function]


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
