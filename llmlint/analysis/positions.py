"""Source ranges for just the nodes that need them.

libcst's PositionProvider records a range for every node of a module and splits every
token with a regex; measured on real code it costs twice the parse. Findings need the
ranges of a handful of nodes, so this runs libcst's code generator once, counting
characters, and records offsets only for the requested nodes (plus the child nodes a
statement borrows its end from). Offsets become lines and columns through LineIndex.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from llmlint.source import LineIndex


@dataclass(frozen=True)
class Span:
    """A node's range: 1-based lines, 0-based columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class _Recorder:
    """The range of one wanted node, taken around its syntactic part of the code."""

    __slots__ = ("end_node", "key", "start", "start_node", "state")

    def __init__(
        self,
        state: _OffsetState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state, self.key = state, id(node)
        self.start_node, self.end_node = start_node, end_node
        self.start = 0

    def __enter__(self) -> None:
        state = self.state
        for borrowed in (self.start_node, self.end_node):
            if borrowed is not None:
                state.wanted.add(id(borrowed))
        self.start = state.offset

    def __exit__(self, *_: object) -> None:
        state = self.state
        start, end = self.start, state.offset
        if self.start_node is not None and id(self.start_node) in state.ranges:
            start = state.ranges[id(self.start_node)][0]
        if self.end_node is not None and id(self.end_node) in state.ranges:
            end = state.ranges[id(self.end_node)][1]
        state.ranges[self.key] = (start, end)


_UNWANTED = nullcontext()


@dataclass
class _OffsetState(CodegenState):
    # Keyed by id(): every node passes through these hooks, and a libcst node's own
    # __hash__ is a Python-level call that costs more than the rest of the hook.
    wanted: set[int] = field(default_factory=set)
    offset: int = 0
    ranges: dict[int, tuple[int, int]] = field(default_factory=dict)
    starts: dict[int, int] = field(default_factory=dict)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass

    def before_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.wanted:
            self.starts[key] = self.offset

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.wanted and key not in self.ranges and key in self.starts:
            self.ranges[key] = (self.starts[key], self.offset)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> AbstractContextManager[None]:
        if id(node) not in self.wanted:
            return _UNWANTED
        return _Recorder(self, node, start_node, end_node)


def compute_spans(
    module: cst.Module, nodes: Iterable[cst.CSTNode], lines: LineIndex
) -> dict[cst.CSTNode, Span]:
    """Syntactic ranges (as libcst's PositionProvider defines them) of `nodes`."""
    wanted = {id(node): node for node in nodes}
    if not wanted:
        return {}
    state = _OffsetState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        wanted=set(wanted),
    )
    module._codegen(state)
    spans = {}
    for key, node in wanted.items():
        if key in state.ranges:
            start, end = state.ranges[key]
            line, column = lines.position(start)
            end_line, end_column = lines.position(end)
            spans[node] = Span(line, column, end_line, end_column)
    return spans
