"""Which sink the model's arguments to one of the project's tools reach (LLM301-LLM304).

From the tool's body, and the functions of the same module it passes the arguments to
(up to MAX_DEPTH calls deep), a call is a hit when it is a `[[sink]]` of the rule and the
model's values (tool_flow.py) choose what it runs, opens or fetches. A constant command,
path or URL, a URL with a constant host (or joined to a base the model does not choose)
and a fixed program run without a shell are not the model's choice. agency.py finds the
tools and reports the hits as grants.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

import libcst as cst

from llmlint.analysis.catalog_tools import Related, list_items
from llmlint.analysis.flow import URL_WITH_HOST
from llmlint.analysis.module import CallSite, ModuleModel, single_assignment
from llmlint.analysis.scope import Scope
from llmlint.analysis.sinks import command_operands, conditions_hold
from llmlint.analysis.tool_flow import ArgumentFlow
from llmlint.catalog import Catalog, by_method
from llmlint.catalog.schema import ArgRef, Sink, ToolCapability

MAX_DEPTH = 3  # calls into the module's own functions followed from a tool's body


@dataclass(frozen=True)
class Hit:
    """A sink a tool's arguments reach, and the calls that lead there."""

    node: cst.CSTNode
    text: str
    via: Related = ()


class _KnownArgument:
    """A CallSite's argument as `conditions_hold` sees it: its constant (no choices), and
    its paths, resolved only when a `safe` argument asks for them."""

    choices: tuple[Any, ...] = ()

    def __init__(self, value: cst.BaseExpression, call: CallSite) -> None:
        self._value, self._call = value, call
        self.constant = call.model.literal(value, call.scope)

    @cached_property
    def paths(self) -> frozenset[str]:
        return self._call.model.paths(self._value, self._call.scope)


def _known_argument(call: CallSite, ref: ArgRef) -> _KnownArgument | None:
    value = call.argument(ref)
    return None if value is None else _KnownArgument(value, call)


class ToolReach:
    """Finds the sinks the model's arguments reach from the tools of one module, memoised."""

    def __init__(self, model: ModuleModel, catalog: Catalog) -> None:
        self.model = model
        self.flow = ArgumentFlow(model, catalog)
        # What a tool reaching a sink of each rule (LLM001-LLM007) grants the model.
        self.capabilities = {c.sink_rule: c for c in catalog.entries(ToolCapability)}
        self._sinks = catalog.index(Sink)
        self._method_sinks = [s for s in catalog.entries(Sink) if s.method]
        self._calls_by_scope: dict[Scope, list[CallSite]] = {}
        for call in model.calls:
            self._calls_by_scope.setdefault(call.scope, []).append(call)
        self._memo: dict[tuple[Scope, frozenset[str], str], Hit | None] = {}
        self._host_active: set[cst.CSTNode] = set()

    def tool_hit(self, function: Scope, sink_rule: str) -> Hit | None:
        """A sink of `sink_rule` that the model's arguments to the tool `function` reach."""
        params = self.flow.model_parameters(function)
        return self._reach(function, params, sink_rule, 0) if params else None

    def _reach(
        self, function: Scope, params: frozenset[str], sink_rule: str, depth: int
    ) -> Hit | None:
        """A sink of `sink_rule` that the values of `params` reach from `function`."""
        key = (function, params, sink_rule)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # a recursive call finds nothing new
        scopes = self.flow.nested_scopes(function)
        tainted = self.flow.tainted(scopes, params, sink_rule)
        hit: Hit | None = None
        for call in (c for scope in scopes for c in self._calls_by_scope.get(scope, ())):
            for sink in self._sinks_of(call, sink_rule):
                applies = conditions_hold(sink, partial(_known_argument, call))
                if applies and self._reaches_sink(sink, call, tainted):
                    hit = Hit(call.node, call.callee_text)
                    break
            if hit is None and depth < MAX_DEPTH:
                hit = self._through(call, tainted, sink_rule, depth)
            if hit is not None:
                break
        self._memo[key] = hit
        return hit

    def _through(
        self, call: CallSite, tainted: frozenset[str], sink_rule: str, depth: int
    ) -> Hit | None:
        """A sink reached through a function of this module that `call` passes values to."""
        for path in sorted(call.callees):
            inner = self.model.function_scope(path)
            if inner is None:
                continue
            passed = self.flow.passed(call, inner, tainted, sink_rule)
            if passed:
                hit = self._reach(inner, passed, sink_rule, depth + 1)
                if hit is not None:
                    via = ((call.node, f"the arguments are passed to '{inner.name}' here"),)
                    return Hit(hit.node, hit.text, via + hit.via)
        return None

    def _sinks_of(self, call: CallSite, sink_rule: str) -> list[Sink]:
        sinks = [s for s in self._sinks.match_any(call.callees) if s.rule == sink_rule]
        func = call.node.func
        if not sinks and isinstance(func, cst.Attribute):
            local = any(self.model.function_scope(p) for p in call.callees)
            if not local:
                candidates = [s for s in self._method_sinks if s.rule == sink_rule]
                sinks = by_method(candidates, func.attr.value, self.model.text_of(func.value))
        return sinks

    def _reaches_sink(self, sink: Sink, call: CallSite, tainted: frozenset[str]) -> bool:
        func = call.node.func
        if (
            sink.receiver_is_value
            and isinstance(func, cst.Attribute)
            and self._controls(func.value, tainted, sink.rule, call.scope)
        ):
            return True
        for ref in sink.args:
            value = call.argument(ref)
            if value is None:
                continue
            if sink.when.get("shell") is True:
                # With shell=True a list runs its first item; the others are $0, $1...
                value = next(iter(list_items(value, call.scope)), value)
            if sink.program:
                if self._controls_program(value, tainted, sink.rule, call.scope):
                    return True
            elif self._controls(value, tainted, sink.rule, call.scope):
                return True
        return False

    def _controls(
        self, value: cst.BaseExpression, tainted: frozenset[str], sink_rule: str, scope: Scope
    ) -> bool:
        if not self.flow.refers(value, tainted, sink_rule, scope):
            return False
        if self.capabilities[sink_rule].host_prefix:  # only a URL's host is dangerous
            return not self._fixed_host(value, tainted, sink_rule, scope)
        return True

    def _controls_program(
        self, value: cst.BaseExpression, tainted: frozenset[str], sink_rule: str, scope: Scope
    ) -> bool:
        """Whether the model chooses the program of an argv, or what a shell in it runs."""
        refers = self.flow.refers
        elements = list_items(value, scope)
        if not elements:
            return refers(value, tainted, sink_rule, scope)
        program = self.model.literal(elements[0], scope)
        name = program.rsplit("/", 1)[-1] if isinstance(program, str) else None
        constants = [program, *(self.model.literal(e, scope) for e in elements[1:])]
        chosen = command_operands(name, constants)
        return any(refers(elements[index], tainted, sink_rule, scope) for index in chosen)

    def _fixed_host(
        self, value: cst.BaseExpression, tainted: frozenset[str], sink_rule: str, scope: Scope
    ) -> bool:
        """Whether a URL starts with a constant `scheme://host/`, or is joined to a base
        (`settings.API_URL + path`, `f"{self.base}/{path}"`) that the model does not choose."""
        joined = False
        for _ in range(8):
            while isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
                value, joined = value.left, True
            if isinstance(value, cst.FormattedString):
                lead = value.parts[0] if value.parts else None
                if isinstance(lead, cst.FormattedStringText):
                    return bool(URL_WITH_HOST.match(lead.value))
                if not isinstance(lead, cst.FormattedStringExpression):
                    return False
                joined = joined or len(value.parts) > 1
                value = lead.expression
                continue
            constant = self.model.literal(value, scope)
            if isinstance(constant, str):
                return bool(URL_WITH_HOST.match(constant))
            if joined and not self.flow.refers(value, tainted, sink_rule, scope):
                return True
            if isinstance(value, cst.Call):
                return self._returns_fixed_host(value, sink_rule)
            if not isinstance(value, cst.Name):
                return False
            binding = single_assignment(scope.lookup(value.value))
            if binding is None or not isinstance(binding.node, cst.BaseExpression):
                return False
            value, scope = binding.node, binding.scope
        return False

    def _returns_fixed_host(self, node: cst.Call, sink_rule: str) -> bool:
        """Whether a function of this module called here returns only URLs of fixed hosts."""
        functions = self.flow.called_functions(node)
        if not functions or any(not f.returns for f in functions):
            return False
        if node in self._host_active:
            return False  # a recursive helper: no fixed host proven
        self._host_active.add(node)
        try:
            return all(
                self._fixed_host(r, self.flow.model_parameters(f), sink_rule, f)
                for f in functions
                for r in f.returns
            )
        finally:
            self._host_active.discard(node)
