"""Agent loops of frameworks run with their iteration limits removed (LLM204).

A framework's agent loop runs until the model says it is done, bounded only by the
limits it is given (`AgentExecutor(max_iterations=...)`, LangGraph's `recursion_limit`,
CrewAI's `max_iter`). `unbounded_agents` reads the limits of the calls listed as
`[[agent-limit]]`, passed by keyword, by position or as a key of an options dict, and
reports a call when none of them bounds the loop: each is removed (`None`, infinity, or
above the entry's ceiling, as in `recursion_limit=10**6`) or left out with no default.
A limit llmlint cannot see (an options dict from elsewhere) counts as a bound.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import libcst as cst

from llmlint.analysis.builder import dotted_name
from llmlint.analysis.call_options import builds_options
from llmlint.analysis.module import UNKNOWN, CallSite, ModuleModel, matching_calls, string_key
from llmlint.analysis.scope import Scope
from llmlint.catalog.schema import AgentLimit, ArgRef

INFINITE_CONSTANTS = frozenset({"math.inf", "sys.maxsize", "numpy.inf", "np.inf", "float.inf"})


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
