from collections.abc import Iterator

from llmlint.analysis.agent_limits import unbounded_agents
from llmlint.analysis.loop_bounds import LLMReach, LoopWaits, unbounded_loops, unbounded_recursion
from llmlint.catalog import Catalog
from llmlint.catalog.schema import AgentLimit, LLMCall
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
        for call, entry, node, given in unbounded_agents(model):
            yield self.report(
                node,
                f"'{call.callee_text}' leaves no bound on {entry.label} ({given}): a "
                "model that never finishes keeps calling the LLM; set an iteration or "
                "time limit.",
            )
        reach = LLMReach(model)
        if not reach.witness:
            return
        waits = LoopWaits(ctx.catalog)
        for loop, llm in unbounded_loops(reach, waits):
            yield self.report(
                loop.test,
                f"This 'while {model.text_of(loop.test)}' loop calls an LLM "
                f"('{model.text_of(llm.func)}') and has no break, return or raise: "
                "bound the number of turns.",
                related=[(llm, "The LLM call repeated by the loop.")],
            )
        for call, function, llm in unbounded_recursion(reach, waits):
            yield self.report(
                call.node,
                f"'{function.name.value}' calls itself with no depth bound and calls an LLM "
                f"('{model.text_of(llm.func)}') each time: pass a depth counter and stop at a "
                "limit.",
                related=[(llm, "The LLM call repeated by the recursion.")],
            )
