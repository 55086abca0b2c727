from llmlint.analysis.project import FlowHit
from llmlint.finding import Severity
from llmlint.rule import FlowRule


class UntrustedGenerationParameters(FlowRule):
    """
    ## What it does
    Finds request data that chooses what an LLM call costs: the model
    (`model=request.json["model"]`), the output-token cap (`max_tokens`,
    `max_completion_tokens`, `max_output_tokens`, `num_predict`), the number of completions
    (`n`, `best_of`) or the reasoning effort, on every SDK in the catalog and on the model
    constructors of LangChain and LlamaIndex. Converting the value with `int()` does not
    bound it; clamping it with `min()`, or checking it against an allowlist, does.

    ## Why is this bad?
    Whoever sends the request picks the bill: the most expensive model, a cap of a million
    tokens, fifty completions per call. One client can exhaust the budget or the rate limit
    of the whole application (denial of wallet), or reach models the product does not
    offer them.

    ## Example
    ```python
    from flask import Flask, request
    from openai import OpenAI

    app = Flask(__name__)
    client = OpenAI()


    @app.post("/complete")
    def complete():
        return client.chat.completions.create(
            model=request.json["model"],
            max_tokens=int(request.json["max_tokens"]),
            messages=[{"role": "user", "content": request.json["text"]}],
        ).choices[0].message.content
    ```

    Use instead:
    ```python
    from flask import Flask, abort, request
    from openai import OpenAI

    app = Flask(__name__)
    client = OpenAI()
    MODELS = ("gpt-4o-mini", "gpt-4o")


    @app.post("/complete")
    def complete():
        model = request.json["model"]
        if model not in MODELS:
            abort(400)
        return client.chat.completions.create(
            model=model,
            max_tokens=min(int(request.json["max_tokens"]), 1024),
            messages=[{"role": "user", "content": request.json["text"]}],
        ).choices[0].message.content
    ```

    ## Known limitations
    A bound checked with `if n > 1024: abort(400)` is not recognised; clamp with `min()`.

    ## References
    - [OWASP LLM10:2025 Unbounded Consumption](https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/)
    - [CWE-770: Allocation of Resources Without Limits or Throttling](https://cwe.mitre.org/data/definitions/770.html)
    """

    code = "LLM205"
    name = "untrusted-generation-parameters"
    severity = Severity.WARNING
    owasp = ("LLM04:2023", "LLM10:2025")
    cwe = (770,)
    precision = "high"
    security_severity = 5.3

    def message(self, hit: FlowHit) -> str:
        return (
            f"Untrusted input from {hit.source.text} ({self.place(hit)}){self.others(hit)} "
            f"{hit.sink.message}: the client picks the cost of the call; allow-list or "
            "clamp it."
        )
