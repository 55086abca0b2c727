"""Name resolution, bindings and positions of the semantic model."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from llmlint.analysis.module import UNKNOWN, ModuleModel
from llmlint.analysis.positions import compute_spans
from llmlint.catalog import load_catalog
from llmlint.source import LineIndex

CATALOG = load_catalog()


def model_of(code: str, module: str = "pkg.sub.mod", is_package: bool = False) -> ModuleModel:
    text = textwrap.dedent(code)
    tree = cst.parse_module(text)
    return ModuleModel(
        tree,
        path="mod.py",
        module_name=module,
        is_package=is_package,
        lines=LineIndex.of(text),
        catalog=CATALOG,
    )


def callees(model: ModuleModel) -> list[set[str]]:
    return [set(call.callees) for call in model.calls]


def callees_of(model: ModuleModel, written: str) -> set[str]:
    """What the last call written as `written(...)` resolves to."""
    matches = [set(call.callees) for call in model.calls if call.callee_text == written]
    assert matches, f"no call to {written}"
    return matches[-1]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import torch as T\nT.load(f)", {"torch.load"}),
        ("import a.b.c\na.b.c.f()", {"a.b.c.f"}),
        ("import a.b.c as d\nd.f()", {"a.b.c.f"}),
        (
            "from transformers import AutoModel as M\nM.from_pretrained(x)",
            {"transformers.AutoModel.from_pretrained"},
        ),
        ("from . import helpers\nhelpers.run()", {"pkg.sub.helpers.run"}),
        ("from .helpers import run\nrun()", {"pkg.sub.helpers.run"}),
        ("from ..core import run as go\ngo()", {"pkg.core.run"}),
        ("from openai import *\nOpenAI()", {"openai.OpenAI"}),
        ("eval(x)", {"builtins.eval"}),
        ("def eval(x): pass\neval(x)", {"pkg.sub.mod.eval"}),
    ],
)
def test_imports_and_aliases(code: str, expected: set[str]) -> None:
    assert callees(model_of(code))[-1] == expected


def test_relative_import_in_a_package_init() -> None:
    model = model_of("from .client import make\nmake()", module="pkg", is_package=True)
    assert callees(model) == [{"pkg.client.make"}]


def test_instances_flow_through_assignments_with_and_attributes() -> None:
    model = model_of(
        """
        import gradio as gr
        from openai import OpenAI

        client = OpenAI()
        alias = client
        alias.chat.completions.create()
        with gr.Blocks() as demo:
            pass
        demo.queue().launch()

        class Bot:
            def __init__(self):
                self.llm = OpenAI()

            def ask(self):
                return self.llm.responses.create()
        """
    )
    assert callees_of(model, "alias.chat.completions.create") == {
        "openai.OpenAI().chat.completions.create"
    }
    assert callees_of(model, "demo.queue().launch") == {
        "gradio.Blocks().launch",  # queue() returns the app itself (catalog: returns-receiver)
        "gradio.Blocks().queue().launch",
    }
    assert callees_of(model, "self.llm.responses.create") == {
        "openai.OpenAI().responses.create",
        "pkg.sub.mod.Bot().llm.responses.create",  # the project path is kept for the call graph
    }


def test_annotations_give_instance_types() -> None:
    model = model_of(
        """
        from typing import Optional
        import anthropic

        def ask(
            client: anthropic.Anthropic,
            other: Optional["anthropic.AsyncAnthropic"],
            third: anthropic.Anthropic | None,
        ):
            client.messages.create()
            other.messages.create()
            third.messages.create()
        """
    )
    assert callees_of(model, "client.messages.create") == {"anthropic.Anthropic().messages.create"}
    assert callees_of(model, "other.messages.create") == {
        "anthropic.AsyncAnthropic().messages.create"
    }
    assert callees_of(model, "third.messages.create") == {"anthropic.Anthropic().messages.create"}


def test_scopes_follow_python_rules() -> None:
    model = model_of(
        """
        import torch
        class Loader:
            torch = None
            def load(self):
                return torch.load(path)
        def shadow():
            torch = object()
            torch.load(path)
        """
    )
    assert callees(model)[0] == {"torch.load"}  # class scope names are not visible in methods
    assert callees_of(model, "torch.load") == {"builtins.object().load"}


def test_literals_follow_single_constant_bindings() -> None:
    model = model_of(
        """
        HOST = "0.0.0.0"
        PORT = 8000
        CHANGED = 1
        CHANGED = 2
        f(HOST, PORT, -PORT, "a" "b", True, None, CHANGED, unknown)
        """
    )
    call = model.calls[-1]
    values = [model.literal(arg.value, call.scope) for arg in call.node.args]
    assert values == ["0.0.0.0", 8000, -8000, "ab", True, None, UNKNOWN, UNKNOWN]


def test_resolution_is_bounded_on_cycles() -> None:
    model = model_of("a = b\nb = a\na.f()\nx = x.y()\nx.z()")
    assert callees(model) == [set(), set(), set()]


_SPAN_SAMPLES = [
    "import torch\n\n\ndef f(  x ):\n    return (torch.load(\n        x, weights_only=False))\n",
    "x = 1",  # no trailing newline
    "if a:\r\n\tb = [\r\n  1, (2)]  # c\r\nelse :  pass\r\n",
    "@d\n# c\n@e(1)\nasync def f(*, a: int = 2, **k) -> None:\n    async with x as y: yield\n",
    *(
        path.read_text(encoding="utf-8")
        for path in sorted((Path(__file__).parent / "fixtures").rglob("LLM0*.py"))
        if not path.name.startswith("LLM000")
    ),
]


@pytest.mark.parametrize(
    "text", _SPAN_SAMPLES, ids=[f"sample{i}" for i in range(len(_SPAN_SAMPLES))]
)
def test_spans_match_libcst_position_provider(text: str) -> None:
    tree = cst.parse_module(text)
    nodes: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            # Findings never point at whitespace; at the end of a file without a newline
            # PositionProvider counts the newline libcst's generator adds.
            if not isinstance(node, cst.Module) and "whitespace" not in type(node).__module__:
                nodes.append(node)
            return True

    tree.visit(Collect())
    expected = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    lines = LineIndex.of(text)
    # All nodes at once, and every third one alone (a wanted node among unwanted ones).
    for wanted in (nodes, nodes[::3]):
        spans = compute_spans(tree, wanted, lines)
        for node in wanted:
            want = expected[node]
            got = spans[node]
            assert (got.line, got.column, got.end_line, got.end_column) == (
                want.start.line,
                want.start.column,
                want.end.line,
                want.end.column,
            ), type(node).__name__
    assert tree.code == text  # the code generator is libcst's own again


def test_calls_of_project_functions_return_what_they_return() -> None:
    model = model_of(
        """
        import gradio as gr
        from openai import OpenAI

        def make_client() -> "OpenAI":
            ...

        def make_app():
            app = gr.Blocks()
            return app

        class Factory:
            def build(self):
                return make_app()

        make_client().chat.completions.create()
        Factory().build().launch()
        """
    )
    assert "openai.OpenAI().chat.completions.create" in callees_of(
        model, "make_client().chat.completions.create"
    )
    assert "gradio.Blocks().launch" in callees_of(model, "Factory().build().launch")
