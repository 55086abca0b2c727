"""Grants made by calling a tool the catalog knows (LLM301-LLM305), and the `Grant` that
every excessive-agency finding is.

Two kinds of catalog call hand a model power, each reported where the call is:

- `[[agent-tool]]` entries whose conditions hold: `ShellTool()`,
  `create_pandas_dataframe_agent(..., allow_dangerous_code=True)`, a toolkit selecting
  dangerous tool names. A tool given to another tool of the same rule is reported through
  it (or not at all, when that one is made safe).
- `[[sql-tool]]` calls (LLM305) on a `[[sql-connection]]` made in the module with no table
  allowlist or read-only marker: the model's SQL can write, not only read.

The project's own tools are found by agency.py (their arguments followed by tool_flow.py
and tool_reach.py). tool_reach.py also uses `list_items`, which lives here so that every
agency module can import it without a cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import libcst as cst

from llmlint.analysis.literals import same_constant
from llmlint.analysis.module import (
    UNKNOWN,
    CallSite,
    ModuleModel,
    matching_calls,
    single_assignment,
)
from llmlint.analysis.scope import Scope
from llmlint.catalog import Catalog
from llmlint.catalog.schema import AgentTool, ReadOnlyMarker, SqlConnection, SqlTool

SQL_RULE = "LLM305"
_EMPTY = (None, False, "")  # constants that leave an option unset

Related = tuple[tuple[cst.CSTNode, str], ...]


@dataclass(frozen=True, eq=False)
class Grant:
    """A capability handed to a model: `subject` + `detail` describe it for the message."""

    rule: str
    node: cst.CSTNode
    subject: str
    detail: str = ""
    related: Related = ()

    def message(self, consequence: str) -> str:
        return f"{self.subject}{self.detail}: {consequence}."


def list_items(expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> list[cst.BaseExpression]:
    """The items of a list, tuple or set literal (or a name assigned one, or a sum)."""
    if depth > 6:
        return []
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        items: list[cst.BaseExpression] = []
        for element in expr.elements:
            if isinstance(element, cst.StarredElement):
                items += list_items(element.value, scope, depth + 1)
            else:
                items.append(element.value)
        return items
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return list_items(expr.left, scope, depth + 1) + list_items(expr.right, scope, depth + 1)
    if isinstance(expr, cst.Name):
        binding = single_assignment(scope.lookup(expr.value))
        if binding is not None and isinstance(binding.node, cst.BaseExpression):
            return list_items(binding.node, binding.scope, depth + 1)
    return []


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


class CatalogTools:
    """Finds the grants of the catalog's agent and SQL tools in one module."""

    def __init__(self, model: ModuleModel, catalog: Catalog) -> None:
        self.model = model
        self.catalog = catalog
        self._markers = [re.compile(m.regex) for m in catalog.entries(ReadOnlyMarker)]

    def grants(self) -> list[Grant]:
        """Agent tool grants first, then SQL tool grants, each in the order of the calls."""
        found = self._agent_tools()
        for call, entry in matching_calls(self.model, self.catalog.index(SqlTool)):
            grant = self._sql_tool(call, entry)
            if grant is not None:
                found.append(grant)
        return found

    # -- agent tools -------------------------------------------------------------------

    def _agent_tools(self) -> list[Grant]:
        granted: list[tuple[CallSite, AgentTool, str]] = []
        # Tools given to another tool of the same rule are reported through it (or not at
        # all, when it is made safe): `ShellTool(process=BashProcess())` is one finding.
        inner: dict[cst.CSTNode, set[str]] = {}
        for call, entry in matching_calls(self.model, self.catalog.index(AgentTool)):
            detail, exempt = self._conditions(call, entry)
            if detail is not None:
                granted.append((call, entry, detail))
            if detail is not None or exempt:
                for arg in call.node.args:
                    inner.setdefault(arg.value, set()).add(entry.rule)
        return [
            Grant(entry.rule, call.node, f"'{call.callee_text}' ({entry.label})", detail)
            for call, entry, detail in granted
            if entry.rule not in inner.get(call.node, ())
        ]

    def _constants(self, call: CallSite, keyword: str) -> list[Any]:
        """The values passed for `keyword`: directly, in `**{...}` or in an options dict."""
        return [self.model.literal(v, call.scope) for _, v in call.keyword_occurrences(keyword)]

    def _given(self, call: CallSite, keyword: str) -> bool:
        arg = call.keyword(keyword)
        if arg is None:
            return False
        value = arg.value
        if isinstance(value, (cst.List, cst.Tuple, cst.Dict, cst.Set)) and not value.elements:
            return False
        constant = self.model.literal(value, call.scope)
        return constant is UNKNOWN or constant not in _EMPTY

    def _conditions(self, call: CallSite, entry: AgentTool) -> tuple[str | None, bool]:
        """What makes the call dangerous, described (None when it is not), and whether an
        `unless` condition is what makes it safe."""
        shown: list[str] = []
        for keyword, expected in entry.when.items():
            values = self._constants(call, keyword)
            if not values:
                if keyword not in entry.defaults or not same_constant(
                    entry.defaults[keyword], expected
                ):
                    return None, False
            elif any(same_constant(v, expected) for v in values):
                shown.append(f"{keyword}={_show(expected)}")
            else:
                return None, False
        if not all(self._given(call, keyword) for keyword in entry.when_given):
            return None, False
        parts = [f"with {', '.join(shown)}"] if shown else []
        if entry.selects is not None:
            names = self._selected(call, entry)
            if not names:
                return None, False
            parts.append("selecting " + ", ".join(repr(name) for name in names))
        for keyword, safe in entry.unless.items():
            if any(v is UNKNOWN or same_constant(v, safe) for v in self._constants(call, keyword)):
                return None, True
        if entry.unless_given:
            if call.has_unpacked_arguments or any(self._given(call, k) for k in entry.unless_given):
                return None, True
            parts.append("without " + " or ".join(entry.unless_given))
        return "".join(" " + part for part in parts), False

    def _selected(self, call: CallSite, entry: AgentTool) -> list[str]:
        assert entry.selects is not None
        expr = call.argument(entry.selects)
        if expr is None:
            return []
        found: list[str] = []
        for element in list_items(expr, call.scope):
            name = self.model.literal(element, call.scope)
            if not isinstance(name, str):
                continue
            base = name[:-2] if name.endswith(".*") else name
            if base in entry.names and name not in found:
                found.append(name)
        return found

    # -- SQL tools ---------------------------------------------------------------------

    def _sql_tool(self, call: CallSite, entry: SqlTool) -> Grant | None:
        if any(self._given(call, keyword) for keyword in entry.unless_given):
            return None
        for ref in entry.database:
            expr = call.argument(ref)
            writable = None if expr is None else self._writable(expr, call.scope)
            if writable is not None:
                node, text = writable
                return Grant(
                    SQL_RULE,
                    call.node,
                    f"'{call.callee_text}' ({entry.label})",
                    f" runs model-written SQL on {text}, with no read-only restriction "
                    "or table allowlist",
                    ((node, "the database connection is made here"),),
                )
        return None

    def _writable(self, expr: cst.BaseExpression, scope: Scope) -> tuple[cst.CSTNode, str] | None:
        """The connection `expr` holds, when it is made here and nothing restricts it."""
        model = self.model
        resolved = self._definition(expr, scope)
        if resolved is None:
            return None  # a parameter, an attribute: made elsewhere
        expr, scope = resolved
        if self._read_only(model.provenance_text(expr, scope, depth=4)):
            return None
        if isinstance(expr, cst.Call):
            entries = self.catalog.index(SqlConnection).match_any(model.paths(expr.func, scope))
            if not entries:
                return None
            site = CallSite(expr, scope, model)
            if any(self._given(site, k) for entry in entries for k in entry.allowlist):
                return None
            if any(e.allowlist for e in entries) and site.has_unpacked_arguments:
                return None
            for engine in (site.argument(ref) for entry in entries for ref in entry.engine):
                # `SQLDatabase(engine)` with an engine made elsewhere: its settings are unknown.
                if engine is not None and self._definition(engine, scope) is None:
                    return None
            return expr, f"'{model.text_of(expr.func)}(...)'"
        if isinstance(
            expr,
            (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.BinaryOperation),
        ):
            return expr, "a database URI"
        return None

    def _definition(
        self, expr: cst.BaseExpression, scope: Scope
    ) -> tuple[cst.BaseExpression, Scope] | None:
        """What a name was assigned (following names); None for parameters and attributes."""
        for _ in range(8):
            if not isinstance(expr, cst.Name):
                break
            binding = single_assignment(scope.lookup(expr.value))
            if binding is None or not isinstance(binding.node, cst.BaseExpression):
                return None
            expr, scope = binding.node, binding.scope
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        return expr, scope

    def _read_only(self, text: str) -> bool:
        return any(marker.search(text) for marker in self._markers)
