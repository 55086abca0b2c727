"""Source ranges for just the nodes that need them.

libcst's PositionProvider records a range for every node of a module and splits every
token with a regex; measured on real code it costs twice the parse. Findings need the
ranges of a handful of nodes, so this runs libcst's code generator once, counting
characters, and records offsets only for the requested nodes (plus the child nodes a
statement borrows its end from). Offsets become lines and columns through LineIndex.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


@dataclass
class _OffsetState(CodegenState):
    wanted: set[cst.CSTNode] = field(default_factory=set)
    offset: int = 0
    ranges: dict[cst.CSTNode, tuple[int, int]] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node in self.wanted and node not in self.ranges:
            self.ranges[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        if node not in self.wanted:
            yield
            return
        for borrowed in (start_node, end_node):
            if borrowed is not None:
                self.wanted.add(borrowed)
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None and start_node in self.ranges:
                start = self.ranges[start_node][0]
            if end_node is not None and end_node in self.ranges:
                end = self.ranges[end_node][1]
            self.ranges[node] = (start, end)


def compute_spans(
    module: cst.Module, nodes: Iterable[cst.CSTNode], lines: LineIndex
) -> dict[cst.CSTNode, Span]:
    """Syntactic ranges (as libcst's PositionProvider defines them) of `nodes`."""
    wanted = set(nodes)
    if not wanted:
        return {}
    state = _OffsetState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        wanted=wanted,
    )
    module._codegen(state)
    spans = {}
    for node in wanted:
        if node in state.ranges:
            start, end = state.ranges[node]
            line, column = lines.position(start)
            end_line, end_column = lines.position(end)
            spans[node] = Span(line, column, end_line, end_column)
    return spans
