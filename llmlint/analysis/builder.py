"""One walk over a libcst module that records scopes, bindings, calls, stores and loops.

The walk is hand-written rather than a CSTVisitor: it visits only the fields that can
hold code (never whitespace), which measured 15x faster than libcst's visitor dispatch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst

from llmlint.analysis.scope import Binding, BindingKind, Scope, ScopeKind

_NON_CODE_FIELDS = frozenset(
    {
        "lpar", "rpar", "leading_lines", "lines_after_decorators", "header", "footer",
        "comma", "semicolon", "newline", "trailing_whitespace", "equal", "colon", "star",
        "dot", "operator", "first_line", "empty_lines", "default_comma", "indent",
        "lbracket", "rbracket", "lbrace", "rbrace", "arrow", "walrus", "asynchronous",
        "default_indent", "default_newline", "encoding", "has_trailing_newline",
        "whitespace_after_arg", "whitespace_before_colon",
    }
)  # fmt: skip
_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_classes(base: type) -> frozenset[type]:
    found: set[type] = {base}
    stack = [base]
    while stack:
        subclasses: list[type] = stack.pop().__subclasses__()
        for sub in subclasses:
            if sub not in found:
                found.add(sub)
                stack.append(sub)
    return frozenset(found)


# Every libcst node class. libcst's classes are ABCs, so `isinstance(x, cst.CSTNode)` is a
# Python-level call; `type(x) in NODE_TYPES` is a set lookup. Walks use it per field.
NODE_TYPES = _node_classes(cst.CSTNode)


def _code_fields(cls: type) -> tuple[str, ...]:
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in _NON_CODE_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS[cls] = fields
    return fields


@dataclass(eq=False)
class CallRecord:
    node: cst.Call
    scope: Scope


@dataclass(eq=False)
class StoreRecord:
    """An assignment to an attribute or subscript: `openai.api_key = ...`, `d[k] = ...`."""

    target: cst.Attribute | cst.Subscript
    value: cst.BaseExpression
    scope: Scope


def dotted_name(node: cst.CSTNode) -> str | None:
    """`a.b.c` for Name/Attribute chains, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def decorator_target(decorator: cst.Decorator) -> cst.BaseExpression:
    """What a decorator names: `app.post` for `@app.post("/x")` as for `@app.post`."""
    expression = decorator.decorator
    return expression.func if isinstance(expression, cst.Call) else expression


def decorator_names(decorators: Sequence[cst.Decorator]) -> set[str]:
    """The last part of each plainly named decorator: `staticmethod`, `cached_property`."""
    names = set()
    for decorator in decorators:
        name = dotted_name(decorator.decorator)
        if name:
            names.add(name.rpartition(".")[2])
    return names


class ModuleBuilder:
    """Builds the scope tree and the lists of calls, stores and while loops of one module."""

    def __init__(self, module_name: str, is_package: bool) -> None:
        self.module_name = module_name
        self.package = module_name if is_package else module_name.rpartition(".")[0]
        self.calls: list[CallRecord] = []
        self.stores: list[StoreRecord] = []
        self.loops: list[tuple[cst.While, Scope]] = []
        self.scopes: list[Scope] = []
        self.definitions: dict[cst.CSTNode, Scope] = {}
        self._handlers: dict[type, Callable[[cst.CSTNode, Scope], None]] = {
            cst.FunctionDef: self._function,  # type: ignore[dict-item]
            cst.ClassDef: self._class,  # type: ignore[dict-item]
            cst.Lambda: self._lambda,  # type: ignore[dict-item]
            cst.ListComp: self._comprehension,  # type: ignore[dict-item]
            cst.SetComp: self._comprehension,  # type: ignore[dict-item]
            cst.GeneratorExp: self._comprehension,  # type: ignore[dict-item]
            cst.DictComp: self._comprehension,  # type: ignore[dict-item]
            cst.Import: self._import,  # type: ignore[dict-item]
            cst.ImportFrom: self._import_from,  # type: ignore[dict-item]
            cst.Assign: self._assign,  # type: ignore[dict-item]
            cst.AnnAssign: self._ann_assign,  # type: ignore[dict-item]
            cst.AugAssign: self._aug_assign,  # type: ignore[dict-item]
            cst.For: self._for,  # type: ignore[dict-item]
            cst.While: self._while,  # type: ignore[dict-item]
            cst.With: self._with,  # type: ignore[dict-item]
            cst.ExceptHandler: self._except,  # type: ignore[dict-item]
            cst.ExceptStarHandler: self._except,  # type: ignore[dict-item]
            cst.NamedExpr: self._named_expr,  # type: ignore[dict-item]
            cst.Global: self._global,  # type: ignore[dict-item]
            cst.Nonlocal: self._nonlocal,  # type: ignore[dict-item]
            cst.Call: self._call,  # type: ignore[dict-item]
            cst.Return: self._return,  # type: ignore[dict-item]
            cst.MatchAs: self._match_capture,  # type: ignore[dict-item]
            cst.MatchStar: self._match_capture,  # type: ignore[dict-item]
        }

    def build(self, tree: cst.Module) -> Scope:
        scope = self._new_scope(ScopeKind.MODULE, self.module_name, None, tree)
        scope.qualname = self.module_name
        self._visit_all(tree.body, scope)
        return scope

    # -- traversal ---------------------------------------------------------------

    def visit(self, node: cst.CSTNode, scope: Scope) -> None:
        handler = self._handlers.get(type(node))
        if handler is not None:
            handler(node, scope)
        else:
            self._children(node, scope)

    def _children(self, node: cst.CSTNode, scope: Scope) -> None:
        for name in _code_fields(type(node)):
            value = getattr(node, name)
            if type(value) in NODE_TYPES:
                self.visit(value, scope)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if type(item) in NODE_TYPES:
                        self.visit(item, scope)

    def _visit_all(self, nodes: Sequence[cst.CSTNode], scope: Scope) -> None:
        for node in nodes:
            self.visit(node, scope)

    def _visit_opt(self, node: cst.CSTNode | None, scope: Scope) -> None:
        if node is not None:
            self.visit(node, scope)

    def _new_scope(
        self, kind: ScopeKind, name: str, parent: Scope | None, node: cst.CSTNode
    ) -> Scope:
        qualname = f"{parent.qualname}.{name}" if parent else name
        scope = Scope(kind, name, qualname, parent, node)
        self.scopes.append(scope)
        return scope

    # -- definitions -------------------------------------------------------------

    def _function(self, node: cst.FunctionDef, scope: Scope) -> None:
        self._visit_all(node.decorators, scope)
        self._visit_parameter_parts(node.params, scope)
        if node.returns is not None:
            self.visit(node.returns, scope)
        inner = self._new_scope(ScopeKind.FUNCTION, node.name.value, scope, node)
        self.definitions[node] = inner
        scope.bind(Binding(node.name.value, BindingKind.DEFINITION, scope, node, inner.qualname))
        self._bind_parameters(node.params, inner)
        if scope.kind is ScopeKind.CLASS:
            self._bind_self(node, scope, inner)
        self.visit(node.body, inner)

    def _bind_self(self, node: cst.FunctionDef, cls: Scope, inner: Scope) -> None:
        decorators = decorator_names(node.decorators)
        if "staticmethod" in decorators:
            return
        params = [*node.params.posonly_params, *node.params.params]
        if params:
            first = params[0].name.value
            target = cls.qualname if "classmethod" in decorators else cls.qualname + "()"
            inner.bindings[first] = [Binding(first, BindingKind.SELF, inner, params[0], target)]

    def _visit_parameter_parts(self, params: cst.Parameters, scope: Scope) -> None:
        for param in parameters(params):
            if param.default is not None:
                self.visit(param.default, scope)
            if param.annotation is not None:
                self.visit(param.annotation, scope)

    def _bind_parameters(self, params: cst.Parameters, scope: Scope) -> None:
        for param in parameters(params):
            scope.bind(Binding(param.name.value, BindingKind.PARAM, scope, param))

    def _lambda(self, node: cst.Lambda, scope: Scope) -> None:
        self._visit_parameter_parts(node.params, scope)
        inner = self._new_scope(ScopeKind.LAMBDA, "<lambda>", scope, node)
        self.definitions[node] = inner
        self._bind_parameters(node.params, inner)
        inner.returns.append(node.body)
        self.visit(node.body, inner)

    def _class(self, node: cst.ClassDef, scope: Scope) -> None:
        self._visit_all(node.decorators, scope)
        self._visit_all(node.bases, scope)
        self._visit_all(node.keywords, scope)
        inner = self._new_scope(ScopeKind.CLASS, node.name.value, scope, node)
        self.definitions[node] = inner
        scope.bind(Binding(node.name.value, BindingKind.DEFINITION, scope, node, inner.qualname))
        self.visit(node.body, inner)

    def _comprehension(self, node: cst.BaseComp, scope: Scope) -> None:
        inner = self._new_scope(ScopeKind.COMPREHENSION, "<comprehension>", scope, node)
        self.definitions[node] = inner
        for_in: cst.CompFor | None = node.for_in
        while for_in is not None:
            self.visit(for_in.iter, inner)
            self._bind_target(for_in.target, for_in.iter, inner, BindingKind.ELEMENT)
            self._visit_all(for_in.ifs, inner)
            for_in = for_in.inner_for_in
        if isinstance(node, cst.DictComp):
            self.visit(node.key, inner)
            self.visit(node.value, inner)
        else:
            self.visit(node.elt, inner)  # type: ignore[attr-defined]

    # -- imports -------------------------------------------------------------------

    def _import(self, node: cst.Import, scope: Scope) -> None:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local, target = alias.asname.name.value, full
            else:
                local = target = full.partition(".")[0]
            scope.bind(Binding(local, BindingKind.IMPORT, scope, alias, target))

    def _import_from(self, node: cst.ImportFrom, scope: Scope) -> None:
        base = dotted_name(node.module) if node.module is not None else ""
        if node.relative:
            package = self.package
            for _ in range(len(node.relative) - 1):
                package = package.rpartition(".")[0]
            base = ".".join(part for part in (package, base) if part)
        if isinstance(node.names, cst.ImportStar):
            scope.star_imports.append(base or "")
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            target = f"{base}.{name}" if base else name
            scope.bind(Binding(local, BindingKind.IMPORT, scope, alias, target))

    # -- assignments -----------------------------------------------------------------

    def _assign(self, node: cst.Assign, scope: Scope) -> None:
        self.visit(node.value, scope)
        for target in node.targets:
            self._bind_target(target.target, node.value, scope, BindingKind.ASSIGN)

    def _ann_assign(self, node: cst.AnnAssign, scope: Scope) -> None:
        self.visit(node.annotation, scope)
        if node.value is not None:
            self.visit(node.value, scope)
            self._bind_target(node.target, node.value, scope, BindingKind.ASSIGN)
        else:
            self._visit_target_parts(node.target, scope)
        if isinstance(node.target, cst.Name):
            annotation = node.annotation.annotation
            scope.bind(Binding(node.target.value, BindingKind.ANNOTATION, scope, annotation))

    def _aug_assign(self, node: cst.AugAssign, scope: Scope) -> None:
        self.visit(node.value, scope)
        if isinstance(node.target, cst.Name):
            scope.bind(Binding(node.target.value, BindingKind.OTHER, scope, node.value))
        else:
            self._visit_target_parts(node.target, scope)

    def _for(self, node: cst.For, scope: Scope) -> None:
        self.visit(node.iter, scope)
        self._bind_target(node.target, node.iter, scope, BindingKind.ELEMENT)
        self.visit(node.body, scope)
        self._visit_opt(node.orelse, scope)

    def _while(self, node: cst.While, scope: Scope) -> None:
        self.loops.append((node, scope))
        self._children(node, scope)

    def _with(self, node: cst.With, scope: Scope) -> None:
        for item in node.items:
            self.visit(item.item, scope)
            if item.asname is not None:
                self._bind_target(item.asname.name, item.item, scope, BindingKind.WITH)
        self.visit(node.body, scope)

    def _except(self, node: cst.ExceptHandler, scope: Scope) -> None:
        self._visit_opt(node.type, scope)
        if node.name is not None and isinstance(node.name.name, cst.Name):
            scope.bind(Binding(node.name.name.value, BindingKind.OTHER, scope))
        self.visit(node.body, scope)

    def _named_expr(self, node: cst.NamedExpr, scope: Scope) -> None:
        self.visit(node.value, scope)
        while scope.kind is ScopeKind.COMPREHENSION and scope.parent is not None:
            scope = scope.parent
        self._bind_target(node.target, node.value, scope, BindingKind.ASSIGN)

    def _global(self, node: cst.Global, scope: Scope) -> None:
        scope.declared_global.update(item.name.value for item in node.names)

    def _nonlocal(self, node: cst.Nonlocal, scope: Scope) -> None:
        scope.declared_nonlocal.update(item.name.value for item in node.names)

    def _match_capture(self, node: cst.MatchAs | cst.MatchStar, scope: Scope) -> None:
        if isinstance(node, cst.MatchAs) and node.pattern is not None:
            self.visit(node.pattern, scope)
        if isinstance(node.name, cst.Name):
            scope.bind(Binding(node.name.value, BindingKind.OTHER, scope))

    def _return(self, node: cst.Return, scope: Scope) -> None:
        if node.value is not None:
            self.visit(node.value, scope)
            function = scope
            while function.kind is ScopeKind.COMPREHENSION and function.parent is not None:
                function = function.parent
            function.returns.append(node.value)

    def _call(self, node: cst.Call, scope: Scope) -> None:
        self.calls.append(CallRecord(node, scope))
        self.visit(node.func, scope)
        self._visit_all(node.args, scope)

    def _bind_target(
        self, target: cst.BaseExpression, value: cst.BaseExpression, scope: Scope, kind: BindingKind
    ) -> None:
        if isinstance(target, cst.Name):
            owner = scope.module_scope if target.value in scope.declared_global else scope
            owner.bind(Binding(target.value, kind, scope, value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, value, scope, BindingKind.ELEMENT)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, value, scope, BindingKind.ELEMENT)
        elif isinstance(target, (cst.Attribute, cst.Subscript)):
            self._visit_target_parts(target, scope)
            if kind is BindingKind.ASSIGN:
                self.stores.append(StoreRecord(target, value, scope))
                self._record_instance_attribute(target, value, scope)

    def _visit_target_parts(self, target: cst.BaseExpression, scope: Scope) -> None:
        if isinstance(target, cst.Attribute):
            self.visit(target.value, scope)
        elif isinstance(target, cst.Subscript):
            self.visit(target.value, scope)
            self._visit_all(target.slice, scope)

    def _record_instance_attribute(
        self, target: cst.BaseExpression, value: cst.BaseExpression, scope: Scope
    ) -> None:
        if not isinstance(target, cst.Attribute) or not isinstance(target.value, cst.Name):
            return
        owner = scope.enclosing_class
        bindings = scope.bindings.get(target.value.value, [])
        if owner is None or not bindings or bindings[0].kind is not BindingKind.SELF:
            return
        name = target.attr.value
        owner.instance_attributes.setdefault(name, []).append(
            Binding(name, BindingKind.ASSIGN, scope, value)
        )


def parameters(params: cst.Parameters) -> list[cst.Param]:
    """Every parameter, in the order of the signature (`*args` before keyword-only ones)."""
    found = [*params.posonly_params, *params.params]
    if isinstance(params.star_arg, cst.Param):
        found.append(params.star_arg)
    found += params.kwonly_params
    if params.star_kwarg is not None:
        found.append(params.star_kwarg)
    return found
