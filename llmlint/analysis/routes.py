"""Web routes of a module and the rate limits that guard them (LLM201).

A route is a function with a route decorator (`@app.post`, `@router.get`, `@api_view`), or
a view wired by a registration call (`path("chat/", views.chat)`, `Route("/", endpoint)`,
`path("x/", ChatView.as_view())`). Limits act at three levels, all catalog data
(`[[rate-limit]]`): on the route (a decorator, a dependency among the route decorator's
arguments or the handler's parameters, a view class attribute), on the app, router or
blueprint it belongs to (found by path, so across modules), or on the whole framework in
the project (`Limiter(default_limits=...)`, a middleware, DRF's default throttles).
Whether a route reaches an LLM call is decided by the project resolver.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache

import libcst as cst

from llmlint.analysis.builder import NODE_TYPES, decorator_target
from llmlint.analysis.facts import RouteFact
from llmlint.analysis.module import CallSite, ModuleModel
from llmlint.analysis.scope import BindingKind, Scope, ScopeKind
from llmlint.catalog import Catalog, PatternIndex
from llmlint.catalog.schema import RateLimit, Route, RouteRegistration, WebFramework

StepMaker = Callable[[cst.CSTNode, str], int]


def _calls_in(node: cst.CSTNode) -> Iterator[cst.Call]:
    """Every call inside `node`. A plain walk over the node's fields: libcst's visitors
    rebuild every node they pass, which costs more than the whole rest of this module."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if type(current) is cst.Call:
            yield current
        # Exact classes: isinstance() on libcst's ABCs is a Python-level call.
        for item in fields(current):
            value = getattr(current, item.name)
            if type(value) in NODE_TYPES:
                stack.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(v for v in value if type(v) in NODE_TYPES)


@dataclass
class RouteFacts:
    routes: list[RouteFact] = field(default_factory=list)
    limited_owners: set[str] = field(default_factory=set)
    limited_frameworks: set[str] = field(default_factory=set)
    inclusions: list[tuple[str, str]] = field(default_factory=list)


class RouteCollector:
    """Collects a module's routes and rate limits; steps are recorded with `new_step`."""

    def __init__(
        self,
        model: ModuleModel,
        catalog: Catalog,
        new_step: StepMaker,
        is_library: Callable[[frozenset[str]], bool],
    ) -> None:
        self.model = model
        self.new_step = new_step
        self.is_library = is_library
        self.routes = catalog.index(Route, "decorator")
        self.registrations = catalog.index(RouteRegistration)
        self.frameworks = web_frameworks(catalog)
        limits = catalog.entries(RateLimit)
        self.limits = rate_limit_indexes(catalog)
        self.settings = {e.name: e for e in limits if e.kind == "setting"}
        self.attributes = {e.name for e in limits if e.kind == "attribute"}
        self.found = RouteFacts()
        self._classes: dict[str, bool] = {}

    def collect(self) -> RouteFacts:
        for node, scope in self.model.definitions.items():
            if isinstance(node, cst.FunctionDef) and scope.parent is not None:
                self._function(node, scope, scope.parent)
        self._module_limits()
        return self.found

    # -- routes ---------------------------------------------------------------------

    def _function(self, node: cst.FunctionDef, scope: Scope, outer: Scope) -> None:
        """A route handler, or a function whose decorators the resolver must read: they
        come from another module (`from .app import app`, `from .ext import limiter`), or
        they limit a view that a registration call wires elsewhere."""
        route: Route | None = None
        owners: set[str] = set()
        unresolved: list[tuple[str, ...]] = []
        limited = exempt = False
        for decorator in node.decorators:
            target = decorator_target(decorator)
            paths = self.model.paths(target, outer)
            routes = [
                r for r in self.routes.match_any(paths) if r.framework in self.frameworks.http
            ]
            project = bool(paths) and not self.is_library(paths)
            if routes or project:
                if routes:
                    route = routes[0]
                else:
                    unresolved.append(tuple(sorted(paths)))
                if isinstance(target, cst.Attribute):
                    owners |= self._identity(target.value, outer)
                limited |= self._has_dependency(decorator.decorator, outer)
            limited |= bool(self.limits["decorator"].match_any(paths))
            exempt |= bool(self.limits["exempt"].match_any(paths))
        if route is not None or unresolved:
            limited |= self._has_dependency(node.params, outer)
        limited |= self._class_limited(outer)
        if route is None and not (unresolved or limited or exempt):
            return
        where = self.new_step(node.name, f"route '{node.name.value}'")
        self.found.routes.append(
            RouteFact(
                (scope.qualname,),
                route.framework if route else "",
                where,
                limited,
                exempt,
                tuple(sorted(owners)),
                decorators=tuple(unresolved),
            )
        )

    def _identity(self, node: cst.BaseExpression, scope: Scope) -> frozenset[str]:
        """Which app, router or blueprint object `node` names: the variable it is bound to
        (`pkg.api.router`), not its type, so that limits and routes meet across modules."""
        if isinstance(node, cst.Name):
            names = set()
            for binding in scope.lookup(node.value):
                if binding.kind is BindingKind.IMPORT and binding.target:
                    names.add(binding.target)
                elif binding.scope.kind is ScopeKind.MODULE:
                    names.add(f"{binding.scope.qualname}.{node.value}")
            if names:
                return frozenset(names)
        return self.model.paths(node, scope)

    def _has_dependency(self, node: cst.CSTNode, scope: Scope) -> bool:
        """A rate-limit dependency called inside `node`, or passed as a made instance
        (`limit = RateLimiter(...)` then `Depends(limit)`)."""
        index = self.limits["dependency"]
        for call in _calls_in(node):
            if index.match_any(self.model.paths(call.func, scope)):
                return True
            for arg in call.args:
                made = {p[:-2] for p in self.model.paths(arg.value, scope) if p.endswith("()")}
                if index.match_any(made):
                    return True
        return False

    def _class_limited(self, scope: Scope) -> bool:
        """A method of a view class with `throttle_classes = [...]` or a limiting decorator."""
        if scope.kind is not ScopeKind.CLASS or not isinstance(scope.node, cst.ClassDef):
            return False
        if scope.qualname not in self._classes:
            self._classes[scope.qualname] = self._class_limits(scope, scope.node)
        return self._classes[scope.qualname]

    def _class_limits(self, scope: Scope, node: cst.ClassDef) -> bool:
        for name in self.attributes:
            for binding in scope.bindings.get(name, []):
                value = binding.node
                if isinstance(value, (cst.List, cst.Tuple)) and value.elements:
                    return True
        outer = scope.parent or scope
        for decorator in node.decorators:
            for call in [decorator.decorator, *_calls_in(decorator.decorator)]:
                target = call.func if isinstance(call, cst.Call) else call
                if self.limits["decorator"].match_any(self.model.paths(target, outer)):
                    return True
        return False

    # -- registrations and limits beyond one route -------------------------------------

    def _module_limits(self) -> None:
        found = self.found
        for call in self.model.calls:
            callees = call.callees
            for registration in self.registrations.match_any(callees):
                self._registration(call, registration)
            for limit in self.limits["app"].match_any(callees):
                if not limit.when_any or any(call.keyword(k) for k in limit.when_any):
                    found.limited_frameworks.add(limit.framework)
            for arg in call.node.args:
                paths = self.model.paths(arg.value, call.scope)
                for limit in self.limits["middleware"].match_any(paths):
                    found.limited_frameworks.add(limit.framework)
            if call.node.args and self._limits_its_argument(call):
                found.limited_owners |= self._identity(call.node.args[0].value, call.scope)
            self._inclusion(call)
        self._limited_constructions()
        self._settings()

    def _limits_its_argument(self, call: CallSite) -> bool:
        """`limiter.limit("10/minute")(blueprint)`, `app.include_router(router,
        dependencies=[Depends(RateLimiter(...))])`: the first argument is limited."""
        func = call.node.func
        if isinstance(func, cst.Call):
            return bool(self.limits["decorator"].match_any(self.model.paths(func.func, call.scope)))
        is_include = isinstance(func, cst.Attribute) and func.attr.value == "include_router"
        return is_include and self._has_dependency(call.node, call.scope)

    def _inclusion(self, call: CallSite) -> None:
        """`app.include_router(router)`, `app.register_blueprint(bp)`: the parent's limits
        cover the child's routes."""
        func = call.node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in self.frameworks.inclusions:
            return
        if not call.node.args:
            return
        parents = self._identity(func.value, call.scope)
        children = self._identity(call.node.args[0].value, call.scope)
        for parent in parents:
            for child in children:
                self.found.inclusions.append((parent, child))

    def _registration(self, site: CallSite, entry: RouteRegistration) -> None:
        node, scope = site.node, site.scope
        view = site.argument(entry.view)
        if view is None:
            return
        if isinstance(view, cst.Call) and isinstance(view.func, cst.Attribute):
            view = view.func.value  # `ChatView.as_view()`: the class
        paths = self.model.paths(view, scope)
        if paths:
            where = self.new_step(node, f"route registered by '{self.model.text_of(node.func)}'")
            self.found.routes.append(
                RouteFact(tuple(sorted(paths)), entry.framework, where, registered=True)
            )

    def _limited_constructions(self) -> None:
        """`router = APIRouter(dependencies=[Depends(RateLimiter(...))])`: its routes."""
        scope = self.model.scope
        for name, bindings in scope.bindings.items():
            for binding in bindings:
                value = binding.node
                if isinstance(value, cst.Call) and self._has_dependency(value, scope):
                    self.found.limited_owners.add(f"{scope.qualname}.{name}")

    def _settings(self) -> None:
        """`REST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": [...]}` in a settings module."""
        for bindings in self.model.scope.bindings.values():
            for binding in bindings:
                if isinstance(binding.node, cst.Dict):
                    self._setting_keys(binding.node)

    def _setting_keys(self, node: cst.Dict) -> None:
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = element.key
            if isinstance(key, cst.SimpleString) and key.evaluated_value in self.settings:
                value = element.value
                if not isinstance(value, (cst.List, cst.Tuple)) or value.elements:
                    entry = self.settings[str(key.evaluated_value)]
                    self.found.limited_frameworks.add(entry.framework)


@lru_cache(maxsize=8)
def rate_limit_indexes(catalog: Catalog) -> dict[str, PatternIndex[RateLimit]]:
    """The [[rate-limit]] calls by kind, built once per catalog (not once per file)."""
    limits = catalog.entries(RateLimit)
    return {
        kind: PatternIndex((e.call, e) for e in limits if e.kind == kind and e.call)
        for kind in ("decorator", "dependency", "app", "middleware", "exempt")
    }


@dataclass(frozen=True)
class WebFrameworks:
    """What the [[web-framework]] entries say, read once per catalog."""

    http: frozenset[str]  # frameworks whose routes answer HTTP requests
    inclusions: frozenset[str]  # methods that attach a router or blueprint to an app
    handler_methods: Mapping[str, tuple[str, ...]]  # view-class methods answering requests


@lru_cache(maxsize=8)
def web_frameworks(catalog: Catalog) -> WebFrameworks:
    entries = catalog.entries(WebFramework)
    handlers: dict[str, dict[str, None]] = {}
    for entry in entries:
        handlers.setdefault(entry.name, {}).update(dict.fromkeys(entry.handler_methods))
    return WebFrameworks(
        frozenset(e.name for e in entries),
        frozenset(m for e in entries for m in e.inclusions),
        {name: tuple(methods) for name, methods in handlers.items()},
    )
