"""The command line: `llmlint check`, `llmlint rule CODE`, `llmlint rules`.

Exit status: 0 no findings, 1 findings, 2 usage, configuration or internal error. Bad
input is reported in one line on stderr, never as a traceback, and never stops the rest
of the run (a missing path is reported, and every other path is still checked).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click

from llmlint import __version__
from llmlint.catalog import Catalog, CatalogError, load_catalog
from llmlint.config import (
    CliOverrides,
    Config,
    ConfigError,
    Settings,
    find_config,
    load_config,
    resolve_settings,
)
from llmlint.engine import EngineOptions, EngineResult, InputFile, run
from llmlint.files import PathPatterns, discover, module_name
from llmlint.registry import (
    SelectionError,
    all_rules,
    check_selector,
    codes_matching,
    rule_by_code,
    select_rules,
)
from llmlint.report import FORMATS, ReportOptions, RunReport, get_renderer
from llmlint.rule import Rule, RuleDefinitionError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> NoReturn:
    click.echo(f"llmlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _codes(_ctx: click.Context, _param: click.Parameter, values: Sequence[str]) -> tuple[str, ...]:
    """`--select A,B --select C` -> ("A", "B", "C")."""
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("llmlint: interrupted", err=True)
            sys.exit(130)
        except RuleDefinitionError as error:
            _fail(f"a rule is malformed: {error}")
        except Exception:
            if os.environ.get("LLMLINT_DEBUG"):
                raise
            last = traceback.format_exc().strip().splitlines()[-1]
            _fail(f"internal error: {last} (rerun with LLMLINT_DEBUG=1 for the traceback)")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="llmlint", message="%(prog)s %(version)s")
def main() -> None:
    """llmlint: find security risks in Python code that calls large language models."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--select",
    multiple=True,
    callback=_codes,
    metavar="CODES",
    help="Rules to enable, by code or prefix (LLM001, LLM0, ALL); replaces the config's.",
)
@click.option(
    "--ignore",
    multiple=True,
    callback=_codes,
    metavar="CODES",
    help="Rules to disable, by code or prefix; added to the config's.",
)
@click.option(
    "--extend-select",
    multiple=True,
    callback=_codes,
    metavar="CODES",
    help="Rules to enable in addition to the selected ones.",
)
@click.option(
    "--output-format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How to print findings.",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes (default: one per CPU core).",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply excludes to paths given on the command line too (for pre-commit).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Use this pyproject.toml or llmlint.toml instead of searching for one.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
def check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    output_format: str,
    output_file: Path | None,
    exit_zero: bool,
    statistics: bool,
    no_cache: bool,
    jobs: int | None,
    force_exclude: bool,
    config_file: Path | None,
    quiet: bool,
) -> None:
    """Check PATHS (files or folders; default: the current folder)."""
    overrides = CliOverrides(select or None, ignore, extend_select, force_exclude, no_cache, jobs)
    project = _prepare(paths, config_file, overrides)
    result = project.run(
        EngineOptions(
            rule_codes=tuple(rule.code for rule in project.rules),
            catalog=project.catalog,
            jobs=project.settings.jobs,
            cache_dir=project.settings.cache_dir,
            per_file_ignores=project.per_file_ignores,
        )
    )
    report = RunReport(
        findings=tuple(result.findings),
        rules=project.rules,
        root=project.settings.root,
        version=__version__,
        files_checked=result.files_checked,
        files_from_cache=result.files_from_cache,
        suppressed=result.suppressed,
        errors=tuple(result.errors),
    )
    report_options = ReportOptions(statistics=statistics, quiet=quiet)
    _write(output_file, lambda out: get_renderer(output_format)(report, out, report_options))
    if project.discovery_failed or result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if report.findings and not exit_zero else EXIT_CLEAN)


@dataclass
class _Project:
    """What `check` and `inventory` share: settings, rules, catalog and the files."""

    settings: Settings
    rules: tuple[type[Rule], ...]
    catalog: Catalog
    per_file_ignores: tuple[tuple[Callable[[str], bool], frozenset[str]], ...]
    inputs: list[InputFile]
    discovery_failed: bool

    def run(self, options: EngineOptions) -> EngineResult:
        result = run(self.inputs, options)
        for warning in result.warnings:
            click.echo(f"llmlint: warning: {warning}", err=True)
        return result


def _prepare(
    paths: tuple[Path, ...], config_file: Path | None, overrides: CliOverrides
) -> _Project:
    """Load the configuration, select rules and find the files; exit 2 on bad input."""
    paths = paths or (Path("."),)
    try:
        if config_file is not None and not config_file.is_file():
            raise ConfigError(f"{config_file}: no such configuration file")
        config_path = config_file or find_config(paths[0])
        config = load_config(config_path) if config_path else Config.default(Path.cwd())
        settings = resolve_settings(config, overrides)
        for selector, origin in settings.selector_origins:
            check_selector(selector, origin)
        rules = select_rules(
            settings.select, settings.ignore, settings.extend_select, origin=settings.select_origin
        )
        per_file = tuple(
            (PathPatterns([pattern]).matches, codes_matching(codes))
            for pattern, codes in settings.per_file_ignores
        )
        catalog = load_catalog(
            settings.catalog, settings.catalog_dir, str(config_path or "configuration")
        )
    except (ConfigError, SelectionError, CatalogError) as error:
        _fail(str(error))
    discovery = discover(
        paths,
        root=settings.root,
        exclude=settings.exclude,
        extend_exclude=settings.extend_exclude,
        respect_gitignore=settings.respect_gitignore,
        force_exclude=settings.force_exclude,
    )
    for problem in discovery.errors:
        click.echo(f"llmlint: error: {problem}", err=True)
    packages: dict[str, tuple[str, ...]] = {}
    inputs = [
        InputFile(f.path.absolute(), f.rel, module_name(f.path, packages)) for f in discovery.files
    ]
    return _Project(settings, rules, catalog, per_file, inputs, bool(discovery.errors))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table, or a JSON document.",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the inventory to this file instead of standard output.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes (default: one per CPU core).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Use this pyproject.toml or llmlint.toml instead of searching for one.",
)
def inventory(
    paths: tuple[Path, ...],
    output_format: str,
    output_file: Path | None,
    no_cache: bool,
    jobs: int | None,
    config_file: Path | None,
) -> None:
    """List every LLM call site in PATHS: the AI bill of materials of a codebase."""
    from llmlint.report.inventory import render_inventory

    project = _prepare(paths, config_file, CliOverrides(no_cache=no_cache, jobs=jobs))
    result = project.run(
        EngineOptions(
            rule_codes=(),
            catalog=project.catalog,
            jobs=project.settings.jobs,
            cache_dir=project.settings.cache_dir,
            facts=True,
        )
    )
    entries = result.inventory
    _write(output_file, lambda out: render_inventory(entries, out, output_format, __version__))
    for error in result.errors:
        click.echo(f"llmlint: error: {error}", err=True)
    sys.exit(EXIT_ERROR if project.discovery_failed or result.errors else EXIT_CLEAN)


def _write(output_file: Path | None, render: Callable[[TextIO], None]) -> None:
    if output_file is None:
        render(sys.stdout)
        sys.stdout.flush()
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        with output_file.open("w", encoding="utf-8", newline="\n") as out:
            render(out)
    except OSError as error:
        _fail(f"cannot write {output_file}: {error.strerror or error}")


@main.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Show the documentation of a rule (by code, e.g. LLM401, or name)."""
    from llmlint.report.text import render_rule_docs

    rule = rule_by_code(code)
    if rule is None:
        _fail(f"no rule {code!r} (see `llmlint rules`)")
    render_rule_docs(rule, sys.stdout, None)


@main.command("rules")
@click.option(
    "--output-format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="A terminal table, or the Markdown table of the README.",
)
def rules_command(output_format: str) -> None:
    """List every rule: code, name, severity, OWASP LLM Top 10 ids and CWE."""
    if output_format == "markdown":
        from llmlint.docs import rules_markdown_table  # only this command uses it

        click.echo(rules_markdown_table(all_rules()), nl=False)
        return
    from llmlint.report.text import render_rules_table

    render_rules_table(all_rules(), sys.stdout, None)
