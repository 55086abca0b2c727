"""Taint values: which origins a runtime value may carry, and how it got there.

A value is a small set of `Taint`s. Each names an origin by a *label* and carries a
*trace* (the steps from that origin to here) and the rules it has been *cleared* for by
a sanitizer (`shlex.quote` clears LLM002; `int()` clears everything and so drops the
taint). Labels are strings, so that facts serialize to JSON as they are:

    S:<id>              a source: LLM output, or an argument a model chose for a tool
    P:<function>:<n>    the n-th parameter of a function (resolved at its call sites)
    C:<module>:<n>      the result of a call the module could not resolve on its own
    F:<class>.<attr>    an attribute of instances of a project class
    G:<module>.<name>   a global variable of another module of the project

Values stay small on purpose: at most MAX_TAINTS taints, traces of at most MAX_TRACE
steps (the first and the last ones), so pathological code cannot make them explode.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_TAINTS = 12
MAX_TRACE = 14
ALL_RULES = "*"


@dataclass(frozen=True, order=True)
class Taint:
    """One origin of a value. `tags` record how it got here where rules care: `spliced`
    (built into a string together with fixed text), `role:system` (placed in a system
    message). They only accumulate, like `cleared`.

    Taints are built by calling the class with all four fields, not with
    `dataclasses.replace`: the resolver makes hundreds of thousands of them, and
    `replace` costs several times a plain construction."""

    label: str
    trace: tuple[Any, ...] = ()
    cleared: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()

    @property
    def kind(self) -> str:
        return self.label[:1]


Value = tuple[Taint, ...]
EMPTY: Value = ()


def _short(trace: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(trace) <= MAX_TRACE:
        return trace
    head = MAX_TRACE // 3
    return trace[:head] + trace[len(trace) - (MAX_TRACE - head) :]


def union(*values: Iterable[Taint]) -> Value:
    """All taints of `values`; per (label, cleared) the shortest trace wins."""
    best: dict[tuple[str, frozenset[str]], Taint] = {}
    for value in values:
        for taint in value:
            key = (taint.label, taint.cleared)
            known = best.get(key)
            if known is None:
                best[key] = taint
                continue
            # The shortest trace, and every tag any path had (a value may be spliced).
            shorter = taint if len(taint.trace) < len(known.trace) else known
            tags = known.tags | taint.tags
            if shorter.tags != tags:
                shorter = Taint(shorter.label, shorter.trace, shorter.cleared, tags)
            best[key] = shorter
    # Sources first: when a value must be truncated, the origins that findings name stay.
    merged = sorted(
        best.values(),
        key=lambda t: (t.kind != "S", t.kind != "P", t.label, sorted(t.cleared), len(t.trace)),
    )
    return tuple(merged[:MAX_TAINTS])


def step(value: Value, where: Any) -> Value:
    """The value after passing through one more step of its trace."""
    return tuple(Taint(t.label, _short((*t.trace, where)), t.cleared, t.tags) for t in value)


def prepend(trace: tuple[Any, ...], value: Value) -> Value:
    """`value` as seen after `trace` (the steps that led to where it was produced)."""
    return tuple(Taint(t.label, _short((*trace, *t.trace)), t.cleared, t.tags) for t in value)


def clear(value: Value, rules: Iterable[str], keeps: Iterable[str] = ()) -> Value:
    """The value after a sanitizer for `rules`; a sanitizer for every rule drops it,
    unless it `keeps` some rules (`int()` bounds no token count): those stay open."""
    rules, kept = frozenset(rules), frozenset(keeps)
    if ALL_RULES in rules and not kept:
        return EMPTY
    if ALL_RULES in rules:
        rules = rules | {f"!{rule}" for rule in kept}
    return union(Taint(t.label, t.trace, t.cleared | rules, t.tags) for t in value)


def is_cleared(taint: Taint, rule: str) -> bool:
    """Whether a sanitizer on the way has made `taint` safe for sinks of `rule`."""
    if rule in taint.cleared:
        return True
    return ALL_RULES in taint.cleared and f"!{rule}" not in taint.cleared


def tag(value: Value, *tags: str) -> Value:
    """The value with `tags` added to each of its taints."""
    added = frozenset(tags)
    return tuple(Taint(t.label, t.trace, t.cleared, t.tags | added) for t in value)


def continued(origin: Taint, later: Taint, trace: tuple[Any, ...]) -> Taint:
    """`origin`, continued along `later` (a symbolic label's taint it stands for)."""
    return Taint(
        origin.label, _short(trace), origin.cleared | later.cleared, origin.tags | later.tags
    )


def reaching(value: Value, rule: str) -> Value:
    """The taints of `value` that a sink of `rule` must care about."""
    return tuple(t for t in value if not is_cleared(t, rule))


def to_json(value: Value) -> list[list[Any]]:
    return [[t.label, list(t.trace), sorted(t.cleared), sorted(t.tags)] for t in value]


def from_json(data: list[list[Any]]) -> Value:
    return tuple(
        Taint(item[0], tuple(item[1]), frozenset(item[2]), frozenset(item[3])) for item in data
    )
