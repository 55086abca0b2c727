"""Whether a call is given a keyword that caps or bounds it (LLM202, LLM203).

A cap or timeout can be given in many ways: directly (`max_tokens=800`), in `**{...}`,
inside an options dict or config object (`config=GenerateContentConfig(max_output_tokens=
...)`), or stored into an options dict later (`params["max_tokens"] = ...`). `KeyFinder`
follows all of them and answers with a three-way `Presence`: FOUND, MISSING, or UNKNOWN
when something it cannot see (a parameter, an import) could hold the name. The rules
report only MISSING, so whatever llmlint cannot see never becomes a false finding.

`builds_options` also serves `agent_limits`, which reads agent limits out of the same
kinds of options dicts and config objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

import libcst as cst

from llmlint.analysis.builder import dotted_name
from llmlint.analysis.module import UNKNOWN, CallSite, ModuleModel, string_key
from llmlint.analysis.scope import Binding, BindingKind, Scope

MAX_SEARCH_DEPTH = 6


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


def builds_options(func: cst.BaseExpression, callees: frozenset[str]) -> bool:
    """A call whose keywords are options: `dict(...)`, or a config object (a call of what
    looks like a class, `types.GenerateContentConfig(...)`)."""
    if "builtins.dict" in callees:
        return True
    names = [p.rpartition(".")[2] for p in callees if not p.endswith(")")]
    if not names:
        written = dotted_name(func)
        names = [written.rpartition(".")[2]] if written else []
    return bool(names) and all(n[:1].isupper() for n in names)


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
        if self.model.literal(expr, scope) is not UNKNOWN:
            return Presence.MISSING
        return unseen

    def _given(self, value: cst.BaseExpression, scope: Scope) -> Presence:
        return Presence.MISSING if self.model.literal(value, scope) is None else Presence.FOUND

    def _dict_element(
        self, element: cst.BaseDictElement, scope: Scope, top: bool, depth: int
    ) -> Presence:
        if isinstance(element, cst.DictElement):
            if string_key(element) in self.names:
                return self._given(element.value, scope)
            return self.in_value(element.value, scope, top=False, depth=depth)
        return self.in_value(element.value, scope, top=top, depth=depth)

    def _call_value(self, call: cst.Call, scope: Scope, top: bool, depth: int) -> Presence:
        unseen = Presence.UNKNOWN if top else Presence.MISSING
        model = self.model
        callees = model.paths(call.func, scope)
        func = call.func
        if builds_options(func, callees):
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
        functions = model.functions_called(callees)
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
                    isinstance(e, cst.DictElement) and string_key(e) in self.names
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
