"""What the parts of the flow interpreter share: frames, and the state of one module's run.

`FlowAnalyzer` (`llmlint.analysis.flow`) is assembled from parts that call one another:
statements evaluate expressions, expressions evaluate calls, calls evaluate their
arguments and assign to their receivers. `FlowState` holds what they all read and write
(the catalog indexes, the facts being built, the recorded steps) and names the entry
points each part provides, so every part type-checks on its own.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import libcst as cst

from llmlint.analysis.facts import ModuleFacts
from llmlint.analysis.module import ModuleModel
from llmlint.analysis.scope import Scope
from llmlint.analysis.values import Value
from llmlint.catalog import Catalog
from llmlint.catalog.schema import (
    LLMCall,
    ResponseMetadata,
    Sanitizer,
    Sink,
    ToolDecorator,
    ToolRegistration,
)

if TYPE_CHECKING:
    from llmlint.analysis.flow_prompts import PromptTracker

Env = dict[str, Value]


@dataclass
class Frame:
    """The state of the function being interpreted."""

    scope: Scope
    function: str  # qualname, or the module name for module-level code
    env: Env
    self_name: str | None = None
    owner: str | None = None  # qualname of the class whose method this is
    returns: list[Value] = field(default_factory=list)
    loop_depth: int = 0


class FlowState(ABC):
    """One module's interpretation in progress, and the entry points of its parts."""

    # Set by `FlowAnalyzer`, which the tracker is typed against.
    _prompt: PromptTracker

    def __init__(
        self, model: ModuleModel, catalog: Catalog, project_roots: frozenset[str] = frozenset()
    ) -> None:
        self.model = model
        self.catalog = catalog
        self.facts = ModuleFacts(model.module_name, model.path)
        self._sites = {site.node: site for site in model.calls}
        self._llm = catalog.index(LLMCall)
        self._sinks = catalog.index(Sink)
        self._method_sinks = [s for s in catalog.entries(Sink) if s.method]
        self._sanitizers = catalog.index(Sanitizer)
        self._decorators = catalog.index(ToolDecorator, "decorator")
        self._registrations = catalog.index(ToolRegistration)
        self._libraries = library_roots(catalog) - project_roots
        self._metadata = frozenset(m.attribute for m in catalog.entries(ResponseMetadata))
        self._steps: list[tuple[cst.CSTNode, str]] = []
        self._pending: list[tuple[cst.FunctionDef, Env, str | None]] = []
        self._counter = 0
        self._fields: dict[str, dict[str, Value]] = {}
        # The module's own frame: module-level names are read from its current env.
        self._module = Frame(model.scope, model.module_name, {})
        self._written_globals = {n for scope in model.scopes for n in scope.declared_global}

    def _new_step(self, node: cst.CSTNode, message: str) -> int:
        self._steps.append((node, message))
        return len(self._steps) - 1

    def _label(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}:{self.model.module_name}:{self._counter}"

    def _is_library(self, callees: Iterable[str]) -> bool:
        """Calls of code outside the project: their result carries their inputs' taint."""
        roots = {path.split(".", 1)[0].split("(", 1)[0] for path in callees}
        return not roots or roots <= self._libraries

    # -- provided by the parts ------------------------------------------------------

    @abstractmethod
    def _eval(self, node: cst.CSTNode, frame: Frame) -> Value:
        """The taint of an expression (`flow_expressions`)."""

    @abstractmethod
    def _call(self, node: cst.Call, frame: Frame) -> Value:
        """The taint of a call's result, recording what the call does (`flow_calls`)."""

    @abstractmethod
    def _assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None:
        """Bind `value` to an assignment target (`flow`)."""


@lru_cache(maxsize=8)
def library_roots(catalog: Catalog) -> frozenset[str]:
    """Top-level modules of code outside the project: the standard library, builtins,
    and every package the catalog describes (minus, at the call site, any top-level
    package the project itself defines under one of those names)."""
    roots = set(sys.stdlib_module_names) | {"builtins"}
    for section in catalog.sections.values():
        for entry in section:
            pattern = getattr(entry, "call", None) or getattr(entry, "decorator", None)
            if isinstance(pattern, str) and pattern and not pattern.startswith("*"):
                roots.add(pattern.split(".", 1)[0].split("(", 1)[0])
    return frozenset(roots)
