from llmlint.analysis.project import FlowHit
from llmlint.finding import Severity
from llmlint.rule import FlowRule


class LlmEndpointWithoutRateLimit(FlowRule):
    """
    ## What it does
    Finds web route handlers (Flask and blueprints, FastAPI and routers, Starlette,
    Django views wired in `urls.py`, DRF views and viewsets, Litestar, aiohttp) that reach
    an LLM call, directly or through the project's own functions in any module, with no
    rate limit: not on the route (flask-limiter or slowapi `@limiter.limit`,
    django-ratelimit `@ratelimit`, DRF `throttle_classes`, a fastapi-limiter
    `RateLimiter` dependency), not on its router, blueprint or app, and not project-wide
    (`Limiter(default_limits=...)`, slowapi's middleware, DRF `DEFAULT_THROTTLE_CLASSES`).
    The finding is at the handler's `def`, with the chain of calls to the model.

    ## Why is this bad?
    Every request to such a route costs model tokens and provider quota. Without a limit,
    one client (or a script) can run up the bill, exhaust the provider's rate limit for
    every other user, and slow the service down (denial of service and denial of wallet).

    ## Example
    ```python
    from fastapi import FastAPI
    from openai import OpenAI

    app = FastAPI()
    client = OpenAI()


    @app.post("/summarize")
    def summarize(text: str):
        reply = client.chat.completions.create(
            model="gpt-4o-mini",
            max_tokens=200,
            messages=[{"role": "user", "content": text}],
        )
        return reply.choices[0].message.content
    ```

    Use instead:
    ```python
    from fastapi import FastAPI, Request
    from openai import OpenAI
    from slowapi import Limiter
    from slowapi.util import get_remote_address

    app = FastAPI()
    client = OpenAI()
    limiter = Limiter(key_func=get_remote_address)


    @app.post("/summarize")
    @limiter.limit("10/minute")
    def summarize(request: Request, text: str):
        reply = client.chat.completions.create(
            model="gpt-4o-mini",
            max_tokens=200,
            messages=[{"role": "user", "content": text}],
        )
        return reply.choices[0].message.content
    ```

    ## Known limitations
    Limits enforced outside the code (an API gateway, a reverse proxy) are invisible to
    llmlint; suppress the finding with the reason, or add the decorator your project uses
    as a `[[rate-limit]]` entry of its catalog.

    ## References
    - [OWASP LLM10:2025 Unbounded Consumption](https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/)
    - [CWE-770: Allocation of Resources Without Limits or Throttling](https://cwe.mitre.org/data/definitions/770.html)
    """

    code = "LLM201"
    name = "llm-endpoint-without-rate-limit"
    severity = Severity.WARNING
    owasp = ("LLM04:2023", "LLM10:2025")
    cwe = (770,)
    precision = "medium"
    security_severity = 5.3

    def message(self, hit: FlowHit) -> str:
        return (
            f"Route handler reaches the LLM call '{hit.source.text}' ({self.place(hit)}) "
            "with no rate limit on the route, its router or the app."
        )
