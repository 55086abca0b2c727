"""Bounds on LLM work: output caps, timeouts, loop exits and agent limits (LLM202-LLM204).

The rules of unbounded consumption ask three kinds of question:

- Is a keyword given that caps or bounds a call: directly, in `**{...}`, inside an options
  dict or config object (`config=GenerateContentConfig(max_output_tokens=...)`), or put
  into an options dict later (`params["max_tokens"] = ...`)? `KeyFinder` answers FOUND,
  MISSING or UNKNOWN (something it cannot see could hold it).
- Which constructor calls made the object an LLM call is made on? `Tracer` follows the
  receiver of `llm.invoke()` back through assignments, `self.x` fields, attributes
  (`client.chat.completions`), fluent copies (`llm.bind(...)`, `client.with_options(...)`),
  LCEL pipelines (`prompt | llm`) and this module's factory functions. When any part of
  the way is unknown (a parameter, an import), the answer is None: not reported.
- Which `while True` loops and self-recursive functions make LLM calls with nothing to
  stop them? `infinite_loops` and `loop_body` find the loops and their exits, `LLMReach`
  which of the module's functions call a model, and the helpers at the end of the module
  whether a recursion is bounded by a parameter.

`limit_argument` and `limit_value` read the limits given to agent loops (LLM204).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

import libcst as cst

from llmlint.analysis.builder import dotted_name
from llmlint.analysis.module import UNKNOWN, CallSite, ModuleModel
from llmlint.analysis.scope import Binding, BindingKind, Scope, ScopeKind
from llmlint.catalog import PatternIndex
from llmlint.catalog.schema import ArgRef, LLMCall, ReturnsReceiver

T = TypeVar("T")
MAX_TRACE_DEPTH = 16
MAX_SEARCH_DEPTH = 6
INFINITE_CONSTANTS = frozenset({"math.inf", "sys.maxsize", "numpy.inf", "np.inf", "float.inf"})
EXIT_CALLS = frozenset({"sys.exit", "os._exit", "builtins.exit", "builtins.quit", "os.abort"})
_VALUE_BINDINGS = (BindingKind.ASSIGN, BindingKind.ELEMENT, BindingKind.WITH)


class Presence(Enum):
    FOUND = "found"
    MISSING = "missing"
    UNKNOWN = "unknown"


def combine(states: Iterable[Presence]) -> Presence:
    """FOUND if any is, else UNKNOWN if any is, else MISSING (lazily: stops at FOUND)."""
    unknown = False
    for state in states:
        if state is Presence.FOUND:
            return Presence.FOUND
        unknown = unknown or state is Presence.UNKNOWN
    return Presence.UNKNOWN if unknown else Presence.MISSING


def _string_key(element: cst.DictElement) -> str | None:
    key = element.key
    if isinstance(key, (cst.SimpleString, cst.ConcatenatedString)):
        value = key.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _is_constant(model: ModuleModel, expr: cst.CSTNode, scope: Scope) -> bool:
    return model.literal(expr, scope) is not UNKNOWN


# -- keywords and keys -------------------------------------------------------------------


class KeyFinder:
    """Looks for keywords or dict keys among what a call is given.

    A name counts only with a value other than a literal None (`max_tokens=None` sets no
    cap). Values are followed through names assigned dicts, `dict(...)`, config objects
    (a call of a capitalized class), `json.dumps(...)`, copies and this module's
    functions, and later stores into them (`params["max_tokens"] = 1`, `.update(...)`).
    """

    def __init__(self, model: ModuleModel, names: Iterable[str]) -> None:
        self.model = model
        self.names = frozenset(names)
        self._mutated: set[Binding] | None = None

    def in_call(
        self, call: cst.Call, scope: Scope, options: Iterable[str] = (), *, every: bool = False
    ) -> Presence:
        """Whether `call` is given one of the names; `options` (or `every` keyword
        argument) may hold them inside."""
        wanted = frozenset(options)
        states: list[Presence] = []
        for arg in call.args:
            if arg.keyword is not None:
                name = arg.keyword.value
                if name in self.names:
                    states.append(self._given(arg.value, scope))
                elif name in wanted:
                    states.append(self.in_value(arg.value, scope, top=True))
                elif every:
                    states.append(self.in_value(arg.value, scope, top=False))
            elif arg.star == "**":
                states.append(self.in_value(arg.value, scope, top=True))
        return combine(states)

    def in_value(
        self, expr: cst.BaseExpression, scope: Scope, *, top: bool, depth: int = 0
    ) -> Presence:
        """Whether the value `expr` holds one of the names. `top` values that cannot be
        seen into are UNKNOWN; nested ones are taken for plain values (MISSING)."""
        unseen = Presence.UNKNOWN if top else Presence.MISSING
        if depth > MAX_SEARCH_DEPTH:
            return unseen
        nested = depth + 1
        if isinstance(expr, cst.Dict):
            return combine(self._dict_element(e, scope, top, nested) for e in expr.elements)
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            return combine(
                self.in_value(e.value, scope, top=False, depth=nested) for e in expr.elements
            )
        if isinstance(expr, cst.Call):
            return self._call_value(expr, scope, top, nested)
        if isinstance(expr, cst.Name):
            return self._name_value(expr, scope, top, nested)
        if isinstance(expr, cst.IfExp):
            return combine(
                self.in_value(e, scope, top=top, depth=nested) for e in (expr.body, expr.orelse)
            )
        if isinstance(expr, (cst.BooleanOperation, cst.BinaryOperation)):
            return combine(
                self.in_value(e, scope, top=top, depth=nested) for e in (expr.left, expr.right)
            )
        if _is_constant(self.model, expr, scope):
            return Presence.MISSING
        return unseen

    def _given(self, value: cst.BaseExpression, scope: Scope) -> Presence:
        return Presence.MISSING if self.model.literal(value, scope) is None else Presence.FOUND

    def _dict_element(
        self, element: cst.BaseDictElement, scope: Scope, top: bool, depth: int
    ) -> Presence:
        if isinstance(element, cst.DictElement):
            if _string_key(element) in self.names:
                return self._given(element.value, scope)
            return self.in_value(element.value, scope, top=False, depth=depth)
        return self.in_value(element.value, scope, top=top, depth=depth)

    def _call_value(self, call: cst.Call, scope: Scope, top: bool, depth: int) -> Presence:
        unseen = Presence.UNKNOWN if top else Presence.MISSING
        model = self.model
        callees = model.paths(call.func, scope)
        func = call.func
        if "builtins.dict" in callees or _is_class_name(func, callees):
            states = []
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in self.names:
                    states.append(self._given(arg.value, scope))
                else:
                    inner_top = top and arg.keyword is None  # `dict(mapping)`, `**mapping`
                    states.append(self.in_value(arg.value, scope, top=inner_top, depth=depth))
            return combine(states)
        if callees & {"json.dumps", "copy.copy", "copy.deepcopy"}:
            first = call.args[0].value if call.args else None
            return self.in_value(first, scope, top=top, depth=depth) if first else unseen
        if isinstance(func, cst.Attribute) and func.attr.value == "copy" and not call.args:
            return self.in_value(func.value, scope, top=top, depth=depth)
        functions = [f for p in callees if (f := model.function_scope(p)) is not None]
        if functions:
            return combine(
                self.in_value(value, function, top=top, depth=depth)
                for function in functions
                for value in function.returns
            )
        return unseen

    def _name_value(self, name: cst.Name, scope: Scope, top: bool, depth: int) -> Presence:
        unseen = Presence.UNKNOWN if top else Presence.MISSING
        if name.value in ("None", "True", "False"):
            return Presence.MISSING
        bindings = [b for b in scope.lookup(name.value) if b.kind is not BindingKind.ANNOTATION]
        if not bindings:
            return unseen
        if any(b in self.mutated for b in bindings):
            return Presence.FOUND
        states = []
        for binding in bindings:
            if binding.kind is BindingKind.ASSIGN and isinstance(binding.node, cst.BaseExpression):
                states.append(self.in_value(binding.node, binding.scope, top=top, depth=depth))
            else:
                states.append(unseen)
        return combine(states)

    @property
    def mutated(self) -> set[Binding]:
        """Bindings of names whose dict or object gets one of the names stored into it
        later (`params["max_tokens"] = 1`, `config.max_tokens = 1`, `params.update(...)`)."""
        if self._mutated is None:
            found: set[Binding] = set()
            for store in self.model.stores:
                target = store.target
                if not isinstance(target.value, cst.Name):
                    continue
                if isinstance(target, cst.Attribute) and target.attr.value in self.names:
                    found.update(store.scope.lookup(target.value.value))
                elif isinstance(target, cst.Subscript) and len(target.slice) == 1:
                    index = target.slice[0].slice
                    if isinstance(index, cst.Index):
                        key = self.model.literal(index.value, store.scope)
                        if key in self.names:
                            found.update(store.scope.lookup(target.value.value))
            for site in self.model.calls:
                func = site.node.func
                if (
                    isinstance(func, cst.Attribute)
                    and isinstance(func.value, cst.Name)
                    and func.attr.value in ("update", "setdefault")
                    and self._update_names(site)
                ):
                    found.update(site.scope.lookup(func.value.value))
            self._mutated = found
        return self._mutated

    def _update_names(self, site: CallSite) -> bool:
        for arg in site.node.args:
            if arg.keyword is not None and arg.keyword.value in self.names:
                return True
            if arg.keyword is None and arg.star == "":
                if self.model.literal(arg.value, site.scope) in self.names:
                    return True  # setdefault("max_tokens", ...)
                if isinstance(arg.value, cst.Dict) and any(
                    isinstance(e, cst.DictElement) and _string_key(e) in self.names
                    for e in arg.value.elements
                ):
                    return True
        return False


class KeyFinders:
    """One KeyFinder per set of names for a module (each scans the module's stores once)."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._finders: dict[frozenset[str], KeyFinder] = {}

    def __call__(self, names: Iterable[str]) -> KeyFinder:
        key = frozenset(names)
        finder = self._finders.get(key)
        if finder is None:
            finder = self._finders[key] = KeyFinder(self.model, key)
        return finder


def _is_class_name(func: cst.BaseExpression, callees: frozenset[str]) -> bool:
    """A call of what looks like a class (`types.GenerateContentConfig`): a config object."""
    names = [p.rpartition(".")[2] for p in callees if not p.endswith(")")]
    if not names:
        written = dotted_name(func)
        names = [written.rpartition(".")[2]] if written else []
    return bool(names) and all(n[:1].isupper() for n in names)


# -- tracing receivers back to constructors -------------------------------------------------


@dataclass(frozen=True, eq=False)
class Origin(Generic[T]):
    """A constructor call an object comes from, and the fluent copies made of it since."""

    node: cst.Call
    scope: Scope
    entry: T
    through: tuple[tuple[cst.Call, Scope], ...]


class Tracer(Generic[T]):
    """Finds the constructor calls (matching `constructors`) an expression's object comes from."""

    def __init__(
        self,
        model: ModuleModel,
        constructors: PatternIndex[T],
        derived: Callable[[T], Iterable[str]] = lambda entry: (),
        derived_methods: Iterable[str] = (),
    ) -> None:
        self.model = model
        self.constructors = constructors
        self.derived = derived
        self.derived_methods = frozenset(derived_methods)
        self.receivers = model.catalog.index(ReturnsReceiver)
        self._classes = {s.qualname: s for s in model.scopes if s.kind is ScopeKind.CLASS}

    def origins(
        self, expr: cst.BaseExpression, scope: Scope, want: frozenset[str]
    ) -> list[Origin[T]] | None:
        """The constructors `expr` may come from; None when some way cannot be followed."""
        found: list[Origin[T]] = []
        if not self._trace(expr, scope, want, (), found, 0, set()) or not found:
            return None
        for origin in found:
            allowed = set(self.derived(origin.entry))
            for call, call_scope in origin.through:
                if not self._is_receiver_copy(call, call_scope) and _method(call) not in allowed:
                    return None  # a method that keeps another constructor's settings
        return found

    def _is_receiver_copy(self, call: cst.Call, scope: Scope) -> bool:
        return bool(self.receivers.match_any(self.model.paths(call.func, scope)))

    def _relevant(self, expr: cst.CSTNode, scope: Scope, want: frozenset[str]) -> bool | None:
        """True if `expr` may be the object wanted, False if it is something else, None
        if nothing is known about it."""
        if _is_constant(self.model, expr, scope):
            return False
        if isinstance(expr, cst.Name) and any(
            self._open(b, want) for b in scope.lookup(expr.value)
        ):
            return None  # a parameter: the caller may pass anything
        paths = self.model.paths(expr, scope)
        if not paths:
            return None
        return bool(paths & want)

    def _open(self, binding: Binding, want: frozenset[str]) -> bool:
        """A binding whose value comes from outside: an unannotated parameter, or one,
        an import or other binding that may be the object wanted."""
        if binding.kind in (BindingKind.ASSIGN, BindingKind.WITH, BindingKind.ANNOTATION):
            return False
        node = binding.node
        if isinstance(node, cst.Param) and node.annotation is None:
            return True  # a parameter without annotation
        paths = self.model.binding_paths(binding)
        return not paths or bool(paths & want)

    def _trace(
        self,
        expr: cst.BaseExpression,
        scope: Scope,
        want: frozenset[str],
        through: tuple[tuple[cst.Call, Scope], ...],
        out: list[Origin[T]],
        depth: int,
        active: set[cst.CSTNode],
    ) -> bool:
        if depth > MAX_TRACE_DEPTH:
            return False
        if expr in active:
            return True  # a cycle adds nothing the other ways do not
        active.add(expr)
        try:
            return self._trace_node(expr, scope, want, through, out, depth + 1, active)
        finally:
            active.discard(expr)

    def _trace_node(
        self,
        expr: cst.BaseExpression,
        scope: Scope,
        want: frozenset[str],
        through: tuple[tuple[cst.Call, Scope], ...],
        out: list[Origin[T]],
        depth: int,
        active: set[cst.CSTNode],
    ) -> bool:
        def follow(
            node: cst.BaseExpression,
            node_scope: Scope,
            node_want: frozenset[str] = want,
            node_through: tuple[tuple[cst.Call, Scope], ...] = through,
        ) -> bool:
            return self._trace(node, node_scope, node_want, node_through, out, depth, active)

        if isinstance(expr, cst.Name):
            bindings = [b for b in scope.lookup(expr.value) if b.kind is not BindingKind.ANNOTATION]
            return bool(bindings) and self._trace_bindings(bindings, want, follow)
        if isinstance(expr, cst.Attribute):
            members = self._members(expr, scope)
            if members is not None:
                return bool(members) and self._trace_bindings(members, want, follow)
            suffix = "." + expr.attr.value
            inner = frozenset(w[: -len(suffix)] for w in want if w.endswith(suffix))
            return bool(inner) and follow(expr.value, scope, inner)
        if isinstance(expr, cst.Call):
            return self._trace_call(expr, scope, want, through, out, follow)
        if isinstance(expr, cst.Await):
            return follow(expr.expression, scope)
        if isinstance(expr, (cst.BinaryOperation, cst.BooleanOperation, cst.IfExp)):
            if isinstance(expr, cst.IfExp):
                parts = [expr.body, expr.orelse]
            elif isinstance(expr, cst.BooleanOperation) or isinstance(expr.operator, cst.BitOr):
                parts = [expr.left, expr.right]
            else:
                return False
            ok = True
            for part in parts:
                relevant = self._relevant(part, scope, want)
                if relevant is False:
                    continue  # `prompt | llm`: the prompt is not the model
                ok = follow(part, scope) and ok
            return ok
        return False

    def _trace_call(
        self,
        call: cst.Call,
        scope: Scope,
        want: frozenset[str],
        through: tuple[tuple[cst.Call, Scope], ...],
        out: list[Origin[T]],
        follow: Callable[..., bool],
    ) -> bool:
        model = self.model
        callees = model.paths(call.func, scope)
        entries = self.constructors.match_any(callees)
        if entries:
            out.append(Origin(call, scope, entries[0], through))
            return True
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if self.receivers.match_any(callees) or method in self.derived_methods:
                suffix = f".{method}()"
                inner = frozenset(w[: -len(suffix)] if w.endswith(suffix) else w for w in want)
                return follow(func.value, scope, inner, (*through, (call, scope)))
        functions = [f for p in callees if (f := model.function_scope(p)) is not None]
        if not functions:
            return False
        ok = True
        for function in functions:
            for value in function.returns:
                if self._relevant(value, function, want) is False:
                    continue
                ok = follow(value, function) and ok
        return ok

    def _trace_bindings(
        self,
        bindings: list[Binding],
        want: frozenset[str],
        follow: Callable[..., bool],
    ) -> bool:
        ok = True
        for binding in bindings:
            node = binding.node
            known = binding.kind in (BindingKind.ASSIGN, BindingKind.WITH)
            if known and isinstance(node, cst.BaseExpression):
                if self._relevant(node, binding.scope, want) is False:
                    continue
                ok = follow(node, binding.scope) and ok
            elif self._open(binding, want):
                ok = False
        return ok

    def _members(self, expr: cst.Attribute, scope: Scope) -> list[Binding] | None:
        """The assignments of `obj.attr` when obj is a class (or instance) of this module."""
        classes = []
        instance = False
        for path in self.model.paths(expr.value, scope):
            name = path[:-2] if path.endswith("()") else path
            if name in self._classes:
                classes.append(self._classes[name])
                instance = instance or path.endswith("()")
        if not classes:
            return None
        attribute = expr.attr.value
        found: list[Binding] = []
        for cls in classes:
            for current in self._class_chain(cls):
                bindings = [
                    b
                    for b in current.bindings.get(attribute, ())
                    if b.kind is not BindingKind.DEFINITION
                ]
                if instance:
                    bindings += current.instance_attributes.get(attribute, [])
                if bindings:
                    found.extend(b for b in bindings if b.kind is not BindingKind.ANNOTATION)
                    break
        return found

    def _class_chain(self, scope: Scope) -> Iterator[Scope]:
        seen: set[str] = set()
        queue = [scope]
        while queue:
            current = queue.pop(0)
            if current.qualname in seen:
                continue
            seen.add(current.qualname)
            yield current
            node = current.node
            if isinstance(node, cst.ClassDef) and current.parent is not None:
                for base in node.bases:
                    for path in self.model.paths(base.value, current.parent):
                        if path in self._classes:
                            queue.append(self._classes[path])


def _method(call: cst.Call) -> str:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else ""


def receiver_of(call: CallSite, paths: Iterable[str]) -> tuple[cst.BaseExpression, frozenset[str]]:
    """The expression an LLM call is made on, and the paths it must have to be the object
    whose method `paths` name (calling the object itself, `llm("hi")`, is the object)."""
    func = call.node.func
    whole = frozenset(p for p in paths if p.endswith("()"))
    if whole:
        return func, whole
    if isinstance(func, cst.Attribute):
        return func.value, frozenset(p.rpartition(".")[0] for p in paths)
    return func, frozenset()


def llm_calls(
    model: ModuleModel, *, output_only: bool = True
) -> Iterator[tuple[CallSite, set[str]]]:
    """Each LLM call site of the module, with its callee paths that the catalog lists."""
    index = model.catalog.index(LLMCall)
    for call in model.calls:
        if not call.callees:
            continue
        matched = set()
        for path in call.callees:
            entries = index.match(path)
            if any(e.output or not output_only for e in entries):
                matched.add(path)
        if matched:
            yield call, matched


# -- agent limits ------------------------------------------------------------------------------


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
                if isinstance(element, cst.DictElement) and _string_key(element) == ref.key:
                    return (element if here else arg), element.value
            if any(isinstance(e, cst.StarredDictElement) for e in container.elements):
                return None
        elif isinstance(container, cst.Call):
            callees = model.paths(container.func, call.scope)
            if not ("builtins.dict" in callees or _is_class_name(container.func, callees)):
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


# -- loops and recursion ---------------------------------------------------------------------


def owner_function(scope: Scope) -> Scope:
    """The function (or module) whose body a scope's code runs in: comprehensions inline."""
    while scope.kind is ScopeKind.COMPREHENSION and scope.parent is not None:
        scope = scope.parent
    return scope


class LLMReach:
    """Which functions of the module call an LLM, directly or through each other."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.direct: dict[cst.Call, str] = {}
        for call, _ in llm_calls(model):
            self.direct[call.node] = call.callee_text
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
        found = []
        for path in call.callees:
            function = self.model.function_scope(path)
            if function is not None and function not in found:
                found.append(function)
        return found

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


def infinite_loops(model: ModuleModel) -> Iterator[cst.While]:
    """`while True:` / `while 1:` loops of the module, found by a walk over statements."""
    stack: list[tuple[cst.CSTNode, Scope]] = [(model.tree, model.scope)]
    while stack:
        node, scope = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            scope = model.definitions.get(node, scope)
        if isinstance(node, cst.While):
            test = model.literal(node.test, scope)
            if test is True or (type(test) is int and test != 0):
                yield node
        stack.extend((child, scope) for child in _statement_children(node))


def _statement_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements (and blocks) directly inside a statement or block."""
    if isinstance(node, (cst.Module, cst.IndentedBlock)):
        return list(node.body)
    if isinstance(node, (cst.SimpleStatementSuite, cst.SimpleStatementLine)):
        return []
    found: list[cst.CSTNode] = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, cst.CSTNode):
            found.append(value)
    if isinstance(node, (cst.Try, cst.TryStar)):
        found.extend(node.handlers)
    if isinstance(node, cst.Match):
        found.extend(case.body for case in node.cases)
    return found


def exits_process(model: ModuleModel, call: cst.Call, scope: Scope) -> bool:
    return bool(model.paths(call.func, scope) & EXIT_CALLS)


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
