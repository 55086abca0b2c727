"""What stops a loop or a recursion that calls an LLM from repeating forever (LLM204).

A model call repeated with nothing to stop it runs up cost without limit. Two shapes
are looked at:

- `while True` loops: `unbounded_loops`, those with no exit that call a model and wait
  for no event each turn (`[[loop-wait]]`, `LoopWaits`).
- Self-recursive functions: `unbounded_recursion`, those that call a model and test no
  parameter feeding the recursive call.

`LLMReach` tells which of the module's functions call a model, directly or through
each other, so that a loop calling a helper that calls the model counts too. Agent
loops of frameworks, bounded by the limits they are given, are `agent_limits`' job.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import libcst as cst

from llmlint.analysis.module import CallSite, ModuleModel
from llmlint.analysis.receivers import llm_calls
from llmlint.analysis.scope import BindingKind, Scope, ScopeKind
from llmlint.catalog import Catalog, by_method
from llmlint.catalog.schema import LoopWait

_VALUE_BINDINGS = (BindingKind.ASSIGN, BindingKind.ELEMENT, BindingKind.WITH)


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
        return bool(by_method(self.methods, func.attr.value, site.model.text_of(func.value)))


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
            if model.never_returns(node, site.scope) or waits.matches(site):
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
    functions or classes; the definitions nested in them are functions of their own),
    function by function, each one's in source order. A loop that calls a model makes its
    function one that calls a model (`LLMReach.witness`): only those need looking at."""
    loops: dict[Scope, list[cst.While]] = {}
    for loop, scope in model.loops:
        loops.setdefault(scope, []).append(loop)
    for function in functions:
        for loop in loops.get(function, ()):
            test = model.literal(loop.test, function)
            if test is True or (type(test) is int and test != 0):
                yield loop


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
