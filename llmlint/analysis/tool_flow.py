"""Which names hold the values a model chose for a tool's arguments (LLM301-LLM304).

A tool's model-chosen parameters (not `self`, a run context or a scalar) are followed
through its local assignments, loops and f-strings, into the parameters of functions of
the same module it passes them to, and back out of the ones that return them; not
through attributes, containers it mutates, or other modules. A value passed through a
sanitizer of the sink, or used only to look up a `TABLE[name]` constant, is no longer the
model's. tool_reach.py uses this to decide which sink the model's values reach.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from llmlint.analysis.builder import dotted_name, parameters
from llmlint.analysis.module import CallSite, ModuleModel, single_assignment
from llmlint.analysis.scope import BindingKind, Scope, ScopeKind
from llmlint.catalog import Catalog
from llmlint.catalog.schema import Sanitizer

_SCALAR_ANNOTATIONS = frozenset({"int", "float", "bool", "Literal"})
_ASSIGNING = (BindingKind.ASSIGN, BindingKind.ELEMENT, BindingKind.WITH, BindingKind.OTHER)


class ArgumentFlow:
    """Follows the model's values through the functions of one module, memoised."""

    def __init__(self, model: ModuleModel, catalog: Catalog) -> None:
        self.model = model
        self._sanitizers = catalog.index(Sanitizer)
        self._children: dict[Scope, list[Scope]] = {}
        for scope in model.scopes:
            if scope.parent is not None:
                self._children.setdefault(scope.parent, []).append(scope)
        self._nested: dict[Scope, list[Scope]] = {}
        self._returning: dict[tuple[Scope, frozenset[str], str], bool] = {}
        self._sites = {call.node: call for call in model.calls}

    def model_parameters(self, function: Scope) -> frozenset[str]:
        """The parameters a model chooses: not `self`, a run context, or a scalar."""
        node = function.node
        if not isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return frozenset()
        names: set[str] = set()
        for param in parameters(node.params):
            name = param.name.value
            bindings = function.bindings.get(name, [])
            if any(b.kind is BindingKind.SELF for b in bindings):
                continue
            annotation = param.annotation.annotation if param.annotation else None
            if annotation is not None:
                if isinstance(annotation, cst.Subscript):
                    annotation = annotation.value
                last = (dotted_name(annotation) or "").rsplit(".", 1)[-1]
                if last.endswith("Context") or last in _SCALAR_ANNOTATIONS:
                    continue
            names.add(name)
        return frozenset(names)

    def nested_scopes(self, function: Scope) -> list[Scope]:
        """The function's scope and those defined in it (comprehensions, inner functions)."""
        found = self._nested.get(function)
        if found is None:
            found, queue = [], [function]
            while queue:
                scope = queue.pop()
                found.append(scope)
                queue.extend(self._children.get(scope, ()))
            self._nested[function] = found
        return found

    def called_functions(self, node: cst.Call) -> list[Scope]:
        """The functions of this module that a call may run (none for library calls)."""
        site = self._sites.get(node)
        if site is None:
            return []
        return self.model.functions_called(site.callees)

    def tainted(
        self, scopes: list[Scope], params: frozenset[str], sink_rule: str
    ) -> frozenset[str]:
        """Names assigned, in these scopes, from the parameters (not through a sanitizer)."""
        names = set(params)
        bindings = [
            (name, binding)
            for scope in scopes
            for name, found in scope.bindings.items()
            for binding in found
            if binding.node is not None and binding.kind in _ASSIGNING
        ]
        changed = True
        while changed:
            changed = False
            for name, binding in bindings:
                if name not in names and self.refers(binding.node, names, sink_rule, binding.scope):
                    names.add(name)
                    changed = True
        return frozenset(names)

    def refers(
        self, expr: cst.CSTNode | None, names: Iterable[str], sink_rule: str, scope: Scope
    ) -> bool:
        """Whether `expr` uses one of `names` other than through a sanitizer of the sink."""
        wanted = set(names)
        stack: list[cst.CSTNode] = [expr] if expr is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                if node.value in wanted:
                    return True
            elif isinstance(node, cst.Attribute):
                stack.append(node.value)
            elif isinstance(node, cst.Subscript):
                if not self._is_table(node.value, scope):  # `COMMANDS[name]` is a constant
                    stack.append(node.value)
                    stack.extend(node.slice)
            elif isinstance(node, cst.Call):
                func = node.func
                if (
                    isinstance(func, cst.Attribute)
                    and func.attr.value == "get"
                    and self._is_table(func.value, scope)  # `COMMANDS.get(name)`
                ):
                    continue
                if self._sanitizes(node, sink_rule, scope):
                    continue
                local = self._local_result(node, wanted, sink_rule)
                if local is None:  # a library call: its result carries its inputs
                    stack.append(func)
                    stack.extend(arg.value for arg in node.args)
                elif local:
                    return True
            elif isinstance(node, cst.Lambda):
                continue
            else:
                stack.extend(node.children)
        return False

    def passed(
        self, call: CallSite, inner: Scope, tainted: frozenset[str], sink_rule: str
    ) -> frozenset[str]:
        """The parameters of `inner` that `call` passes tainted values to."""
        node = inner.node
        if not isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return frozenset()
        params = node.params
        positional = [*params.posonly_params, *params.params]
        if positional and isinstance(call.node.func, cst.Attribute):
            first = inner.bindings.get(positional[0].name.value, [])
            if any(b.kind is BindingKind.SELF for b in first):
                positional = positional[1:]
        named = {p.name.value for p in parameters(params)}
        star = params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None
        star_kwarg = params.star_kwarg.name.value if params.star_kwarg is not None else None
        passed: set[str] = set()
        index = 0
        for arg in call.node.args:
            refers = self.refers(arg.value, tainted, sink_rule, call.scope)
            if arg.star:
                if refers:
                    passed.update(named)
                continue
            if arg.keyword is not None:
                target = arg.keyword.value if arg.keyword.value in named else star_kwarg
            elif index < len(positional):
                target = positional[index].name.value
                index += 1
            else:
                target = star
            if refers and target is not None:
                passed.add(target)
        return frozenset(passed)

    def _local_result(self, node: cst.Call, names: set[str], sink_rule: str) -> bool | None:
        """Whether a call of this module's functions returns what `names` hold (None for
        calls of anything else)."""
        site = self._sites.get(node)
        functions = self.called_functions(node)
        if site is None or not functions:
            return None
        return any(
            self._returns(inner, passed, sink_rule)
            for inner in functions
            if (passed := self.passed(site, inner, frozenset(names), sink_rule))
        )

    def _returns(self, function: Scope, params: frozenset[str], sink_rule: str) -> bool:
        """Whether `function` returns values derived from `params`."""
        key = (function, params, sink_rule)
        found = self._returning.get(key)
        if found is None:
            self._returning[key] = False  # a recursive call adds nothing
            tainted = self.tainted(self.nested_scopes(function), params, sink_rule)
            found = any(self.refers(r, tainted, sink_rule, function) for r in function.returns)
            self._returning[key] = found
        return found

    def _is_table(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """A module or class name bound once to a dict, list or tuple display: a table."""
        if not isinstance(expr, cst.Name):
            return False
        binding = single_assignment(scope.lookup(expr.value))
        return (
            binding is not None
            and binding.scope.kind in (ScopeKind.MODULE, ScopeKind.CLASS)
            and isinstance(binding.node, (cst.Dict, cst.List, cst.Tuple))
        )

    def _sanitizes(self, call: cst.Call, sink_rule: str, scope: Scope) -> bool:
        entries = self._sanitizers.match_any(self.model.paths(call.func, scope))
        return any(
            not entry.validates and ("*" in entry.rules or sink_rule in entry.rules)
            for entry in entries
        )
