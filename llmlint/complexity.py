"""Files that libcst's parser must not see: it crashes or runs away on them.

libcst's native parser kills the process with SIGSEGV on deep nesting (3,000 nested
parentheses, 1,500 nested calls) and is super-linear on long operator chains (4,000 `+`
terms take seconds, 20,000 take minutes). Worker isolation and the per-file budget
contain both, but a clear, fast LLM000 is better: this module measures nesting and
operator runs with C-speed string operations, and only for a file that looks suspicious
asks CPython's parser (and a walk of its tree) whether the file really is that complex.
"""

from __future__ import annotations

import ast
import sys

MAX_NESTING = 200  # CPython itself refuses more than 200 nested brackets
MAX_CHAIN = 1000  # binary or boolean operators in one expression
# Cheap signals: bracket depth, and operator characters on one line.
_SUSPICIOUS_DEPTH = 100
_SUSPICIOUS_OPERATORS = 500

_OPENERS = "([{"
_BRACKETS = {ord(c): "(" if c in _OPENERS else ")" for c in "()[]{}"}
_OPERATORS = frozenset("+-*/%|&^<>@")


def _bracket_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than `limit`, peeling innermost pairs (strings and
    comments are not skipped: this may overestimate, never underestimate)."""
    brackets = text.translate(_delete_all_but(text, _BRACKETS))
    for _ in range(limit):
        peeled = brackets.replace("()", "")
        if len(peeled) == len(brackets):
            return False
        brackets = peeled
    return "()" in brackets


def _delete_all_but(text: str, mapping: dict[int, str]) -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): None for c in set(text)}
    table.update(mapping)
    return table


def _longest_operator_line(text: str) -> int:
    table: dict[int, str | None] = {ord(c): None for c in set(text) if c not in _OPERATORS}
    table[ord("\n")] = "\n"
    return max(map(len, text.translate(table).split("\n")), default=0)


def _measure(tree: ast.AST) -> tuple[int, int]:
    """(deepest nesting of expressions, longest chain of binary/boolean operators)."""
    deepest = longest = 0
    stack: list[tuple[ast.AST, int, int]] = [(tree, 0, 0)]
    while stack:
        node, depth, chain = stack.pop()
        deepest = max(deepest, depth)
        longest = max(longest, chain)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.BinOp) and isinstance(node, ast.BinOp):
                stack.append((child, depth, chain + 1))  # a chain, not deeper nesting
            elif isinstance(child, ast.BoolOp):
                stack.append((child, depth + 1, chain + len(child.values)))
            else:
                stack.append((child, depth + 1, 1 if isinstance(child, ast.BinOp) else 0))
    return deepest, longest


def parse_hazard(text: str, filename: str) -> tuple[str, int | None] | None:
    """Why this text must not reach libcst's parser, with the line when known; or None."""
    if not (
        _bracket_depth_exceeds(text, _SUSPICIOUS_DEPTH)
        or _longest_operator_line(text) > _SUSPICIOUS_OPERATORS
    ):
        return None
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, 20_000))
        tree = compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return f"syntax error at line {error.lineno}: {error.msg}", error.lineno
    except (RecursionError, MemoryError, ValueError):
        return "the code is nested too deeply to parse", None
    finally:
        sys.setrecursionlimit(limit)
    deepest, longest = _measure(tree)
    if deepest > 2 * MAX_NESTING:
        return (
            f"the code nests {deepest} levels deep, more than llmlint's parser can take "
            f"safely ({2 * MAX_NESTING})",
            None,
        )
    if longest > MAX_CHAIN:
        return (
            f"an expression chains {longest} operators, more than llmlint's parser can "
            f"take in reasonable time ({MAX_CHAIN})",
            None,
        )
    return None
