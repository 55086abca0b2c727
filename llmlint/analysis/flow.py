"""Data flow inside one module: which values carry LLM output, and where they go.

An abstract interpreter walks each function's statements in order, keeping for every
local name the taint of its value (`llmlint.analysis.values`). Branches are analysed
separately and merged; loop bodies twice (enough for a value to go around once).
Parameters start as `P:` labels, and calls the module cannot judge alone (project
functions, objects typed by other modules) become `C:` labels, so the result is a set
of facts about this module only (`llmlint.analysis.facts`), which the project resolver
later combines with every other module's.

This module holds the driver, statements and definitions; `FlowAnalyzer` is assembled
from parts in sibling modules: `flow_state` (shared state and frames),
`flow_expressions`, `flow_calls`, `flow_prompts` (prompt sources and sinks, a helper it
owns) and `flow_facts` (what is added to the facts at the end).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import libcst as cst

from llmlint.analysis.builder import decorator_names, dotted_name, parameters
from llmlint.analysis.facts import FunctionFact, ModuleFacts
from llmlint.analysis.flow_calls import CallInterpreter
from llmlint.analysis.flow_expressions import URL_WITH_HOST, ExpressionInterpreter
from llmlint.analysis.flow_facts import describe_module, locate_steps, prune_calls
from llmlint.analysis.flow_prompts import PromptTracker
from llmlint.analysis.flow_state import Env, Frame, library_roots
from llmlint.analysis.guards import Cleared, cleared_names
from llmlint.analysis.module import ModuleModel
from llmlint.analysis.positions import Span, compute_spans
from llmlint.analysis.routes import RouteCollector
from llmlint.analysis.scope import Scope, ScopeKind
from llmlint.analysis.values import EMPTY, Taint, Value, clear, step, union
from llmlint.catalog import Catalog

# Other modules import these from here.
__all__ = ["URL_WITH_HOST", "FlowAnalyzer", "Frame", "library_roots"]

SCALAR_TYPES = frozenset({"builtins.int", "builtins.float", "builtins.bool", "builtins.complex"})
LITERAL_TYPES = frozenset({"typing.Literal", "typing_extensions.Literal"})
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
MAX_LOOP_DEPTH = 3


def _merge(*envs: Env) -> Env:
    """The environment after control flow joins: each name may hold any branch's value."""
    merged = dict(envs[0])
    for env in envs[1:]:
        for name, value in env.items():
            known = merged.get(name)
            if known is None or not known:
                merged[name] = value
            elif value and value is not known:
                merged[name] = union(known, value)
    return merged


# The interpreter method for each kind of statement; others (pass, import, ...) do nothing.
_STATEMENTS: dict[type[cst.CSTNode], str] = {
    cst.SimpleStatementLine: "_simple_line",
    cst.Expr: "_expression",
    cst.Assign: "_assignment",
    cst.AnnAssign: "_annotated",
    cst.AugAssign: "_augmented",
    cst.Return: "_return",
    cst.If: "_if",
    cst.For: "_loop",
    cst.While: "_loop",
    cst.Try: "_try",
    cst.TryStar: "_try",
    cst.With: "_with",
    cst.FunctionDef: "_define",
    cst.ClassDef: "_class",
    cst.Match: "_match",
    cst.Raise: "_checked",
    cst.Assert: "_checked",
    cst.Del: "_checked",
}


def _exits(suite: cst.BaseSuite, model: ModuleModel, scope: Scope) -> bool:
    """Whether a block always leaves its enclosing one (return, raise, continue, break, or
    a call that never returns)."""
    if not suite.body:
        return False
    if isinstance(suite, cst.SimpleStatementSuite):
        last = suite.body[-1]
    else:
        line = suite.body[-1]
        if not isinstance(line, cst.SimpleStatementLine) or not line.body:
            return False
        last = line.body[-1]
    if isinstance(last, cst.Expr) and isinstance(last.value, cst.Call):
        return model.never_returns(last.value, scope)  # `abort(400)` raises
    return isinstance(last, (cst.Return, cst.Raise, cst.Continue, cst.Break))


class FlowAnalyzer(ExpressionInterpreter, CallInterpreter):
    """Interprets one module's functions and produces its ModuleFacts."""

    def __init__(
        self, model: ModuleModel, catalog: Catalog, project_roots: frozenset[str] = frozenset()
    ) -> None:
        super().__init__(model, catalog, project_roots)
        self._prompt = PromptTracker(self)

    # -- driver ---------------------------------------------------------------------

    def run(self) -> ModuleFacts:
        """Analyse and locate in one go (for callers that need nothing else located)."""
        self.analyze()
        nodes = self.step_nodes()
        return self.finish(compute_spans(self.model.tree, nodes, self.model.lines))

    def analyze(self) -> None:
        module = self._module
        self._block(self.model.tree.body, module)
        while self._pending:
            node, closure, owner = self._pending.pop(0)
            self._function(node, closure, owner)
        self.facts.globals = {k: v for k, v in module.env.items() if v and "." not in k}
        describe_module(self.model, self._fields, self.facts)
        collector = RouteCollector(self.model, self.catalog, self._new_step, self._is_library)
        routes = collector.collect()
        self.facts.routes = routes.routes
        self.facts.limited_owners = sorted(routes.limited_owners)
        self.facts.limited_frameworks = sorted(routes.limited_frameworks)
        self.facts.inclusions = routes.inclusions
        prune_calls(self.facts)
        self.facts.star_imports = [s for s in self.model.scope.star_imports if s]

    def step_nodes(self) -> list[cst.CSTNode]:
        """The nodes whose positions the facts need (to compute with other nodes in one pass)."""
        return [node for node, _ in self._steps]

    def finish(
        self, spans: Mapping[cst.CSTNode, Span], line_text: Callable[[int], str] | None = None
    ) -> ModuleFacts:
        """The facts, with every step located by `spans` (from `step_nodes`)."""
        locate_steps(self.facts, self._steps, spans, line_text or self.model.lines.line_text)
        return self.facts

    # -- statements -----------------------------------------------------------------

    def _block(self, statements: Sequence[cst.CSTNode], frame: Frame) -> None:
        for statement in statements:
            self._statement(statement, frame)

    def _suite(self, suite: cst.BaseSuite, frame: Frame) -> None:
        self._block(suite.body, frame)

    def _statement(self, node: cst.CSTNode, frame: Frame) -> None:
        # By exact class, as expressions are (see flow_expressions._EVALUATORS).
        interpret = _STATEMENTS.get(type(node))
        if interpret is not None:
            getattr(self, interpret)(node, frame)

    def _simple_line(self, node: cst.SimpleStatementLine, frame: Frame) -> None:
        self._block(node.body, frame)

    def _expression(self, node: cst.Expr, frame: Frame) -> None:
        self._eval(node.value, frame)

    def _assignment(self, node: cst.Assign, frame: Frame) -> None:
        value = self._eval(node.value, frame)
        for target in node.targets:
            self._assign(target.target, value, frame)

    def _annotated(self, node: cst.AnnAssign, frame: Frame) -> None:
        if node.value is not None:
            self._assign(node.target, self._eval(node.value, frame), frame)

    def _augmented(self, node: cst.AugAssign, frame: Frame) -> None:
        value = union(self._eval(node.target, frame), self._eval(node.value, frame))
        self._assign(node.target, value, frame)

    def _return(self, node: cst.Return, frame: Frame) -> None:
        if node.value is not None:
            value = self._eval(node.value, frame)
            label = f"returned from '{frame.function.rsplit('.', 1)[-1]}'"
            frame.returns.append(step(value, self._new_step(node, label)) if value else value)

    def _with(self, node: cst.With, frame: Frame) -> None:
        for item in node.items:
            value = self._eval(item.item, frame)
            if item.asname is not None:
                self._assign(item.asname.name, value, frame)
        self._suite(node.body, frame)

    def _match(self, node: cst.Match, frame: Frame) -> None:
        before, branches = dict(frame.env), []
        subject = self._eval(node.subject, frame)
        for case in node.cases:
            frame.env = dict(before)
            for capture in _captures(case.pattern):
                self._assign(capture, subject, frame)
            self._suite(case.body, frame)
            branches.append(frame.env)
        frame.env = _merge(before, *branches)

    def _checked(self, node: cst.Raise | cst.Assert | cst.Del, frame: Frame) -> None:
        for child in (getattr(node, "exc", None), getattr(node, "test", None)):
            if isinstance(child, cst.BaseExpression):
                self._eval(child, frame)

    def _if(self, node: cst.If, frame: Frame) -> None:
        self._eval(node.test, frame)
        when_true, when_false = cleared_names(node.test, self.model, frame.scope)
        before = dict(frame.env)
        frame.env = self._cleared(before, when_true)
        self._suite(node.body, frame)
        after_body = frame.env
        frame.env = self._cleared(before, when_false)
        if isinstance(node.orelse, cst.If):
            self._if(node.orelse, frame)
        elif node.orelse is not None:
            self._suite(node.orelse.body, frame)
        after_else = frame.env
        if _exits(node.body, self.model, frame.scope):
            frame.env = after_else
        elif (
            node.orelse is not None
            and not isinstance(node.orelse, cst.If)
            and _exits(node.orelse.body, self.model, frame.scope)
        ):
            frame.env = after_body
        else:
            frame.env = _merge(after_body, after_else)

    @staticmethod
    def _cleared(env: Env, names: Cleared) -> Env:
        env = dict(env)
        for name, rules in names.items():
            if name in env:
                env[name] = clear(env[name], rules)
        return env

    def _loop(self, node: cst.For | cst.While, frame: Frame) -> None:
        before = dict(frame.env)
        rounds = 2 if frame.loop_depth < MAX_LOOP_DEPTH else 1
        frame.loop_depth += 1
        iterated = self._eval(node.iter, frame) if isinstance(node, cst.For) else EMPTY
        for _ in range(rounds):
            if isinstance(node, cst.For):
                self._assign(node.target, iterated, frame)
            else:
                self._eval(node.test, frame)
            self._suite(node.body, frame)
            frame.env = _merge(before, frame.env)
        frame.loop_depth -= 1
        if node.orelse is not None:
            self._suite(node.orelse.body, frame)

    def _try(self, node: cst.Try | cst.TryStar, frame: Frame) -> None:
        before = dict(frame.env)
        self._suite(node.body, frame)
        after_body = frame.env
        branches = [after_body]
        for handler in node.handlers:
            frame.env = _merge(before, after_body)
            self._suite(handler.body, frame)
            branches.append(frame.env)
        frame.env = after_body
        if node.orelse is not None:
            self._suite(node.orelse.body, frame)
            branches[0] = frame.env
        frame.env = _merge(*branches)
        if node.finalbody is not None:
            self._suite(node.finalbody.body, frame)

    def _assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            if value:
                value = step(value, self._new_step(target, f"assigned to '{name}'"))
            frame.env[name] = value
            if name in frame.scope.declared_global and frame is not self._module:
                module_env = self._module.env
                module_env[name] = union(module_env.get(name, EMPTY), value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._assign(element.value, value, frame)
        elif isinstance(target, cst.StarredElement):
            self._assign(target.value, value, frame)
        elif isinstance(target, cst.Attribute):
            base = target.value
            if isinstance(base, cst.Name) and base.value == frame.self_name and frame.owner:
                attribute = target.attr.value
                if value:
                    value = step(value, self._new_step(target, f"stored in 'self.{attribute}'"))
                frame.env[f"self.{attribute}"] = value
                fields = self._fields.setdefault(frame.owner, {})
                fields[attribute] = union(fields.get(attribute, EMPTY), value)
            elif isinstance(base, cst.Name) and value:
                frame.env[base.value] = union(frame.env.get(base.value, EMPTY), value)
        elif isinstance(target, cst.Subscript):
            self._eval(target.value, frame)
            if isinstance(target.value, cst.Name) and value:
                name = target.value.value
                frame.env[name] = union(frame.env.get(name, EMPTY), value)

    # -- definitions ----------------------------------------------------------------

    def _is_scalar(self, param: cst.Param, scope: Scope) -> bool:
        """Annotated `int`, `float`, `bool` or a `Literal[...]`: a tool framework validates it."""
        if param.annotation is None or scope.parent is None:
            return False
        annotation = self.unannotated(param.annotation.annotation, scope.parent)
        if isinstance(annotation, cst.Subscript):
            return bool(self.model.paths(annotation.value, scope.parent) & LITERAL_TYPES)
        return bool(self.model.paths(annotation, scope.parent) & SCALAR_TYPES)

    def unannotated(self, annotation: cst.BaseExpression, scope: Scope) -> cst.BaseExpression:
        """`T` for `Annotated[T, ...]`, else the annotation itself."""
        if not isinstance(annotation, cst.Subscript) or not annotation.slice:
            return annotation
        first = annotation.slice[0].slice
        if self.model.paths(annotation.value, scope) & ANNOTATED and isinstance(first, cst.Index):
            return first.value
        return annotation

    def _define(self, node: cst.FunctionDef, frame: Frame) -> None:
        for decorator in node.decorators:
            self._eval(decorator.decorator, frame)
            self._tool_decorator(decorator, node, frame)
            self._prompt.route(node, decorator, frame)
        # Module-level names are read from the module's environment when they are used;
        # only a function's own locals are captured by the functions defined inside it.
        closure = {} if frame is self._module else dict(frame.env)
        owner = frame.owner if frame.scope.kind is ScopeKind.CLASS else None
        self._pending.append((node, closure, owner))

    def _class(self, node: cst.ClassDef, frame: Frame) -> None:
        inner = self.model.definitions.get(node)
        if inner is None:
            return
        outer = {} if frame is self._module else dict(frame.env)
        class_frame = Frame(inner, frame.function, outer, owner=inner.qualname)
        self._block(node.body.body, class_frame)
        fields = self._fields.setdefault(inner.qualname, {})
        for name, value in class_frame.env.items():
            if value and name not in outer:
                fields[name] = union(fields.get(name, EMPTY), value)

    def _function(self, node: cst.FunctionDef, closure: Env, owner: str | None) -> None:
        scope = self.model.definitions.get(node)
        if scope is None:
            return
        frame = Frame(scope, scope.qualname, dict(closure), owner=owner)
        params = parameters(node.params)
        kind = _function_kind(node) if owner else "function"
        for index, param in enumerate(params):
            name = param.name.value
            if index == 0 and kind in ("method", "classmethod", "property"):
                frame.self_name = name
                frame.env[name] = EMPTY
                continue
            where = self._new_step(param.name, f"parameter '{name}' of '{node.name.value}'")
            parameter = (Taint(f"P:{scope.qualname}:{index}", (where,)),)
            frame.env[name] = union(parameter, self._prompt.route_parameter(node, param, scope))
        self._block(node.body.body, frame)
        self.facts.functions[scope.qualname] = FunctionFact(
            qualname=scope.qualname,
            params=tuple(_param_label(node.params, p) for p in params),
            kind=kind,
            returns=union(*frame.returns),
            return_paths=tuple(sorted(self.model.return_paths(scope))),
            scalar_params=tuple(
                index for index, param in enumerate(params) if self._is_scalar(param, scope)
            ),
            abstract=_is_abstract(node),
            step=self._new_step(node.name, f"'{node.name.value}'"),
        )


def _is_abstract(node: cst.FunctionDef) -> bool:
    """A body with nothing but a docstring, `pass`, `...` or `raise NotImplementedError`."""
    body = node.body.body
    for statement in body:
        small = statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement]
        for item in small:
            if isinstance(item, cst.Pass):
                continue
            if isinstance(item, cst.Expr) and isinstance(
                item.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis)
            ):
                continue
            if isinstance(item, cst.Raise) and item.exc is not None:
                raised = item.exc.func if isinstance(item.exc, cst.Call) else item.exc
                if dotted_name(raised) == "NotImplementedError":
                    continue
            return False
    return True


def _captures(pattern: cst.CSTNode) -> list[cst.Name]:
    """The names a `case` pattern binds (each may hold part of the subject)."""
    names: list[cst.Name] = []
    stack = [pattern]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.MatchAs, cst.MatchStar)) and isinstance(node.name, cst.Name):
            names.append(node.name)
        if isinstance(node, cst.MatchAs) and node.pattern is not None:
            stack.append(node.pattern)
        elif isinstance(node, cst.MatchSequence):
            stack.extend(
                e.value if isinstance(e, cst.MatchSequenceElement) else e for e in node.patterns
            )
        elif isinstance(node, cst.MatchMapping):
            stack.extend(e.pattern for e in node.elements)
            if isinstance(node.rest, cst.Name):
                names.append(node.rest)
        elif isinstance(node, cst.MatchClass):
            stack.extend(p.value for p in node.patterns)
            stack.extend(k.pattern for k in node.kwds)
        elif isinstance(node, cst.MatchOr):
            stack.extend(p.pattern for p in node.patterns)
    return names


def _param_label(params: cst.Parameters, param: cst.Param) -> str:
    """A parameter's name, with `*` or `**` when it collects extra arguments."""
    if param is params.star_arg:
        return "*" + param.name.value
    if param is params.star_kwarg:
        return "**" + param.name.value
    return param.name.value


def _function_kind(node: cst.FunctionDef) -> str:
    names = decorator_names(node.decorators)
    if "staticmethod" in names:
        return "staticmethod"
    if "classmethod" in names:
        return "classmethod"
    if "property" in names or "cached_property" in names:
        return "property"
    return "method"
