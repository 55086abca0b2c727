import re
from collections.abc import Iterator

import libcst as cst

from llmlint.analysis.call_options import KeyFinders, Presence, combine
from llmlint.analysis.module import CallSite, ModuleModel
from llmlint.analysis.receivers import Origin, Tracer, llm_calls, receiver_of
from llmlint.analysis.scope import Scope
from llmlint.catalog import Catalog
from llmlint.catalog.schema import TokenCap, TokenCapDefault
from llmlint.finding import Severity
from llmlint.prefilter import Prefilter, calls_prefilter
from llmlint.rule import Report, Rule, RuleContext


class LLMCallWithoutTokenLimit(Rule):
    """
    ## What it does
    Finds LLM calls that set no cap on the length of the model's output where the API
    leaves the cap optional: OpenAI, Azure OpenAI, Groq and Together chat completions
    without `max_tokens`/`max_completion_tokens`, the Responses API without
    `max_output_tokens`, LiteLLM, Cohere, Mistral, Ollama (`options={"num_predict": ...}`),
    Gemini (`max_output_tokens` in `config` or `generation_config`) and Bedrock Converse
    (`inferenceConfig={"maxTokens": ...}`). Calls on LangChain, LlamaIndex, CrewAI, Gemini
    chat and Azure AI Inference objects are traced back to where the object was built: a
    cap given there, to a fluent copy (`llm.bind(max_tokens=...)`) or to the call counts.

    ## Why is this bad?
    Without a cap a single request may generate up to the model's whole output window,
    tens of thousands of tokens, and a looping or adversarial prompt ("repeat this
    forever") gets exactly that, on every request. Output tokens are the expensive ones
    and the slow ones: an attacker who can send prompts can run up the bill and tie up
    workers (denial of wallet and of service).

    ## Example
    ```python
    from openai import OpenAI

    client = OpenAI(timeout=30)

    def answer(question: str) -> str:
        response = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": question}],
        )
        return response.choices[0].message.content
    ```

    Use instead:
    ```python
    from openai import OpenAI

    client = OpenAI(timeout=30)

    def answer(question: str) -> str:
        response = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": question}],
            max_completion_tokens=800,
        )
        return response.choices[0].message.content
    ```

    ## Known limitations
    Anthropic's Messages API requires `max_tokens`, and APIs with a small default cap
    (OpenAI's legacy Completions, Bedrock InvokeModel's native bodies) are not reported.
    A cap inside options that come from another module or a parameter is assumed
    present. Clients and models made in another module of the project, passed in as
    parameters, or made by factories such as `init_chat_model` are not traced: their
    calls are not reported.

    ## References
    - [OWASP LLM10:2025 Unbounded Consumption](https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/)
    - [OpenAI API: max_completion_tokens](https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_completion_tokens)
    - [Amazon Bedrock: InferenceConfiguration](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html)
    - [CWE-400: Uncontrolled Resource Consumption](https://cwe.mitre.org/data/definitions/400.html)
    """

    code = "LLM202"
    name = "llm-call-without-token-limit"
    severity = Severity.WARNING
    owasp = ("LLM04:2023", "LLM10:2025")
    cwe = (400,)
    precision = "high"

    def prefilter(self, catalog: Catalog) -> Prefilter:
        calls = [e.call for e in catalog.entries(TokenCap)]
        calls += [e.call for e in catalog.entries(TokenCapDefault)]
        return calls_prefilter(calls)

    def check(self, ctx: RuleContext) -> Iterator[Report]:
        model = ctx.model
        direct = ctx.catalog.index(TokenCap)
        defaults = ctx.catalog.entries(TokenCapDefault)
        tracer = Tracer(
            model,
            ctx.catalog.index(TokenCapDefault),
            derived=lambda entry: entry.through,
            derived_methods={method for entry in defaults for method in entry.through},
        )
        finders = KeyFinders(model)
        for call, paths in llm_calls(model):
            entries = direct.match_any(call.callees)
            if entries:
                report = self._direct(call, entries[0], finders)
            else:
                receiver, want = receiver_of(call, paths)
                origins = tracer.origins(receiver, call.scope, want) if want else None
                report = self._traced(call, origins, finders) if origins else None
            if report is not None:
                yield report

    def _direct(self, call: CallSite, entry: TokenCap, finders: KeyFinders) -> Report | None:
        finder = finders(entry.keywords)
        if finder.in_call(call.node, call.scope, entry.options) is not Presence.MISSING:
            return None
        if _exempt(call.node, call.scope, entry, finders.model):
            return None
        return self.report(
            call.node,
            f"'{call.callee_text}' sets no output-token cap: pass {_cap_text(entry)}, or one "
            "call can generate (and bill) the model's whole output window.",
        )

    def _traced(
        self, call: CallSite, origins: list[Origin[TokenCapDefault]], finders: KeyFinders
    ) -> Report | None:
        model = finders.model
        states: list[Presence] = []
        for origin in origins:
            entry = origin.entry
            if _exempt(origin.node, origin.scope, entry, model):
                return None
            finder = finders(entry.keywords)
            states.append(finder.in_call(origin.node, origin.scope, entry.options))
            states.extend(finder.in_call(c, s, entry.options) for c, s in origin.through)
            states.append(finder.in_call(call.node, call.scope, entry.options))
        if combine(states) is not Presence.MISSING:
            return None
        first = origins[0]
        built = model.text_of(first.node.func)
        return self.report(
            call.node,
            f"'{call.callee_text}' runs a model made by '{built}' with no output-token cap: "
            f"pass {_cap_text(first.entry)} where it is made or on the call.",
            related=[
                (o.node, f"'{model.text_of(o.node.func)}' is made here without a cap.")
                for o in origins
            ],
        )


def _cap_text(entry: TokenCap) -> str:
    """`max_tokens or max_completion_tokens`; `num_predict (in options)` for a call whose
    cap goes into an options argument (a constructor's options are only alternatives)."""
    names = " or ".join(entry.keywords[:2])
    inside = entry.options and not isinstance(entry, TokenCapDefault)
    return f"{names} (in {entry.options[0]})" if inside else names


def _exempt(node: cst.Call, scope: Scope, entry: TokenCap, model: ModuleModel) -> bool:
    """A constant model name for which the SDK fills in a cap itself."""
    if entry.model is None or not entry.exempt_models:
        return False
    value = CallSite(node, scope, model).argument(entry.model)
    name = model.literal(value, scope) if value is not None else None
    return isinstance(name, str) and re.search(entry.exempt_models, name) is not None
