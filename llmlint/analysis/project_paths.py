"""What a dotted path names in the project: its modules, classes and functions.

`from app.clients import client` in one module and `client = OpenAI()` in another make
`app.clients.client.chat.completions.create` an OpenAI call. `PathResolver` answers such
questions from every module's exports, class summaries and function summaries: through
re-exports, star imports, return values, properties, class attributes, inheritance and
overrides. Each answer depends on the facts alone, never on the order of questions, so
each is computed once per key: a large project asks the same ones hundreds of thousands
of times.
"""

from __future__ import annotations

from collections.abc import Iterable

from llmlint.analysis.facts import ClassFact, FunctionFact, ModuleFacts
from llmlint.catalog import Catalog
from llmlint.catalog.schema import CallThrough

PROTOCOLS = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
MAX_PATH_DEPTH = 8  # re-exports and return values followed from one path
MAX_SUBCLASSES = 200  # overrides looked for below one class
Callee = tuple[FunctionFact, bool]  # a project function, and whether the receiver is bound


def _split_head(path: str) -> tuple[str, str]:
    """`Sub().llm.run` -> ("Sub()", "llm.run")."""
    head, _, tail = path.partition(".")
    while head.count("(") > head.count(")") and tail:
        more, _, tail = tail.partition(".")
        head = f"{head}.{more}"
    return head, tail


def _name_suffix(head: str) -> tuple[str, str]:
    cut = min((i for i in (head.find("("), head.find("[")) if i >= 0), default=len(head))
    return head[:cut], head[cut:]


class PathResolver:
    def __init__(self, modules: Iterable[ModuleFacts], catalog: Catalog) -> None:
        """`modules` in the order they are loaded: a later module's names win."""
        self.catalog = catalog
        self.modules: dict[str, ModuleFacts] = {}
        self.functions: dict[str, FunctionFact] = {}
        self.classes: dict[str, ClassFact] = {}
        for facts in modules:
            self.modules[facts.module] = facts
            self.functions.update((f.qualname, f) for f in facts.functions.values())
            self.classes.update((c.qualname, c) for c in facts.classes.values())
        self._call_through = {entry.method for entry in catalog.entries(CallThrough)}
        self._module_names: dict[str, str | None] = {}
        self._paths: dict[tuple[str, int], frozenset[str]] = {}
        self._path_sets: dict[frozenset[str], frozenset[str]] = {}
        self._ancestry: dict[str, tuple[ClassFact, ...]] = {}
        self._callee_sets: dict[frozenset[str], tuple[Callee, ...]] = {}
        self._overrides: dict[tuple[str, str], tuple[FunctionFact, ...]] = {}
        self._subclasses: dict[str, list[str]] | None = None
        self._having: dict[str, list[str]] | None = None

    def _module_of(self, path: str) -> str | None:
        """The longest project module name that `path` starts with."""
        if path in self._module_names:
            return self._module_names[path]
        found = None
        cut = len(path)
        while cut > 0:
            candidate = path[:cut]
            if candidate in self.modules:
                found = candidate
                break
            cut = path.rfind(".", 0, cut)
        self._module_names[path] = found
        return found

    def resolve_path(self, path: str, depth: int = 0) -> frozenset[str]:
        """`path` with the project's own names replaced by what they stand for."""
        key = (path, depth)
        found = self._paths.get(key)
        if found is None:
            found = self._paths[key] = frozenset(self._resolve(path, depth)) or frozenset({path})
        return found

    def _resolve(self, path: str, depth: int) -> set[str]:
        module = self._module_of(path)
        if module is None or depth > MAX_PATH_DEPTH:
            return {path}
        if path == module:
            # `from .render import render` in a package's __init__ rebinds the package
            # attribute `render` from the submodule to the function, as Python does.
            parent, _, name = module.rpartition(".")
            exported = self.modules[parent].exports.get(name, ()) if parent in self.modules else ()
            targets = [t for t in exported if t != path]
            return set().union(*(self.resolve_path(t, depth + 1) for t in targets))
        head, tail = _split_head(path[len(module) + 1 :])
        name, suffix = _name_suffix(head)
        qualname = f"{module}.{name}"
        rest = f".{tail}" if tail else ""
        found: set[str] = set()
        if qualname in self.classes and suffix in ("", "()") and tail:
            attribute_head, attribute_tail = _split_head(tail)
            attribute, attribute_suffix = _name_suffix(attribute_head)
            after = f".{attribute_tail}" if attribute_tail else ""
            method = self._method(qualname, attribute)
            if method is not None and method.kind == "property":
                for target in method.return_paths:
                    found |= self.resolve_path(target + attribute_suffix + after, depth + 1)
            elif method is not None and attribute_suffix.startswith("()"):
                # `Client.default().ask`: what the (class)method returns.
                for target in method.return_paths:
                    found |= self.resolve_path(target + attribute_suffix[2:] + after, depth + 1)
            elif suffix == "()":
                for target in self._attribute_paths(qualname, attribute):
                    found |= self.resolve_path(target + attribute_suffix + after, depth + 1)
                if not found and method is None:
                    # Inherited from a library class: `MyVanna(OpenAI_Chat).generate_sql`.
                    for base in self._library_bases(qualname):
                        found.add(f"{base}().{attribute}{attribute_suffix}{after}")
        elif qualname in self.functions and suffix.startswith("()"):
            for target in self.functions[qualname].return_paths:
                found |= self.resolve_path(target + suffix[2:] + rest, depth + 1)
        else:
            facts = self.modules[module]
            for target in facts.exports.get(name, ()):
                if target != qualname:
                    found |= self.resolve_path(target + suffix + rest, depth + 1)
            if name not in facts.exports:
                # `from .impl import *` in a package re-exports impl's names.
                for star in facts.star_imports:
                    source = self.modules.get(star)
                    if source is not None and name in source.exports:
                        found |= self.resolve_path(f"{star}.{name}{suffix}{rest}", depth + 1)
        return found

    def resolve_paths(self, paths: Iterable[str]) -> frozenset[str]:
        key = frozenset(paths)
        found = self._path_sets.get(key)
        if found is None:
            found = self._path_sets[key] = frozenset().union(
                *(self.resolve_path(path) for path in key)
            )
        return found

    def _ancestors(self, class_name: str) -> tuple[ClassFact, ...]:
        """The class and the project classes it inherits from, nearest first."""
        found = self._ancestry.get(class_name)
        if found is not None:
            return found
        seen: set[str] = set()
        ancestors: list[ClassFact] = []
        queue = [self.classes[class_name]]
        while queue:
            current = queue.pop(0)
            if current.qualname in seen:
                continue
            seen.add(current.qualname)
            ancestors.append(current)
            # Sorted: two project bases are searched in the same order on every run.
            for base in sorted(self.resolve_paths(current.bases)):
                if base in self.classes:
                    queue.append(self.classes[base])
        self._ancestry[class_name] = found = tuple(ancestors)
        return found

    def _ancestor_paths(self, class_name: str) -> frozenset[str]:
        return self.resolve_paths(b for c in self._ancestors(class_name) for b in c.bases)

    def _library_bases(self, class_name: str) -> list[str]:
        """Base classes from outside the project, anywhere in the class's ancestry."""
        return sorted(b for b in self._ancestor_paths(class_name) if b not in self.classes)

    def _method(self, class_name: str, name: str) -> FunctionFact | None:
        for ancestor in self._ancestors(class_name):
            qualname = ancestor.methods.get(name)
            if qualname in self.functions:
                return self.functions[qualname]
        return None

    def _attribute_paths(self, class_name: str, attribute: str) -> tuple[str, ...]:
        for ancestor in self._ancestors(class_name):
            if attribute in ancestor.attributes:
                return ancestor.attributes[attribute]
        return ()

    def _functions_named(self, paths: Iterable[str]) -> list[FunctionFact]:
        return [f for f, _ in self._callees(paths)]

    def _callees(self, paths: Iterable[str]) -> tuple[Callee, ...]:
        """Project functions a call may run, and whether the receiver fills parameter 0."""
        key = frozenset(paths)
        known = self._callee_sets.get(key)
        if known is None:
            known = self._callee_sets[key] = self._find_callees(key)
        return known

    def _find_callees(self, paths: frozenset[str]) -> tuple[Callee, ...]:
        found: dict[str, Callee] = {}
        for path in sorted(self.resolve_paths(paths)):
            owner, _, method = path.rpartition(".")
            if method in self._call_through and owner in self.functions:
                path = owner  # `triage.remote(ticket)` runs `triage(ticket)`
            if path in self.functions:
                function = self.functions[path]
                found[path] = (function, function.kind == "classmethod")
                continue
            owner, _, method = path.rpartition(".")
            instance = owner.endswith("()")
            class_name = owner[:-2] if instance else owner
            if class_name not in self.classes:
                continue
            for function in self._implementations(class_name, method):
                bound = function.kind == "classmethod" or (instance and function.kind == "method")
                found[function.qualname] = (function, bound)
        # A call of an abstract method runs one of its overrides; with none known, the
        # call is unknown code (its result carries its inputs).
        return tuple(v for v in found.values() if not v[0].abstract)

    def functions_called(self, callees: Iterable[str]) -> list[str]:
        """The qualnames of the project functions a call with these callees may run."""
        return [function.qualname for function, _ in self._callees(callees)]

    def methods_of(self, cls: str, method: str) -> list[str]:
        """The implementations of `method` that instances of the class `cls` run."""
        if cls not in self.classes:
            return []
        return [f.qualname for f in self._implementations(cls, method)]

    def _implementations(self, class_name: str, method: str) -> tuple[FunctionFact, ...]:
        """The method an instance of the class runs: the inherited one, or an override in
        a subclass (the instance may be of any subclass: class hierarchy analysis)."""
        key = (class_name, method)
        known = self._overrides.get(key)
        if known is None:
            known = self._overrides[key] = tuple(self._find_implementations(class_name, method))
        return known

    def _find_implementations(self, class_name: str, method: str) -> list[FunctionFact]:
        found: list[FunctionFact] = []
        for ancestor in self._ancestors(class_name):
            qualname = ancestor.methods.get(method)
            if qualname in self.functions:
                found.append(self.functions[qualname])
                break
        cls = self.classes[class_name]
        implementers = self._descendants(class_name)
        if self.resolve_paths(cls.bases) & PROTOCOLS:  # structural: whoever has the methods
            implementers += self._structural(cls)
        names = {f.qualname for f in found}
        for subclass in implementers:
            qualname = self.classes[subclass].methods.get(method)
            if qualname in self.functions and qualname not in names:
                found.append(self.functions[qualname])
                names.add(qualname)
        return found

    def _structural(self, protocol: ClassFact) -> list[str]:
        """The classes that have every method of `protocol`, in the project's order."""
        wanted = protocol.methods.keys()
        if not wanted:
            return list(self.classes)
        if self._having is None:  # the classes with each method name
            self._having = {}
            for cls in self.classes.values():
                for method in cls.methods:
                    self._having.setdefault(method, []).append(cls.qualname)
        having = self._having
        rarest = min(wanted, key=lambda method: len(having.get(method, ())))
        return [c for c in having.get(rarest, ()) if wanted <= self.classes[c].methods.keys()]

    def _descendants(self, class_name: str) -> list[str]:
        if self._subclasses is None:
            self._subclasses = {}
            for cls in self.classes.values():
                for base in self.resolve_paths(cls.bases):
                    if base in self.classes:
                        self._subclasses.setdefault(base, []).append(cls.qualname)
        found: list[str] = []
        seen = {class_name}
        queue = list(self._subclasses.get(class_name, ()))
        while queue and len(found) < MAX_SUBCLASSES:
            current = queue.pop(0)
            if current not in seen:
                seen.add(current)
                found.append(current)
                queue.extend(self._subclasses.get(current, ()))
        return found
