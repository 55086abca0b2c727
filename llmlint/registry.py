"""Finds every rule in the `llmlint.rules` package and answers select/ignore questions.

Rules are never imported by name: each module in `llmlint.rules` defines one Rule
subclass, and this module imports them all. Adding a rule is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Sequence
from functools import lru_cache

from llmlint.rule import Rule, RuleDefinitionError

RULES_PACKAGE = "llmlint.rules"


class SelectionError(Exception):
    """A selector (code or prefix) that names no rule."""


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, sorted by code. Raises RuleDefinitionError on a malformed rule."""
    package = importlib.import_module(RULES_PACKAGE)
    found: dict[str, type[Rule]] = {}
    names: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{RULES_PACKAGE}.{info.name}")
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Rule)
            and obj is not Rule
            and obj.__module__ == module.__name__
        ]
        if len(classes) != 1:
            raise RuleDefinitionError(
                f"{module.__name__} must define exactly one rule, found {len(classes)}"
            )
        rule = classes[0]
        if rule.code in found:
            raise RuleDefinitionError(
                f"{rule.code} is defined twice: {found[rule.code].__module__} and {module.__name__}"
            )
        if rule.name in names:
            raise RuleDefinitionError(f"rule name {rule.name!r} is used by {names[rule.name]} too")
        if info.name != rule.name.replace("-", "_"):
            raise RuleDefinitionError(
                f"{module.__name__} must be named after its rule: {rule.name.replace('-', '_')}.py"
            )
        found[rule.code] = rule
        names[rule.name] = rule.code
    return tuple(found[code] for code in sorted(found))


def rule_by_code(code: str) -> type[Rule] | None:
    wanted = code.strip().upper()
    for rule in all_rules():
        if rule.code == wanted or rule.name == code.strip().lower():
            return rule
    return None


def check_selector(selector: str, origin: str) -> None:
    """Raise SelectionError, naming where the selector came from, if it matches no rule."""
    selector = selector.strip().upper()
    if selector != "ALL" and not any(r.code.startswith(selector) for r in all_rules()):
        raise SelectionError(f"{origin}: {selector!r} matches no rule (see `llmlint rules`)")


def _check_selectors(selectors: Iterable[str], origin: str) -> None:
    for selector in selectors:
        check_selector(selector, origin)


def _longest_match(code: str, selectors: Iterable[str]) -> int:
    """Length of the most specific selector that matches `code`, or -1."""
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
    return best


def select_rules(
    select: Sequence[str],
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    origin: str = "selection",
) -> tuple[type[Rule], ...]:
    """The rules enabled by selectors, ruff-style: the most specific selector wins.

    `select` and `extend-select` enable, `ignore` disables; when both match a code, the
    longer (more specific) selector decides, and on a tie `ignore` wins.
    """
    normalized = [[s.strip().upper() for s in group] for group in (select, ignore, extend_select)]
    for group in normalized:
        _check_selectors(group, origin)
    enabling = normalized[0] + normalized[2]
    chosen = []
    for rule in all_rules():
        enabled = _longest_match(rule.code, enabling)
        disabled = _longest_match(rule.code, normalized[1])
        # A file that cannot be parsed is reported whatever is selected, unless ignored:
        # otherwise a narrow --select would hide files that were never checked.
        always = rule.engine_reported and disabled < 0
        if always or (enabled >= 0 and enabled > disabled):
            chosen.append(rule)
    return tuple(chosen)


def codes_matching(selectors: Sequence[str]) -> frozenset[str]:
    """Codes matched by selectors (for per-file-ignores)."""
    return frozenset(rule.code for rule in all_rules() if _longest_match(rule.code, selectors) >= 0)
