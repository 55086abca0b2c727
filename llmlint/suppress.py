"""Inline suppressions: `# noqa`, `# noqa: LLM001, LLM002`, `# llmlint: ignore[LLM001] why`.

A suppression applies to findings whose range starts or ends on its line. Only real
comments count: a `# noqa` inside a string literal does not suppress anything.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Mapping

NOQA_RE = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
LLMLINT_RE = re.compile(r"#\s*llmlint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
CODE_RE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

# line -> the codes suppressed there, or None for "every code"
Suppressions = dict[int, "frozenset[str] | None"]


def _parse_comment(comment: str) -> frozenset[str] | bool | None:
    """The codes a comment suppresses; None for all; False when it suppresses nothing."""
    codes: set[str] = set()
    matched = False
    for regex in (NOQA_RE, LLMLINT_RE):
        for match in regex.finditer(comment):
            matched = True
            listed = match.group("codes")
            if listed is None:
                return None
            codes.update(code.upper() for code in CODE_RE.findall(listed))
    return frozenset(codes) if matched else False


def _comments(text: str) -> list[tuple[int, str]]:
    try:
        return [
            (token.start[0], token.string)
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # Newer syntax than this interpreter tokenizes: fall back to the text after '#'.
        return [
            (number, line[line.index("#") :])
            for number, line in enumerate(text.splitlines(), start=1)
            if "#" in line
        ]


def parse_suppressions(text: str) -> Suppressions:
    if "noqa" not in text.lower() and "llmlint:" not in text.lower():
        return {}
    found: Suppressions = {}
    for line, comment in _comments(text):
        codes = _parse_comment(comment)
        if codes is False:
            continue
        previous = found.get(line, frozenset())
        if codes is None or previous is None:
            found[line] = None
        else:
            assert isinstance(codes, frozenset)
            found[line] = previous | codes
    return found


def is_suppressed(
    code: str, lines: tuple[int, ...], suppressions: Mapping[int, frozenset[str] | None]
) -> bool:
    for line in lines:
        if line in suppressions:
            codes = suppressions[line]
            if codes is None or code in codes:
                return True
    return False
