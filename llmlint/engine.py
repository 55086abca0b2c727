"""Runs the pipeline over a project: cache, worker processes, ordering.

    files -> read bytes once -> cache hit? -> workers (each rule's prefilter; parse and
          analyse, or only syntax-check what no rule can report on)
          -> suppressions and per-file-ignores -> findings sorted by path, line, column

The output depends only on the files, the settings and the llmlint version: never on
the number of workers, the order they finish in, or whether results came from cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from llmlint import __version__
from llmlint.analysis.facts import ModuleFacts
from llmlint.analysis.flow import library_roots
from llmlint.analysis.project import InventoryEntry, ProjectResolver
from llmlint.cache import ResultCache
from llmlint.catalog import Catalog
from llmlint.finding import Finding, FlowStep
from llmlint.gcpause import collector_paused, collector_released
from llmlint.pipeline import FileAnalyzer, FileResult, FileTask, unparseable
from llmlint.pool import TaskFailure, WorkerPool
from llmlint.registry import all_rules
from llmlint.rule import FlowRule
from llmlint.source import SourceError, read_bytes
from llmlint.suppress import is_suppressed

DEFAULT_FILE_TIMEOUT = 60.0
# Bumped whenever what a FileResult or ModuleFacts holds changes, so that caches written
# by an earlier build of the same version are not read.
CACHE_FORMAT = "7"


@dataclass(frozen=True)
class InputFile:
    path: Path  # absolute
    rel: str  # project-relative POSIX path
    module: str  # dotted module name


@dataclass(frozen=True)
class EngineOptions:
    rule_codes: tuple[str, ...]
    catalog: Catalog
    jobs: int | None = None
    cache_dir: Path | None = None
    # (path matcher, codes) pairs; a finding whose path matches is dropped
    per_file_ignores: tuple[tuple[Callable[[str], bool], frozenset[str]], ...] = ()
    file_timeout: float = DEFAULT_FILE_TIMEOUT
    facts: bool = False  # compute data-flow facts even without flow rules (inventory)


@dataclass
class EngineResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # internal errors: exit status 2
    warnings: list[str] = field(default_factory=list)
    suppressed: int = 0
    files_checked: int = 0
    files_from_cache: int = 0
    files_parsed: int = 0
    inventory: list[InventoryEntry] = field(default_factory=list)


def settings_fingerprint(options: EngineOptions, shadowed: frozenset[str]) -> str:
    codes = ",".join(sorted(options.rule_codes))
    parts = [
        __version__,
        CACHE_FORMAT,
        codes,
        options.catalog.fingerprint,
        str(options.facts),
        *sorted(shadowed),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _make_analyzer(
    rule_codes: tuple[str, ...], catalog: Catalog, facts: bool, project_roots: frozenset[str]
) -> Callable[[FileTask], str]:
    return FileAnalyzer(rule_codes, catalog, facts, project_roots).analyze_to_json


def shadowed_libraries(files: Sequence[InputFile], catalog: Catalog) -> frozenset[str]:
    """Top-level packages of the project that share a name with a catalogued library
    (a project's own `agents/` package): its calls must not be taken for library calls."""
    return frozenset({item.module.split(".", 1)[0] for item in files} & library_roots(catalog))


def flow_rules(codes: Iterable[str]) -> dict[str, FlowRule]:
    selected = set(codes)
    return {
        rule.code: rule()
        for rule in all_rules()
        if rule.code in selected and issubclass(rule, FlowRule)
    }


def run(files: Sequence[InputFile], options: EngineOptions) -> EngineResult:
    results: dict[str, FileResult] = {}
    contents: list[tuple[InputFile, bytes]] = []
    for item in files:
        try:
            contents.append((item, read_bytes(str(item.path))))
        except SourceError as error:
            results[item.rel] = unparseable(item.rel, error.message)
    contents = _in_namespace_packages(contents)
    shadowed = shadowed_libraries([item for item, _ in contents], options.catalog)
    cache = ResultCache(options.cache_dir, __version__, settings_fingerprint(options, shadowed))
    outcome = EngineResult(files_checked=len(files))
    tasks: list[FileTask] = []
    digests: dict[str, str] = {}
    for item, data in contents:
        digest = hashlib.sha256(item.module.encode() + b"\0" + data).hexdigest()
        digests[item.rel] = digest
        cached = cache.get(item.rel, digest)
        if cached is not None:
            results[item.rel] = cached
            outcome.files_from_cache += 1
        else:
            is_package = item.path.name in ("__init__.py", "__init__.pyi")
            tasks.append(FileTask(str(item.path), item.rel, item.module, is_package, data))
    jobs = options.jobs or os.cpu_count() or 1
    flows = flow_rules(options.rule_codes)
    init = (options.rule_codes, options.catalog, bool(flows) or options.facts, shadowed)
    pool = WorkerPool(jobs, _make_analyzer, init, options.file_timeout)
    # Largest files first: a big file started last would leave the other workers idle.
    tasks.sort(key=lambda t: len(t.data), reverse=True)
    modules: dict[str, ModuleFacts] = {}
    with collector_paused():
        for index, outcome_of_task in pool.run(tasks):
            task = tasks[index]
            results[task.rel] = result = _received(task, outcome_of_task, outcome)
            if isinstance(outcome_of_task, str):
                cache.put(task.rel, digests[task.rel], result, encoded=outcome_of_task)
            if result.facts:  # decoded while the workers still run, not after them
                modules[task.rel] = ModuleFacts.from_json(result.facts)
                result.facts = None  # held once, decoded
    outcome.files_parsed = sum(1 for r in results.values() if r.parsed)
    flow_findings = _project_results(results, digests, modules, flows, options, cache, outcome)
    warning = cache.save()
    if warning:
        outcome.warnings.append(warning)
    _merge(results, flow_findings, options, outcome)
    collector_released()
    return outcome


def _received(task: FileTask, received: str | TaskFailure, outcome: EngineResult) -> FileResult:
    """A worker's answer for `task` as a FileResult."""
    if isinstance(received, str):
        return FileResult.from_dict(json.loads(received))
    if received.internal:
        outcome.errors.append(f"internal error on {task.rel}: {received.reason}")
        return FileResult(task.rel)
    return unparseable(task.rel, received.reason)


def _in_namespace_packages(
    contents: list[tuple[InputFile, bytes]],
) -> list[tuple[InputFile, bytes]]:
    """Module names that include namespace packages (PEP 420 folders with no __init__.py).

    `llama_index/experimental/exec_utils.py` with no `llama_index/__init__.py` is named
    `experimental.exec_utils` by its files alone; the project's own code imports it as
    `llama_index.experimental.exec_utils`. A folder above a top-level package counts as
    a namespace package when some file of the project imports through it.
    """
    tops: dict[Path, str] = {}
    for item, _ in contents:
        parts = item.module.split(".")
        levels = len(parts) if item.path.name.startswith("__init__.") else len(parts) - 1
        if levels > 0:  # the folder of the top-level package
            tops.setdefault(item.path.parents[levels - 1], parts[0])
    prefixes: dict[Path, str] = {}
    for top, name in tops.items():
        prefix, folder = "", top.parent
        while folder.name.isidentifier() and not (folder / "__init__.py").exists():
            qualified = f"{folder.name}.{prefix}{name}".encode()
            if not any(qualified in data for _, data in contents):
                break
            prefix = f"{folder.name}.{prefix}"
            folder = folder.parent
        if prefix:
            prefixes[top] = prefix
    if not prefixes:
        return contents
    # Folders compared as strings: `Path.parents` builds a Path object per level.
    folders = [(f"{top}{os.sep}", prefix) for top, prefix in prefixes.items()]
    renamed = []
    for item, data in contents:
        where = str(item.path)
        prefix = next((p for top, p in folders if where.startswith(top)), "")
        renamed.append((replace(item, module=prefix + item.module) if prefix else item, data))
    return renamed


def _project_results(
    results: dict[str, FileResult],
    digests: dict[str, str],
    decoded: dict[str, ModuleFacts],
    flows: dict[str, FlowRule],
    options: EngineOptions,
    cache: ResultCache,
    outcome: EngineResult,
) -> list[Finding]:
    """Data-flow findings (and the inventory) of the whole project.

    They depend on every module's facts, so they are cached under a key made of every
    file's digest: an unchanged tree skips decoding the facts and resolving them.
    `decoded` holds the facts already decoded as results arrived, by path.
    """
    if not flows and not options.facts:
        return []
    with_facts = sorted(rel for rel, r in results.items() if r.facts or rel in decoded)
    members = [(rel, digests.get(rel, "")) for rel in with_facts]
    key = hashlib.sha256(repr(members).encode()).hexdigest()
    cached = cache.get_project(key)
    if cached is not None:
        outcome.inventory = [InventoryEntry.from_dict(e) for e in cached["inventory"]]
        return [Finding.from_dict(f) for f in cached["findings"]]
    with collector_paused():
        modules = [
            decoded[rel] if rel in decoded else ModuleFacts.from_json(results[rel].facts)
            for rel in with_facts
        ]
        resolver = ProjectResolver(modules, options.catalog)
        findings = _flow_findings(resolver, flows) if flows else []
        outcome.inventory = resolver.inventory() if options.facts else []
    cache.put_project(
        key,
        {
            "findings": [f.to_dict() for f in findings],
            "inventory": [e.to_dict() for e in outcome.inventory],
        },
    )
    return findings


def _flow_findings(resolver: ProjectResolver, rules: dict[str, FlowRule]) -> list[Finding]:
    findings = []
    for hit in resolver.flow_hits(rules):
        rule = rules[hit.rule]
        sources = tuple(
            FlowStep(s.step.location, s.step.message) for s in (hit.source, *hit.others)
        )
        findings.append(
            Finding(
                code=rule.code,
                message=rule.message(hit),
                location=hit.sink.location,
                severity=rule.severity,
                source_line=hit.sink_line,
                flow=hit.trace,
                related=sources,
            )
        )
    return findings


def _merge(
    results: dict[str, FileResult],
    flow_findings: list[Finding],
    options: EngineOptions,
    outcome: EngineResult,
) -> None:
    selected = set(options.rule_codes)
    findings = []
    for rel in sorted(results):
        outcome.errors.extend(results[rel].errors)
    candidates = [f for rel in sorted(results) for f in results[rel].findings] + flow_findings
    for finding in candidates:
        if finding.code not in selected:
            continue
        where = finding.location
        owner = results.get(where.path)
        lines = (where.line, where.end_line)
        if owner is not None and is_suppressed(finding.code, lines, owner.suppressions):
            outcome.suppressed += 1
            continue
        if any(
            finding.code in codes and matches(where.path)
            for matches, codes in options.per_file_ignores
        ):
            continue
        findings.append(finding)
    outcome.findings = sorted(findings, key=Finding.sort_key)
