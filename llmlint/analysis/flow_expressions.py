"""The expressions of the flow interpreter: the taint each one evaluates to.

A part of `FlowAnalyzer` (`llmlint.analysis.flow`). Names read the current frame, then
the module's environment, or become `G:` labels for globals another module defines or
that functions rewrite; `self.x` and attributes of project-class instances become `F:`
labels for the resolver. Prompts built from values go through the `PromptTracker`, and
calls to `flow_calls`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import libcst as cst

from llmlint.analysis.flow_state import FlowState, Frame
from llmlint.analysis.scope import BindingKind, ScopeKind
from llmlint.analysis.values import EMPTY, Taint, Value, clear, union

# A constant `scheme://host/` prefix: what follows can only choose a path on that host.
URL_WITH_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\0]+/")

# The interpreter method that evaluates each kind of expression; others are EMPTY.
_EVALUATORS: dict[type[cst.CSTNode], str] = {
    cst.Name: "_name",
    cst.Attribute: "_attribute",
    cst.Call: "_call",
    cst.Subscript: "_subscript",
    cst.Index: "_inner_value",
    cst.Element: "_inner_value",
    cst.StarredElement: "_inner_value",
    cst.BinaryOperation: "_operation",
    cst.BooleanOperation: "_operation",
    cst.UnaryOperation: "_unary",
    cst.Comparison: "_comparison",
    cst.FormattedString: "_f_string",
    cst.ConcatenatedString: "_concatenated",
    cst.Tuple: "_tuple",
    cst.List: "_collection",
    cst.Set: "_collection",
    cst.Dict: "_dict",
    cst.ListComp: "_comprehension",
    cst.SetComp: "_comprehension",
    cst.GeneratorExp: "_comprehension",
    cst.DictComp: "_comprehension",
    cst.IfExp: "_if_expression",
    cst.Await: "_await",
    cst.Yield: "_yield",
    cst.NamedExpr: "_named",
}


class ExpressionInterpreter(FlowState):
    """Evaluates expressions to taint values."""

    def _eval_all(self, nodes: Iterable[cst.CSTNode], frame: Frame) -> Value:
        return union(*(self._eval(node, frame) for node in nodes))

    def _eval(self, node: cst.CSTNode, frame: Frame) -> Value:
        # Dispatch on the exact class: libcst's node classes are ABCs, and a chain of
        # failing isinstance() checks costs a Python-level call each.
        evaluate = _EVALUATORS.get(type(node))
        if evaluate is None:
            return EMPTY  # constants and slices carry no taint
        value: Value = getattr(self, evaluate)(node, frame)
        return value

    def _subscript(self, node: cst.Subscript, frame: Frame) -> Value:
        self._eval_all((e.slice for e in node.slice), frame)
        read = self._prompt.input_subscript(node, frame)
        return read if read is not None else self._eval(node.value, frame)

    def _inner_value(
        self, node: cst.Index | cst.Element | cst.StarredElement, frame: Frame
    ) -> Value:
        return self._eval(node.value, frame)

    def _operation(self, node: cst.BinaryOperation | cst.BooleanOperation, frame: Frame) -> Value:
        right = self._eval(node.right, frame)
        if isinstance(node.operator, cst.Add) and self._fixed_host(node.left, frame):
            right = clear(right, {"LLM006"})  # "https://api.example.com/" + path
        combined = union(self._eval(node.left, frame), right)
        if isinstance(node, cst.BinaryOperation):
            return self._prompt.spliced_operation(node, combined, frame)
        return combined

    def _unary(self, node: cst.UnaryOperation, frame: Frame) -> Value:
        value = self._eval(node.expression, frame)
        return EMPTY if isinstance(node.operator, cst.Not) else value

    def _comparison(self, node: cst.Comparison, frame: Frame) -> Value:
        self._eval(node.left, frame)
        self._eval_all((c.comparator for c in node.comparisons), frame)
        return EMPTY

    def _f_string(self, node: cst.FormattedString, frame: Frame) -> Value:
        return self._prompt.spliced_f_string(node, self._formatted_string(node, frame), frame)

    def _concatenated(self, node: cst.ConcatenatedString, frame: Frame) -> Value:
        return union(self._eval(node.left, frame), self._eval(node.right, frame))

    def _tuple(self, node: cst.Tuple, frame: Frame) -> Value:
        value = self._eval_all((e.value for e in node.elements), frame)
        return self._prompt.roles_of_tuple(node, value, frame)

    def _collection(self, node: cst.List | cst.Set, frame: Frame) -> Value:
        return self._eval_all((e.value for e in node.elements), frame)

    def _dict(self, node: cst.Dict, frame: Frame) -> Value:
        values = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                value = self._eval(element.value, frame)
                value = self._prompt.system_entry(element, value, frame)
                values += [self._eval(element.key, frame), value]
            else:
                values.append(self._eval(element.value, frame))
        return self._prompt.roles_of_dict(node, union(*values), frame)

    def _if_expression(self, node: cst.IfExp, frame: Frame) -> Value:
        self._eval(node.test, frame)
        return union(self._eval(node.body, frame), self._eval(node.orelse, frame))

    def _await(self, node: cst.Await, frame: Frame) -> Value:
        return self._eval(node.expression, frame)

    def _yield(self, node: cst.Yield, frame: Frame) -> Value:
        value = (
            self._eval(node.value, frame) if isinstance(node.value, cst.BaseExpression) else EMPTY
        )
        frame.returns.append(value)
        return EMPTY

    def _named(self, node: cst.NamedExpr, frame: Frame) -> Value:
        value = self._eval(node.value, frame)
        self._assign(node.target, value, frame)
        return value

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
