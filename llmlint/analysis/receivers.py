"""Which constructor calls made the object an LLM call is made on (LLM202, LLM203).

Many SDKs take the cap or timeout where the client or model object is built
(`ChatOpenAI(max_tokens=...)`, `OpenAI(timeout=...)`), not on the call that runs it, so
the rules must find that construction. `Tracer` follows the receiver of `llm.invoke()`
back through assignments, `self.x` fields, attributes (`client.chat.completions`), fluent
copies (`llm.bind(...)`, `client.with_options(...)`), LCEL pipelines (`prompt | llm`) and
the module's factory functions. When any part of the way is unknown (a parameter, an
import), the answer is None and nothing is reported: a guess would be a false finding.

`llm_calls` matches a module's calls against the catalog once, for LLM202-LLM204.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

import libcst as cst

from llmlint.analysis.module import UNKNOWN, CallSite, ModuleModel
from llmlint.analysis.scope import Binding, BindingKind, Scope
from llmlint.catalog import PatternIndex
from llmlint.catalog.schema import LLMCall, ReturnsReceiver

T = TypeVar("T")
MAX_TRACE_DEPTH = 16


class _LLMCallMatches:
    """A module's LLM calls as far as its calls have been matched against the catalog:
    their positions in `model.calls`, with the callee paths the catalog lists (all, and
    those whose result is model output). Matching advances only as far as a reader asks,
    so the first reader resolves callee paths in the same order as a plain loop would."""

    def __init__(self) -> None:
        self.found: list[tuple[int, frozenset[str], frozenset[str]]] = []
        self.scanned = 0

    def advance(self, model: ModuleModel) -> bool:
        """Match calls until one more LLM call is found; False at the end of the module."""
        index = model.catalog.index(LLMCall)
        calls = model.calls
        while self.scanned < len(calls):
            position = self.scanned
            paths: set[str] = set()
            output: set[str] = set()
            for path in calls[position].callees:
                entries = index.match(path)
                if entries:
                    paths.add(path)
                    if any(e.output for e in entries):
                        output.add(path)
            self.scanned += 1  # after the callees: one that fails fails every reader
            if paths:
                self.found.append((position, frozenset(paths), frozenset(output)))
                return True
        return False


# LLM202, LLM203 and LLM204 each read a module's LLM calls: the catalog is matched once per
# module. The values hold no reference to the model, so the weak key lets it be freed.
_MATCHES: WeakKeyDictionary[ModuleModel, _LLMCallMatches] = WeakKeyDictionary()


def llm_calls(
    model: ModuleModel, *, output_only: bool = True
) -> Iterator[tuple[CallSite, frozenset[str]]]:
    """Each LLM call site of the module, with its callee paths that the catalog lists
    (only those whose result is model output, unless `output_only` is false)."""
    matches = _MATCHES.get(model)
    if matches is None:
        matches = _MATCHES[model] = _LLMCallMatches()
    read = 0
    while read < len(matches.found) or matches.advance(model):
        position, paths, output = matches.found[read]
        read += 1
        wanted = output if output_only else paths
        if wanted:
            yield model.calls[position], wanted


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
        if self.model.literal(expr, scope) is not UNKNOWN:
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
        """Whether every way `expr` may take is followed to a constructor (added to `out`)."""
        if depth > MAX_TRACE_DEPTH:
            return False
        if expr in active:
            return True  # a cycle adds nothing the other ways do not

        def follow(
            node: cst.BaseExpression,
            node_scope: Scope,
            node_want: frozenset[str] = want,
            node_through: tuple[tuple[cst.Call, Scope], ...] = through,
        ) -> bool:
            return self._trace(node, node_scope, node_want, node_through, out, depth + 1, active)

        active.add(expr)
        try:
            if isinstance(expr, cst.Name):
                bindings = [
                    b for b in scope.lookup(expr.value) if b.kind is not BindingKind.ANNOTATION
                ]
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
            if isinstance(expr, cst.IfExp):
                return self._trace_parts([expr.body, expr.orelse], scope, want, follow)
            if isinstance(expr, cst.BooleanOperation) or (
                isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr)
            ):
                return self._trace_parts([expr.left, expr.right], scope, want, follow)
            return False
        finally:
            active.discard(expr)

    def _trace_parts(
        self,
        parts: list[cst.BaseExpression],
        scope: Scope,
        want: frozenset[str],
        follow: Callable[..., bool],
    ) -> bool:
        """`a or b`, `a if c else b`, `prompt | llm`: the parts that may be the object."""
        ok = True
        for part in parts:
            if self._relevant(part, scope, want) is False:
                continue  # `prompt | llm`: the prompt is not the model
            ok = follow(part, scope) and ok
        return ok

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
        functions = model.functions_called(callees)
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
            if name in self.model.classes:
                classes.append(self.model.classes[name])
                instance = instance or path.endswith("()")
        if not classes:
            return None
        attribute = expr.attr.value
        found: list[Binding] = []
        for cls in classes:
            for current in self.model.class_chain(cls):
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


def _method(call: cst.Call) -> str:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
