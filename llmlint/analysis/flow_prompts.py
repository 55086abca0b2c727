"""The part of the flow interpreter that follows data into prompts (LLM101-LLM104).

A helper that `FlowAnalyzer` owns: it turns request data, fetched content and secrets into source
labels, tags values as `spliced` or with a message role where prompts are built, and
records each part of an LLM call's prompt as a PROMPT sink hit.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from llmlint.analysis.builder import decorator_target
from llmlint.analysis.facts import CallFact, SinkHitFact, SourceFact
from llmlint.analysis.module import UNKNOWN
from llmlint.analysis.prompts import (
    PROMPT,
    ROLE_NAMES,
    SPLICED,
    SYSTEM,
    PromptCatalog,
    PromptPart,
    key_matches,
    prompt_parts,
    role_tag,
)
from llmlint.analysis.scope import Scope
from llmlint.analysis.values import ALL_RULES, EMPTY, Taint, Value, tag, union
from llmlint.catalog.schema import (
    MessageRole,
    RequestDataType,
    Route,
    RouteDependency,
    Source,
    SystemKey,
)

if TYPE_CHECKING:
    from llmlint.analysis.flow import FlowAnalyzer, Frame

# What a number from a request still decides: how much the model may generate (LLM205).
KEPT_BY_NUMBERS = frozenset({"!LLM205"})


class PromptTracker:
    """Sources of untrusted data, their placement in prompts, and prompt sinks, for the
    flow interpreter it belongs to."""

    def __init__(self, flow: FlowAnalyzer) -> None:
        self.flow = flow
        self.model = flow.model
        catalog = flow.catalog
        self._prompts = PromptCatalog(catalog)
        self._injected_by = catalog.index(RouteDependency)
        self._data_types = catalog.index(RequestDataType, "annotation")
        self._system_keys = frozenset(entry.key for entry in catalog.entries(SystemKey))
        self._routes: dict[cst.FunctionDef, Route] = {}
        self._inputs: dict[cst.CSTNode, Value] = {}

    # -- sources --------------------------------------------------------------------

    def _input(self, node: cst.CSTNode, source: Source, text: str) -> Value:
        if node in self._inputs:  # list items are evaluated twice: one source per read
            return self._inputs[node]
        label = self.flow._label("S")
        where = self.flow._new_step(node, f"{source.label}: {text}")
        self.flow.facts.sources[label] = SourceFact(label, source.kind, text, where)
        self._inputs[node] = (Taint(label, (where,)),)
        return self._inputs[node]

    def input_call(self, node: cst.Call, callees: frozenset[str], frame: Frame) -> Value | None:
        """The value of a call that reads request data, fetched content or a secret."""
        for source in self._prompts.call_sources.match_any(callees):
            if source.key is not None:
                site = self.flow._sites.get(node)
                argument = site.argument(source.key) if site is not None else None
                key = self.model.literal(argument, frame.scope) if argument is not None else None
                if not key_matches(source, key):
                    continue
            return self._input(node, source, f"'{self.model.text_of(node.func)}'")
        func = node.func
        if isinstance(func, cst.Attribute) and (not callees or self.flow._is_library(callees)):
            receiver = self.model.text_of(func.value)
            method = self._prompts.method_source(func.attr.value, receiver)
            if method is not None:
                return self._input(node, method, f"'{self.model.text_of(node.func)}'")
        return None

    def input_attribute(self, node: cst.Attribute, frame: Frame) -> Value | None:
        paths = self.model.paths(node, frame.scope)
        for source in self._prompts.attribute_sources.match_any(paths):
            if not source.key_pattern:
                return self._input(node, source, f"'{self.model.text_of(node)}'")
        named = self._prompts.name_source(node.attr.value, self.model.text_of(node.value))
        if named is not None:
            return self._input(node, named, f"'{self.model.text_of(node)}'")
        return None

    def input_subscript(self, node: cst.Subscript, frame: Frame) -> Value | None:
        """`os.environ["OPENAI_API_KEY"]`: a keyed read of a source attribute."""
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        paths = self.model.paths(node.value, frame.scope)
        sources = [s for s in self._prompts.attribute_sources.match_any(paths) if s.key_pattern]
        if not sources:
            return None
        key = self.model.literal(node.slice[0].slice.value, frame.scope)
        for source in sources:
            if key is not UNKNOWN and key_matches(source, key):
                return self._input(node, source, f"'{self.model.text_of(node)}'")
        return None

    def route(self, node: cst.FunctionDef, decorator: cst.Decorator, frame: Frame) -> None:
        target = decorator_target(decorator)
        routes = self._prompts.routes.match_any(self.model.paths(target, frame.scope))
        if routes:
            self._routes[node] = routes[0]

    def route_parameter(self, node: cst.FunctionDef, param: cst.Param, scope: Scope) -> Value:
        """A route handler's parameter as request data, unless the framework injects it."""
        route = self._routes.get(node)
        if route is None or scope.parent is None:
            return EMPTY
        scalar = self.flow._is_scalar(param, scope)
        annotation = param.annotation.annotation if param.annotation is not None else None
        if annotation is not None and self._injected(annotation, scope.parent):
            return EMPTY  # `Annotated[Session, Depends(get_db)]`
        if annotation is not None:
            annotation = self.flow.unannotated(annotation, scope.parent)
        if scalar and isinstance(annotation, cst.Subscript):
            return EMPTY  # `Literal["a", "b"]`: the framework allows only these
        if route.parameters and not re.fullmatch(route.parameters, param.name.value):
            return EMPTY
        outer = scope.parent
        default = param.default
        if isinstance(default, cst.Call) and self._is_dependency(default, outer):
            return EMPTY
        if annotation is not None and not scalar:
            types = self.model.paths(annotation, outer)
            if types and not self._data_types.match_any(types) and self.flow._is_library(types):
                return EMPTY  # `request: Request`: its methods and attributes are the sources
        text = f"parameter '{param.name.value}' of {route.framework} handler '{node.name.value}'"
        label = self.flow._label("S")
        where = self.flow._new_step(param.name, f"request data: {text}")
        self.flow.facts.sources[label] = SourceFact(label, "untrusted-input", text, where)
        if scalar:  # `n: int` injects no text, but is still a number
            return (Taint(label, (where,), frozenset({ALL_RULES, *KEPT_BY_NUMBERS})),)
        return (Taint(label, (where,)),)

    def _injected(self, annotation: cst.BaseExpression, scope: Scope) -> bool:
        if (
            not isinstance(annotation, cst.Subscript)
            or self.flow.unannotated(annotation, scope) is annotation
        ):
            return False
        for element in annotation.slice[1:]:
            metadata = element.slice
            call = metadata.value if isinstance(metadata, cst.Index) else None
            if isinstance(call, cst.Call) and self._is_dependency(call, scope):
                return True
        return False

    def _is_dependency(self, call: cst.Call, scope: Scope) -> bool:
        """`Depends(get_db)`: the framework gives the parameter its value."""
        return bool(self._injected_by.match_any(self.model.paths(call.func, scope)))

    # -- placement ------------------------------------------------------------------

    def _is_text(self, node: cst.BaseExpression, scope: Scope) -> bool:
        """Fixed instruction text: a string constant, or an f-string with literal text."""
        if isinstance(node, cst.FormattedString):
            return any(
                isinstance(p, cst.FormattedStringText) and p.value.strip() for p in node.parts
            )
        if isinstance(node, cst.BinaryOperation):
            return self._is_text(node.left, scope) or self._is_text(node.right, scope)
        value = self.model.literal(node, scope)
        return isinstance(value, str) and bool(value.strip())

    def spliced_f_string(self, node: cst.FormattedString, value: Value, frame: Frame) -> Value:
        return tag(value, SPLICED) if value and self._is_text(node, frame.scope) else value

    def spliced_operation(self, node: cst.BinaryOperation, value: Value, frame: Frame) -> Value:
        if not value or not isinstance(node.operator, (cst.Add, cst.Modulo)):
            return value
        if self._is_text(node.left, frame.scope) or self._is_text(node.right, frame.scope):
            return tag(value, SPLICED)
        return value

    def placement_call(
        self, node: cst.Call, callees: frozenset[str], fact: CallFact, frame: Frame
    ) -> Value | None:
        """Templates, message constructors and string formatting on fixed text."""
        inputs = union(fact.receiver or EMPTY, *(a.value for a in fact.args))
        if self._prompts.templates.match_any(callees):
            return tag(inputs, SPLICED) if inputs else EMPTY
        roles = self._prompts.roles.match_any(callees)
        if roles:
            site = self.flow._sites.get(node)
            content = site.argument(roles[0].content) if site is not None else None
            placed = self.flow._eval(content, frame) if content is not None else EMPTY
            role = self._role(roles[0], node, frame)
            return union(tag(placed, role_tag(role)) if role else placed, inputs)
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in ("format", "join"):
            return None
        if not isinstance(self.model.literal(func.value, frame.scope), str):
            return None  # only `"...".format(...)` and `"sep".join(...)` build text
        if func.attr.value == "format" and self._is_text(func.value, frame.scope) and inputs:
            return tag(inputs, SPLICED)
        if func.attr.value == "join" and node.args:
            items = self.flow._list_literal(node.args[0].value, frame)
            if items is not None and any(
                self._is_text(e.value, frame.scope) for e in items.elements
            ):
                return tag(inputs, SPLICED)
        return None

    def _role(self, entry: MessageRole, node: cst.Call, frame: Frame) -> str | None:
        """The role a message constructor gives: fixed, or read from its role argument."""
        if entry.role_argument is None:
            return entry.role
        site = self.flow._sites.get(node)
        argument = site.argument(entry.role_argument) if site is not None else None
        if argument is None:
            return entry.role
        value = self.model.literal(argument, frame.scope)
        if isinstance(argument, cst.Attribute) and not isinstance(value, str):
            value = argument.attr.value  # `MessageRole.SYSTEM`
        return value.lower() if isinstance(value, str) and value.lower() in ROLE_NAMES else None

    def system_entry(self, element: cst.DictElement, value: Value, frame: Frame) -> Value:
        """`{"system_instruction": x}` in a request body or config: x is system text."""
        if value and self.model.literal(element.key, frame.scope) in self._system_keys:
            return tag(value, SYSTEM)
        return value

    def roles_of_dict(self, node: cst.Dict, value: Value, frame: Frame) -> Value:
        """`{"role": "system", "content": x}`: x is sent in the system role."""
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = self.model.literal(element.key, frame.scope)
                role = self.model.literal(element.value, frame.scope)
                if key == "role" and isinstance(role, str) and role in ROLE_NAMES and value:
                    return tag(value, role_tag(role))
        return value

    def roles_of_tuple(self, node: cst.Tuple, value: Value, frame: Frame) -> Value:
        """`("system", "You are ... {x}")` in a chat template: the text has the system role."""
        if len(node.elements) == 2 and value:
            role = self.model.literal(node.elements[0].value, frame.scope)
            if isinstance(role, str) and role in ROLE_NAMES:
                return tag(value, role_tag(role))
        return value

    # -- prompt sinks ---------------------------------------------------------------

    def prompt_hits(
        self, node: cst.Call, callees: frozenset[str], fact: CallFact, frame: Frame
    ) -> None:
        templated = bool(self._prompts.templates.match_any(callees))  # `(prompt | llm).invoke`
        for entry in self._prompts.prompts.match_any(callees):
            parts = prompt_parts(entry, fact)
            if templated and fact.receiver:  # the chain's own messages, formatted in
                parts.append(PromptPart(fact.receiver, -1))
            for part in parts:
                value = tag(part.value, SPLICED) if templated else part.value
                where = self._prompt_node(node, part.argument, part.element)
                step = self.flow._new_step(where, f"sent in the prompt of '{fact.text}'")
                self.flow.facts.sink_hits.append(
                    SinkHitFact(PROMPT, fact.text, step, frame.function, value)
                )

    @staticmethod
    def _prompt_node(node: cst.Call, argument: int, element: int | None) -> cst.CSTNode:
        """The message or argument that carries a part of the prompt, or the call itself
        when the prompt is a variable."""
        if argument < 0:
            return node
        arg = node.args[argument]
        value = arg.value
        if element is not None and isinstance(value, (cst.List, cst.Tuple)):
            items = value.elements
            return items[element].value if element < len(items) else arg
        if isinstance(value, (cst.Name, cst.Attribute)):
            return node
        return arg
