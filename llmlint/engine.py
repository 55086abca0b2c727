"""Runs the pipeline over a project: cache, prefilter, worker processes, ordering.

    files -> read bytes once -> cache hit? -> prefilter -> workers (parse and analyse,
          or only syntax-check what no rule can report on)
          -> suppressions and per-file-ignores -> findings sorted by path, line, column

The output depends only on the files, the settings and the llmlint version: never on
the number of workers, the order they finish in, or whether results came from cache.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from llmlint import __version__
from llmlint.cache import ResultCache
from llmlint.catalog import Catalog
from llmlint.finding import Finding
from llmlint.pipeline import FileAnalyzer, FileResult, FileTask, unparseable
from llmlint.pool import TaskFailure, WorkerPool
from llmlint.prefilter import Prefilter
from llmlint.registry import all_rules
from llmlint.source import SourceError, read_bytes
from llmlint.suppress import is_suppressed

DEFAULT_FILE_TIMEOUT = 60.0


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


@dataclass
class EngineResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # internal errors: exit status 2
    warnings: list[str] = field(default_factory=list)
    suppressed: int = 0
    files_checked: int = 0
    files_from_cache: int = 0
    files_parsed: int = 0


def settings_fingerprint(options: EngineOptions) -> str:
    parts = [__version__, ",".join(sorted(options.rule_codes)), options.catalog.fingerprint]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _make_analyzer(
    rule_codes: tuple[str, ...], catalog: Catalog
) -> Callable[[FileTask], FileResult]:
    return FileAnalyzer(rule_codes, catalog).analyze


def _prefilters(options: EngineOptions) -> list[Prefilter] | None:
    """One prefilter per selected rule; None when some rule needs every file parsed."""
    found = []
    for rule in all_rules():
        if rule.code in options.rule_codes and not rule.engine_reported:
            prefilter = rule().prefilter(options.catalog)
            if prefilter is None:
                return None
            found.append(prefilter)
    return found


def run(files: Sequence[InputFile], options: EngineOptions) -> EngineResult:
    cache = ResultCache(options.cache_dir, __version__, settings_fingerprint(options))
    prefilters = _prefilters(options)
    results: dict[str, FileResult] = {}
    outcome = EngineResult(files_checked=len(files))
    tasks: list[FileTask] = []
    digests: dict[str, str] = {}
    for item in files:
        try:
            data = read_bytes(str(item.path))
        except SourceError as error:
            results[item.rel] = unparseable(item.rel, error.message)
            continue
        digest = hashlib.sha256(item.module.encode() + b"\0" + data).hexdigest()
        digests[item.rel] = digest
        cached = cache.get(item.rel, digest)
        if cached is not None:
            results[item.rel] = cached
            outcome.files_from_cache += 1
        else:
            wanted = prefilters is None or any(p.accepts(data) for p in prefilters)
            is_package = item.path.name in ("__init__.py", "__init__.pyi")
            tasks.append(FileTask(str(item.path), item.rel, item.module, is_package, data, wanted))
    jobs = options.jobs or os.cpu_count() or 1
    pool = WorkerPool(
        jobs, _make_analyzer, (options.rule_codes, options.catalog), options.file_timeout
    )
    for index, result in pool.run(tasks):
        task = tasks[index]
        if isinstance(result, TaskFailure):
            result = unparseable(task.rel, result.reason)
        else:
            cache.put(task.rel, digests[task.rel], result)
        results[task.rel] = result
    outcome.files_parsed = sum(1 for r in results.values() if r.parsed)
    warning = cache.save()
    if warning:
        outcome.warnings.append(warning)
    _merge(results, options, outcome)
    return outcome


def _merge(results: dict[str, FileResult], options: EngineOptions, outcome: EngineResult) -> None:
    selected = set(options.rule_codes)
    findings = []
    for rel in sorted(results):
        result = results[rel]
        outcome.errors.extend(result.errors)
        for finding in result.findings:
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
