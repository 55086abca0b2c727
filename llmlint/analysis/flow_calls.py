"""The calls of the flow interpreter: what each call does with the values it is given.

A part of `FlowAnalyzer` (`llmlint.analysis.flow`). A call the catalog knows is an LLM
call (a source of model output), a sanitizer, a sink (recorded as hits, per argument
where the catalog says so) or a tool registration; a library call passes its inputs'
taint on; any other call becomes a `C:` label with its arguments recorded, for the
project resolver to close with the callee's summary. Tool decorators, which register a
function much as a registration call does, are recorded here too.
"""

from __future__ import annotations

import libcst as cst

from llmlint.analysis.builder import decorator_target
from llmlint.analysis.facts import (
    NOT_CONSTANT,
    ArgFact,
    CallFact,
    LLMCallFact,
    ProjectCallFact,
    SinkHitFact,
    SourceFact,
    ToolFact,
)
from llmlint.analysis.flow_state import FlowState, Frame
from llmlint.analysis.module import UNKNOWN, CallSite
from llmlint.analysis.scope import BindingKind
from llmlint.analysis.sinks import applies, sanitized, sink_value
from llmlint.analysis.values import EMPTY, Taint, Value, reaching, union
from llmlint.catalog import by_method
from llmlint.catalog.schema import LLMCall, Sink

MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "write"})
KEYED_LOOKUPS = frozenset({"get", "pop", "setdefault"})


class CallInterpreter(FlowState):
    """Evaluates calls, and records the sources, sinks, tools and open calls they make."""

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
            checked = node.args[0].value if node.args else None
            validates = any(s.validates for s in sanitizers)
            if validates and isinstance(checked, cst.Name) and checked.value in frame.env:
                frame.env[checked.value] = sanitized(frame.env[checked.value], sanitizers)
            return sanitized(union(receiver or EMPTY, *(a.value for a in args)), sanitizers)
        sinks = self._sinks.match_any(callees)
        untyped = not callees or self._is_library(callees)
        if isinstance(node.func, cst.Attribute) and not sinks and untyped:
            sinks += by_method(
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

    def _tool_decorator(
        self, decorator: cst.Decorator, node: cst.FunctionDef, frame: Frame
    ) -> None:
        target = decorator_target(decorator)
        entries = self._decorators.match_any(self.model.paths(target, frame.scope))
        inner = self.model.definitions.get(node)
        if entries and inner is not None:
            where = self._new_step(node.name, f"tool '{node.name.value}'")
            self.facts.tools.append(ToolFact((inner.qualname,), entries[0].framework, where))


def _constant(value: object) -> object:
    if value is UNKNOWN or not isinstance(value, (str, int, float, bool, type(None))):
        return NOT_CONSTANT
    return value
