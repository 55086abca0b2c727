"""The Rule base class: metadata validated at import, documentation parsed from the docstring.

A rule is a class in its own module under `rules/` (installed as `llmlint.rules`). Its
docstring is its documentation, in Markdown, with the sections `## What it does`,
`## Why is this bad?`, `## Example` (containing `Use instead:`), `## References` and
optionally `## Known limitations`. `llmlint rule CODE`, SARIF's `help` and the README
table are all generated from it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import libcst as cst

from llmlint.finding import Severity

if TYPE_CHECKING:
    from llmlint.analysis.module import ModuleModel
    from llmlint.analysis.project import FlowHit
    from llmlint.catalog import Catalog
    from llmlint.prefilter import Prefilter

CODE_RE = re.compile(r"^LLM\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
OWASP_RE = re.compile(r"^LLM(0[1-9]|10):(2023|2025)$")
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "References")
OPTIONAL_SECTIONS = ("Known limitations",)
PRECISIONS = ("very-high", "high", "medium", "low")
# GitHub buckets security-severity: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
DEFAULT_SECURITY_SEVERITY = {Severity.ERROR: 8.0, Severity.WARNING: 5.5, Severity.NOTE: 3.0}

_SECTION_RE = re.compile(r"^## (.+?)\s*$", re.MULTILINE)
_CODE_BLOCK_RE = re.compile(r"```(?:python|py)?\n(.*?)```", re.DOTALL)


class RuleDefinitionError(Exception):
    """A rule class whose metadata or documentation is malformed."""


@dataclass(frozen=True)
class RuleDocs:
    """A rule's docstring, split into the parts reporters need."""

    markdown: str
    sections: dict[str, str]

    @property
    def summary(self) -> str:
        """The first sentence of `## What it does`."""
        text = " ".join(self.sections["What it does"].split())
        match = re.match(r"(.+?\.)(\s|$)", text)
        return match.group(1) if match else text

    @property
    def description(self) -> str:
        return " ".join(self.sections["What it does"].split())

    @property
    def example(self) -> str:
        """The code that must trigger the rule: the first block of `## Example`."""
        before = self.sections["Example"].split("Use instead:", 1)[0]
        return _first_code_block(before)

    @property
    def fix_example(self) -> str:
        """The code that must not trigger the rule: the block after `Use instead:`."""
        parts = self.sections["Example"].split("Use instead:", 1)
        return _first_code_block(parts[1]) if len(parts) == 2 else ""

    @property
    def plain_text(self) -> str:
        """The documentation without Markdown decoration, for SARIF's `help.text`."""
        text = re.sub(r"^## ", "", self.markdown, flags=re.MULTILINE)
        text = text.replace("```python\n", "").replace("```py\n", "").replace("```", "")
        return re.sub(r"`([^`]*)`", r"\1", text).strip()


def _first_code_block(text: str) -> str:
    match = _CODE_BLOCK_RE.search(text)
    return match.group(1) if match else ""


def parse_docs(docstring: str) -> RuleDocs:
    markdown = inspect.cleandoc(docstring)
    sections: dict[str, str] = {}
    matches = list(_SECTION_RE.finditer(markdown))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(markdown)
        sections[match.group(1)] = markdown[match.end() : end].strip()
    return RuleDocs(markdown=markdown, sections=sections)


@dataclass(frozen=True, eq=False)
class Report:
    """What a rule's check yields: a node to locate, a message, and the data-flow path.

    `flow` and `related` hold (node, message) pairs inside the same module; the engine
    turns nodes into positions in one pass over the file. `redact` lists secrets to mask
    in the code frame that reporters show.
    """

    node: cst.CSTNode
    message: str
    flow: tuple[tuple[cst.CSTNode, str], ...] = ()
    related: tuple[tuple[cst.CSTNode, str], ...] = ()
    redact: tuple[str, ...] = ()


class RuleContext:
    """What a rule's `check` may read: the module's semantic model and the catalog."""

    def __init__(self, model: ModuleModel, catalog: Catalog) -> None:
        self.model = model
        self.catalog = catalog


class Rule:
    """Base class of every rule. Subclasses declare metadata and implement `check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    owasp: ClassVar[tuple[str, ...]]
    cwe: ClassVar[tuple[int, ...]]
    precision: ClassVar[str] = "high"
    security_severity: ClassVar[float] = 0.0
    docs: ClassVar[RuleDocs]
    # Reported by the engine itself (LLM000); has no `check` of its own.
    engine_reported: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract"):
            return
        _validate(cls)
        cls.docs = parse_docs(cls.__doc__ or "")
        if not cls.security_severity:
            cls.security_severity = DEFAULT_SECURITY_SEVERITY[cls.severity]

    @classmethod
    def pascal_name(cls) -> str:
        return "".join(part.capitalize() for part in cls.name.split("-"))

    def prefilter(self, catalog: Catalog) -> Prefilter | None:
        """What a file's bytes must contain for this rule to find anything in it.

        None means the rule cannot be prefiltered and every file is parsed for it.
        """
        return None

    def check(self, ctx: RuleContext) -> Iterable[Report]:
        raise NotImplementedError

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        flow: Iterable[tuple[cst.CSTNode, str]] = (),
        related: Iterable[tuple[cst.CSTNode, str]] = (),
        redact: Iterable[str] = (),
    ) -> Report:
        return Report(node, message, tuple(flow), tuple(related), tuple(redact))


class AgencyRule(Rule):
    """An excessive-agency rule (LLM3xx): the tools and agents that `llmlint.analysis.agency`
    finds granting this rule's capability, reported with the rule's `consequence`."""

    abstract = True
    consequence: ClassVar[str] = ""  # completes "<tool>: <consequence>."

    def prefilter(self, catalog: Catalog) -> Prefilter | None:
        from llmlint.analysis.agency import agency_prefilter  # the rules' own dependency

        return agency_prefilter(catalog, self.code)

    def check(self, ctx: RuleContext) -> Iterable[Report]:
        from llmlint.analysis.agency import grants

        for grant in grants(ctx.model, ctx.catalog, self.code):
            yield self.report(grant.node, grant.message(self.consequence), related=grant.related)


class FlowRule(Rule):
    """A data-flow rule: LLM output (or a tool argument a model chose) reaching a sink.

    Flow rules have no per-file check: the project resolver reports them wherever a
    source reaches a catalog `[[sink]]` whose `rule` is the rule's code, across modules.
    """

    abstract = True

    def check(self, ctx: RuleContext) -> Iterable[Report]:
        return ()

    @staticmethod
    def place(hit: FlowHit) -> str:
        """Where the source is: `line 12`, or `app/llm.py:12` in another file."""
        where = hit.source.step.location
        same_file = where.path == hit.sink.location.path
        return f"line {where.line}" if same_file else f"{where.path}:{where.line}"

    @staticmethod
    def others(hit: FlowHit) -> str:
        more = len(hit.others)
        return f" (and {more} more source{'s' if more > 1 else ''})" if more else ""

    def message(self, hit: FlowHit) -> str:
        """`LLM output from 'client.chat.completions.create' (line 12) reaches 'exec'.`"""
        source = hit.source
        place = self.place(hit)
        if source.kind == "tool-argument":
            origin = f"The model-chosen {source.text} ({place})"
        else:
            origin = f"LLM output from '{source.text}' ({place})"
        return f"{origin}{self.others(hit)} reaches '{hit.sink_text}'."


def _validate(cls: type[Rule]) -> None:
    where = f"{cls.__module__}.{cls.__qualname__}"

    def fail(problem: str) -> None:
        raise RuleDefinitionError(f"{where}: {problem}")

    for attribute in ("code", "name", "severity", "owasp", "cwe"):
        if attribute not in cls.__dict__:
            fail(f"missing class attribute {attribute!r}")
    if not CODE_RE.match(cls.code):
        fail(f"code {cls.code!r} is not of the form LLMnnn")
    if not NAME_RE.match(cls.name):
        fail(f"name {cls.name!r} is not kebab-case")
    if not isinstance(cls.severity, Severity):
        fail("severity must be a Severity")
    for owasp_id in cls.owasp:
        if not OWASP_RE.match(owasp_id):
            fail(f"OWASP id {owasp_id!r} is not of the form LLMnn:2023 or LLMnn:2025")
    if cls.owasp and not {o[-4:] for o in cls.owasp} >= {"2023", "2025"}:
        fail("OWASP ids must name both the 2023 and the 2025 list")
    if not all(isinstance(cwe, int) and cwe > 0 for cwe in cls.cwe):
        fail("CWE ids must be positive integers")
    if cls.precision not in PRECISIONS:
        fail(f"precision must be one of {PRECISIONS}")
    docs = parse_docs(cls.__doc__ or "")
    missing = [section for section in REQUIRED_SECTIONS if section not in docs.sections]
    if missing:
        fail(f"docstring lacks the section(s) {', '.join('## ' + s for s in missing)}")
    unknown = set(docs.sections) - set(REQUIRED_SECTIONS) - set(OPTIONAL_SECTIONS)
    if unknown:
        fail(f"docstring has unknown section(s) {sorted(unknown)}")
    if not docs.example.strip() or not docs.fix_example.strip():
        fail("## Example needs a code block and a `Use instead:` code block")
    if not cls.engine_reported and cls.check is Rule.check:
        fail("does not implement check()")
