"""Helpers that the per-module analysis, the tool analysis and the resolver share."""

from __future__ import annotations

import libcst as cst

from llmlint.analysis.facts import NOT_CONSTANT, ArgFact, CallFact
from llmlint.analysis.module import string_key
from llmlint.analysis.sinks import applies, conditions_hold, sanitized
from llmlint.analysis.values import Taint, is_cleared
from llmlint.catalog.schema import ArgRef, Sanitizer, Sink
from tests.test_analysis import model_of

OPEN = Sink("LLM007", call="builtins.open", args=(ArgRef(0, "file"),), write_mode=ArgRef(1, "mode"))
TORCH_LOAD = Sink(
    "LLM005", call="torch.load", safe=ArgRef(keyword="weights_only"), safe_values=("True",)
)
SHELL = Sink("LLM002", call="subprocess.run", args=(ArgRef(0, "args"),), when={"shell": True})


def keys(code: str, *, concatenated: bool = True) -> list[str | None]:
    mapping = cst.parse_expression(code)
    assert isinstance(mapping, cst.Dict)
    return [
        string_key(e, concatenated=concatenated)
        for e in mapping.elements
        if isinstance(e, cst.DictElement)
    ]


def test_string_key_reads_constant_string_keys() -> None:
    code = '{"a": 1, "b" "c": 2, b"d": 3, f"{x}": 4, x: 5}'
    assert keys(code) == ["a", "bc", None, None, None]
    assert keys(code, concatenated=False) == ["a", None, None, None, None]


def test_call_site_lookups_ignore_concatenated_keys() -> None:
    model = model_of(
        """
        f(**{"max_" "tokens": 1, "timeout": 2}, options={"a" "b": 3, "c": 4})
        """
    )
    (call,) = model.calls
    assert call.keyword("max_tokens") is None
    assert call.keyword("timeout") is not None
    assert call.argument(ArgRef(keyword="options", key="ab")) is None
    assert call.argument(ArgRef(keyword="options", key="c")) is not None


def call(*args: ArgFact) -> CallFact:
    return CallFact("C:1", ("f",), "f", 0, "m", list(args))


def test_conditions_hold_for_when_write_mode_and_safe_values() -> None:
    path = ArgFact(())
    assert not applies(OPEN, call(path))  # read by default
    assert applies(OPEN, call(path, ArgFact((), constant="a")))
    assert applies(OPEN, call(path, ArgFact((), constant=NOT_CONSTANT, choices=("r", "w"))))
    assert not applies(OPEN, call(path, ArgFact((), keyword="mode", constant="rb")))
    assert applies(SHELL, call(path, ArgFact((), keyword="shell", constant=True)))
    assert not applies(SHELL, call(path, ArgFact((), keyword="shell", constant=1)))
    assert not applies(SHELL, call(path))
    assert not applies(TORCH_LOAD, call(path, ArgFact((), keyword="weights_only", constant=True)))
    # Only a certain constant is safe: one side of `a if c else b` is not enough.
    either = ArgFact((), keyword="weights_only", constant=NOT_CONSTANT, choices=(True,))
    assert applies(TORCH_LOAD, call(path, either))


def test_conditions_hold_asks_only_for_the_arguments_it_needs() -> None:
    asked: list[ArgRef] = []

    def argument(ref: ArgRef) -> ArgFact | None:
        asked.append(ref)
        return None

    assert not conditions_hold(SHELL, argument)
    assert asked == [ArgRef(keyword="shell")]


def test_sanitized_clears_the_rules_of_every_matching_entry() -> None:
    value = (Taint("S:1"),)
    (quoted,) = sanitized(value, [Sanitizer("shlex.quote", rules=("LLM002",))])
    assert is_cleared(quoted, "LLM002") and not is_cleared(quoted, "LLM001")
    (bounded,) = sanitized(
        value,
        [Sanitizer("builtins.int", keeps=("LLM203",)), Sanitizer("x", rules=("LLM001",))],
    )
    assert is_cleared(bounded, "LLM001") and not is_cleared(bounded, "LLM203")
    assert sanitized(value, [Sanitizer("builtins.len")]) == ()
