"""The semantic model of one module: what names refer to and what calls call.

Values are described by *paths*, strings that say where a value comes from the way
the catalog names things: `torch.load` (a module attribute), `gradio.Blocks()` (an
instance made by calling `gradio.Blocks`), `openai.OpenAI().chat.completions.create()`
(the response of a method call), `x[]` (an element of x). A name resolves through its
bindings, imports and aliases to the set of paths it may hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import libcst as cst

from llmlint.analysis.builder import ModuleBuilder, StoreRecord, dotted_name
from llmlint.analysis.scope import BUILTIN_NAMES, Binding, BindingKind, Scope, ScopeKind
from llmlint.catalog import Catalog, PatternIndex
from llmlint.catalog.schema import ArgRef, NoReturn, ReturnsReceiver
from llmlint.source import LineIndex

FIELD_FACTORIES = frozenset(
    {"pydantic.Field", "pydantic.fields.Field", "pydantic.v1.Field", "dataclasses.field"}
)
MAX_PATHS = 12  # per expression: keeps pathological code from exploding
MAX_DEPTH = 24  # resolution hops through bindings


class _Unknown:
    """A value that is not a compile-time constant (a singleton, picklable)."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
T = TypeVar("T")


@dataclass(eq=False)
class CallSite:
    """A call expression, with what it may call resolved lazily."""

    node: cst.Call
    scope: Scope
    model: ModuleModel

    @cached_property
    def callees(self) -> frozenset[str]:
        return self.model.paths(self.node.func, self.scope)

    @property
    def callee_text(self) -> str:
        """The callee as written, e.g. `client.chat.completions.create`."""
        return self.model.text_of(self.node.func)

    def keyword(self, name: str) -> cst.Arg | None:
        """The argument passed as `name=`, also inside a `**{"name": ...}` dict literal."""
        for arg in self.node.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg
        for arg in self.node.args:
            if arg.star == "**" and isinstance(arg.value, cst.Dict):
                entries = _keyed_entries(arg.value, name)
                if entries:
                    return cst.Arg(value=entries[0].value, keyword=cst.Name(name))
        return None

    def keyword_occurrences(self, name: str) -> list[tuple[cst.CSTNode, cst.BaseExpression]]:
        """Where `name=` is passed, directly or nested one level in an options dict.

        Yields (node to report, value) for `name=v`, `**{"name": v}`, and dict literals
        or `dict(name=v)` given to another keyword (`model_kwargs={"name": v}`).
        """
        found: list[tuple[cst.CSTNode, cst.BaseExpression]] = []
        for arg in self.node.args:
            if arg.keyword is not None and arg.keyword.value == name:
                found.append((arg, arg.value))
            elif arg.star == "**" or arg.keyword is not None:
                for value in self.model.dict_definitions(arg.value, self.scope):
                    found.extend(_dict_entries(value, name))
        return found

    def positional(self, index: int) -> cst.Arg | None:
        position = 0
        for arg in self.node.args:
            if arg.keyword is not None or arg.star == "**":
                continue
            if arg.star == "*":
                return None  # positions after *args are unknowable
            if position == index:
                return arg
            position += 1
        return None

    def argument(self, ref: ArgRef) -> cst.BaseExpression | None:
        """The expression passed where `ref` points, descending into a dict literal key."""
        arg = self.keyword(ref.keyword) if ref.keyword else None
        if arg is None and ref.position is not None:
            arg = self.positional(ref.position)
        if arg is None:
            return None
        value = arg.value
        if ref.key is None:
            return value
        entries = _keyed_entries(value, ref.key) if isinstance(value, cst.Dict) else []
        return entries[0].value if entries else None

    @property
    def has_unpacked_arguments(self) -> bool:
        """True when `*args`/`**kwargs` may carry arguments we cannot see."""
        return any(
            arg.star == "*" or (arg.star == "**" and not isinstance(arg.value, cst.Dict))
            for arg in self.node.args
        )

    def literal(self, name: str) -> Any:
        arg = self.keyword(name)
        return UNKNOWN if arg is None else self.model.literal(arg.value, self.scope)


def _written_plainly(node: cst.CSTNode) -> bool:
    """A Name/Attribute chain with no parentheses and no spaces: its code is its dotted name."""
    while isinstance(node, cst.Attribute):
        dot = node.dot
        if node.lpar or not isinstance(dot, cst.Dot) or _spaced(dot.whitespace_before):
            return False
        if _spaced(dot.whitespace_after):
            return False
        node = node.value
    return isinstance(node, cst.Name) and not node.lpar


def _spaced(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return not (isinstance(whitespace, cst.SimpleWhitespace) and whitespace.value == "")


def _dict_entries(
    value: cst.BaseExpression, name: str
) -> list[tuple[cst.CSTNode, cst.BaseExpression]]:
    if isinstance(value, cst.Dict):
        return [(element, element.value) for element in _keyed_entries(value, name)]
    if isinstance(value, cst.Call) and dotted_name(value.func) == "dict":
        return [
            (arg, arg.value)
            for arg in value.args
            if arg.keyword is not None and arg.keyword.value == name
        ]
    return []


def _keyed_entries(value: cst.Dict, key: str) -> list[cst.DictElement]:
    """The elements of a dict literal under the constant string `key`."""
    return [
        element
        for element in value.elements
        if isinstance(element, cst.DictElement) and string_key(element, concatenated=False) == key
    ]


def string_key(element: cst.DictElement, *, concatenated: bool = True) -> str | None:
    """The key of a dict literal's element when it is a constant string.

    `concatenated=False` leaves out implicitly joined keys (`{"max_" "tokens": 1}`), as
    CallSite's lookups of keywords and keys always have.
    """
    key = element.key
    if isinstance(key, cst.ConcatenatedString) and not concatenated:
        return None
    if isinstance(key, (cst.SimpleString, cst.ConcatenatedString)):
        value = key.evaluated_value
        return value if isinstance(value, str) else None
    return None


class ModuleModel:
    """Everything rules ask about one module; built once per file."""

    def __init__(
        self,
        tree: cst.Module,
        *,
        path: str,
        module_name: str,
        is_package: bool,
        lines: LineIndex,
        catalog: Catalog,
    ) -> None:
        self.tree = tree
        self.path = path
        self.module_name = module_name
        self.lines = lines
        self.catalog = catalog
        builder = ModuleBuilder(module_name, is_package)
        self.scope = builder.build(tree)
        self.scopes = builder.scopes
        self.definitions = builder.definitions
        self.calls = [CallSite(r.node, r.scope, self) for r in builder.calls]
        self.stores: list[StoreRecord] = builder.stores
        self.loops: list[tuple[cst.While, Scope]] = builder.loops  # in source order
        # The module's classes by qualname (the scope of each class statement).
        self.classes = {s.qualname: s for s in self.scopes if s.kind is ScopeKind.CLASS}
        self._functions = {s.qualname: s for s in self.scopes if s.kind is ScopeKind.FUNCTION}
        self._cache: dict[cst.CSTNode, frozenset[str]] = {}
        self._active: set[cst.CSTNode] = set()
        self._receiver_index = catalog.index(ReturnsReceiver)
        self._texts: dict[cst.CSTNode, str] = {}

    def text_of(self, node: cst.CSTNode) -> str:
        """The node's code; dotted names without code generation (most calls are named so)."""
        if _written_plainly(node):
            return dotted_name(node) or ""
        text = self._texts.get(node)
        if text is None:
            text = self._texts[node] = self.tree.code_for_node(node)
        return text

    # -- paths ---------------------------------------------------------------------

    def paths(self, expr: cst.CSTNode, scope: Scope) -> frozenset[str]:
        """The paths `expr` (evaluated in `scope`) may denote; empty when unknown."""
        cached = self._cache.get(expr)
        if cached is not None:
            return cached
        if expr in self._active or len(self._active) > MAX_DEPTH:
            return frozenset()
        self._active.add(expr)
        try:
            found = self._compute_paths(expr, scope)
        finally:
            self._active.discard(expr)
        if len(found) > MAX_PATHS:
            found = frozenset(sorted(found)[:MAX_PATHS])
        self._cache[expr] = found
        return found

    def _compute_paths(self, expr: cst.CSTNode, scope: Scope) -> frozenset[str]:
        if isinstance(expr, cst.Name):
            return self._name_paths(expr.value, scope)
        if isinstance(expr, cst.Attribute):
            bases = self.paths(expr.value, scope)
            found = {f"{base}.{expr.attr.value}" for base in bases}
            for base in bases:
                found.update(self.member_paths(base, expr.attr.value))
            return frozenset(found)
        if isinstance(expr, cst.Call):
            found = set()
            for callee in self.paths(expr.func, scope):
                if self._receiver_index.match(callee):
                    found.add(callee.rpartition(".")[0])
                found.add(callee + "()")
                function = self.function_scope(callee)
                if function is not None:
                    found.update(self.return_paths(function))
            return frozenset(found)
        if isinstance(expr, cst.Subscript):
            found = {base + "[]" for base in self.paths(expr.value, scope)}
            for element in self._literal_items(expr.value, scope):
                found |= self.paths(element, scope)  # `PROVIDERS[name]` of a dict of clients
            return frozenset(found)
        if isinstance(expr, cst.Await):
            return self.paths(expr.expression, scope)
        if isinstance(expr, cst.BooleanOperation):  # `llm or OpenAI()`
            return self.paths(expr.left, scope) | self.paths(expr.right, scope)
        if isinstance(expr, cst.IfExp):
            return self.paths(expr.body, scope) | self.paths(expr.orelse, scope)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
            # LangChain composes runnables with `|`: `prompt | llm | parser` invokes llm.
            return self.paths(expr.left, scope) | self.paths(expr.right, scope)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            # `base / "name"` joins paths: the result is of the left operand's type.
            return frozenset(p for p in self.paths(expr.left, scope) if p.endswith("()"))
        return frozenset()

    def _name_paths(self, name: str, scope: Scope) -> frozenset[str]:
        bindings = scope.lookup(name)
        if not bindings:
            if name in BUILTIN_NAMES:  # a star import could shadow a builtin, but rarely does
                return frozenset({f"builtins.{name}"})
            module = scope.module_scope
            return frozenset(f"{star}.{name}" for star in module.star_imports if star)
        found: set[str] = set()
        for binding in bindings:
            found.update(self.binding_paths(binding))
        return frozenset(found)

    def _default_factory(self, node: cst.CSTNode, scope: Scope) -> cst.BaseExpression | None:
        if not isinstance(node, cst.Call):
            return None
        if not self.paths(node.func, scope) & FIELD_FACTORIES:
            return None
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "default_factory":
                return arg.value
        return None

    def _literal_items(self, expr: cst.BaseExpression, scope: Scope) -> list[cst.BaseExpression]:
        """The values of the dict, list or tuple literal a name was assigned once."""
        if isinstance(expr, cst.Name):
            binding = single_assignment(scope.lookup(expr.value))
            if binding is not None and isinstance(binding.node, cst.BaseExpression):
                expr = binding.node
        if isinstance(expr, cst.Dict):
            return [e.value for e in expr.elements if isinstance(e, cst.DictElement)]
        if isinstance(expr, (cst.List, cst.Tuple)):
            return [e.value for e in expr.elements]
        return []

    def binding_paths(self, binding: Binding) -> frozenset[str]:
        kind, node = binding.kind, binding.node
        if kind in (BindingKind.IMPORT, BindingKind.DEFINITION, BindingKind.SELF):
            return frozenset({binding.target}) if binding.target else frozenset()
        if node is None:
            return frozenset()
        if kind in (BindingKind.ASSIGN, BindingKind.WITH):
            factory = self._default_factory(node, binding.scope)
            if factory is not None:  # `Field(default_factory=ShellTool)` makes a ShellTool
                return frozenset(p + "()" for p in self.paths(factory, binding.scope))
            return self.paths(node, binding.scope)
        if kind is BindingKind.ELEMENT:
            return frozenset(p + "[]" for p in self.paths(node, binding.scope))
        if kind is BindingKind.ANNOTATION:
            return self._annotation_paths(node, binding.scope)
        if kind is BindingKind.PARAM and isinstance(node, cst.Param):
            outer = binding.scope.parent or binding.scope
            found: frozenset[str] = frozenset()
            if node.annotation is not None:
                found = self._annotation_paths(node.annotation.annotation, outer)
            if node.default is not None:  # `processor=run_code`: the default may be used
                found |= self.paths(node.default, outer)
            return found
        return frozenset()

    def functions_called(self, callees: Iterable[str]) -> list[Scope]:
        """This module's functions that a call of `callees` may run, each once, in path order
        (callee sets are hashed: their own order would differ between runs)."""
        found: list[Scope] = []
        for path in sorted(callees):
            function = self.function_scope(path)
            if function is not None and function not in found:
                found.append(function)
        return found

    def function_scope(self, path: str) -> Scope | None:
        """The scope of the function or method of this module that `path` calls."""
        function = self._functions.get(path)
        if function is not None or "." not in path:
            return function
        owner, _, name = path.rpartition(".")
        class_scope = self.classes.get(owner[:-2] if owner.endswith("()") else owner)
        if class_scope is None:
            return None
        for scope in self.class_chain(class_scope):
            for binding in scope.bindings.get(name, ()):
                if binding.kind is BindingKind.DEFINITION and binding.target in self._functions:
                    return self._functions[binding.target]
        return None

    def return_paths(self, function: Scope) -> frozenset[str]:
        """What a function of this module returns: its return annotation and values."""
        found: set[str] = set()
        node = function.node
        if isinstance(node, cst.FunctionDef) and node.returns is not None and function.parent:
            found.update(self._annotation_paths(node.returns.annotation, function.parent))
        for value in function.returns:
            found.update(self.paths(value, function))
        return frozenset(found)

    def _annotation_paths(self, node: cst.CSTNode, scope: Scope) -> frozenset[str]:
        """Instances of the classes an annotation names (Optional and unions unwrapped)."""
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._annotation_paths(node.left, scope) | self._annotation_paths(
                node.right, scope
            )
        if isinstance(node, cst.Subscript):
            wrapper = self.paths(node.value, scope)
            if wrapper & {"typing.Optional", "typing.Union", "typing_extensions.Optional"}:
                found: frozenset[str] = frozenset()
                for element in node.slice:
                    if isinstance(element.slice, cst.Index):
                        found |= self._annotation_paths(element.slice.value, scope)
                return found
            return frozenset()
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            if isinstance(value, str):
                try:
                    parsed = cst.parse_expression(value)
                except Exception:
                    return frozenset()
                return self._annotation_paths(parsed, scope)
            return frozenset()
        if dotted_name(node) in ("None", "builtins.None"):
            return frozenset()
        return frozenset(p + "()" for p in self.paths(node, scope) if not p.startswith("builtins."))

    def member_paths(self, base: str, attribute: str) -> set[str]:
        """Paths of `base.attribute` when base is an instance or class of this module."""
        found: set[str] = set()
        instance = base.endswith("()")
        class_scope = self.classes.get(base[:-2] if instance else base)
        if class_scope is None:
            return found
        for scope in self.class_chain(class_scope):
            bindings = list(scope.bindings.get(attribute, ()))
            if instance:
                bindings += scope.instance_attributes.get(attribute, [])
            for binding in bindings:
                if binding.kind is not BindingKind.DEFINITION:
                    found.update(self.binding_paths(binding))
            if bindings:
                break
        return found

    def class_chain(self, scope: Scope) -> Iterator[Scope]:
        """The class and its bases defined in this module, in MRO-like order."""
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
                    for path in self.paths(base.value, current.parent):
                        if path in self.classes:
                            queue.append(self.classes[path])

    # -- constants -----------------------------------------------------------------

    def never_returns(self, call: cst.Call, scope: Scope) -> bool:
        """Whether `call` ends the process or always raises ([[no-return]]): the code after
        it in its block does not run."""
        return bool(self.catalog.index(NoReturn).match_any(self.paths(call.func, scope)))

    def literal(self, expr: cst.CSTNode, scope: Scope) -> Any:
        """The constant value of `expr`, following names bound once to a constant."""
        return self._literal(expr, scope, 0)

    def _literal(self, expr: cst.CSTNode, scope: Scope, depth: int) -> Any:
        if depth > 8:
            return UNKNOWN
        kind = type(expr)  # exact classes: isinstance() on libcst's ABCs is slow
        if kind is cst.SimpleString or kind is cst.ConcatenatedString:
            value = expr.evaluated_value  # type: ignore[attr-defined]
            return value if value is not None else UNKNOWN
        if kind is cst.Integer or kind is cst.Float:
            return expr.evaluated_value  # type: ignore[attr-defined]
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
            inner = self._literal(expr.expression, scope, depth + 1)
            return -inner if isinstance(inner, (int, float)) else UNKNOWN
        if isinstance(expr, cst.Name):
            if expr.value in ("True", "False", "None") and not scope.lookup(expr.value):
                return {"True": True, "False": False, "None": None}[expr.value]
            binding = single_assignment(scope.lookup(expr.value))
            if binding is not None and binding.node is not None:
                return self._literal(binding.node, binding.scope, depth + 1)
        return UNKNOWN

    def constant_definition(self, expr: cst.CSTNode, scope: Scope) -> cst.CSTNode | None:
        """The literal node a name's single binding holds (to locate a finding there)."""
        depth = 0
        while isinstance(expr, cst.Name) and depth < 8:
            binding = single_assignment(scope.lookup(expr.value))
            if binding is None or binding.node is None:
                return None
            expr, scope, depth = binding.node, binding.scope, depth + 1
        return expr if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)) else None

    def dict_definitions(self, expr: cst.BaseExpression, scope: Scope) -> list[cst.BaseExpression]:
        """`expr` itself, or the dict literals a name holding options was assigned."""
        if not isinstance(expr, cst.Name):
            return [expr]
        return [
            b.node
            for b in scope.lookup(expr.value)
            if b.kind is BindingKind.ASSIGN and isinstance(b.node, (cst.Dict, cst.Call))
        ]

    def provenance_text(self, expr: cst.CSTNode, scope: Scope, depth: int = 3) -> str:
        """The source of `expr` and of what the names in it were assigned (a few hops)."""
        parts = [self.text_of(expr)]
        if depth > 0:
            for name in _names_in(expr):
                for binding in scope.lookup(name)[:4]:
                    if binding.node is not None and binding.kind is not BindingKind.PARAM:
                        parts.append(self.provenance_text(binding.node, binding.scope, depth - 1))
                    elif binding.kind is BindingKind.PARAM:
                        parts.append(name)
        return "\n".join(parts)


def single_assignment(bindings: list[Binding]) -> Binding | None:
    """The one assignment of a name (annotations aside), or None."""
    values = [b for b in bindings if b.kind is not BindingKind.ANNOTATION]
    if len(values) == 1 and values[0].kind is BindingKind.ASSIGN:
        return values[0]
    return None


def _names_in(expr: cst.CSTNode) -> list[str]:
    names: list[str] = []
    stack = [expr]
    while stack and len(names) < 16:
        node = stack.pop()
        if isinstance(node, cst.Name):
            names.append(node.value)
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)
        elif isinstance(node, cst.Call):
            stack.append(node.func)
            stack.extend(arg.value for arg in node.args)
        elif isinstance(node, (cst.BinaryOperation,)):
            stack.extend((node.left, node.right))
        elif isinstance(node, cst.Subscript):
            stack.append(node.value)
    return names


def matching_calls(model: ModuleModel, index: PatternIndex[T]) -> Iterator[tuple[CallSite, T]]:
    """Each call of the module with each catalog entry whose pattern its callee matches."""
    for call in model.calls:
        if call.callees:
            for entry in index.match_any(call.callees):
                yield call, entry
