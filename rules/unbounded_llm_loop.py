import math
import re
from collections.abc import Iterator

import libcst as cst

from llmlint.analysis.loop_bounds import (
    ABSENT,
    Absent,
    LLMReach,
    derived_names,
    exits_process,
    in_iteration,
    infinite_loops,
    limit_argument,
    limit_value,
    loop_body,
    owner_function,
    parameter_names,
    tested_names,
)
from llmlint.analysis.module import UNKNOWN, CallSite, ModuleModel, matching_calls
from llmlint.analysis.scope import ScopeKind
from llmlint.catalog import Catalog
from llmlint.catalog.schema import AgentLimit, ArgRef, LLMCall, LoopWait
from llmlint.finding import Severity
from llmlint.prefilter import Prefilter, calls_prefilter
from llmlint.rule import Report, Rule, RuleContext


class UnboundedLLMLoop(Rule):
    """
    ## What it does
    Finds LLM calls that nothing stops from repeating: a `while True:` (or `while 1:`)
    loop that calls a model, directly or through this module's functions, with no
    `break`, `return` or `raise` in it; a function that calls a model and calls itself
    with no depth bound; and agent loops whose limit is removed: LangChain
    `AgentExecutor(max_iterations=None)` without `max_execution_time`, LangGraph runs
    with a huge `recursion_limit`, CrewAI `max_iter`, AutoGen
    `max_consecutive_auto_reply`, smolagents `max_steps` or OpenAI Agents `max_turns`
    set very high, AutoGen AgentChat teams with neither a termination condition nor
    `max_turns`, and pydantic-ai `UsageLimits(request_limit=None)`.

    ## Why is this bad?
    An agent loop ends when the model says it is done. A model that never says so
    (confused, looping on a failing tool, or steered there by injected instructions)
    keeps calling the API, each call re-sending a growing conversation: cost and load
    grow without limit until someone notices the bill. An iteration cap turns that
    into a bounded failure.

    ## Example
    ```python
    from openai import OpenAI

    client = OpenAI()

    def solve(task: str) -> None:
        messages = [{"role": "user", "content": task}]
        while True:
            reply = client.chat.completions.create(model="gpt-4o", messages=messages)
            messages.append(reply.choices[0].message)
            run_tool_calls(reply, messages)
    ```

    Use instead:
    ```python
    from openai import OpenAI

    client = OpenAI()
    MAX_STEPS = 10

    def solve(task: str) -> None:
        messages = [{"role": "user", "content": task}]
        for _ in range(MAX_STEPS):
            reply = client.chat.completions.create(model="gpt-4o", messages=messages)
            messages.append(reply.choices[0].message)
            if not reply.choices[0].message.tool_calls:
                break
            run_tool_calls(reply, messages)
    ```

    ## Known limitations
    A `while True` loop that waits for input or time each turn (`input()`,
    `queue.get()`, `websocket.receive_text()`, `time.sleep`) is taken for a service
    loop and not reported; one whose only exit is in a called function (`sys.exit`
    in a helper) is. Loops over conditions other than a constant, and mutual recursion,
    are not checked. A recursive function counts as bounded when a parameter it tests
    feeds the recursive call, or when it recurses from inside a `for` loop over its data.

    ## References
    - [OWASP LLM10:2025 Unbounded Consumption](https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/)
    - [LangChain: AgentExecutor max_iterations](https://python.langchain.com/api_reference/langchain/agents/langchain.agents.agent.AgentExecutor.html)
    - [LangGraph: recursion limit](https://langchain-ai.github.io/langgraph/concepts/low_level/#recursion-limit)
    - [CWE-834: Excessive Iteration](https://cwe.mitre.org/data/definitions/834.html)
    """

    code = "LLM204"
    name = "unbounded-llm-loop"
    severity = Severity.WARNING
    owasp = ("LLM04:2023", "LLM10:2025")
    cwe = (834,)
    precision = "medium"

    def prefilter(self, catalog: Catalog) -> Prefilter:
        calls = [e.call for e in catalog.entries(LLMCall) if e.output]
        calls += [e.call for e in catalog.entries(AgentLimit)]
        return calls_prefilter(calls)

    def check(self, ctx: RuleContext) -> Iterator[Report]:
        model = ctx.model
        yield from self._agent_limits(model, ctx.catalog)
        reach = LLMReach(model)
        if not reach.witness:
            return
        waits = _Waits(ctx.catalog)
        yield from self._loops(model, waits, reach)
        yield from self._recursion(model, waits, reach)

    # -- agent executors ------------------------------------------------------------------

    def _agent_limits(self, model: ModuleModel, catalog: Catalog) -> Iterator[Report]:
        seen: set[cst.Call] = set()
        for call, entry in matching_calls(model, catalog.index(AgentLimit)):
            if call.node in seen or call.has_unpacked_arguments:
                continue
            seen.add(call.node)
            found = _unbounded(call, entry, model)
            if found is not None:
                node, given = found
                yield self.report(
                    node,
                    f"'{call.callee_text}' leaves no bound on {entry.label} ({given}): a "
                    "model that never finishes keeps calling the LLM; set an iteration or "
                    "time limit.",
                )

    # -- while True -------------------------------------------------------------------------

    def _loops(self, model: ModuleModel, waits: "_Waits", reach: LLMReach) -> Iterator[Report]:
        for loop in infinite_loops(model):
            body = loop_body(loop)
            if body.exits:
                continue
            llm: cst.Call | None = None
            for node in body.calls:
                site = reach.sites.get(node)
                if site is None:
                    continue
                if exits_process(model, node, site.scope) or waits.matches(site, model):
                    break  # it ends the process, or waits for an event each turn
                llm = llm or reach.llm_call_in(node)
            else:
                if llm is not None:
                    yield self.report(
                        loop.test,
                        f"This 'while {model.text_of(loop.test)}' loop calls an LLM "
                        f"('{_callee(model, llm)}') and has no break, return or raise: "
                        "bound the number of turns.",
                        related=[(llm, "The LLM call repeated by the loop.")],
                    )

    # -- recursion --------------------------------------------------------------------------

    def _recursion(self, model: ModuleModel, waits: "_Waits", reach: LLMReach) -> Iterator[Report]:
        paced = {owner_function(call.scope) for call in model.calls if waits.matches(call, model)}
        for call in model.calls:
            function = owner_function(call.scope)
            node = function.node
            if function.kind is not ScopeKind.FUNCTION or function not in reach.witness:
                continue
            if not isinstance(node, cst.FunctionDef) or function in paced:
                continue
            if function not in reach.callee_functions(call):
                continue
            if in_iteration(node, call.node):
                continue  # recursion over the parts of its data (a tree walk)
            tested = tested_names(node) & parameter_names(node)
            if tested & derived_names(model, call):
                continue
            llm = reach.witness[function]
            yield self.report(
                call.node,
                f"'{node.name.value}' calls itself with no depth bound and calls an LLM "
                f"('{_callee(model, llm)}') each time: pass a depth counter and stop at a "
                "limit.",
                related=[(llm, "The LLM call repeated by the recursion.")],
            )


def _callee(model: ModuleModel, call: cst.Call) -> str:
    return model.text_of(call.func)


def _unbounded(
    call: CallSite, entry: AgentLimit, model: ModuleModel
) -> tuple[cst.CSTNode, str] | None:
    """Where the limit is removed (the call itself when no limit is given), and what is
    given; None when some limit bounds the loop."""
    names: dict[str, list[ArgRef]] = {}
    for ref in entry.limits:
        names.setdefault(ref.key or ref.keyword or "", []).append(ref)
    removed: cst.CSTNode | None = None
    given: list[str] = []
    missing: list[str] = []
    for name, refs in names.items():
        where: tuple[cst.CSTNode, cst.BaseExpression] | Absent | None = ABSENT
        for ref in refs:
            where = limit_argument(call, ref)
            if where is not ABSENT:
                break
        if where is None:
            return None  # given somewhere llmlint cannot see
        if not isinstance(where, Absent):
            node, expr = where
            value = limit_value(model, expr, call.scope)
            ceiling = entry.ceilings.get(name, math.inf)
            if value is UNKNOWN or (value is not None and value <= ceiling):
                return None
            if value is not None or not entry.none_is_default:
                removed = removed or node
                given.append(f"{name}={model.text_of(expr)}")
                continue
        if name in entry.defaults:
            return None  # not passed, or None standing for the default: bounded
        missing.append(name)
    if removed is None and _extra_positionals(call, entry):
        return None  # the limits may be among the positional arguments
    if given and len(missing) > 1:
        given.append("no other limit")
    else:
        given.extend(f"no {name}" for name in missing)
    return (removed or call.node), ", ".join(given)


def _extra_positionals(call: CallSite, entry: AgentLimit) -> bool:
    positions = [r.position for r in entry.limits if r.position is not None]
    allowed = max(positions, default=0) + 1
    count = sum(1 for arg in call.node.args if arg.keyword is None and not arg.star)
    return count > allowed


class _Waits:
    """The calls that wait for outside input or time ([[loop-wait]])."""

    def __init__(self, catalog: Catalog) -> None:
        self.index = catalog.index(LoopWait)
        self.methods = [e for e in catalog.entries(LoopWait) if e.method]

    def matches(self, site: CallSite, model: ModuleModel) -> bool:
        if site.callees and self.index.match_any(site.callees):
            return True
        func = site.node.func
        if not isinstance(func, cst.Attribute):
            return False
        receiver = model.text_of(func.value).rsplit(".", 1)[-1]
        return any(
            entry.method == func.attr.value and re.search(entry.receiver, receiver)
            for entry in self.methods
        )
