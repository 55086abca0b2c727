"""Loops, recursion and LLM call matching behind LLM202-LLM204, on the semantic model."""

from __future__ import annotations

import gc
import weakref

from llmlint.analysis import receivers
from llmlint.analysis.loop_bounds import (
    LLMReach,
    LoopWaits,
    infinite_loops,
    unbounded_loops,
    unbounded_recursion,
)
from llmlint.analysis.module import ModuleModel
from llmlint.analysis.receivers import llm_calls
from llmlint.catalog import load_catalog
from tests.test_analysis import model_of as analysis_model_of

CATALOG = load_catalog()


def model_of(code: str) -> ModuleModel:
    return analysis_model_of(code, module="app")


LOOPS = """
from openai import OpenAI

client = OpenAI()

def ask():
    return client.chat.completions.create(model="m", messages=[])

while True:
    ask()

class Agent:
    while 1:
        client.chat.completions.create(model="m", messages=[])

    def run(self):
        def inner():
            while True:
                ask()
        while True:
            print("no model here")

def quiet():
    while True:
        print("no model here either")
"""


def test_every_scope_walked_finds_each_constant_loop_once() -> None:
    model = model_of(LOOPS)
    loops = list(infinite_loops(model, model.scopes))
    assert len(loops) == len(set(loops)) == 5


def test_the_model_records_every_while_loop_with_its_scope_in_source_order() -> None:
    model = model_of(
        """
        while ready():
            pass

        def serve(n):
            while n:
                while True:
                    pass
                else:
                    while 0:
                        pass
            try:
                pass
            except Exception:
                while n > 1:
                    pass
            handler = lambda: [x for x in range(3)]

        class Worker:
            while 1:
                def step(self):
                    while True:
                        pass
        """
    )
    recorded = [(model.text_of(loop.test), scope.qualname) for loop, scope in model.loops]
    assert recorded == [
        ("ready()", "app"),
        ("n", "app.serve"),
        ("True", "app.serve"),
        ("0", "app.serve"),
        ("n > 1", "app.serve"),
        ("1", "app.Worker"),
        ("True", "app.Worker.step"),
    ]
    constant = [model.text_of(loop.test) for loop in infinite_loops(model, model.scopes)]
    assert constant == ["True", "1", "True"]


def test_loops_that_call_a_model_are_in_the_functions_that_reach_one() -> None:
    model = model_of(LOOPS)
    reach = LLMReach(model)
    found = sorted(
        (model.text_of(loop.test), model.text_of(llm.func))
        for loop, llm in unbounded_loops(reach, LoopWaits(CATALOG))
    )
    assert found == [
        ("1", "client.chat.completions.create"),
        ("True", "client.chat.completions.create"),
        ("True", "client.chat.completions.create"),
    ]
    walked = list(infinite_loops(model, reach.witness))
    assert len(walked) == 3  # `run` and `quiet` call no model: their loops are not walked


def test_waiting_loops_and_bounded_recursion_are_not_reported() -> None:
    model = model_of(
        """
        from openai import OpenAI

        client = OpenAI()

        def serve(inbox):
            while True:
                inbox.get()
                client.chat.completions.create(model="m", messages=[])

        def walk(depth):
            client.chat.completions.create(model="m", messages=[])
            if depth > 3:
                return
            walk(depth + 1)

        def forever(task):
            client.chat.completions.create(model="m", messages=[])
            forever(task)
        """
    )
    reach = LLMReach(model)
    waits = LoopWaits(CATALOG)
    assert list(unbounded_loops(reach, waits)) == []
    recursions = [function.name.value for _, function, _ in unbounded_recursion(reach, waits)]
    assert recursions == ["forever"]


def test_llm_calls_are_matched_once_per_module_and_the_model_freed() -> None:
    model = model_of(
        """
        from openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(model="m", messages=[])
        client.embeddings.create(model="e", input="x")
        """
    )
    output = [model.text_of(call.node.func) for call, _ in llm_calls(model)]
    every = [model.text_of(call.node.func) for call, _ in llm_calls(model, output_only=False)]
    assert output == ["client.chat.completions.create"]
    assert every == ["client.chat.completions.create", "client.embeddings.create"]
    matched = receivers._MATCHES[model]
    list(llm_calls(model))
    assert receivers._MATCHES[model] is matched
    assert matched.scanned == len(model.calls)
    freed = weakref.ref(model)
    del model
    gc.collect()
    assert freed() is None


def test_llm_calls_read_while_another_reader_is_halfway() -> None:
    model = model_of(
        """
        from openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(model="m", messages=[])
        print("between")
        client.embeddings.create(model="e", input="x")
        """
    )
    first = llm_calls(model, output_only=False)
    call, _ = next(first)
    assert model.text_of(call.node.func) == "client.chat.completions.create"
    assert receivers._MATCHES[model].scanned < len(model.calls)
    second = [model.text_of(c.node.func) for c, _ in llm_calls(model, output_only=False)]
    assert second == ["client.chat.completions.create", "client.embeddings.create"]
    assert [model.text_of(c.node.func) for c, _ in first] == ["client.embeddings.create"]
