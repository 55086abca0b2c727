"""Byte-level tests that decide whether a file is worth analysing at all.

Parsing is most of llmlint's cost, and most files of a large project cannot produce a
finding. Each rule describes the files it can report on as a `Prefilter`: alternatives,
each a few byte regexes that must *all* match (an import of the SDK and the name of the
call, say). A file no selected rule's prefilter accepts is only syntax-checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Prefilter:
    """Accepts a file when, for some alternative, every regex matches in its bytes."""

    alternatives: tuple[tuple[re.Pattern[bytes], ...], ...]

    @classmethod
    def all_of(cls, *required: re.Pattern[bytes]) -> Prefilter:
        return cls((required,))

    def __or__(self, other: Prefilter) -> Prefilter:
        return Prefilter(self.alternatives + other.alternatives)

    def accepts(self, data: bytes, module: str = "") -> bool:
        """Whether the file's bytes, or its dotted `module` name, can hold a finding.

        The module name counts as text of the file: inside a package, relative imports
        reach the package without naming it (`from ... import Client` in google.genai).
        """
        name = module.encode()
        return any(
            all(r.search(data) or r.search(name) for r in required)
            for required in self.alternatives
        )


def any_of(tokens: Iterable[str | bytes]) -> re.Pattern[bytes]:
    """A regex matching any of the literal tokens."""
    encoded = sorted({t.encode() if isinstance(t, str) else t for t in tokens if t})
    if not encoded:
        return re.compile(b"(?!)")
    return re.compile(b"|".join(re.escape(token) for token in encoded))


def calls_prefilter(patterns: Iterable[str]) -> Prefilter:
    """Files that can contain a call matching one of the catalog call patterns.

    Such a file names the pattern's top-level module (in an import) and the called
    function or method; both words must be present. Globs only keep what precedes
    their `*` (`langchain_*` needs `langchain_`; a glob method name needs nothing).
    """
    modules: set[str] = set()
    names: set[str] = set()
    for pattern in patterns:
        module = pattern.split(".", 1)[0].split("(", 1)[0].split("*", 1)[0]
        name = pattern.rsplit(".", 1)[-1].replace("()", "")
        modules.add(module)
        names.add("" if "*" in name else name)
    if "" in modules:
        return Prefilter.all_of(any_of(names)) if "" not in names else Prefilter(((),))
    if "" in names:
        return Prefilter.all_of(any_of(modules))
    return Prefilter.all_of(any_of(modules), any_of(names))
