"""Whether a call is a sink, and which of its values reach it.

Shared by the per-module analysis and the project resolver: both describe a call as a
`CallFact` (argument taints plus what is statically known of each argument), so a
sink found through another module's types is judged exactly like a local one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from llmlint.analysis.facts import NOT_CONSTANT, ArgFact, CallFact
from llmlint.analysis.literals import same_constant
from llmlint.analysis.values import EMPTY, Value, reaching, union
from llmlint.catalog.schema import ArgRef, Sink

# Interpreters that run their `-c` argument as a command line or a program.
SHELLS = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "fish", "cmd", "cmd.exe", "powershell", "pwsh",
     "/bin/sh", "/bin/bash", "/usr/bin/env", "python", "python3", "node", "perl", "ruby"}
)  # fmt: skip
_WRITE_MODES = frozenset("wax+")


def _argument(call: CallFact, ref: ArgRef) -> ArgFact | None:
    arg = call.argument(ref.position, ref.keyword)
    if arg is None or ref.key is None:
        return arg
    return None  # values nested in dict literals are not tracked per key


def _program(arg: ArgFact) -> Value:
    """The part of a command that chooses what runs: its program, or a shell's `-c` text."""
    elements = arg.elements
    if elements is None:
        return arg.value
    if not elements:
        return EMPTY
    first = elements[0].constant
    if isinstance(first, str) and first.rsplit("/", 1)[-1] in SHELLS and len(elements) > 2:
        flags = [e.constant for e in elements[1:-1]]
        if "-c" in flags or "/c" in flags or "-Command" in flags:
            return union(*(e.value for e in elements[1:]))
    return elements[0].value


def _applies(sink: Sink, call: CallFact) -> bool:
    for keyword, expected in sink.when.items():
        arg = call.argument(None, keyword)
        if arg is None or not same_constant(arg.constant, expected):
            return False
    if sink.safe is not None:
        arg = _argument(call, sink.safe)
        if arg is not None and (
            str(arg.constant) in sink.safe_values or set(arg.paths) & set(sink.safe_values)
        ):
            return False
    if sink.write_mode is not None:
        mode = _argument(call, sink.write_mode)
        constant = "r" if mode is None else mode.constant
        if constant is NOT_CONSTANT or not isinstance(constant, str):
            return False
        if not set(constant) & _WRITE_MODES:
            return False
    return True


def sink_value(sink: Sink, call: CallFact) -> Value:
    """The taints that reach `sink` at `call` (empty when the call is not this sink)."""
    if not _applies(sink, call):
        return EMPTY
    values: list[Value] = []
    if sink.receiver_is_value and call.receiver is not None:
        values.append(call.receiver)
    for ref in sink.args:
        arg = _argument(call, ref)
        if arg is not None:
            values.append(_program(arg) if sink.program else arg.value)
    return reaching(union(*values), sink.rule)


def method_sinks(sinks: Iterable[Sink], method: str, receiver_text: str) -> list[Sink]:
    """Sinks named by method and receiver name, for objects of unknown type."""
    name = receiver_text.rsplit(".", 1)[-1]
    return [s for s in sinks if s.method == method and re.search(s.receiver, name)]
