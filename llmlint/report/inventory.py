"""`llmlint inventory`: every LLM call site, as a table or as JSON (an AI bill of materials)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, TextIO

from rich.table import Table
from rich.text import Text

from llmlint.analysis.project import InventoryEntry
from llmlint.report import printable
from llmlint.report.json import dumps
from llmlint.report.text import make_console


def inventory_data(entries: Sequence[InventoryEntry], version: str) -> dict[str, Any]:
    providers = Counter(entry.provider for entry in entries)
    return {
        "schema_version": 1,
        "tool": {"name": "llmlint", "version": version},
        "summary": {"call_sites": len(entries), "by_provider": dict(sorted(providers.items()))},
        "call_sites": [
            {
                "path": entry.step.location.path,
                "line": entry.step.location.line,
                "column": entry.step.location.column,
                "provider": entry.provider,
                "api": entry.api,
                "model": entry.model,
                "call": entry.text,
            }
            for entry in entries
        ],
    }


def render_inventory(
    entries: Sequence[InventoryEntry], out: TextIO, output_format: str, version: str
) -> None:
    if output_format == "json":
        out.write(dumps(inventory_data(entries, version)))
        return
    console = make_console(out, None)
    table = Table(box=None, pad_edge=False, show_edge=False)
    for heading in ("Location", "Provider", "API", "Model", "Call"):
        table.add_column(heading, no_wrap=True)
    for entry in entries:
        where = entry.step.location
        table.add_row(
            Text(printable(f"{where.path}:{where.line}:{where.column}")),
            Text(entry.provider),
            Text(entry.api),
            Text(printable(entry.model or "-")),
            Text(printable(entry.text if len(entry.text) <= 60 else entry.text[:57] + "...")),
        )
    console.print(table)
    providers = Counter(entry.provider for entry in entries)
    summary = ", ".join(f"{count} {name}" for name, count in sorted(providers.items()))
    files = len({entry.step.location.path for entry in entries})
    sites = f"{len(entries)} LLM call site{'' if len(entries) == 1 else 's'}"
    in_files = f"{files} file{'' if files == 1 else 's'}"
    console.print(f"{sites} in {in_files}" + (f": {summary}." if summary else "."))
