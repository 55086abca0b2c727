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

# Programs that run a command line or a program given as an argument, with the flag that
# introduces it ("" when the first operand is the command).
INTERPRETERS = {
    **{shell: "c" for shell in ("sh", "bash", "zsh", "dash", "ksh", "fish", "ash")},
    **{python: "c" for python in ("python", "python2", "python3", "pypy", "pypy3")},
    "node": "e", "perl": "e", "ruby": "e", "php": "r", "pwsh": "c", "powershell": "c",
    "cmd": "/c", "cmd.exe": "/c",
}  # fmt: skip
# Programs that run the rest of their arguments as another command (after some options).
WRAPPERS = frozenset(
    {"sudo", "doas", "env", "nice", "nohup", "timeout", "stdbuf", "time", "xargs", "exec",
     "chroot", "setsid", "ionice", "taskset", "watch", "flock"}
)  # fmt: skip
# Programs that run their remaining arguments as a command on another machine or in a
# container, given this subcommand ("" for none): `ssh host cmd`, `docker exec box cmd`.
REMOTE_SHELLS = {
    "ssh": "", "docker": "exec", "podman": "exec", "kubectl": "exec", "oc": "exec",
    "lxc": "exec", "vagrant": "ssh",
}  # fmt: skip
PYTHON_PATHS = frozenset({"sys.executable"})
_WRITE_MODES = frozenset("wax+")


def _program_name(element: ArgFact) -> str | None:
    if set(element.paths) & PYTHON_PATHS:
        return "python"
    constant = element.constant
    if not isinstance(constant, str):
        return None
    return constant.rsplit("/", 1)[-1]


def _command_value(elements: list[ArgFact]) -> Value:
    """What chooses the code that runs in an argv list: the program, or what it runs."""
    if not elements:
        return EMPTY
    name = _program_name(elements[0])
    if name is None:
        return elements[0].value
    subcommand = REMOTE_SHELLS.get(name)
    runs_remotely = subcommand == "" or (
        subcommand is not None and any(e.constant == subcommand for e in elements[1:3])
    )
    if name in WRAPPERS or runs_remotely:
        # Options and their values are constants; a tainted operand is the command.
        return union(*(e.value for e in elements[1:]))
    flag = INTERPRETERS.get(name)
    if flag is None:
        return EMPTY  # a fixed program: its arguments are data
    for index, element in enumerate(elements[1:], start=1):
        option = element.constant
        if not isinstance(option, str) or not option.startswith(("-", "/")):
            return element.value  # the script to run
        if option.lower() == flag or (flag.isalpha() and flag in option.lstrip("-")):
            return union(*(e.value for e in elements[index + 1 :]))
    return EMPTY


def _argument(call: CallFact, ref: ArgRef) -> ArgFact | None:
    arg = call.argument(ref.position, ref.keyword)
    if arg is None or ref.key is None:
        return arg
    return None  # values nested in dict literals are not tracked per key


def _program(arg: ArgFact) -> Value:
    """The part of a command that chooses what runs: its program, or the code it runs."""
    if arg.elements is None:
        return arg.value
    return _command_value(arg.elements)


def _possible(arg: ArgFact) -> tuple[object, ...]:
    """The constants an argument may be: one, both sides of `a if c else b`, or none."""
    if arg.choices:
        return arg.choices
    return () if arg.constant is NOT_CONSTANT else (arg.constant,)


def applies(sink: Sink, call: CallFact) -> bool:
    """Whether `call` is this sink: its conditions (`when`, safe values, write mode) hold."""
    return _applies(sink, call)


def _applies(sink: Sink, call: CallFact) -> bool:
    for keyword, expected in sink.when.items():
        arg = call.argument(None, keyword)
        if arg is None or not any(same_constant(c, expected) for c in _possible(arg)):
            return False
    if sink.safe is not None:
        arg = _argument(call, sink.safe)
        if arg is not None and (
            str(arg.constant) in sink.safe_values or set(arg.paths) & set(sink.safe_values)
        ):
            return False
    if sink.write_mode is not None:
        mode = _argument(call, sink.write_mode)
        modes = ("r",) if mode is None else _possible(mode)
        if not any(isinstance(m, str) and set(m) & _WRITE_MODES for m in modes):
            return False
    return True


def sink_value(sink: Sink, call: CallFact) -> Value:
    """The taints that reach `sink` at `call` (empty when the call is not this sink)."""
    if not _applies(sink, call):
        return EMPTY
    values: list[Value] = []
    if sink.receiver_is_value and call.receiver is not None:
        values.append(call.receiver)
    # With shell=True a list runs its first item; the others are the shell's $0, $1...
    shell_list = sink.when.get("shell") is True
    for ref in sink.args:
        arg = _argument(call, ref)
        if arg is None:
            continue
        if sink.program:
            values.append(_program(arg))
        elif shell_list and arg.elements:
            values.append(arg.elements[0].value)
        else:
            values.append(arg.value)
    return reaching(union(*values), sink.rule)


def method_sinks(sinks: Iterable[Sink], method: str, receiver_text: str) -> list[Sink]:
    """Sinks named by method and receiver name, for objects of unknown type."""
    name = receiver_text.rsplit(".", 1)[-1]
    return [s for s in sinks if s.method == method and re.search(s.receiver, name)]
