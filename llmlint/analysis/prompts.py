"""What goes into prompts: where untrusted and sensitive data enters, and how it is placed.

Sources (`[[source]]`, `[[route]]`) give values a label whose kind is `untrusted-input`,
`indirect-content` or `secret`. Two tags record how a value is placed in a prompt:
`spliced` when it is built into one string together with fixed instruction text (an
f-string, `+`, `%`, `.format`, `join`, a prompt template), and `role:<r>` when it sits in a
message of role r (a `{"role": ...}` dict, `SystemMessage(...)`, `("system", ...)`, a
`system=` argument). At an LLM call (`[[prompt]]`) every part of the prompt is a sink hit
of the pseudo-rule PROMPT; which rule it breaks depends on the source and the tags, and is
decided by `prompt_rule` once sources are known (possibly in another module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from llmlint.analysis.facts import CallFact
from llmlint.analysis.values import Value, tag
from llmlint.catalog import Catalog, PatternIndex, by_method
from llmlint.catalog.schema import ArgRef, MessageRole, Prompt, Route, Source, Template

PROMPT = "PROMPT"  # the pseudo-rule of prompt sink hits; see prompt_rule
PROMPT_RULES = frozenset({"LLM101", "LLM102", "LLM103", "LLM104"})
SPLICED = "spliced"
SYSTEM = "role:system"
SYSTEM_ROLES = frozenset({"system", "developer"})
ROLE_NAMES = frozenset({"system", "developer", "user", "human", "assistant", "ai", "model"})


def role_tag(role: str) -> str:
    return SYSTEM if role in SYSTEM_ROLES else f"role:{role}"


def prompt_rule(kind: str, tags: frozenset[str]) -> str | None:
    """The rule a value from a source of `kind` breaks where it sits in a prompt.

    A bare value sent as its own user message is the intended channel: not a finding.
    """
    system = SYSTEM in tags
    if kind == "secret":
        return "LLM104"
    if kind == "untrusted-input":
        return "LLM102" if system else "LLM101" if SPLICED in tags else None
    if kind == "indirect-content":
        return "LLM103" if system or SPLICED in tags else None
    return None


@dataclass(frozen=True)
class PromptPart:
    """One place of a prompt: its value, and the argument (and list item) it came from."""

    value: Value
    argument: int  # index into CallFact.args
    element: int | None = None  # index into that argument's list literal


def _argument_index(call: CallFact, ref: ArgRef) -> int | None:
    arg = call.argument(ref.position, ref.keyword)
    return None if arg is None else call.args.index(arg)


def prompt_parts(entry: Prompt, call: CallFact) -> list[PromptPart]:
    """The parts of a call's prompt, system instructions tagged as such."""
    if entry.template:
        every = (PromptPart(tag(a.value, SPLICED), i) for i, a in enumerate(call.args))
        return [part for part in every if part.value]
    parts: list[PromptPart] = []
    for refs, system in ((entry.system, True), (entry.messages, False), (entry.text, False)):
        for ref in refs:
            index = _argument_index(call, ref)
            if index is None:
                continue
            arg = call.args[index]
            if arg.elements:  # a list literal of messages: each item is its own place
                for position, item in enumerate(arg.elements):
                    value = tag(item.value, SYSTEM) if system else item.value
                    parts.append(PromptPart(value, index, position))
            else:
                parts.append(PromptPart(tag(arg.value, SYSTEM) if system else arg.value, index))
    return [part for part in parts if part.value]


class PromptCatalog:
    """The catalog's sources, routes, prompts, message roles and templates, indexed."""

    def __init__(self, catalog: Catalog) -> None:
        self.prompts = catalog.index(Prompt)
        self.routes = catalog.index(Route, "decorator")
        self.roles = catalog.index(MessageRole)
        self.templates = catalog.index(Template)
        sources = catalog.entries(Source)
        self.call_sources: PatternIndex[Source] = catalog.index(Source, "call")
        self.attribute_sources: PatternIndex[Source] = catalog.index(Source, "attribute")
        self._methods = [s for s in sources if s.method]
        self._names = [s for s in sources if s.name]

    def method_source(self, method: str, receiver: str) -> Source | None:
        return next(iter(by_method(self._methods, method, receiver)), None)

    def name_source(self, attribute: str, receiver: str) -> Source | None:
        for source in self._names:
            assert source.name is not None
            if _fullmatch(source.name, attribute) and re.search(source.receiver, receiver):
                return source
        return None


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _fullmatch(pattern: str, text: str) -> bool:
    return _compiled(pattern).fullmatch(text) is not None


def key_matches(source: Source, key: object) -> bool:
    """Whether a constant key (an environment variable name...) selects this source."""
    if not source.key_pattern:
        return True
    return isinstance(key, str) and _compiled(source.key_pattern).search(key) is not None
