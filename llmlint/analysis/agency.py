"""Excessive agency: the shell, code, file, network and database power a module hands a
model (LLM301-LLM305). The rules' entry point: `grants` and `agency_prefilter`.

Two kinds of grants are found, both located where the tool or agent is made:

- catalog tools (catalog_tools.py): calls of `[[agent-tool]]` entries whose conditions
  hold, and `[[sql-tool]]` calls on a writable `[[sql-connection]]`;
- the project's own tools, found here: functions registered by a `[[tool-decorator]]` or
  a `[[tool-registration]]`, and methods of `[[tool-class]]` subclasses, whose arguments
  reach a `[[sink]]` that a `[[tool-capability]]` maps to a rule (tool_reach.py, through
  tool_flow.py). A sink function registered as a tool directly is a grant too.

All rules are found in one pass per module and cached, so five rules cost one analysis.
"""

from __future__ import annotations

import weakref

import libcst as cst

from llmlint.analysis.builder import decorator_target
from llmlint.analysis.catalog_tools import SQL_RULE, CatalogTools, Grant
from llmlint.analysis.module import CallSite, ModuleModel, matching_calls
from llmlint.analysis.scope import Scope
from llmlint.analysis.tool_reach import ToolReach
from llmlint.catalog import Catalog, PatternIndex
from llmlint.catalog.schema import (
    AgentTool,
    Sink,
    SqlTool,
    ToolCapability,
    ToolClass,
    ToolDecorator,
    ToolRegistration,
)
from llmlint.prefilter import Prefilter, calls_prefilter

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


class _Agency:
    """Finds every grant of one module, each (rule, node) once."""

    def __init__(self, model: ModuleModel, catalog: Catalog) -> None:
        self.model = model
        self.catalog = catalog
        self.found: dict[str, list[Grant]] = {}
        self._reported: set[tuple[str, cst.CSTNode]] = set()
        self.reach = ToolReach(model, catalog)

    def run(self) -> dict[str, list[Grant]]:
        for grant in CatalogTools(self.model, self.catalog).grants():
            self._add(grant)
        if self.reach.capabilities:
            self._project_tools()
        return self.found

    def _add(self, grant: Grant) -> None:
        key = (grant.rule, grant.node)
        if key not in self._reported:
            self._reported.add(key)
            self.found.setdefault(grant.rule, []).append(grant)

    def _project_tools(self) -> None:
        model = self.model
        seen: set[Scope] = set()  # a function is one tool, however many ways it is made one
        decorators = self.catalog.index(ToolDecorator, "decorator")
        for scope in model.scopes:
            node = scope.node
            if isinstance(node, cst.FunctionDef) and node.decorators and scope.parent:
                for decorator in node.decorators:
                    target = decorator_target(decorator)
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
            # `Tool(func=os.system)`: the model's arguments are the sink's, unconditionally.
            for sink in self.catalog.index(Sink).match(path):
                capability = self.reach.capabilities.get(sink.rule)
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
                local = self.model.classes.get(path)
                if local is not None and local is not scope:
                    for inherited in self._tool_methods(local, bases, depth + 1):
                        name = inherited.name
                        function = self.model.function_scope(f"{scope.qualname}().{name}")
                        if function is not None and function not in methods:
                            methods.append(function)
        return methods

    def _tool(self, functions: list[Scope], node: cst.CSTNode, subject: str) -> None:
        """One grant per capability: the first of the functions whose arguments reach it."""
        for sink_rule, capability in self.reach.capabilities.items():
            for function in functions:
                hit = self.reach.tool_hit(function, sink_rule)
                if hit is None:
                    continue
                via = "".join(f", through '{self._callee(n)}'" for n, _ in hit.via)
                related = (*hit.via, (hit.node, f"the tool {capability.label} here"))
                detail = f" passes the model's arguments to '{hit.text}'{via}"
                self._add(Grant(capability.rule, node, subject, detail, related))
                break

    def _callee(self, node: cst.CSTNode) -> str:
        return self.model.text_of(node.func) if isinstance(node, cst.Call) else ""
