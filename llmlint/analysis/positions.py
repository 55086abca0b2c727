"""Source ranges for just the nodes that need them.

libcst's PositionProvider records a range for every node of a module and splits every
token with a regex; measured on real code it costs twice the parse. Findings need the
ranges of a handful of nodes, so this runs libcst's code generator once and records
offsets only for the requested nodes (plus the child nodes a statement borrows its end
from). Offsets become lines and columns through LineIndex.

The generator calls hooks for every node and token; almost none are wanted, so the
unwanted path must cost next to nothing: tokens go to a list through its C-level
`append` (offsets are summed only when a wanted node starts or ends), and node
generation skips the before/after hooks unless the node is wanted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst._nodes.base import CSTNode
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
    # Keyed by id(): a libcst node's own __hash__ is a Python-level call.
    wanted: set[int] = field(default_factory=set)
    ranges: dict[int, tuple[int, int]] = field(default_factory=dict)
    counted: int = 0  # tokens[:counted] are summed in `length`
    length: int = 0

    def offset(self) -> int:
        tokens = self.tokens
        if len(tokens) > self.counted:
            self.length += sum(map(len, tokens[self.counted :]))
            self.counted = len(tokens)
        return self.length

    def pop_trailing_newline(self) -> None:
        pass  # offsets are into the file as written, trailing newline or not

    @contextmanager
    def _record(
        self, node: CSTNode, start_node: CSTNode | None, end_node: CSTNode | None
    ) -> Iterator[None]:
        for borrowed in (start_node, end_node):
            if borrowed is not None:
                self.wanted.add(id(borrowed))
        start = self.offset()
        yield
        end = self.offset()
        if start_node is not None and id(start_node) in self.ranges:
            start = self.ranges[id(start_node)][0]
        if end_node is not None and id(end_node) in self.ranges:
            end = self.ranges[id(end_node)][1]
        self.ranges[id(node)] = (start, end)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: CSTNode,
        *,
        start_node: CSTNode | None = None,
        end_node: CSTNode | None = None,
    ) -> AbstractContextManager[None]:
        if id(node) not in self.wanted:
            return _UNWANTED
        return self._record(node, start_node, end_node)


class _Unwanted:
    """A do-nothing context for the syntactic position of a node nobody asked for."""

    __slots__ = ()

    def __enter__(self) -> None:
        pass

    def __exit__(self, *_: object) -> None:
        pass


_UNWANTED = _Unwanted()


def _codegen(self: CSTNode, state: _OffsetState, **kwargs: Any) -> None:
    """CSTNode._codegen while spans are computed: the whole-node range of a wanted node
    (its syntactic range, when it has one, is recorded inside by the node itself)."""
    key = id(self)
    if key not in state.wanted:
        self._codegen_impl(state, **kwargs)
        return
    start = state.offset()
    self._codegen_impl(state, **kwargs)
    if key not in state.ranges:
        state.ranges[key] = (start, state.offset())


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
    state.add_token = state.tokens.append  # type: ignore[method-assign, assignment]
    generate = CSTNode._codegen
    CSTNode._codegen = _codegen  # type: ignore[assignment]
    try:
        module._codegen(state)
    finally:
        CSTNode._codegen = generate  # type: ignore[method-assign]
    spans = {}
    for key, node in wanted.items():
        if key in state.ranges:
            start, end = state.ranges[key]
            line, column = lines.position(start)
            end_line, end_column = lines.position(end)
            spans[node] = Span(line, column, end_line, end_column)
    return spans
