"""What the analysis of one module tells the project-wide resolver.

A worker turns a parsed module into `ModuleFacts`: plain data that depends on that file
alone (never on other files), so it is cached with the file's results and combined with
the other modules' facts by `llmlint.analysis.project` on every run. Steps of traces are
indexes into `ModuleFacts.steps`, which hold resolved source locations.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from llmlint.analysis.values import Value, from_json, to_json
from llmlint.finding import FlowStep, Location


class _NotConstant:
    """The value of an argument that is not a constant (a singleton, picklable)."""

    def __repr__(self) -> str:
        return "NOT_CONSTANT"

    def __reduce__(self) -> str:
        return "NOT_CONSTANT"


NOT_CONSTANT: Any = _NotConstant()


@dataclass
class ArgFact:
    """One argument of a call: its taint, and what is known of it statically."""

    value: Value
    keyword: str | None = None
    star: str = ""
    constant: Any = NOT_CONSTANT
    elements: list[ArgFact] | None = None  # the items of a list or tuple literal
    paths: tuple[str, ...] = ()
    choices: tuple[Any, ...] = ()  # the constants of `a if c else b`

    def with_value(self, value: Value, elements: list[ArgFact] | None) -> ArgFact:
        """This argument carrying `value` and `elements`: what the resolver makes of it.
        Written out rather than `dataclasses.replace`, which costs several times more."""
        return ArgFact(
            value, self.keyword, self.star, self.constant, elements, self.paths, self.choices
        )


@dataclass
class CallFact:
    """A call whose meaning depends on other modules (or on the resolver's catalog view)."""

    label: str
    callees: tuple[str, ...]
    text: str
    step: int
    function: str
    args: list[ArgFact] = field(default_factory=list)
    receiver: Value | None = None
    line: str = ""  # the source line of the call, for code frames

    def argument(self, position: int | None, keyword: str | None) -> ArgFact | None:
        if keyword is not None:
            for arg in self.args:
                if arg.keyword == keyword:
                    return arg
        if position is None:
            return None
        index = 0
        for arg in self.args:
            if arg.keyword is not None or arg.star == "**":
                continue
            if arg.star == "*":
                return None
            if index == position:
                return arg
            index += 1
        return None


@dataclass
class SourceFact:
    label: str
    kind: str  # "llm-output" | "tool-argument"
    text: str  # the LLM call as written, or the tool parameter
    step: int


@dataclass
class SinkHitFact:
    rule: str
    text: str  # the sink as written
    step: int
    function: str
    value: Value
    line: str = ""


@dataclass
class FunctionFact:
    qualname: str
    params: tuple[str, ...]
    kind: str  # "function" | "method" | "classmethod" | "staticmethod"
    returns: Value
    return_paths: tuple[str, ...]
    step: int
    scalar_params: tuple[int, ...] = ()  # annotated int/float/bool/Literal
    abstract: bool = False  # a body that only raises NotImplementedError, `pass` or `...`
    line: str = ""  # the source line of its `def`, for code frames


@dataclass
class ClassFact:
    qualname: str
    bases: tuple[str, ...]
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Value] = field(default_factory=dict)


@dataclass
class ToolFact:
    functions: tuple[str, ...]  # paths of the registered function
    framework: str
    step: int


@dataclass
class LLMCallFact:
    """An LLM call site, for `llmlint inventory`."""

    step: int
    text: str
    provider: str
    api: str
    model: str | None
    function: str = ""  # the function it is in (LLM201: which routes reach a model)


@dataclass
class ProjectCallFact:
    """A call of the project's own code, for the call graph (which routes reach a model)."""

    function: str
    callees: tuple[str, ...]
    text: str
    step: int


@dataclass
class RouteFact:
    """A web route handler, or a view class whose HTTP-method handlers are routes."""

    target: tuple[str, ...]  # the handler's qualname, or the paths a registration names
    framework: str
    step: int  # the handler's `def`, or the registration call
    limited: bool = False  # by its own decorators, dependencies or class attributes
    exempt: bool = False  # taken out of app-wide limits
    owners: tuple[str, ...] = ()  # the app, router or blueprint it is registered on
    registered: bool = False  # wired by a call (`path(...)`) rather than a decorator
    # Decorators from the project's own modules, resolved by the project resolver:
    # `@app.post` on an imported app, `@limiter.limit` from an `extensions` module.
    decorators: tuple[tuple[str, ...], ...] = ()


@dataclass
class ModuleFacts:
    module: str
    path: str
    steps: list[FlowStep] = field(default_factory=list)
    sources: dict[str, SourceFact] = field(default_factory=dict)
    calls: dict[str, CallFact] = field(default_factory=dict)
    sink_hits: list[SinkHitFact] = field(default_factory=list)
    functions: dict[str, FunctionFact] = field(default_factory=dict)
    classes: dict[str, ClassFact] = field(default_factory=dict)
    globals: dict[str, Value] = field(default_factory=dict)
    exports: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tools: list[ToolFact] = field(default_factory=list)
    llm_calls: list[LLMCallFact] = field(default_factory=list)
    star_imports: list[str] = field(default_factory=list)
    routes: list[RouteFact] = field(default_factory=list)
    project_calls: list[ProjectCallFact] = field(default_factory=list)
    # Rate limits beyond one route: apps, routers and blueprints by path, and frameworks
    # limited project-wide (`Limiter(default_limits=...)`, DRF default throttles).
    limited_owners: list[str] = field(default_factory=list)
    limited_frameworks: list[str] = field(default_factory=list)
    inclusions: list[tuple[str, str]] = field(default_factory=list)  # (app, its router)

    def to_json(self) -> Any:
        encode = _ENCODERS.get(ModuleFacts) or _dataclass_encoder(ModuleFacts, skip="steps")
        data: dict[str, Any] = encode(self)
        data["steps"] = self._steps_json()
        return data

    @classmethod
    def from_json(cls, data: Any) -> ModuleFacts:
        facts: ModuleFacts = _decode(cls, {**data, "steps": []})
        path = data["path"]
        facts.steps = [
            FlowStep(Location(path, *step[:4]), step[4])
            if isinstance(step, list)
            else FlowStep.from_dict(step)
            for step in data["steps"]
        ]
        return facts

    def _steps_json(self) -> list[Any]:
        """The steps are most of the facts, and all of them are in this module (a step
        elsewhere, which there never is, would keep its path): [line, column, end_line,
        end_column, message]."""
        return [
            [loc.line, loc.column, loc.end_line, loc.end_column, step.message]
            if (loc := step.location).path == self.path
            else step.to_dict()
            for step in self.steps
        ]


def _encode(obj: Any) -> Any:
    """Any value as JSON: what a field typed `Any` holds (a constant, or NOT_CONSTANT)."""
    if obj is NOT_CONSTANT:
        return {"$": "not-constant"}
    if isinstance(obj, (list, tuple)):
        return [_encode(value) for value in obj]
    return obj


Encoder = Callable[[Any], Any]
# One encoder per type hint, like the decoders below: workers encode the facts of every
# file they analyse, and inspecting each value's type costs more than the encoding.
_ENCODERS: dict[Any, Encoder] = {}


def _codec(table: dict[Any, Callable[[Any], Any]], hint: Any, build: Callable[[Any], Any]) -> Any:
    """The encoder or decoder of `hint` in `table`, built on first use. A dataclass's
    builder enters it in the table before building its fields' (ArgFact holds ArgFacts)."""
    known = table.get(hint)
    if known is None:
        known = table[hint] = build(hint)
    return known


def _encoder(hint: Any) -> Encoder:
    encoder: Encoder = _codec(_ENCODERS, hint, _build_encoder)
    return encoder


def _build_encoder(hint: Any) -> Encoder:
    if hint == Value:  # a non-empty value as {"$": "value"}, an empty one as []
        return lambda value: {"$": "value", "v": to_json(value)} if value else []
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_encoder(hint)
    if hint in (str, int, bool):
        return _same
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        option = _encoder(next(a for a in args if a is not type(None)))
        return lambda value: None if value is None else option(value)
    if origin in (tuple, list) and args[0] is not Any:
        element = _encoder(args[0])
        if element is _same:
            return list
        return lambda value: [element(item) for item in value]
    if origin is dict:
        item = _encoder(args[1])
        return lambda value: {key: item(entry) for key, entry in value.items()}
    return _encode


def _dataclass_encoder(cls: type, skip: str = "") -> Encoder:
    """The encoder of a dataclass; the field `skip` is left to the caller.

    Facts inside a module are lists of their fields' values in field order: with names,
    repeated for every call and argument, the JSON was twice as large. ModuleFacts, one
    per file, keeps its names.
    """
    fields: list[tuple[str, Encoder]] = []

    def encode(obj: Any) -> list[Any]:
        return [field_encoder(getattr(obj, name)) for name, field_encoder in fields]

    def encode_keyed(obj: Any) -> dict[str, Any]:
        return {name: field_encoder(getattr(obj, name)) for name, field_encoder in fields}

    chosen = encode_keyed if cls is ModuleFacts else encode
    _ENCODERS[cls] = chosen  # before its fields' encoders: ArgFact holds ArgFacts
    hints = typing.get_type_hints(cls)
    fields.extend(
        (f.name, _encoder(hints[f.name])) for f in dataclasses.fields(cls) if f.name != skip
    )
    return chosen


Decoder = Callable[[Any], Any]
# One decoder per type hint, built from the dataclasses' type hints once: decoding the
# facts of a large project reads millions of values, too many to inspect hints for each.
_DECODERS: dict[Any, Decoder] = {}


def _decode(hint: Any, data: Any) -> Any:
    return _decoder(hint)(data)


def _decoder(hint: Any) -> Decoder:
    decoder: Decoder = _codec(_DECODERS, hint, _build_decoder)
    return decoder


def _build_decoder(hint: Any) -> Decoder:
    if hint == Value:  # a non-empty value is encoded as {"$": "value"}, an empty one as []
        return lambda data: from_json(data["v"]) if isinstance(data, dict) else ()
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if hint in (str, int, bool):
        return _same
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        option = _decoder(next(a for a in args if a is not type(None)))
        return lambda data: None if data is None else option(data)
    if origin is tuple:  # of strings, or of constants that are stored as they are
        return tuple
    if origin is dict:
        item = _decoder(args[1])
        if item is _same:
            return dict
        return lambda data: {key: item(value) for key, value in data.items()}
    if origin is list:
        element = _decoder(args[0])
        if element is _same:
            return list
        if element is tuple:
            return lambda data: [tuple(value) for value in data]
        return lambda data: [element(value) for value in data]
    return _marked  # Any: a constant, or NOT_CONSTANT


def _dataclass_decoder(cls: type) -> Decoder:
    """The decoder of what `_dataclass_encoder` wrote."""
    fields: dict[str, Decoder] = {}
    in_order: list[Decoder] = []

    def decode(data: list[Any]) -> Any:
        return cls(*[decoder(item) for decoder, item in zip(in_order, data, strict=True)])

    def decode_keyed(data: dict[str, Any]) -> Any:
        return cls(**{name: fields[name](item) for name, item in data.items()})

    chosen = decode_keyed if cls is ModuleFacts else decode
    _DECODERS[cls] = chosen  # before its fields' decoders: ArgFact holds ArgFacts
    hints = typing.get_type_hints(cls)
    fields.update((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls))
    in_order.extend(fields.values())
    return chosen


def _same(data: Any) -> Any:
    return data


def _marked(data: Any) -> Any:
    if isinstance(data, dict) and data.get("$") == "not-constant":
        return NOT_CONSTANT
    return data
