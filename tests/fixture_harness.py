"""Reads the annotations of fixture files and runs llmlint on fixtures.

    exec(code)            # expect: LLM001        a finding of LLM001 must start on this line
    eval("1 + 1")         # ok: LLM001            no finding of LLM001 may be on this line
    exec(helper(code))    # todo-expect: LLM001   wanted, not found yet (fails once found)
    run(safe)             # todo-ok: LLM001       a known false positive (fails once gone)

A fixture checks the codes in its file or folder name (`LLM401_aliases.py` checks LLM401)
and every code its annotations name; findings of other codes are ignored.

`run_sources` scans a small project written from strings (the data-flow tests).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from llmlint.catalog import Catalog, load_catalog
from llmlint.engine import EngineOptions, InputFile, run
from llmlint.files import module_name
from llmlint.finding import Finding
from llmlint.registry import all_rules

FIXTURES = Path(__file__).parent / "fixtures"
ANNOTATION_RE = re.compile(
    r"#\s*(?P<kind>expect|ok|todo-expect|todo-ok):\s*(?P<codes>LLM\d{3}(?:\s*,\s*LLM\d{3})*)"
)
CODE_RE = re.compile(r"LLM\d{3}")


@dataclass
class Expectations:
    codes: set[str] = field(default_factory=set)
    expect: set[tuple[str, int, str]] = field(default_factory=set)
    ok: set[tuple[str, int, str]] = field(default_factory=set)
    todo_expect: set[tuple[str, int, str]] = field(default_factory=set)
    todo_ok: set[tuple[str, int, str]] = field(default_factory=set)


def fixture_cases() -> list[Path]:
    return sorted(
        p
        for p in FIXTURES.iterdir()
        if CODE_RE.match(p.name) and (p.is_dir() or p.suffix in (".py", ".pyi"))
    )


def source_files(case: Path) -> list[Path]:
    if case.is_file():
        return [case]
    return sorted(p for p in case.rglob("*") if p.suffix in (".py", ".pyi"))


def read_expectations(case: Path) -> Expectations:
    found = Expectations(codes=set(CODE_RE.findall(case.name)))
    root = case.parent if case.is_file() else case
    for path in source_files(case):
        rel = path.relative_to(root).as_posix()
        text = path.read_bytes().decode("latin-1")  # annotations are ASCII; any encoding works
        for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
            for match in ANNOTATION_RE.finditer(line):
                for code in CODE_RE.findall(match.group("codes")):
                    found.codes.add(code)
                    bucket = getattr(found, match.group("kind").replace("-", "_"))
                    bucket.add((rel, number, code))
    return found


def _inputs(root: Path, paths: Iterable[Path]) -> list[InputFile]:
    return [InputFile(path, path.relative_to(root).as_posix(), module_name(path)) for path in paths]


def run_llmlint(case: Path) -> list[Finding]:
    root = case.parent if case.is_file() else case
    options = EngineOptions(
        rule_codes=tuple(rule.code for rule in all_rules()), catalog=load_catalog(), jobs=1
    )
    result = run(_inputs(root, source_files(case)), options)
    # A rule that crashes reports nothing: its ok: lines would pass, so a crash fails.
    assert not result.errors, result.errors
    return result.findings


def run_sources(
    root: Path, files: Mapping[str, str], codes: tuple[str, ...], catalog: Catalog
) -> list[Finding]:
    """Writes `files` (dedented) under `root` and scans every module there as one project
    with the rules `codes`; the run must report no internal error."""
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code), encoding="utf-8")
    result = run(_inputs(root, sorted(root.rglob("*.py"))), EngineOptions(codes, catalog, jobs=1))
    assert not result.errors, result.errors
    return result.findings
