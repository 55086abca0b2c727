"""The project phase's plumbing: decoding facts, path resolution, the paused collector."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from llmlint.analysis.facts import (
    NOT_CONSTANT,
    ArgFact,
    CallFact,
    ClassFact,
    FunctionFact,
    ModuleFacts,
    RouteFact,
    SourceFact,
)
from llmlint.analysis.project_paths import MAX_PATH_DEPTH, PathResolver
from llmlint.analysis.values import Taint
from llmlint.cache import ResultCache
from llmlint.catalog import Catalog, load_catalog
from llmlint.engine import EngineOptions, InputFile, run
from llmlint.finding import FlowStep, Location
from llmlint.gcpause import collector_paused
from llmlint.pipeline import FileResult

EMPTY_CATALOG = Catalog({})


def _facts() -> ModuleFacts:
    step = FlowStep(Location("m.py", 1, 1, 1, 5), "here")
    taint = Taint("S:m:0", (0,), frozenset({"LLM002"}), frozenset({"spliced"}))
    inner = ArgFact((taint,), constant="x")
    arg = ArgFact((), "cmd", "", NOT_CONSTANT, [inner], ("a.b",), ("x", 2))
    call = CallFact("C:m:0", ("helper.g",), "helper.g", 0, "m.f", [arg], (taint,), "g(r)")
    elsewhere = FlowStep(Location("other.py", 2, 1, 2, 9), "there")
    facts = ModuleFacts("m", "m.py", steps=[step, elsewhere])
    facts.calls[call.label] = call
    facts.calls["C:m:1"] = CallFact("C:m:1", ("h",), "h", 0, "m.f")
    facts.sources["S:m:0"] = SourceFact("S:m:0", "llm-output", "ask()", 0)
    facts.functions["m.f"] = FunctionFact("m.f", ("x",), "function", (taint,), ("a",), 0)
    facts.classes["m.C"] = ClassFact("m.C", ("m.B",), {"llm": ("a.b",)}, {"run": "m.C.run"})
    facts.globals["g"] = (taint,)
    facts.routes.append(RouteFact(("m.f",), "flask", 0, decorators=(("m.app.post",),)))
    facts.inclusions.append(("m.app", "m.router"))
    return facts


def test_facts_decode_to_what_was_encoded() -> None:
    facts = _facts()
    decoded = ModuleFacts.from_json(facts.to_json())
    assert decoded.to_json() == facts.to_json()
    arg = decoded.calls["C:m:0"].args[0]
    assert arg.constant is NOT_CONSTANT
    assert arg.elements == facts.calls["C:m:0"].args[0].elements
    assert arg.elements[0].value[0].cleared == frozenset({"LLM002"})
    assert decoded.calls["C:m:1"].receiver is None
    assert decoded.inclusions == [("m.app", "m.router")]
    assert decoded.steps == facts.steps
    assert facts.to_json()["steps"][0] == [1, 1, 1, 5, "here"]  # the module's path implied


def test_facts_encode_to_the_cache_format() -> None:
    """A module's facts are a dict; what they hold are lists of field values in order."""
    data = _facts().to_json()
    value = {"$": "value", "v": [["S:m:0", [0], ["LLM002"], ["spliced"]]]}
    element = [value, None, "", "x", None, [], []]
    argument = [[], "cmd", "", {"$": "not-constant"}, [element], ["a.b"], ["x", 2]]
    assert data["calls"]["C:m:0"] == [
        "C:m:0", ["helper.g"], "helper.g", 0, "m.f", [argument], value, "g(r)"
    ]  # fmt: skip
    assert data["classes"]["m.C"] == ["m.C", ["m.B"], {"llm": ["a.b"]}, {"run": "m.C.run"}, {}]
    assert data["globals"] == {"g": value}
    assert data["routes"][0][-1] == [["m.app.post"]]
    assert data["inclusions"] == [["m.app", "m.router"]]
    assert data["module"] == "m" and data["path"] == "m.py"


def _module(name: str, **fields: object) -> ModuleFacts:
    facts = ModuleFacts(name, name.replace(".", "/") + ".py")
    for key, value in fields.items():
        setattr(facts, key, value)
    return facts


def test_paths_resolve_through_re_exports_to_a_bounded_depth() -> None:
    chain = MAX_PATH_DEPTH + 3
    modules = [
        _module(f"m{i}", exports={"x": (f"m{i + 1}.x",)} if i < chain else {"x": ("lib.y",)})
        for i in range(chain + 1)
    ]
    resolver = PathResolver(modules, EMPTY_CATALOG)
    assert resolver.resolve_path(f"m{chain - 2}.x.run") == {"lib.y.run"}
    stopped = resolver.resolve_path("m0.x")
    assert stopped == {f"m{MAX_PATH_DEPTH + 1}.x"}
    assert resolver.resolve_path("m0.x") is stopped  # asked again: the same answer
    assert resolver.resolve_paths(["m0.x", "other.z"]) == stopped | {"other.z"}


def test_methods_are_found_in_bases_and_overrides() -> None:
    functions = {
        q: FunctionFact(q, ("self",), "method", (), (), 0)
        for q in ("m.A.run", "m.B.run", "m.C.run")
    }
    classes = {
        "m.Base": ClassFact("m.Base", ()),
        "m.A": ClassFact("m.A", ("m.Base",), methods={"run": "m.A.run"}),
        "m.B": ClassFact("m.B", ("m.Base",), methods={"run": "m.B.run"}),
        "m.C": ClassFact("m.C", ("m.A", "m.B"), methods={"run": "m.C.run"}),
        "m.D": ClassFact("m.D", ("m.B", "m.A")),
    }
    resolver = PathResolver([_module("m", functions=functions, classes=classes)], EMPTY_CATALOG)
    assert resolver.methods_of("m.Base", "run") == ["m.A.run", "m.B.run", "m.C.run"]
    assert resolver.methods_of("m.D", "run") == ["m.A.run"]  # bases searched in sorted order
    assert resolver.functions_called(["m.C().run"]) == ["m.C.run"]


def test_protocol_methods_run_whichever_class_has_them_all() -> None:
    functions = {
        q: FunctionFact(q, ("self",), "method", (), (), 0)
        for q in ("m.P.run", "m.A.run", "m.A.stop", "m.B.run", "m.C.run", "m.C.stop")
    }
    classes = {
        "m.P": ClassFact(
            "m.P", ("typing.Protocol",), methods={"run": "m.P.run", "stop": "m.P.run"}
        ),
        "m.A": ClassFact("m.A", (), methods={"run": "m.A.run", "stop": "m.A.stop"}),
        "m.B": ClassFact("m.B", (), methods={"run": "m.B.run"}),  # no `stop`: not a P
        "m.C": ClassFact("m.C", (), methods={"stop": "m.C.stop", "run": "m.C.run"}),
    }
    resolver = PathResolver([_module("m", functions=functions, classes=classes)], EMPTY_CATALOG)
    assert resolver.methods_of("m.P", "run") == ["m.P.run", "m.A.run", "m.C.run"]


def test_collector_paused_restores_its_state() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_a_run_froze_is_released_at_its_end(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 1\n")
    item = InputFile(tmp_path / "m.py", "m.py", "m")
    run([item], EngineOptions(("LLM001",), load_catalog(), jobs=1, cache_dir=tmp_path / "c"))
    assert gc.get_freeze_count() == 0


def test_cache_written_an_entry_at_a_time_reads_back(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "v", "f")
    first = FileResult("a.py", parsed=True, facts=_facts().to_json())
    second = FileResult('b "é".py')
    cache.put("a.py", "1", first)
    cache.put('b "é".py', "2", second, encoded=json.dumps(second.to_dict(), separators=(",", ":")))
    cache.put_project("key", {"findings": [], "inventory": []})
    assert cache.save() is None
    assert cache.file is not None
    assert json.loads(cache.file.read_text()) == {
        "entries": {
            "a.py": {"digest": "1", "result": first.to_dict()},
            'b "é".py': {"digest": "2", "result": second.to_dict()},
        },
        "project": {"key": "key", "data": {"findings": [], "inventory": []}},
    }
    again = ResultCache(tmp_path, "v", "f")
    result = again.get("a.py", "1")
    assert result is not None and result.facts == _facts().to_json()
    assert again.get('b "é".py', "2") == second
    assert again.get_project("key") == {"findings": [], "inventory": []}
    # A run that saves what it read writes the same file again.
    again.put_project("key", {"findings": [], "inventory": []})
    written = cache.file.read_text()
    assert again.save() is None and cache.file.read_text() == written
