"""Excessive agency: the shell, code, file, network and database power a module hands a
model (LLM301-LLM305).

Two kinds of grants are found, both located where the tool or agent is made:

- catalog tools: calls of `[[agent-tool]]` entries whose conditions hold (`ShellTool()`,
  `create_pandas_dataframe_agent(..., allow_dangerous_code=True)`), and `[[sql-tool]]`
  calls on a `[[sql-connection]]` with no table allowlist or read-only marker;
- the project's own tools (functions registered by a `[[tool-decorator]]` or a
  `[[tool-registration]]`, methods of `[[tool-class]]` subclasses) whose arguments reach
  a `[[sink]]` that a `[[tool-capability]]` maps to a rule: in the tool's body, or in
  functions of the same module it passes them to (up to MAX_DEPTH calls deep).

A tool's arguments are followed through its local assignments, loops and f-strings, not
through attributes, containers it mutates, or other modules. A constant command, path
or URL, a URL with a constant host, a value passed through a sanitizer of the sink, and
a fixed program run without a shell are not the model's choice.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst

from llmlint.analysis.builder import dotted_name
from llmlint.analysis.literals import same_constant
from llmlint.analysis.module import UNKNOWN, CallSite, ModuleModel, matching_calls
from llmlint.analysis.scope import Binding, BindingKind, Scope, ScopeKind
from llmlint.analysis.sinks import INTERPRETERS, REMOTE_SHELLS, WRAPPERS, method_sinks
from llmlint.catalog import Catalog, PatternIndex
from llmlint.catalog.schema import (
    AgentTool,
    ReadOnlyMarker,
    Sanitizer,
    Sink,
    SqlConnection,
    SqlTool,
    ToolCapability,
    ToolClass,
    ToolDecorator,
    ToolRegistration,
)
from llmlint.prefilter import Prefilter, calls_prefilter

SQL_RULE = "LLM305"
MAX_DEPTH = 3  # calls into the module's own functions followed from a tool's body
URL_WITH_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\0]+/")
_WRITE_MODES = frozenset("wax+")
_SCALAR_ANNOTATIONS = frozenset({"int", "float", "bool", "Literal"})
_EMPTY = (None, False, "")

Related = tuple[tuple[cst.CSTNode, str], ...]


@dataclass(frozen=True, eq=False)
class Grant:
    """A capability handed to a model: `subject` + `detail` describe it for the message."""

    rule: str
    node: cst.CSTNode
    subject: str
    detail: str = ""
    related: Related = ()

    def message(self, consequence: str) -> str:
        return f"{self.subject}{self.detail}: {consequence}."


@dataclass(frozen=True)
class _Hit:
    """A sink a tool's arguments reach, and the calls that lead there."""

    node: cst.CSTNode
    text: str
    via: Related = ()


_CACHE: weakref.WeakKeyDictionary[ModuleModel, dict[str, list[Grant]]] = weakref.WeakKeyDictionary()


def grants(model: ModuleModel, catalog: Catalog, rule: str) -> list[Grant]:
    """The grants of `rule` in the module (all rules are found in one pass, then cached)."""
    found = _CACHE.get(model)
    if found is None:
        found = _Agency(model, catalog).run()
        _CACHE[model] = found
    return found.get(rule, [])


def agency_prefilter(catalog: Catalog, rule: str) -> Prefilter:
    """Files that name one of the rule's catalog tools, or that can define a tool."""
    patterns = [entry.call for entry in catalog.entries(AgentTool) if entry.rule == rule]
    if rule == SQL_RULE:
        patterns += [entry.call for entry in catalog.entries(SqlTool)]
    prefilter = calls_prefilter(patterns) if patterns else Prefilter(())
    if any(c.rule == rule for c in catalog.entries(ToolCapability)):
        tools = [d.decorator for d in catalog.entries(ToolDecorator)]
        tools += [r.call for r in catalog.entries(ToolRegistration)]
        tools += [c.base for c in catalog.entries(ToolClass)]
        prefilter = prefilter | calls_prefilter(tools)
    return prefilter


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _single_value(bindings: list[Binding]) -> Binding | None:
    values = [b for b in bindings if b.kind is not BindingKind.ANNOTATION]
    if len(values) == 1 and values[0].kind is BindingKind.ASSIGN and values[0].node is not None:
        return values[0]
    return None


class _Agency:
    """Finds every grant of one module."""

    def __init__(self, model: ModuleModel, catalog: Catalog) -> None:
        self.model = model
        self.catalog = catalog
        self.found: dict[str, list[Grant]] = {}
        self._reported: set[tuple[str, cst.CSTNode]] = set()
        self.capabilities = {c.sink_rule: c for c in catalog.entries(ToolCapability)}
        self._sinks = catalog.index(Sink)
        self._method_sinks = [s for s in catalog.entries(Sink) if s.method]
        self._sanitizers = catalog.index(Sanitizer)
        self._markers = [re.compile(m.regex) for m in catalog.entries(ReadOnlyMarker)]
        self._calls_by_scope: dict[Scope, list[CallSite]] = {}
        for call in model.calls:
            self._calls_by_scope.setdefault(call.scope, []).append(call)
        self._children: dict[Scope, list[Scope]] = {}
        for scope in model.scopes:
            if scope.parent is not None:
                self._children.setdefault(scope.parent, []).append(scope)
        self._memo: dict[tuple[Scope, frozenset[str], str], _Hit | None] = {}
        self._nested: dict[Scope, list[Scope]] = {}
        self._returning: dict[tuple[Scope, frozenset[str], str], bool] = {}
        self._host_active: set[cst.CSTNode] = set()
        self._sites = {call.node: call for call in model.calls}
        self._classes = {s.qualname: s for s in model.scopes if s.kind is ScopeKind.CLASS}

    def run(self) -> dict[str, list[Grant]]:
        granted: list[tuple[CallSite, AgentTool, str]] = []
        # Tools given to another tool of the same rule are reported through it (or not at
        # all, when it is made safe): `ShellTool(process=BashProcess())` is one finding.
        inner: dict[cst.CSTNode, set[str]] = {}
        for call, entry in matching_calls(self.model, self.catalog.index(AgentTool)):
            detail, exempt = self._conditions(call, entry)
            if detail is not None:
                granted.append((call, entry, detail))
            if detail is not None or exempt:
                for arg in call.node.args:
                    inner.setdefault(arg.value, set()).add(entry.rule)
        for call, entry, detail in granted:
            if entry.rule not in inner.get(call.node, ()):
                subject = f"'{call.callee_text}' ({entry.label})"
                self._add(Grant(entry.rule, call.node, subject, detail))
        for call, sql in matching_calls(self.model, self.catalog.index(SqlTool)):
            self._sql_tool(call, sql)
        if self.capabilities:
            self._project_tools()
        return self.found

    def _add(self, grant: Grant) -> None:
        key = (grant.rule, grant.node)
        if key not in self._reported:
            self._reported.add(key)
            self.found.setdefault(grant.rule, []).append(grant)

    # -- catalog tools -----------------------------------------------------------------

    def _constants(self, call: CallSite, keyword: str) -> list[Any]:
        """The values passed for `keyword`: directly, in `**{...}` or in an options dict."""
        return [self.model.literal(v, call.scope) for _, v in call.keyword_occurrences(keyword)]

    def _given(self, call: CallSite, keyword: str) -> bool:
        arg = call.keyword(keyword)
        if arg is None:
            return False
        value = arg.value
        if isinstance(value, (cst.List, cst.Tuple, cst.Dict, cst.Set)) and not value.elements:
            return False
        constant = self.model.literal(value, call.scope)
        return constant is UNKNOWN or constant not in _EMPTY

    def _conditions(self, call: CallSite, entry: AgentTool) -> tuple[str | None, bool]:
        """What makes the call dangerous, described (None when it is not), and whether an
        `unless` condition is what makes it safe."""
        shown: list[str] = []
        for keyword, expected in entry.when.items():
            values = self._constants(call, keyword)
            if not values:
                if keyword not in entry.defaults or not same_constant(
                    entry.defaults[keyword], expected
                ):
                    return None, False
            elif any(same_constant(v, expected) for v in values):
                shown.append(f"{keyword}={_show(expected)}")
            else:
                return None, False
        if not all(self._given(call, keyword) for keyword in entry.when_given):
            return None, False
        parts = [f"with {', '.join(shown)}"] if shown else []
        if entry.selects is not None:
            names = self._selected(call, entry)
            if not names:
                return None, False
            parts.append("selecting " + ", ".join(repr(name) for name in names))
        for keyword, safe in entry.unless.items():
            if any(v is UNKNOWN or same_constant(v, safe) for v in self._constants(call, keyword)):
                return None, True
        if entry.unless_given:
            if call.has_unpacked_arguments or any(self._given(call, k) for k in entry.unless_given):
                return None, True
            parts.append("without " + " or ".join(entry.unless_given))
        return "".join(" " + part for part in parts), False

    def _selected(self, call: CallSite, entry: AgentTool) -> list[str]:
        assert entry.selects is not None
        expr = call.argument(entry.selects)
        if expr is None:
            return []
        found: list[str] = []
        for element in self._elements(expr, call.scope):
            name = self.model.literal(element, call.scope)
            if not isinstance(name, str):
                continue
            base = name[:-2] if name.endswith(".*") else name
            if base in entry.names and name not in found:
                found.append(name)
        return found

    def _elements(
        self, expr: cst.BaseExpression, scope: Scope, depth: int = 0
    ) -> list[cst.BaseExpression]:
        """The items of a list, tuple or set literal (or a name assigned one, or a sum)."""
        if depth > 6:
            return []
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            items: list[cst.BaseExpression] = []
            for element in expr.elements:
                if isinstance(element, cst.StarredElement):
                    items += self._elements(element.value, scope, depth + 1)
                else:
                    items.append(element.value)
            return items
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            return self._elements(expr.left, scope, depth + 1) + self._elements(
                expr.right, scope, depth + 1
            )
        if isinstance(expr, cst.Name):
            binding = _single_value(scope.lookup(expr.value))
            if binding is not None and isinstance(binding.node, cst.BaseExpression):
                return self._elements(binding.node, binding.scope, depth + 1)
        return []

    # -- SQL tools ---------------------------------------------------------------------

    def _sql_tool(self, call: CallSite, entry: SqlTool) -> None:
        if any(self._given(call, keyword) for keyword in entry.unless_given):
            return
        for ref in entry.database:
            expr = call.argument(ref)
            writable = None if expr is None else self._writable(expr, call.scope)
            if writable is not None:
                node, text = writable
                self._add(
                    Grant(
                        SQL_RULE,
                        call.node,
                        f"'{call.callee_text}' ({entry.label})",
                        f" runs model-written SQL on {text}, with no read-only restriction "
                        "or table allowlist",
                        ((node, "the database connection is made here"),),
                    )
                )
                return

    def _writable(self, expr: cst.BaseExpression, scope: Scope) -> tuple[cst.CSTNode, str] | None:
        """The connection `expr` holds, when it is made here and nothing restricts it."""
        model = self.model
        resolved = self._definition(expr, scope)
        if resolved is None:
            return None  # a parameter, an attribute: made elsewhere
        expr, scope = resolved
        if self._read_only(model.provenance_text(expr, scope, depth=4)):
            return None
        if isinstance(expr, cst.Call):
            entries = self.catalog.index(SqlConnection).match_any(model.paths(expr.func, scope))
            if not entries:
                return None
            site = CallSite(expr, scope, model)
            if any(self._given(site, k) for entry in entries for k in entry.allowlist):
                return None
            if any(e.allowlist for e in entries) and site.has_unpacked_arguments:
                return None
            for engine in (site.argument(ref) for entry in entries for ref in entry.engine):
                # `SQLDatabase(engine)` with an engine made elsewhere: its settings are unknown.
                if engine is not None and self._definition(engine, scope) is None:
                    return None
            return expr, f"'{model.text_of(expr.func)}(...)'"
        if isinstance(
            expr,
            (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.BinaryOperation),
        ):
            return expr, "a database URI"
        return None

    def _definition(
        self, expr: cst.BaseExpression, scope: Scope
    ) -> tuple[cst.BaseExpression, Scope] | None:
        """What a name was assigned (following names); None for parameters and attributes."""
        for _ in range(8):
            if not isinstance(expr, cst.Name):
                break
            binding = _single_value(scope.lookup(expr.value))
            if binding is None or not isinstance(binding.node, cst.BaseExpression):
                return None
            expr, scope = binding.node, binding.scope
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        return expr, scope

    def _read_only(self, text: str) -> bool:
        return any(marker.search(text) for marker in self._markers)

    # -- the project's tools -----------------------------------------------------------

    def _project_tools(self) -> None:
        model = self.model
        seen: set[Scope] = set()
        decorators = self.catalog.index(ToolDecorator, "decorator")
        for scope in model.scopes:
            node = scope.node
            if isinstance(node, cst.FunctionDef) and node.decorators and scope.parent:
                for decorator in node.decorators:
                    expr = decorator.decorator
                    target = expr.func if isinstance(expr, cst.Call) else expr
                    if decorators.match_any(model.paths(target, scope.parent)):
                        seen.add(scope)
                        self._tool([scope], node.name, f"Tool '{node.name.value}'")
                        break
        bases = self.catalog.index(ToolClass, "base")
        for scope in model.scopes:
            node = scope.node
            if isinstance(node, cst.ClassDef):
                methods = [m for m in self._tool_methods(scope, bases) if m not in seen]
                if methods:
                    seen.update(methods)
                    self._tool(methods, node.name, f"Tool class '{node.name.value}'")
        registrations = self.catalog.index(ToolRegistration)
        for call, entry in matching_calls(model, registrations):
            function = call.argument(entry.function)
            if function is None:
                continue
            targets = (
                [e.value for e in function.elements]
                if isinstance(function, (cst.List, cst.Tuple))
                else [function]
            )
            for target in targets:
                self._registered(call, target, seen)

    def _registered(self, call: CallSite, target: cst.BaseExpression, seen: set[Scope]) -> None:
        model = self.model
        where = f"registered by '{call.callee_text}'"
        if isinstance(target, cst.Lambda):
            scope = model.definitions.get(target)
            if scope is not None and scope not in seen:
                seen.add(scope)
                self._tool([scope], call.node, f"The lambda {where}")
            return
        for path in sorted(model.paths(target, call.scope)):
            function = model.function_scope(path)
            if function is not None:
                if function not in seen:
                    seen.add(function)
                    self._tool([function], call.node, f"Tool '{function.name}' ({where})")
                continue
            for sink in self._sinks.match(path):
                capability = self.capabilities.get(sink.rule)
                if capability is not None and not sink.when and sink.write_mode is None:
                    subject = f"'{model.text_of(target)}' {where}"
                    self._add(Grant(capability.rule, call.node, subject))

    def _tool_methods(
        self, scope: Scope, bases: PatternIndex[ToolClass], depth: int = 0
    ) -> list[Scope]:
        """The methods of a tool class that a framework calls with the model's arguments."""
        node = scope.node
        if not isinstance(node, cst.ClassDef) or scope.parent is None or depth > 4:
            return []
        methods: list[Scope] = []
        for base in node.bases:
            for path in self.model.paths(base.value, scope.parent):
                for entry in bases.match(path):
                    for method in entry.methods:
                        function = self.model.function_scope(f"{scope.qualname}().{method}")
                        if function is not None and function not in methods:
                            methods.append(function)
                local = self._classes.get(path)
                if local is not None and local is not scope:
                    for inherited in self._tool_methods(local, bases, depth + 1):
                        name = inherited.name
                        function = self.model.function_scope(f"{scope.qualname}().{name}")
                        if function is not None and function not in methods:
                            methods.append(function)
        return methods

    def _tool(self, functions: list[Scope], node: cst.CSTNode, subject: str) -> None:
        for sink_rule, capability in self.capabilities.items():
            for function in functions:
                params = self._model_parameters(function)
                hit = self._reach(function, params, sink_rule, 0) if params else None
                if hit is None:
                    continue
                via = "".join(f", through '{self._callee(n)}'" for n, _ in hit.via)
                related = (*hit.via, (hit.node, f"the tool {capability.label} here"))
                detail = f" passes the model's arguments to '{hit.text}'{via}"
                self._add(Grant(capability.rule, node, subject, detail, related))
                break

    def _callee(self, node: cst.CSTNode) -> str:
        return self.model.text_of(node.func) if isinstance(node, cst.Call) else ""

    # -- what a tool's arguments reach -------------------------------------------------

    def _model_parameters(self, function: Scope) -> frozenset[str]:
        """The parameters a model chooses: not `self`, a run context, or a scalar."""
        node = function.node
        if not isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return frozenset()
        names: set[str] = set()
        for param in _parameters(node.params):
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

    def _nested_scopes(self, function: Scope) -> list[Scope]:
        found = self._nested.get(function)
        if found is None:
            found, queue = [], [function]
            while queue:
                scope = queue.pop()
                found.append(scope)
                queue.extend(self._children.get(scope, ()))
            self._nested[function] = found
        return found

    def _reach(
        self, function: Scope, params: frozenset[str], sink_rule: str, depth: int
    ) -> _Hit | None:
        """A sink of `sink_rule` that the values of `params` reach from `function`."""
        key = (function, params, sink_rule)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # a recursive call finds nothing new
        scopes = self._nested_scopes(function)
        tainted = self._tainted(scopes, params, sink_rule)
        hit: _Hit | None = None
        for call in (c for scope in scopes for c in self._calls_by_scope.get(scope, ())):
            for sink in self._sinks_of(call, sink_rule):
                if self._applies(sink, call) and self._reaches_sink(sink, call, tainted):
                    hit = _Hit(call.node, call.callee_text)
                    break
            if hit is None and depth < MAX_DEPTH:
                hit = self._through(call, tainted, sink_rule, depth)
            if hit is not None:
                break
        self._memo[key] = hit
        return hit

    def _through(
        self, call: CallSite, tainted: frozenset[str], sink_rule: str, depth: int
    ) -> _Hit | None:
        """A sink reached through a function of this module that `call` passes values to."""
        for path in sorted(call.callees):
            inner = self.model.function_scope(path)
            if inner is None:
                continue
            passed = self._passed(call, inner, tainted, sink_rule)
            if passed:
                hit = self._reach(inner, passed, sink_rule, depth + 1)
                if hit is not None:
                    via = ((call.node, f"the arguments are passed to '{inner.name}' here"),)
                    return _Hit(hit.node, hit.text, via + hit.via)
        return None

    def _tainted(
        self, scopes: list[Scope], params: frozenset[str], sink_rule: str
    ) -> frozenset[str]:
        """Names assigned, in these scopes, from the parameters (not through a sanitizer)."""
        names = set(params)
        bindings = [
            (name, binding)
            for scope in scopes
            for name, found in scope.bindings.items()
            for binding in found
            if binding.node is not None
            and binding.kind
            in (BindingKind.ASSIGN, BindingKind.ELEMENT, BindingKind.WITH, BindingKind.OTHER)
        ]
        changed = True
        while changed:
            changed = False
            for name, binding in bindings:
                if name not in names and self._refers(
                    binding.node, names, sink_rule, binding.scope
                ):
                    names.add(name)
                    changed = True
        return frozenset(names)

    def _refers(
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

    def _local_result(self, node: cst.Call, names: set[str], sink_rule: str) -> bool | None:
        """Whether a call of this module's functions returns what `names` hold (None for
        calls of anything else)."""
        site = self._sites.get(node)
        if site is None:
            return None
        functions = [f for f in map(self.model.function_scope, sorted(site.callees)) if f]
        if not functions:
            return None
        return any(
            self._returns(inner, passed, sink_rule)
            for inner in functions
            if (passed := self._passed(site, inner, frozenset(names), sink_rule))
        )

    def _returns(self, function: Scope, params: frozenset[str], sink_rule: str) -> bool:
        """Whether `function` returns values derived from `params`."""
        key = (function, params, sink_rule)
        found = self._returning.get(key)
        if found is None:
            self._returning[key] = False  # a recursive call adds nothing
            tainted = self._tainted(self._nested_scopes(function), params, sink_rule)
            found = any(self._refers(r, tainted, sink_rule, function) for r in function.returns)
            self._returning[key] = found
        return found

    def _is_table(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """A module or class name bound once to a dict, list or tuple display: a table."""
        if not isinstance(expr, cst.Name):
            return False
        binding = _single_value(scope.lookup(expr.value))
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

    def _sinks_of(self, call: CallSite, sink_rule: str) -> list[Sink]:
        sinks = [s for s in self._sinks.match_any(call.callees) if s.rule == sink_rule]
        func = call.node.func
        if not sinks and isinstance(func, cst.Attribute):
            local = any(self.model.function_scope(p) for p in call.callees)
            if not local:
                candidates = [s for s in self._method_sinks if s.rule == sink_rule]
                sinks = method_sinks(candidates, func.attr.value, self.model.text_of(func.value))
        return sinks

    def _applies(self, sink: Sink, call: CallSite) -> bool:
        """Whether the call is the sink: its `when`, write mode and `safe` argument."""
        if not all(same_constant(call.literal(k), v) for k, v in sink.when.items()):
            return False
        if sink.write_mode is not None:
            mode_arg = call.argument(sink.write_mode)
            mode = "r" if mode_arg is None else self.model.literal(mode_arg, call.scope)
            if not isinstance(mode, str) or not set(mode) & _WRITE_MODES:
                return False
        if sink.safe is not None:
            safe = call.argument(sink.safe)
            if safe is not None:
                constant = self.model.literal(safe, call.scope)
                paths = self.model.paths(safe, call.scope)
                if str(constant) in sink.safe_values or paths & set(sink.safe_values):
                    return False
        return True

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
                value = next(iter(self._elements(value, call.scope)), value)
            if sink.program:
                if self._controls_program(value, tainted, sink.rule, call.scope):
                    return True
            elif self._controls(value, tainted, sink.rule, call.scope):
                return True
        return False

    def _controls(
        self, value: cst.BaseExpression, tainted: frozenset[str], sink_rule: str, scope: Scope
    ) -> bool:
        if not self._refers(value, tainted, sink_rule, scope):
            return False
        capability = self.capabilities.get(sink_rule)
        if capability is not None and capability.host_prefix:
            return not self._fixed_host(value, tainted, sink_rule, scope)
        return True

    def _controls_program(
        self, value: cst.BaseExpression, tainted: frozenset[str], sink_rule: str, scope: Scope
    ) -> bool:
        """Whether the model chooses the program of an argv, or what a shell in it runs."""
        elements = self._elements(value, scope)
        if not elements:
            return self._refers(value, tainted, sink_rule, scope)
        program = self.model.literal(elements[0], scope)
        if not isinstance(program, str):
            return self._refers(elements[0], tainted, sink_rule, scope)
        name = program.rsplit("/", 1)[-1]
        rest = elements[1:]
        subcommand = REMOTE_SHELLS.get(name)
        remote = subcommand == "" or (
            subcommand is not None
            and any(self.model.literal(e, scope) == subcommand for e in rest[:2])
        )
        if name in WRAPPERS or remote:  # `sudo cmd`, `ssh host cmd`, `docker exec box cmd`
            return any(self._refers(e, tainted, sink_rule, scope) for e in rest)
        flag = INTERPRETERS.get(name)
        if flag is None:
            return False  # a fixed program: its arguments are data
        for index, element in enumerate(rest):
            option = self.model.literal(element, scope)
            if not isinstance(option, str) or not option.startswith(("-", "/")):
                return self._refers(element, tainted, sink_rule, scope)  # the script it runs
            if option.lower() == flag or (flag.isalpha() and flag in option.lstrip("-")):
                return any(self._refers(e, tainted, sink_rule, scope) for e in rest[index + 1 :])
        return False

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
            if joined and not self._refers(value, tainted, sink_rule, scope):
                return True
            if isinstance(value, cst.Call):
                return self._returns_fixed_host(value, sink_rule)
            if not isinstance(value, cst.Name):
                return False
            binding = _single_value(scope.lookup(value.value))
            if binding is None or not isinstance(binding.node, cst.BaseExpression):
                return False
            value, scope = binding.node, binding.scope
        return False

    def _returns_fixed_host(self, node: cst.Call, sink_rule: str) -> bool:
        """Whether a function of this module called here returns only URLs of fixed hosts."""
        site = self._sites.get(node)
        functions = (
            [f for f in map(self.model.function_scope, sorted(site.callees)) if f] if site else []
        )
        if not functions or any(not f.returns for f in functions):
            return False
        if node in self._host_active:
            return False
        self._host_active.add(node)
        try:
            return all(
                self._fixed_host(r, self._model_parameters(f), sink_rule, f)
                for f in functions
                for r in f.returns
            )
        finally:
            self._host_active.discard(node)

    def _passed(
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
        named = {p.name.value for p in _parameters(params)}
        star = params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None
        star_kwarg = params.star_kwarg.name.value if params.star_kwarg is not None else None
        passed: set[str] = set()
        index = 0
        for arg in call.node.args:
            refers = self._refers(arg.value, tainted, sink_rule, call.scope)
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


def _parameters(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg
