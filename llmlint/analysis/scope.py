"""Scopes and bindings, as Python defines them, recorded in one pass over a module.

This replaces libcst's ScopeProvider/QualifiedNameProvider, which cost ten times the
parse on real code. Bindings are flow-insensitive: every assignment to a name in a
scope is one of its possible values.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from enum import Enum

import libcst as cst

BUILTIN_NAMES = frozenset(dir(builtins))


class ScopeKind(Enum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    LAMBDA = "lambda"
    COMPREHENSION = "comprehension"


class BindingKind(Enum):
    IMPORT = "import"  # `target` is the imported qualified name
    DEFINITION = "definition"  # def / class; `target` is its qualified name
    ASSIGN = "assign"  # `node` is the assigned value
    ELEMENT = "element"  # an element of `node`: for-loops, unpacking, starred
    WITH = "with"  # `node` is the context manager expression
    PARAM = "param"  # `node` is the cst.Param
    SELF = "self"  # first parameter of a method; `target` is the class, instance or not
    ANNOTATION = "annotation"  # `x: T` without a value; `node` is the annotation
    OTHER = "other"  # bound, value unknown (augmented assignment, except-as, del...)


@dataclass(eq=False)
class Binding:
    name: str
    kind: BindingKind
    scope: Scope
    node: cst.CSTNode | None = None
    target: str | None = None


@dataclass(eq=False)
class Scope:
    kind: ScopeKind
    name: str
    qualname: str  # dotted, including the module name: pkg.mod.Class.method
    parent: Scope | None
    node: cst.CSTNode
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    star_imports: list[str] = field(default_factory=list)
    # For class scopes: `self.x = value` assignments made in the class's methods.
    instance_attributes: dict[str, list[Binding]] = field(default_factory=dict)
    # For function and lambda scopes: the expressions it returns.
    returns: list[cst.BaseExpression] = field(default_factory=list)

    def bind(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)

    @property
    def module_scope(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    @property
    def enclosing_class(self) -> Scope | None:
        """The class whose method this scope is (for `self` resolution)."""
        parent = self.parent
        return (
            parent
            if self.kind is ScopeKind.FUNCTION and parent and parent.kind is ScopeKind.CLASS
            else None
        )

    def lookup(self, name: str) -> list[Binding]:
        """The bindings a use of `name` in this scope can see, per Python's rules."""
        if name in self.declared_global:
            return self.module_scope.bindings.get(name, [])
        scope: Scope | None = self
        first = True
        while scope is not None:
            skip = scope.kind is ScopeKind.CLASS and not first
            if not skip and name in scope.bindings and name not in scope.declared_nonlocal:
                return scope.bindings[name]
            first = False
            scope = scope.parent
        return []
