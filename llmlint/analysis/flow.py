"""Data flow inside one module: which values carry LLM output, and where they go.

An abstract interpreter walks each function's statements in order, keeping for every
local name the taint of its value (`llmlint.analysis.values`). Branches are analysed
separately and merged; loop bodies twice (enough for a value to go around once).
Parameters start as `P:` labels, and calls the module cannot judge alone (project
functions, objects typed by other modules) become `C:` labels, so the result is a set
of facts about this module only (`llmlint.analysis.facts`), which the project resolver
later combines with every other module's.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import libcst as cst

from llmlint.analysis.builder import dotted_name
from llmlint.analysis.facts import (
    NOT_CONSTANT,
    ArgFact,
    CallFact,
    ClassFact,
    FunctionFact,
    LLMCallFact,
    ModuleFacts,
    ProjectCallFact,
    SinkHitFact,
    SourceFact,
    ToolFact,
)
from llmlint.analysis.flow_prompts import PromptTracker
from llmlint.analysis.guards import Cleared, cleared_names
from llmlint.analysis.module import UNKNOWN, CallSite, ModuleModel
from llmlint.analysis.positions import Span, compute_spans
from llmlint.analysis.routes import RouteCollector
from llmlint.analysis.scope import BindingKind, Scope, ScopeKind
from llmlint.analysis.sinks import applies, method_sinks, sink_value
from llmlint.analysis.values import EMPTY, Taint, Value, clear, reaching, step, union
from llmlint.catalog import Catalog
from llmlint.catalog.schema import (
    LLMCall,
    ResponseMetadata,
    Sanitizer,
    Sink,
    ToolDecorator,
    ToolRegistration,
)
from llmlint.finding import FlowStep, Location

MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "write"})
KEYED_LOOKUPS = frozenset({"get", "pop", "setdefault"})
URL_WITH_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\0]+/")
SCALAR_TYPES = frozenset({"builtins.int", "builtins.float", "builtins.bool", "builtins.complex"})
LITERAL_TYPES = frozenset({"typing.Literal", "typing_extensions.Literal"})
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
MAX_LOOP_DEPTH = 3
Env = dict[str, Value]


@dataclass
class Frame:
    """The state of the function being interpreted."""

    scope: Scope
    function: str  # qualname, or the module name for module-level code
    env: Env
    self_name: str | None = None
    owner: str | None = None  # qualname of the class whose method this is
    returns: list[Value] = field(default_factory=list)
    loop_depth: int = 0


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


# Calls that never return normally, as written: Flask's abort raises, the others exit.
NO_RETURN = frozenset(
    {"abort", "flask.abort", "sys.exit", "exit", "quit", "os._exit", "st.stop", "streamlit.stop"}
)


def _exits(suite: cst.BaseSuite) -> bool:
    """Whether a block always leaves its enclosing one (return, raise, continue, break)."""
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
        return _dotted(last.value.func) in NO_RETURN  # `abort(400)` raises
    return isinstance(last, (cst.Return, cst.Raise, cst.Continue, cst.Break))


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


class FlowAnalyzer:
    """Interprets one module's functions and produces its ModuleFacts."""

    def __init__(
        self, model: ModuleModel, catalog: Catalog, project_roots: frozenset[str] = frozenset()
    ) -> None:
        self.model = model
        self.catalog = catalog
        self.facts = ModuleFacts(model.module_name, model.path)
        self._sites = {site.node: site for site in model.calls}
        self._llm = catalog.index(LLMCall)
        self._sinks = catalog.index(Sink)
        self._method_sinks = [s for s in catalog.entries(Sink) if s.method]
        self._sanitizers = catalog.index(Sanitizer)
        self._decorators = catalog.index(ToolDecorator, "decorator")
        self._registrations = catalog.index(ToolRegistration)
        self._libraries = library_roots(catalog) - project_roots
        self._metadata = frozenset(m.attribute for m in catalog.entries(ResponseMetadata))
        self._prompt = PromptTracker(self)
        self._steps: list[tuple[cst.CSTNode, str]] = []
        self._pending: list[tuple[cst.FunctionDef, Env, str | None]] = []
        self._counter = 0
        self._fields: dict[str, dict[str, Value]] = {}
        # The module's own frame: module-level names are read from its current env.
        self._module = Frame(model.scope, model.module_name, {})
        self._written_globals = {n for scope in model.scopes for n in scope.declared_global}

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
        self._describe_module()
        collector = RouteCollector(self.model, self.catalog, self._new_step, self._is_library)
        routes = collector.collect()
        self.facts.routes = routes.routes
        self.facts.limited_owners = sorted(routes.limited_owners)
        self.facts.limited_frameworks = sorted(routes.limited_frameworks)
        self.facts.inclusions = routes.inclusions
        self._prune_calls()
        self.facts.star_imports = [s for s in self.model.scope.star_imports if s]

    def step_nodes(self) -> list[cst.CSTNode]:
        """The nodes whose positions the facts need (to compute with other nodes in one pass)."""
        return [node for node, _ in self._steps]

    def _new_step(self, node: cst.CSTNode, message: str) -> int:
        self._steps.append((node, message))
        return len(self._steps) - 1

    def _label(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}:{self.model.module_name}:{self._counter}"

    # -- statements -----------------------------------------------------------------

    def _block(self, statements: Sequence[cst.CSTNode], frame: Frame) -> None:
        for statement in statements:
            self._statement(statement, frame)

    def _suite(self, suite: cst.BaseSuite, frame: Frame) -> None:
        self._block(suite.body, frame)

    def _statement(self, node: cst.CSTNode, frame: Frame) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            self._block(node.body, frame)
        elif isinstance(node, cst.Expr):
            self._eval(node.value, frame)
        elif isinstance(node, cst.Assign):
            value = self._eval(node.value, frame)
            for target in node.targets:
                self._assign(target.target, value, frame)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self._assign(node.target, self._eval(node.value, frame), frame)
        elif isinstance(node, cst.AugAssign):
            value = union(self._eval(node.target, frame), self._eval(node.value, frame))
            self._assign(node.target, value, frame)
        elif isinstance(node, cst.Return):
            if node.value is not None:
                value = self._eval(node.value, frame)
                label = f"returned from '{frame.function.rsplit('.', 1)[-1]}'"
                frame.returns.append(step(value, self._new_step(node, label)) if value else value)
        elif isinstance(node, cst.If):
            self._if(node, frame)
        elif isinstance(node, (cst.For, cst.While)):
            self._loop(node, frame)
        elif isinstance(node, (cst.Try, cst.TryStar)):
            self._try(node, frame)
        elif isinstance(node, cst.With):
            for item in node.items:
                value = self._eval(item.item, frame)
                if item.asname is not None:
                    self._assign(item.asname.name, value, frame)
            self._suite(node.body, frame)
        elif isinstance(node, cst.FunctionDef):
            self._define(node, frame)
        elif isinstance(node, cst.ClassDef):
            self._class(node, frame)
        elif isinstance(node, cst.Match):
            before, branches = dict(frame.env), []
            subject = self._eval(node.subject, frame)
            for case in node.cases:
                frame.env = dict(before)
                for capture in _captures(case.pattern):
                    self._assign(capture, subject, frame)
                self._suite(case.body, frame)
                branches.append(frame.env)
            frame.env = _merge(before, *branches)
        elif isinstance(node, (cst.Raise, cst.Assert, cst.Del)):
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
        if _exits(node.body):
            frame.env = after_else
        elif (
            node.orelse is not None
            and not isinstance(node.orelse, cst.If)
            and _exits(node.orelse.body)
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

    def _tool_decorator(
        self, decorator: cst.Decorator, node: cst.FunctionDef, frame: Frame
    ) -> None:
        expression = decorator.decorator
        target = expression.func if isinstance(expression, cst.Call) else expression
        entries = self._decorators.match_any(self.model.paths(target, frame.scope))
        inner = self.model.definitions.get(node)
        if entries and inner is not None:
            where = self._new_step(node.name, f"tool '{node.name.value}'")
            self.facts.tools.append(ToolFact((inner.qualname,), entries[0].framework, where))

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
        params = _parameters(node.params)
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

    # -- expressions ----------------------------------------------------------------

    def _eval_all(self, nodes: Iterable[cst.CSTNode], frame: Frame) -> Value:
        return union(*(self._eval(node, frame) for node in nodes))

    def _eval(self, node: cst.CSTNode, frame: Frame) -> Value:
        if isinstance(node, cst.Name):
            return self._name(node, frame)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, frame)
        if isinstance(node, cst.Call):
            return self._call(node, frame)
        if isinstance(node, cst.Subscript):
            self._eval_all((e.slice for e in node.slice), frame)
            read = self._prompt.input_subscript(node, frame)
            return read if read is not None else self._eval(node.value, frame)
        if isinstance(node, (cst.Index,)):
            return self._eval(node.value, frame)
        if isinstance(node, cst.Slice):
            return EMPTY
        if isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
            right = self._eval(node.right, frame)
            if isinstance(node.operator, cst.Add) and self._fixed_host(node.left, frame):
                right = clear(right, {"LLM006"})  # "https://api.example.com/" + path
            combined = union(self._eval(node.left, frame), right)
            if isinstance(node, cst.BinaryOperation):
                return self._prompt.spliced_operation(node, combined, frame)
            return combined
        if isinstance(node, cst.UnaryOperation):
            value = self._eval(node.expression, frame)
            return EMPTY if isinstance(node.operator, cst.Not) else value
        if isinstance(node, cst.Comparison):
            self._eval(node.left, frame)
            self._eval_all((c.comparator for c in node.comparisons), frame)
            return EMPTY
        if isinstance(node, cst.FormattedString):
            return self._prompt.spliced_f_string(node, self._formatted_string(node, frame), frame)
        if isinstance(node, cst.ConcatenatedString):
            return union(self._eval(node.left, frame), self._eval(node.right, frame))
        if isinstance(node, cst.Tuple):
            value = self._eval_all((e.value for e in node.elements), frame)
            return self._prompt.roles_of_tuple(node, value, frame)
        if isinstance(node, (cst.List, cst.Set)):
            return self._eval_all((e.value for e in node.elements), frame)
        if isinstance(node, cst.Dict):
            values = []
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    value = self._eval(element.value, frame)
                    value = self._prompt.system_entry(element, value, frame)
                    values += [self._eval(element.key, frame), value]
                else:
                    values.append(self._eval(element.value, frame))
            return self._prompt.roles_of_dict(node, union(*values), frame)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self._comprehension(node, frame)
        if isinstance(node, cst.IfExp):
            self._eval(node.test, frame)
            return union(self._eval(node.body, frame), self._eval(node.orelse, frame))
        if isinstance(node, cst.Await):
            return self._eval(node.expression, frame)
        if isinstance(node, cst.Yield):
            value = (
                self._eval(node.value, frame)
                if isinstance(node.value, cst.BaseExpression)
                else EMPTY
            )
            frame.returns.append(value)
            return EMPTY
        if isinstance(node, cst.NamedExpr):
            value = self._eval(node.value, frame)
            self._assign(node.target, value, frame)
            return value
        if isinstance(node, (cst.StarredElement, cst.Element)):
            return self._eval(node.value, frame)
        return EMPTY

    def _formatted_string(self, node: cst.FormattedString, frame: Frame) -> Value:
        """An f-string's taint. After a constant `scheme://host/` prefix the rest cannot
        choose where a request goes (LLM006), only the path or query on that host."""
        values, text = [], ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text += part.value
                continue
            if not isinstance(part, cst.FormattedStringExpression):
                continue
            constant = self.model.literal(part.expression, frame.scope)
            value = self._formatted(part, frame)
            if URL_WITH_HOST.match(text):
                value = clear(value, {"LLM006"})
            values.append(value)
            text += constant if isinstance(constant, str) else "\0"
        return union(*values)

    def _fixed_host(self, node: cst.BaseExpression, frame: Frame) -> bool:
        """Whether a string expression starts with a constant `scheme://host/`."""
        while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            node = node.left
        if isinstance(node, cst.FormattedString):
            lead = node.parts[0] if node.parts else None
            if isinstance(lead, cst.FormattedStringText):
                return bool(URL_WITH_HOST.match(lead.value))
            if isinstance(lead, cst.FormattedStringExpression):
                node = lead.expression
        constant = self.model.literal(node, frame.scope)
        return isinstance(constant, str) and bool(URL_WITH_HOST.match(constant))

    def _formatted(self, part: cst.FormattedStringExpression, frame: Frame) -> Value:
        value = self._eval(part.expression, frame)
        # `{text!r}` writes a quoted Python literal: code that runs it only sees a string.
        return clear(value, {"LLM001"}) if part.conversion == "r" else value

    def _comprehension(self, node: cst.BaseComp, frame: Frame) -> Value:
        scope = self.model.definitions.get(node) or frame.scope
        inner = Frame(
            scope, frame.function, dict(frame.env), frame.self_name, frame.owner, frame.returns
        )
        for_in: cst.CompFor | None = node.for_in
        while for_in is not None:
            self._assign(for_in.target, self._eval(for_in.iter, inner), inner)
            self._eval_all([condition.test for condition in for_in.ifs], inner)
            for_in = for_in.inner_for_in
        if isinstance(node, cst.DictComp):
            return union(self._eval(node.key, inner), self._eval(node.value, inner))
        return self._eval(node.elt, inner)  # type: ignore[attr-defined]

    def _name(self, node: cst.Name, frame: Frame) -> Value:
        name = node.value
        if name in frame.env:
            return frame.env[name]
        bindings = frame.scope.lookup(name)
        if not bindings:
            return EMPTY
        owner = bindings[0].scope
        if owner.kind is ScopeKind.MODULE or all(b.kind is BindingKind.IMPORT for b in bindings):
            for binding in bindings:
                target = binding.target
                if binding.kind is BindingKind.IMPORT and target and not self._is_library([target]):
                    return (Taint(f"G:{target}", ()),)
            if name in self._written_globals:  # set elsewhere: the final value, via the resolver
                return (Taint(f"G:{self.model.module_name}.{name}", ()),)
            return self._module.env.get(name, EMPTY)
        return EMPTY

    def _attribute(self, node: cst.Attribute, frame: Frame) -> Value:
        base = node.value
        if node.attr.value in self._metadata:
            self._eval(base, frame)
            return EMPTY  # token counts, ids, finish reasons: never the model's text
        read = self._prompt.input_attribute(node, frame)
        if read is not None:
            return read
        if isinstance(base, cst.Name) and base.value == frame.self_name and frame.owner:
            key = f"self.{node.attr.value}"
            if key in frame.env:
                return frame.env[key]
            return (Taint(f"F:{frame.owner}.{node.attr.value}", ()),)
        value = self._eval(base, frame)
        if len(value) == 1 and value[0].label.startswith("G:") and not value[0].trace:
            return (Taint(f"{value[0].label}.{node.attr.value}", ()),)
        # `bot.last_answer` on an instance of a project class: that class's attribute.
        fields = tuple(
            Taint(f"F:{path[:-2]}.{node.attr.value}", ())
            for path in sorted(self.model.paths(base, frame.scope))
            if path.endswith("()") and "(" not in path[:-2] and not self._is_library([path])
        )
        return union(value, fields) if fields else value

    # -- calls ----------------------------------------------------------------------

    def _call(self, node: cst.Call, frame: Frame) -> Value:
        site = self._sites.get(node)
        callees = site.callees if site is not None else frozenset()
        receiver = (
            self._eval(node.func.value, frame) if isinstance(node.func, cst.Attribute) else None
        )
        if not isinstance(node.func, cst.Attribute):
            self._eval(node.func, frame)
        args = [self._argument(arg, frame) for arg in node.args]
        text = self.model.text_of(node.func)
        fact = CallFact("", tuple(sorted(callees)), text, -1, frame.function, args, receiver)
        self._mutate(node, fact, frame)
        if site is not None:
            self._tool_registration(site, frame)
        self._prompt.prompt_hits(node, callees, fact, frame)
        llm = self._llm.match_any(callees)
        if llm:
            generation = self._sinks.match_any(callees)  # `model=` chosen by the request
            if generation:
                self._sink_hits(node, fact, generation, frame)
            return self._source(node, site, llm, text, frame.function)
        # A call can read untrusted data and be a sink too: `requests.get(url)`.
        read = self._prompt.input_call(node, callees, frame)
        placed = self._prompt.placement_call(node, callees, fact, frame)
        if placed is not None and read is None:
            return placed
        sanitizers = self._sanitizers.match_any(callees)
        if sanitizers:
            rules = {rule for s in sanitizers for rule in s.rules}
            keeps = {rule for s in sanitizers for rule in s.keeps}
            checked = node.args[0].value if node.args else None
            validates = any(s.validates for s in sanitizers)
            if validates and isinstance(checked, cst.Name) and checked.value in frame.env:
                frame.env[checked.value] = clear(frame.env[checked.value], rules, keeps)
            return clear(union(receiver or EMPTY, *(a.value for a in args)), rules, keeps)
        sinks = self._sinks.match_any(callees)
        untyped = not callees or self._is_library(callees)
        if isinstance(node.func, cst.Attribute) and not sinks and untyped:
            sinks += method_sinks(
                self._method_sinks, node.func.attr.value, self.model.text_of(node.func.value)
            )
        if sinks:
            self._sink_hits(node, fact, sinks, frame)
            if read is not None:
                return read
            if any(sink.passes_through for sink in sinks):
                return union(receiver or EMPTY, *(a.value for a in args))
            return EMPTY
        if read is not None:
            return read
        if self._is_library(callees):
            method = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
            if method in self._metadata:
                return EMPTY  # `result.usage()`: counters, not text
            on_object = all("(" in path or "[" in path for path in callees)
            if method in KEYED_LOOKUPS and on_object:
                args = args[1:]  # `table.get(key, default)` returns a value, never the key
            return union(receiver or EMPTY, *(a.value for a in args))
        fact.label = self._label("C")
        fact.step = self._new_step(node, f"returned by '{text}'")
        self.facts.calls[fact.label] = fact
        if callees:
            project_call = ProjectCallFact(frame.function, fact.callees, text, fact.step)
            self.facts.project_calls.append(project_call)
        return (Taint(fact.label, (fact.step,)),)

    def _argument(self, arg: cst.Arg, frame: Frame) -> ArgFact:
        listed = self._list_literal(arg.value, frame)
        # A literal's items are evaluated once: each evaluation of a call or a source
        # makes a new origin, and the argument must be the union of its items.
        items = [self._eval(e.value, frame) for e in listed.elements] if listed else []
        if listed is not None and listed is arg.value:
            value = union(*items)
            if isinstance(listed, cst.Tuple):
                value = self._prompt.roles_of_tuple(listed, value, frame)
        else:
            value = self._eval(arg.value, frame)
        keyword = arg.keyword.value if arg.keyword is not None else None
        constant = self.model.literal(arg.value, frame.scope)
        elements = None
        if listed is not None:
            elements = [
                ArgFact(
                    item,
                    constant=_constant(self.model.literal(e.value, frame.scope)),
                    paths=tuple(sorted(self.model.paths(e.value, frame.scope))),
                )
                for e, item in zip(listed.elements, items, strict=True)
            ]
            known = {t.label for e in elements for t in e.value}
            appended = tuple(t for t in value if t.label not in known)
            if appended:  # `argv.append(x)` after the literal: x ends the command line
                elements.append(ArgFact(appended))
        paths = tuple(sorted(self.model.paths(arg.value, frame.scope)))
        choices: tuple[object, ...] = ()
        chosen = arg.value
        if isinstance(chosen, cst.Name):
            bindings = [b for b in frame.scope.lookup(chosen.value) if b.kind is BindingKind.ASSIGN]
            if len(bindings) == 1 and isinstance(bindings[0].node, cst.IfExp):
                chosen = bindings[0].node
        if isinstance(chosen, cst.IfExp):  # `"a" if append else "w"`: either may be used
            options = (chosen.body, chosen.orelse)
            constants = [_constant(self.model.literal(o, frame.scope)) for o in options]
            choices = tuple(c for c in constants if c is not NOT_CONSTANT)
        return ArgFact(value, keyword, arg.star, _constant(constant), elements, paths, choices)

    def _list_literal(self, node: cst.BaseExpression, frame: Frame) -> cst.List | cst.Tuple | None:
        """The list or tuple literal `node` is, or that a local name was assigned once."""
        if isinstance(node, (cst.List, cst.Tuple)):
            return node
        if isinstance(node, cst.Name):
            bindings = [
                b for b in frame.scope.lookup(node.value) if b.kind is not BindingKind.ANNOTATION
            ]
            if len(bindings) == 1 and isinstance(bindings[0].node, (cst.List, cst.Tuple)):
                return bindings[0].node
        return None

    def _mutate(self, node: cst.Call, fact: CallFact, frame: Frame) -> None:
        """`items.append(x)` puts x's taint into `items`."""
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in MUTATORS):
            return
        added = union(*(a.value for a in fact.args))
        if not added:
            return
        if isinstance(func.value, cst.Name):
            name = func.value.value
            bindings = frame.scope.lookup(name)
            if bindings and all(b.kind is BindingKind.IMPORT for b in bindings):
                return  # `st.write(x)` writes to a page, not into the module
            frame.env[name] = union(frame.env.get(name, EMPTY), added)
        elif isinstance(func.value, cst.Attribute):  # self.history.append(x)
            self._assign(func.value, union(self._eval(func.value, frame), added), frame)

    def _source(
        self,
        node: cst.Call,
        site: CallSite | None,
        entries: list[LLMCall],
        text: str,
        function: str,
    ) -> Value:
        entry = entries[0]
        where = self._new_step(node, f"LLM output from '{text}'")
        model_name = None
        if entry.model is not None and site is not None:
            argument = site.argument(entry.model)
            literal = self.model.literal(argument, site.scope) if argument is not None else UNKNOWN
            model_name = literal if isinstance(literal, str) else None
        self.facts.llm_calls.append(
            LLMCallFact(where, text, entry.provider, entry.api, model_name, function)
        )
        if not any(e.output for e in entries):
            return EMPTY
        label = self._label("S")
        self.facts.sources[label] = SourceFact(label, "llm-output", text, where)
        return (Taint(label, (where,)),)

    def _sink_hits(self, node: cst.Call, fact: CallFact, sinks: list[Sink], frame: Frame) -> None:
        for sink in sinks:
            if sink.at_argument:
                self._argument_hits(node, fact, sink, frame)
        for rule in sorted({s.rule for s in sinks if not s.at_argument}):
            value = union(*(sink_value(s, fact) for s in sinks if s.rule == rule))
            if value:
                where = self._new_step(node, f"reaches '{fact.text}'")
                self.facts.sink_hits.append(
                    SinkHitFact(rule, fact.text, where, frame.function, value)
                )

    def _argument_hits(self, node: cst.Call, fact: CallFact, sink: Sink, frame: Frame) -> None:
        """One hit per argument of `sink` that carries a value, located at the argument."""
        for ref in sink.args:
            arg = fact.argument(ref.position, ref.keyword)
            value = reaching(arg.value, sink.rule) if arg is not None else EMPTY
            if arg is None or not value or not applies(sink, fact):
                continue
            name = arg.keyword or ref.keyword or f"argument {ref.position}"
            where = self._new_step(
                node.args[fact.args.index(arg)], f"chooses '{name}' of '{fact.text}'"
            )
            self.facts.sink_hits.append(
                SinkHitFact(sink.rule, fact.text, where, frame.function, value)
            )

    def _tool_registration(self, site: CallSite, frame: Frame) -> None:
        for entry in self._registrations.match_any(site.callees):
            function = site.argument(entry.function)
            if function is None:
                continue
            items = function.elements if isinstance(function, (cst.List, cst.Tuple)) else ()
            targets = [item.value for item in items] or [function]
            paths = {p for target in targets for p in self.model.paths(target, site.scope)}
            if paths:
                where = self._new_step(site.node, f"tool registered by '{site.callee_text}'")
                self.facts.tools.append(ToolFact(tuple(sorted(paths)), entry.framework, where))

    def _is_library(self, callees: Iterable[str]) -> bool:
        """Calls of code outside the project: their result carries their inputs' taint."""
        roots = {path.split(".", 1)[0].split("(", 1)[0] for path in callees}
        return not roots or roots <= self._libraries

    # -- module description ---------------------------------------------------------

    def _describe_module(self) -> None:
        model = self.model
        for name, bindings in model.scope.bindings.items():
            paths: set[str] = set()
            for binding in bindings:
                paths.update(model.binding_paths(binding))
            if paths:
                self.facts.exports[name] = tuple(sorted(paths))
        for scope in model.scopes:
            if scope.kind is not ScopeKind.CLASS or not isinstance(scope.node, cst.ClassDef):
                continue
            parent = scope.parent or scope
            bases = {p for base in scope.node.bases for p in model.paths(base.value, parent)}
            fact = ClassFact(scope.qualname, tuple(sorted(bases)))
            names = set(scope.bindings) | set(scope.instance_attributes)
            for name in sorted(names):
                for binding in scope.bindings.get(name, []):
                    if binding.kind is BindingKind.DEFINITION and binding.target:
                        fact.methods[name] = binding.target
                attribute_paths = model.member_paths(scope.qualname + "()", name)
                if attribute_paths:
                    fact.attributes[name] = tuple(sorted(attribute_paths))
            fact.fields = {k: v for k, v in self._fields.get(scope.qualname, {}).items() if v}
            self.facts.classes[scope.qualname] = fact

    def _prune_calls(self) -> None:
        """Keep only the calls whose results can matter to the project resolver."""
        facts = self.facts
        roots: list[Value] = [hit.value for hit in facts.sink_hits]
        roots += [f.returns for f in facts.functions.values()]
        roots += list(facts.globals.values())
        roots += [v for c in facts.classes.values() for v in c.fields.values()]
        wanted: set[str] = set()
        queue = [t.label for value in roots for t in value if t.label.startswith("C:")]
        # Calls that pass a tainted value may reach a sink in the function they call.
        queue += [
            label
            for label, call in facts.calls.items()
            if call.receiver or any(arg.value for arg in call.args)
        ]
        while queue:
            label = queue.pop()
            if label in wanted or label not in facts.calls:
                continue
            wanted.add(label)
            call = facts.calls[label]
            for value in [call.receiver or EMPTY, *(a.value for a in call.args)]:
                queue += [t.label for t in value if t.label.startswith("C:")]
        facts.calls = {label: call for label, call in facts.calls.items() if label in wanted}

    def finish(
        self, spans: Mapping[cst.CSTNode, Span], line_text: Callable[[int], str] | None = None
    ) -> ModuleFacts:
        """The facts, with every step located by `spans` (from `step_nodes`)."""
        path = self.model.path
        for node, message in self._steps:
            span = spans.get(node)
            location = (
                Location(path, span.line, span.column + 1, span.end_line, span.end_column + 1)
                if span
                else Location(path, 1, 1, 1, 1)
            )
            self.facts.steps.append(FlowStep(location, message))
        line_of = line_text or self.model.lines.line_text
        for hit in self.facts.sink_hits:
            hit.line = line_of(self.facts.steps[hit.step].location.line)
        for call in self.facts.calls.values():
            call.line = line_of(self.facts.steps[call.step].location.line)
        for function in self.facts.functions.values():
            function.line = line_of(self.facts.steps[function.step].location.line)
        return self.facts


def _constant(value: object) -> object:
    if value is UNKNOWN or not isinstance(value, (str, int, float, bool, type(None))):
        return NOT_CONSTANT
    return value


def _parameters(params: cst.Parameters) -> list[cst.Param]:
    found = [*params.posonly_params, *params.params]
    if isinstance(params.star_arg, cst.Param):
        found.append(params.star_arg)
    found += params.kwonly_params
    if params.star_kwarg is not None:
        found.append(params.star_kwarg)
    return found


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
    names = {(dotted_name(d.decorator) or "").rsplit(".", 1)[-1] for d in node.decorators}
    if "staticmethod" in names:
        return "staticmethod"
    if "classmethod" in names:
        return "classmethod"
    if "property" in names or "cached_property" in names:
        return "property"
    return "method"


@lru_cache(maxsize=8)
def library_roots(catalog: Catalog) -> frozenset[str]:
    """Top-level modules of code outside the project: the standard library, builtins,
    and every package the catalog describes (minus, at the call site, any top-level
    package the project itself defines under one of those names)."""
    roots = set(sys.stdlib_module_names) | {"builtins"}
    for section in catalog.sections.values():
        for entry in section:
            pattern = getattr(entry, "call", None) or getattr(entry, "decorator", None)
            if isinstance(pattern, str) and pattern and not pattern.startswith("*"):
                roots.add(pattern.split(".", 1)[0].split("(", 1)[0])
    return frozenset(roots)
