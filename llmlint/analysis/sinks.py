"""Whether a call is a sink, which of its values reach it, and what a sanitizer clears.

Shared by the per-module analysis and the project resolver: both describe a call as a
`CallFact` (argument taints plus what is statically known of each argument), so a
sink found through another module's types is judged exactly like a local one. The
tools' analysis (tool_reach.py) judges a call's conditions the same way, from its syntax.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol

from llmlint.analysis.facts import NOT_CONSTANT, ArgFact, CallFact
from llmlint.analysis.literals import same_constant
from llmlint.analysis.values import EMPTY, Value, clear, reaching, union
from llmlint.catalog.schema import ArgRef, Sanitizer, Sink

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


def command_operands(program: str | None, constants: Sequence[object]) -> Sequence[int]:
    """Which items of an argv choose the code that runs, given the program's name (None
    when it is not a constant) and each item's constant value (anything but a `str` when
    it has none): the program itself, the command a wrapper or remote shell runs, or the
    script or code given to an interpreter. Empty for a fixed program: its arguments are
    data."""
    if program is None:
        return (0,)
    subcommand = REMOTE_SHELLS.get(program)
    runs_remotely = subcommand == "" or (
        subcommand is not None and any(c == subcommand for c in constants[1:3])
    )
    if program in WRAPPERS or runs_remotely:
        # Options and their values are constants; a tainted operand is the command.
        return range(1, len(constants))
    flag = INTERPRETERS.get(program)
    if flag is None:
        return ()
    for index, option in enumerate(constants[1:], start=1):
        if not isinstance(option, str) or not option.startswith(("-", "/")):
            return (index,)  # the script to run
        if option.lower() == flag or (flag.isalpha() and flag in option.lstrip("-")):
            return range(index + 1, len(constants))
    return ()


def _command_value(elements: list[ArgFact]) -> Value:
    """What chooses the code that runs in an argv list: the program, or what it runs."""
    if not elements:
        return EMPTY
    chosen = command_operands(_program_name(elements[0]), [e.constant for e in elements])
    return union(*(elements[index].value for index in chosen))


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


class KnownArgument(Protocol):
    """What is known of an argument without running it: an `ArgFact`, or tool_reach's
    view of a CallSite's argument."""

    @property
    def constant(self) -> Any: ...  # NOT_CONSTANT, or UNKNOWN (equal to no constant)

    @property
    def choices(self) -> tuple[Any, ...]: ...  # the constants of `a if c else b`

    @property
    def paths(self) -> Collection[str]: ...


def _possible(arg: KnownArgument) -> tuple[object, ...]:
    """The constants an argument may be: one, both sides of `a if c else b`, or none."""
    if arg.choices:
        return arg.choices
    return () if arg.constant is NOT_CONSTANT else (arg.constant,)


def conditions_hold(sink: Sink, argument: Callable[[ArgRef], KnownArgument | None]) -> bool:
    """Whether a call is this sink: its conditions (`when`, write mode, safe values) hold,
    given what is known of the argument it passes at each ArgRef (None: not passed)."""
    for keyword, expected in sink.when.items():
        arg = argument(ArgRef(keyword=keyword))
        if arg is None or not any(same_constant(c, expected) for c in _possible(arg)):
            return False
    if sink.write_mode is not None:
        mode = argument(sink.write_mode)
        modes = ("r",) if mode is None else _possible(mode)
        if not any(isinstance(m, str) and set(m) & _WRITE_MODES for m in modes):
            return False
    if sink.safe is not None:
        arg = argument(sink.safe)
        if arg is not None and (
            str(arg.constant) in sink.safe_values or set(arg.paths) & set(sink.safe_values)
        ):
            return False
    return True


def applies(sink: Sink, call: CallFact) -> bool:
    """Whether `call` is this sink: its conditions (`when`, write mode, safe values) hold."""
    return conditions_hold(sink, lambda ref: _argument(call, ref))


def sanitized(value: Value, sanitizers: Sequence[Sanitizer]) -> Value:
    """`value` after a call that is all these sanitizers (catalog entries matching it)."""
    rules = {rule for s in sanitizers for rule in s.rules}
    return clear(value, rules, {rule for s in sanitizers for rule in s.keeps})


def sink_value(sink: Sink, call: CallFact) -> Value:
    """The taints that reach `sink` at `call` (empty when the call is not this sink)."""
    if not applies(sink, call):
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
