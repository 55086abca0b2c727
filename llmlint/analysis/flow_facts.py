"""Finishing a module's facts once the flow interpreter has run every function.

What `FlowAnalyzer` (`llmlint.analysis.flow`) adds at the end: the names the module
exports and a summary of each class, only the open calls the project resolver can need,
and, once positions are computed, a location and source line for every step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import libcst as cst

from llmlint.analysis.facts import ClassFact, ModuleFacts
from llmlint.analysis.module import ModuleModel
from llmlint.analysis.positions import Span
from llmlint.analysis.scope import BindingKind, ScopeKind
from llmlint.analysis.values import EMPTY, Value
from llmlint.finding import FlowStep, Location


def describe_module(
    model: ModuleModel, fields: Mapping[str, Mapping[str, Value]], facts: ModuleFacts
) -> None:
    """Record the module's exports and its classes (bases, methods, attributes, and the
    `fields` the interpreter saw stored on their instances)."""
    for name, bindings in model.scope.bindings.items():
        paths: set[str] = set()
        for binding in bindings:
            paths.update(model.binding_paths(binding))
        if paths:
            facts.exports[name] = tuple(sorted(paths))
    for scope in model.scopes:
        if scope.kind is not ScopeKind.CLASS or not isinstance(scope.node, cst.ClassDef):
            continue
        parent = scope.parent or scope
        bases = {p for base in scope.node.bases for p in model.paths(base.value, parent)}
        fact = ClassFact(scope.qualname, tuple(sorted(bases)))
        names = set(scope.bindings) | set(scope.instance_attributes)
        for name in sorted(names):
            for binding in scope.bindings.get(name, []):
                if binding.kind is BindingKind.DEFINITION and binding.target:
                    fact.methods[name] = binding.target
            attribute_paths = model.member_paths(scope.qualname + "()", name)
            if attribute_paths:
                fact.attributes[name] = tuple(sorted(attribute_paths))
        fact.fields = {k: v for k, v in fields.get(scope.qualname, {}).items() if v}
        facts.classes[scope.qualname] = fact


def prune_calls(facts: ModuleFacts) -> None:
    """Keep only the calls whose results can matter to the project resolver."""
    roots: list[Value] = [hit.value for hit in facts.sink_hits]
    roots += [f.returns for f in facts.functions.values()]
    roots += list(facts.globals.values())
    roots += [v for c in facts.classes.values() for v in c.fields.values()]
    wanted: set[str] = set()
    queue = [t.label for value in roots for t in value if t.label.startswith("C:")]
    # Calls that pass a tainted value may reach a sink in the function they call.
    queue += [
        label
        for label, call in facts.calls.items()
        if call.receiver or any(arg.value for arg in call.args)
    ]
    while queue:
        label = queue.pop()
        if label in wanted or label not in facts.calls:
            continue
        wanted.add(label)
        call = facts.calls[label]
        for value in [call.receiver or EMPTY, *(a.value for a in call.args)]:
            queue += [t.label for t in value if t.label.startswith("C:")]
    facts.calls = {label: call for label, call in facts.calls.items() if label in wanted}


def locate_steps(
    facts: ModuleFacts,
    steps: Sequence[tuple[cst.CSTNode, str]],
    spans: Mapping[cst.CSTNode, Span],
    line_of: Callable[[int], str],
) -> None:
    """Give every recorded step its location (from `spans`), and the facts that point at a
    step the text of its line."""
    for node, message in steps:
        span = spans.get(node)
        location = (
            Location(facts.path, span.line, span.column + 1, span.end_line, span.end_column + 1)
            if span
            else Location(facts.path, 1, 1, 1, 1)
        )
        facts.steps.append(FlowStep(location, message))
    for hit in facts.sink_hits:
        hit.line = line_of(facts.steps[hit.step].location.line)
    for call in facts.calls.values():
        call.line = line_of(facts.steps[call.step].location.line)
    for function in facts.functions.values():
        function.line = line_of(facts.steps[function.step].location.line)
