"""The project-wide resolver: combines every module's facts into data-flow findings.

Each module's facts leave open what calls into the rest of the project mean (`C:`
labels), what other modules' globals and class attributes hold (`G:`, `F:`), and where
a function's parameters come from (`P:`). The resolver answers those questions with the
facts of all modules: it resolves paths through the project's own imports and exports
(`PathResolver`, in project_paths.py), applies each function's summary at its call sites
(wrappers of wrappers, in any module), and follows parameters that reach a sink back to
the callers that pass LLM output. Memoized and bounded, so recursion and pathological
code terminate.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from llmlint.analysis.facts import CallFact, FunctionFact, ModuleFacts
from llmlint.analysis.project_paths import PathResolver
from llmlint.analysis.prompts import PROMPT, PROMPT_RULES, prompt_parts, prompt_rule
from llmlint.analysis.route_reach import RULE as ROUTE_RULE
from llmlint.analysis.route_reach import RouteReach
from llmlint.analysis.sinks import sanitized, sink_value
from llmlint.analysis.values import (
    EMPTY,
    Taint,
    Value,
    continued,
    is_cleared,
    reaching,
    union,
)
from llmlint.catalog import Catalog
from llmlint.catalog.schema import LLMCall, Prompt, Sanitizer, Sink, ToolClass
from llmlint.finding import FlowStep

MAX_DEPTH = 24
MAX_DERIVED_HITS = 20_000
OUTPUT_RULE_SOURCES = frozenset({"llm-output", "tool-argument"})
# Sink rules about other origins than the model's output.
RULE_SOURCES = {"LLM205": frozenset({"untrusted-input"})}


@dataclass(frozen=True)
class SourceInfo:
    kind: str
    text: str
    step: FlowStep


@dataclass(frozen=True)
class FlowHit:
    """A source that reaches a sink: what a data-flow rule reports."""

    rule: str
    sink_text: str
    sink: FlowStep
    source: SourceInfo
    trace: tuple[FlowStep, ...]
    sink_line: str = ""
    others: tuple[SourceInfo, ...] = ()  # further sources that reach the same sink


@dataclass(frozen=True)
class InventoryEntry:
    step: FlowStep
    text: str
    provider: str
    api: str
    model: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step.to_dict(),
            "text": self.text,
            "provider": self.provider,
            "api": self.api,
            "model": self.model,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InventoryEntry:
        step = FlowStep.from_dict(data["step"])
        return cls(step, data["text"], data["provider"], data["api"], data["model"])


@dataclass
class _Hit:
    rule: str
    text: str
    step: FlowStep
    function: str
    value: Value
    line: str = ""


def _join(first: tuple[FlowStep, ...], second: tuple[FlowStep, ...]) -> tuple[FlowStep, ...]:
    """Two traces one after the other, without repeating the place where they meet."""
    if first and second and first[-1].location == second[0].location:
        second = second[1:]
    return (*first, *second)


def _without_parameters(value: Value) -> Value:
    """A stored value (an attribute, a global) without the parameters of the function
    that stored it: read elsewhere, they stand for nothing that can be substituted."""
    return tuple(t for t in value if t.kind != "P")


class ProjectResolver(PathResolver):
    def __init__(self, modules: Iterable[ModuleFacts], catalog: Catalog) -> None:
        ordered = sorted(modules, key=lambda f: f.module)
        super().__init__(ordered, catalog)
        self.calls: dict[str, CallFact] = {}
        self.sources: dict[str, SourceInfo] = {}
        self.inventory_entries: list[InventoryEntry] = []
        self._hits: list[_Hit] = []
        self._steps: dict[str, FlowStep] = {}
        for facts in ordered:
            self._load(facts)
        self._llm = catalog.index(LLMCall)
        self._sinks = catalog.index(Sink)
        self._sanitizers = catalog.index(Sanitizer)
        self._prompts = catalog.index(Prompt)
        self._memo: dict[str, Value] = {}
        self._expanded: dict[str, CallFact] = {}
        self._library_calls: set[str] = set()
        self._active: set[str] = set()
        self._callers: dict[str, list[tuple[CallFact, bool]]] | None = None
        self._tools = self._tool_functions()

    # -- loading ----------------------------------------------------------------------

    def _load(self, facts: ModuleFacts) -> None:
        """Give the module's values the steps their traces index (`PathResolver` has
        already taken its functions and classes)."""
        steps = facts.steps

        def localize(value: Value) -> Value:
            return tuple(
                Taint(t.label, tuple(steps[i] for i in t.trace), t.cleared, t.tags) for t in value
            )

        for label, source in facts.sources.items():
            self.sources[label] = SourceInfo(source.kind, source.text, steps[source.step])
        for call in facts.calls.values():
            call.receiver = localize(call.receiver) if call.receiver is not None else None
            for arg in call.args:
                arg.value = localize(arg.value)
                for element in arg.elements or ():
                    element.value = localize(element.value)
            self.calls[call.label] = call
            self._steps[call.label] = steps[call.step]
        for function in facts.functions.values():
            function.returns = localize(function.returns)
        for cls in facts.classes.values():
            cls.fields = {name: localize(value) for name, value in cls.fields.items()}
        facts.globals = {name: localize(value) for name, value in facts.globals.items()}
        for hit in facts.sink_hits:
            self._hits.append(
                _Hit(
                    hit.rule, hit.text, steps[hit.step], hit.function, localize(hit.value), hit.line
                )
            )
        for site in facts.llm_calls:
            self.inventory_entries.append(
                InventoryEntry(steps[site.step], site.text, site.provider, site.api, site.model)
            )

    def _tool_functions(self) -> dict[str, str]:
        """Functions whose arguments a model chooses: qualname -> the tool's name."""
        tools: dict[str, str] = {}
        for facts in self.modules.values():
            for tool in facts.tools:
                for function in self._functions_named(tool.functions):
                    tools[function.qualname] = function.qualname.rsplit(".", 1)[-1]
        bases = {entry.base: entry for entry in self.catalog.entries(ToolClass)}
        for cls in self.classes.values():
            for ancestor in self._ancestor_paths(cls.qualname):
                entry = bases.get(ancestor)
                if entry is None:
                    continue
                for method in entry.methods:
                    qualname = cls.methods.get(method)
                    if qualname in self.functions:
                        tools[qualname] = cls.qualname.rsplit(".", 1)[-1]
        return tools

    def is_llm_call(self, callees: Iterable[str]) -> bool:
        return bool(self._llm.match_any(self.resolve_paths(callees)))

    # -- values ---------------------------------------------------------------------

    def expand(self, value: Value, depth: int = 0) -> Value:
        """`value` with every C/G/F label replaced by what it stands for (S and P remain)."""
        expanded: list[Value] = []
        for taint in value:
            kind = taint.kind
            if kind in ("S", "P") or depth > MAX_DEPTH:
                expanded.append((taint,))
                continue
            trace = taint.trace
            if kind == "C":
                inner = self._call_result(taint.label, depth + 1)
                if taint.label in self._library_calls:
                    trace = trace[1:]  # "returned by 'text.strip'" says nothing new
            elif kind == "G":
                inner = self._global(taint.label[2:], depth + 1)
            else:
                inner = self._field(taint.label[2:], depth + 1)
            expanded.append(tuple(continued(t, taint, _join(t.trace, trace)) for t in inner))
        return union(*expanded)

    def _memoized(self, key: str, compute: Callable[[], Value]) -> Value:
        """`compute()` once per key; a key met again while being computed is a cycle: empty."""
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return EMPTY
        self._active.add(key)
        try:
            value = compute()
        finally:
            self._active.discard(key)
        self._memo[key] = value
        return value

    def _global(self, path: str, depth: int) -> Value:
        return self._memoized("G:" + path, lambda: self._compute_global(path, depth))

    def _compute_global(self, path: str, depth: int) -> Value:
        module = self._module_of(path)
        if module is None or path == module or depth > MAX_DEPTH:
            return EMPTY
        name = path[len(module) + 1 :]
        value = self.modules[module].globals.get(name)
        if value is not None:
            return _without_parameters(self.expand(value, depth))
        targets = [t for t in self.modules[module].exports.get(name, ()) if t != path]
        return union(*(self._global(t, depth + 1) for t in targets))

    def _field(self, key: str, depth: int) -> Value:
        return self._memoized("F:" + key, lambda: self._compute_field(key, depth))

    def _compute_field(self, key: str, depth: int) -> Value:
        class_path, _, attribute = key.rpartition(".")
        values = []
        for class_name in sorted(self.resolve_path(class_path)):
            cls = self.classes.get(class_name)
            for ancestor in self._ancestors(class_name) if cls is not None else ():
                if attribute in ancestor.fields:
                    values.append(
                        _without_parameters(self.expand(ancestor.fields[attribute], depth))
                    )
                    break
            getter = self._method(class_name, attribute) if cls is not None else None
            if getter is not None and getter.kind == "property":
                values.append(self._function_returns(getter, depth))
        return union(*values)

    def _call_result(self, label: str, depth: int) -> Value:
        if label not in self.calls:
            return EMPTY
        return self._memoized(label, lambda: self._evaluate_call(self.calls[label], depth))

    def _expanded_call(self, call: CallFact, depth: int) -> CallFact:
        known = self._expanded.get(call.label)
        if known is not None:
            return known
        args = [
            arg.with_value(
                self.expand(arg.value, depth),
                [e.with_value(self.expand(e.value, depth), e.elements) for e in arg.elements]
                if arg.elements is not None
                else None,
            )
            for arg in call.args
        ]
        receiver = self.expand(call.receiver, depth) if call.receiver is not None else None
        expanded = replace(call, args=args, receiver=receiver)
        if not self._active:
            self._expanded[call.label] = expanded  # complete only outside any cycle
        return expanded

    def _evaluate_call(self, call: CallFact, depth: int) -> Value:
        callees = self.resolve_paths(call.callees)
        where = self._steps[call.label]
        llm = self._llm.match_any(callees)
        if llm:
            entry = llm[0]
            source_step = replace(where, message=f"LLM output from '{call.text}'")
            model = None
            if entry.model is not None:
                arg = call.argument(entry.model.position, entry.model.keyword)
                model = arg.constant if arg is not None and isinstance(arg.constant, str) else None
            self.inventory_entries.append(
                InventoryEntry(source_step, call.text, entry.provider, entry.api, model)
            )
            self._prompt_hits(call, callees, where, depth)
            if not any(e.output for e in llm):
                return EMPTY
            source = "S:" + call.label
            self.sources[source] = SourceInfo("llm-output", call.text, source_step)
            return (Taint(source, (source_step,)),)
        expanded = self._expanded_call(call, depth)
        inputs = union(expanded.receiver or EMPTY, *(a.value for a in expanded.args))
        sanitizers = self._sanitizers.match_any(callees)
        if sanitizers:
            return sanitized(inputs, sanitizers)
        sinks = self._sinks.match_any(callees)
        if sinks:
            reach_step = replace(where, message=f"reaches '{call.text}'")
            for rule in sorted({s.rule for s in sinks}):
                value = union(*(sink_value(s, expanded) for s in sinks if s.rule == rule))
                if value:
                    self._hits.append(
                        _Hit(rule, call.text, reach_step, call.function, value, call.line)
                    )
            return inputs if any(sink.passes_through for sink in sinks) else EMPTY
        functions = self._callees(callees)
        if not functions:
            self._library_calls.add(call.label)
            return inputs  # library code: its result carries its inputs
        return union(*(self._returned(f, bound, expanded, depth) for f, bound in functions))

    def _prompt_hits(
        self, call: CallFact, callees: frozenset[str], where: FlowStep, depth: int
    ) -> None:
        """The prompt of an LLM call recognised only here (through another module's types)."""
        expanded = self._expanded_call(call, depth)
        step = replace(where, message=f"sent in the prompt of '{call.text}'")
        for entry in self._prompts.match_any(callees):
            for part in prompt_parts(entry, expanded):
                self._hits.append(
                    _Hit(PROMPT, call.text, step, call.function, part.value, call.line)
                )

    def _returned(self, function: FunctionFact, bound: bool, call: CallFact, depth: int) -> Value:
        returns = self._function_returns(function, depth)
        return self._substitute(returns, function, bound, call)

    def _function_returns(self, function: FunctionFact, depth: int) -> Value:
        return self._memoized(
            "R:" + function.qualname, lambda: self.expand(function.returns, depth)
        )

    def _argument_value(
        self, function: FunctionFact, bound: bool, call: CallFact, index: int
    ) -> Value:
        """The value `call` passes for parameter `index` of `function`."""
        if bound and index == 0:
            return call.receiver or EMPTY
        position = index - 1 if bound else index
        name = function.params[index] if index < len(function.params) else ""
        if name.startswith("**"):  # every keyword no other parameter takes
            taken = set(function.params)
            return union(*(a.value for a in call.args if a.keyword and a.keyword not in taken))
        if name.startswith("*"):  # every positional argument from here on
            positional = [a for a in call.args if a.keyword is None and a.star != "**"]
            return union(*(a.value for a in positional[position:]))
        arg = call.argument(position, name or None)
        if arg is not None:
            return arg.value
        return union(*(a.value for a in call.args if a.star))

    def _passed(
        self, function: FunctionFact, bound: bool, call: CallFact, index: int, taint: Taint
    ) -> Value:
        """The caller's value for parameter `index`, continued by the callee's `taint`."""
        argument = self._argument_value(function, bound, call, index)
        name = function.params[index] if index < len(function.params) else "?"
        call_step = self._steps[call.label]
        passed = FlowStep(call_step.location, f"passed to '{call.text}' as '{name}'")
        return tuple(continued(a, taint, (*a.trace, passed, *taint.trace)) for a in argument)

    def _substitute(
        self, value: Value, function: FunctionFact, bound: bool, call: CallFact
    ) -> Value:
        prefix = f"P:{function.qualname}:"
        parts: list[Value] = []
        for taint in value:
            if taint.label.startswith(prefix):
                index = int(taint.label[len(prefix) :])
                parts.append(self._passed(function, bound, call, index, taint))
            else:
                parts.append((taint,))
        return union(*parts)

    # -- findings -------------------------------------------------------------------

    def _callers_of(self, qualname: str) -> list[tuple[CallFact, bool]]:
        if self._callers is None:
            self._callers = {}
            for call in self.calls.values():
                for function, bound in self._callees(call.callees):
                    self._callers.setdefault(function.qualname, []).append((call, bound))
        return self._callers.get(qualname, [])

    def flow_hits(self, rules: Iterable[str]) -> list[FlowHit]:
        """Every source that reaches a sink of one of `rules`, in a deterministic order."""
        wanted = set(rules)
        for label in sorted(self.calls):
            self._call_result(label, 0)  # also records sinks reached through other modules
        found: dict[tuple[str, FlowStep, FlowStep], FlowHit] = {}
        if wanted & PROMPT_RULES:
            wanted.add(PROMPT)
        routes = RouteReach(self).hits() if ROUTE_RULE in wanted else []
        queue = deque(h for h in self._hits if h.rule in wanted)
        seen: set[tuple[str, FlowStep, str, str]] = set()
        while queue and len(seen) < MAX_DERIVED_HITS:
            hit = queue.popleft()
            value = self.expand(hit.value)
            for taint in value if hit.rule == PROMPT else reaching(value, hit.rule):
                key = (hit.rule, hit.step, hit.function, taint.label)
                if key in seen:
                    continue
                seen.add(key)
                if taint.kind == "S":
                    self._record(found, hit, taint, self.sources.get(taint.label), wanted)
                elif taint.kind == "P":
                    queue.extend(self._through_parameter(hit, taint))
        return sorted(
            [*self._one_per_sink(found.values()), *routes], key=lambda h: (h.sink.location, h.rule)
        )

    @staticmethod
    def _one_per_sink(hits: Iterable[FlowHit]) -> list[FlowHit]:
        """One hit per sink and rule: the shortest path, the other sources alongside."""
        grouped: dict[tuple[str, FlowStep], list[FlowHit]] = {}
        for hit in hits:
            grouped.setdefault((hit.rule, hit.sink), []).append(hit)
        chosen = []
        for group in grouped.values():
            group.sort(key=lambda h: (len(h.trace), h.source.step.location))
            others = {h.source for h in group[1:] if h.source != group[0].source}
            ordered = tuple(sorted(others, key=lambda source: source.step.location))
            chosen.append(replace(group[0], others=ordered))
        return sorted(chosen, key=lambda h: (h.sink.location, h.rule))

    def _record(
        self,
        found: dict[tuple[str, FlowStep, FlowStep], FlowHit],
        hit: _Hit,
        taint: Taint,
        source: SourceInfo | None,
        wanted: set[str],
    ) -> None:
        if source is None:
            return
        rule = hit.rule
        if rule == PROMPT:  # which prompt rule depends on the source and the placement
            chosen = prompt_rule(source.kind, taint.tags)
            if chosen is None or chosen not in wanted or is_cleared(taint, chosen):
                return
            rule = chosen
        elif source.kind not in RULE_SOURCES.get(rule, OUTPUT_RULE_SOURCES):
            return
        key = (rule, hit.step, source.step)
        trace = tuple(step for step in taint.trace if isinstance(step, FlowStep))
        if key not in found or len(trace) < len(found[key].trace):
            found[key] = FlowHit(rule, hit.text, hit.step, source, (*trace, hit.step), hit.line)

    def _through_parameter(self, hit: _Hit, taint: Taint) -> list[_Hit]:
        qualname, _, index_text = taint.label[2:].rpartition(":")
        function = self.functions.get(qualname)
        if function is None:
            return []
        index = int(index_text)
        derived = []
        if (
            qualname in self._tools
            and index < len(function.params)
            and index not in function.scalar_params
        ):
            name = function.params[index].lstrip("*")
            label = f"S:tool:{qualname}:{index}"
            first = taint.trace[0] if taint.trace else hit.step
            text = f"argument '{name}' of tool '{self._tools[qualname]}'"
            self.sources.setdefault(label, SourceInfo("tool-argument", text, first))
            derived.append(replace(hit, value=(replace(taint, label=label),)))
        for call, bound in self._callers_of(qualname):
            value = self._passed(function, bound, self._expanded_call(call, 0), index, taint)
            if value:
                derived.append(_Hit(hit.rule, hit.text, hit.step, call.function, value, hit.line))
        return derived

    def inventory(self) -> list[InventoryEntry]:
        for label in sorted(self.calls):
            self._call_result(label, 0)
        unique = {(e.step.location, e.text): e for e in self.inventory_entries}
        return [unique[key] for key in sorted(unique)]
