"""Which web routes reach an LLM call, and which of those no rate limit guards (LLM201).

The call graph is the project's own calls (`ProjectCallFact`) resolved by the project
resolver, so a handler in `views.py` calling `services.answer()` that calls a wrapper in
`llm.py` reaches the model there. A route is limited by its own decorators and
dependencies, by the app, router or blueprint it is registered on, or by a project-wide
limit of its framework. The finding is a `FlowHit` at the handler's `def` whose trace is
the chain of calls from the handler to the model.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from llmlint.analysis.facts import RouteFact
from llmlint.analysis.routes import web_frameworks
from llmlint.catalog.schema import RateLimit, Route
from llmlint.finding import FlowStep

if TYPE_CHECKING:
    from llmlint.analysis.project import FlowHit, ProjectResolver

RULE = "LLM201"
MAX_VISITED = 5000


@dataclass(frozen=True)
class _Edge:
    target: str  # a function qualname, or "" for an LLM call
    step: FlowStep
    text: str


class RouteReach:
    def __init__(self, resolver: ProjectResolver) -> None:
        self.resolver = resolver
        self._edges: dict[str, list[_Edge]] = {}
        self._function_steps: dict[str, FlowStep] = {}
        self._function_lines: dict[str, str] = {}
        self._limited_owners: set[str] = set()
        self._limited_frameworks: set[str] = set()
        catalog = resolver.catalog
        self._route_decorators = catalog.index(Route, "decorator")
        self._limits = catalog.index(RateLimit)
        self._frameworks = web_frameworks(catalog)
        for facts in resolver.modules.values():
            steps = facts.steps
            for function in facts.functions.values():
                self._function_steps[function.qualname] = steps[function.step]
                self._function_lines[function.qualname] = function.line
            for site in facts.llm_calls:
                edge = _Edge("", steps[site.step], site.text)
                self._edges.setdefault(site.function, []).append(edge)
            for call in facts.project_calls:
                self._add_call(call.function, call.callees, steps[call.step], call.text)
            self._limited_owners.update(facts.limited_owners)
            self._limited_frameworks.update(facts.limited_frameworks)
        self._routes = [self._resolved(r) for f in resolver.modules.values() for r in f.routes]
        # What a decorated view's own decorators say, for when a registration wires it.
        self._views = {r.target[0]: r for r in self._routes if not r.registered}
        self._inherit_limits()

    def _resolved(self, route: RouteFact) -> RouteFact:
        """The route with its project-defined decorators resolved through the project."""
        if not route.decorators:
            return route
        routes, limits = self._route_decorators, self._limits
        framework, limited, exempt = route.framework, route.limited, route.exempt
        for paths in route.decorators:
            resolved = self.resolver.resolve_paths(tuple(paths))
            web = [r for r in routes.match_any(resolved) if r.framework in self._frameworks.http]
            framework = framework or (web[0].framework if web else "")
            for limit in limits.match_any(resolved):
                limited |= limit.kind == "decorator"
                exempt |= limit.kind == "exempt"
        return replace(route, framework=framework, limited=limited, exempt=exempt)

    def _inherit_limits(self) -> None:
        """A limited app's or router's routers are limited too (`include_router`)."""
        children: dict[str, set[str]] = {}
        for facts in self.resolver.modules.values():
            for parent, child in facts.inclusions:
                children.setdefault(parent, set()).add(child)
        queue = list(self._limited_owners)
        while queue:
            for child in children.get(queue.pop(), ()):
                if child not in self._limited_owners:
                    self._limited_owners.add(child)
                    queue.append(child)

    def _add_call(self, function: str, callees: tuple[str, ...], step: FlowStep, text: str) -> None:
        resolver = self.resolver
        edges = self._edges.setdefault(function, [])
        if resolver.is_llm_call(callees):
            edges.append(_Edge("", step, text))
            return
        for target in resolver.functions_called(callees):
            edges.append(_Edge(target, step, text))

    def hits(self) -> list[FlowHit]:
        from llmlint.analysis.project import FlowHit, SourceInfo

        found: dict[FlowStep, FlowHit] = {}
        for route in self._routes:
            if not route.framework or self._limited(route):
                continue
            for handler in self._handlers(route):
                view = self._views.get(handler)
                if view is not None and view is not route and self._limited(view):
                    continue  # a limited view, wired by a registration call
                path = self._path_to_model(handler)
                start = self._function_steps.get(handler)
                if path is None or start is None or start in found:
                    continue
                model = path[-1]
                source = SourceInfo("llm-call", model.text, model.step)
                head = replace(start, message=f"route handler '{handler.rsplit('.', 1)[-1]}'")
                trace = (head, *(replace(e.step, message=_message(e)) for e in path))
                line = self._function_lines.get(handler, "")
                found[start] = FlowHit(RULE, model.text, start, source, trace, line)
        return sorted(found.values(), key=lambda h: h.sink.location)

    def _limited(self, route: RouteFact) -> bool:
        if route.limited:
            return True
        if route.exempt:
            return False
        owners = set(route.owners)
        return bool(owners & self._limited_owners) or route.framework in self._limited_frameworks

    def _handlers(self, route: RouteFact) -> list[str]:
        if not route.registered:
            return list(route.target)
        handlers = []
        for target in self.resolver.resolve_paths(tuple(route.target)):
            if target in self.resolver.functions:
                handlers.append(target)
            elif target in self.resolver.classes:
                for method in self._frameworks.handler_methods.get(route.framework, ()):
                    handlers += self.resolver.methods_of(target, method)
        return sorted(set(handlers))

    def _path_to_model(self, handler: str) -> list[_Edge] | None:
        """The shortest chain of calls from `handler` to an LLM call, if there is one."""
        queue: deque[tuple[str, tuple[_Edge, ...]]] = deque([(handler, ())])
        seen = {handler}
        while queue and len(seen) < MAX_VISITED:
            function, path = queue.popleft()
            edges = self._edges.get(function, [])
            for edge in edges:
                if not edge.target:
                    return [*path, edge]
            for edge in edges:
                if edge.target not in seen:
                    seen.add(edge.target)
                    queue.append((edge.target, (*path, edge)))
        return None


def _message(edge: _Edge) -> str:
    return f"calls the model: '{edge.text}'" if not edge.target else f"calls '{edge.text}'"
