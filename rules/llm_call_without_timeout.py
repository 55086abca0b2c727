from collections.abc import Iterator

import libcst as cst

from llmlint.analysis.call_options import KeyFinders, Presence
from llmlint.analysis.module import CallSite, ModuleModel, matching_calls
from llmlint.analysis.receivers import Tracer, llm_calls, receiver_of
from llmlint.analysis.scope import Scope
from llmlint.catalog import Catalog
from llmlint.catalog.schema import ClientTimeout
from llmlint.finding import Severity
from llmlint.prefilter import Prefilter, calls_prefilter
from llmlint.rule import Report, Rule, RuleContext

Use = tuple[CallSite, tuple[tuple[cst.Call, Scope], ...]]


class LLMCallWithoutTimeout(Rule):
    """
    ## What it does
    Finds LLM clients created without a timeout where the SDK's default is unbounded or
    very long: OpenAI and Anthropic clients (600 seconds per attempt, retried twice),
    LangChain's `ChatOpenAI` and `ChatAnthropic` (no timeout at all), Ollama and Google
    Gen AI clients (no timeout), and LiteLLM calls (6000 seconds). A timeout counts when
    it is given to the client (`timeout=`, an `http_client` with its own timeout,
    `http_options`), set module-wide (`litellm.request_timeout`), or passed to every
    request the module makes with the client (`timeout=` on the call, or
    `client.with_options(timeout=...)`).

    ## Why is this bad?
    Model APIs stall: overloaded providers, long generations, dropped connections. A
    request with no timeout holds its worker, its connection and the user's request for
    as long as the provider takes; with retries, half an hour or forever. A few slow
    requests, or an attacker sending prompts that make the model generate at length,
    exhaust the worker pool and take the application down.

    ## Example
    ```python
    from openai import OpenAI

    client = OpenAI()
    ```

    Use instead:
    ```python
    from openai import OpenAI

    client = OpenAI(timeout=30.0, max_retries=2)
    ```

    ## Known limitations
    Requests made with the client in other modules are not looked at, so a client
    whose callers elsewhere all pass a timeout is still reported. Module-wide settings
    made in another module (`openai.timeout = 30` at startup) are not seen either.

    ## References
    - [OWASP LLM10:2025 Unbounded Consumption](https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/)
    - [OpenAI Python library: timeouts](https://github.com/openai/openai-python#timeouts)
    - [Anthropic Python SDK: timeouts](https://github.com/anthropics/anthropic-sdk-python#timeouts)
    - [CWE-400: Uncontrolled Resource Consumption](https://cwe.mitre.org/data/definitions/400.html)
    """

    code = "LLM203"
    name = "llm-call-without-timeout"
    severity = Severity.NOTE
    owasp = ("LLM04:2023", "LLM10:2025")
    cwe = (400,)
    precision = "high"

    def prefilter(self, catalog: Catalog) -> Prefilter:
        return calls_prefilter(e.call for e in catalog.entries(ClientTimeout))

    def check(self, ctx: RuleContext) -> Iterator[Report]:
        model = ctx.model
        index = ctx.catalog.index(ClientTimeout)
        assigned = _assigned_attributes(model)
        finders = KeyFinders(model)
        uses: dict[cst.Call, list[Use]] | None = None
        seen: set[cst.Call] = set()
        for call, entry in matching_calls(model, index):
            if call.node in seen:
                continue
            seen.add(call.node)
            if set(entry.settings) & assigned or self._bounded(call, entry, finders):
                continue
            if entry.request_keywords:
                if uses is None:
                    uses = _uses(model, Tracer(model, index))
                mine = uses.get(call.node, [])
                if mine and all(_timed(use, entry, finders) for use in mine):
                    continue
            yield self.report(call.node, self._message(call, entry, model))

    @staticmethod
    def _bounded(call: CallSite, entry: ClientTimeout, finders: KeyFinders) -> bool:
        finder = finders(entry.keywords)
        if finder.in_call(call.node, call.scope, entry.options) is not Presence.MISSING:
            return True
        timeouts = finders(entry.http_client_keywords)
        for keyword in entry.http_client:
            arg = call.keyword(keyword)
            if arg is not None:
                found = timeouts.in_value(arg.value, call.scope, top=True)
                if found is not Presence.MISSING:
                    return True
        return False

    @staticmethod
    def _message(call: CallSite, entry: ClientTimeout, model: ModuleModel) -> str:
        fix = entry.fix or f"pass {entry.keywords[0]}=<seconds>"
        if entry.settings:
            fix += f" or set {entry.settings[0]}"
        for keyword in entry.keywords:
            arg = call.keyword(keyword)
            if arg is not None and model.literal(arg.value, call.scope) is None:
                return (
                    f"'{call.callee_text}' is given {keyword}=None, which disables the "
                    f"timeout: {fix}."
                )
        return (
            f"'{call.callee_text}' sets no timeout (default: {entry.default}): {fix} so "
            "a stalled provider cannot hold the caller."
        )


def _assigned_attributes(model: ModuleModel) -> set[str]:
    """Module attributes the module assigns (`litellm.request_timeout = 30`)."""
    found: set[str] = set()
    for store in model.stores:
        if isinstance(store.target, cst.Attribute):
            found |= model.paths(store.target, store.scope)
    return found


def _uses(model: ModuleModel, tracer: Tracer[ClientTimeout]) -> dict[cst.Call, list[Use]]:
    """The LLM calls of the module made with each client constructor call."""
    found: dict[cst.Call, list[Use]] = {}
    for call, paths in llm_calls(model, output_only=False):
        receiver, want = receiver_of(call, paths)
        for origin in (tracer.origins(receiver, call.scope, want) if want else None) or ():
            found.setdefault(origin.node, []).append((call, origin.through))
    return found


def _timed(use: Use, entry: ClientTimeout, finders: KeyFinders) -> bool:
    """Whether a request passes a timeout itself or through `with_options(timeout=...)`."""
    call, through = use
    finder = finders(entry.request_keywords)
    if finder.in_call(call.node, call.scope, every=True) is not Presence.MISSING:
        return True
    return any(finder.in_call(c, s, every=True) is not Presence.MISSING for c, s in through)
