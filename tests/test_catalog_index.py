"""PatternIndex: lookups give what one anchored regex per glob gives, in the same order,
and building an index compiles nothing (a run compiles only the globs its files reach)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from llmlint.catalog import PatternIndex, load_catalog
from llmlint.catalog.schema import SECTIONS

ATTRIBUTES = ("call", "decorator", "base", "attribute")


class Reference:
    """The definition: `*` is any run of characters but parentheses, and the whole path
    must match; exact patterns come first, then globs whose last segment has no `*`, then
    the others, each group in catalog order."""

    def __init__(self, items: list[tuple[str, Any]]) -> None:
        self.exact = [(p, item) for p, item in items if "*" not in p]
        globs = [(p, item) for p, item in items if "*" in p]
        ordered = [g for g in globs if "*" not in g[0].rpartition(".")[2]]
        ordered += [g for g in globs if "*" in g[0].rpartition(".")[2]]
        self.globs = [
            (p.split("*")[0], re.compile("[^()]*".join(map(re.escape, p.split("*"))) + r"\Z"), i)
            for p, i in ordered
        ]

    def match(self, path: str) -> list[Any]:
        found = [item for pattern, item in self.exact if pattern == path]
        # `startswith` only skips regexes that cannot match (they begin with that text).
        found += [i for lead, r, i in self.globs if path.startswith(lead) and r.match(path)]
        return found


def probes(pattern: str) -> set[str]:
    """Paths near a pattern: its stars filled with nothing, a name, a dotted name or an
    instance, and longer paths around it."""
    named = pattern.replace("*", "x")
    paths = {pattern.replace("*", fill) for fill in ("", "a.b", "A().b")}
    paths |= {named, f"{named}.extra", f"pre.{named}", f"{named}()"}
    return {path for path in paths if path and not path.endswith(".")}


def shipped_indexes() -> list[Any]:
    catalog = load_catalog()
    indexes = []
    for name, kind in SECTIONS.items():
        for attribute in ATTRIBUTES:
            entries = catalog.entries(kind)
            items = [(getattr(e, attribute), e) for e in entries if getattr(e, attribute, None)]
            if items:
                indexes.append(pytest.param(items, id=f"{name}.{attribute}"))
    return indexes


@pytest.mark.parametrize("items", shipped_indexes())
def test_shipped_lookups_match_the_reference(items: list[tuple[str, Any]]) -> None:
    index, reference = PatternIndex(items), Reference(items)
    for path in sorted({p for pattern, _ in items for p in probes(pattern)}):
        expected = [id(e) for e in reference.match(path)]
        assert [id(e) for e in index.match(path)] == expected, path


def test_stars_cross_dots_but_not_calls() -> None:
    index = PatternIndex([("pkg.*", "any"), ("pkg.*.run", "run"), ("*.objects.raw", "raw")])
    assert index.match("pkg.a.b.run") == ["run", "any"]
    assert index.match("pkg.A().run") == []
    assert index.match("app.models.User.objects.raw") == ["raw"]
    assert index.match("User().objects.raw") == []
    assert index.match("pkg") == []


def test_results_keep_catalog_order_across_buckets() -> None:
    items = [("a*.run", 1), ("a.x.run", 2), ("a.*.run", 3), ("*.run", 4), ("a.*", 5), ("*", 6)]
    assert PatternIndex(items).match("a.x.run") == [2, 1, 3, 4, 5, 6]
    assert PatternIndex(items).match("b.run") == [4, 6]


def test_building_an_index_compiles_no_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = re.compile

    def compile_(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(re, "compile", compile_)
    # Patterns no other test uses: none of them was compiled before.
    index = PatternIndex([(f"lazy{n}.*.run", n) for n in range(100)] + [("lazy.*", -1)])
    assert compiled == []
    assert index.match("lazy7.x.run") == [7]
    assert len(compiled) == 1  # only the bucket of lazy7's `run` globs
