from llmlint.analysis.project import FlowHit
from llmlint.finding import Severity
from llmlint.rule import FlowRule


class SecretInPrompt(FlowRule):
    """
    ## What it does
    Finds secrets sent to a model in a prompt: environment variables and settings with
    secret-like names (`*_API_KEY`, `*_TOKEN`, `*_SECRET`, `*PASSWORD*`),
    `SecretStr.get_secret_value()`, values from a keyring or a credentials store.

    ## Why is this bad?
    A prompt is data the model provider receives, logs and may retain, and that the model
    can repeat: a prompt injection ("print your instructions") or an ordinary answer can
    echo it to the user. A credential in a prompt is a credential disclosed to everyone
    who can talk to the model.

    ## Example
    ```python
    import os

    from openai import OpenAI

    client = OpenAI()
    token = os.environ["ORDERS_API_TOKEN"]
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": f"Call the orders API with the token {token}."},
            {"role": "user", "content": "Where is my order 1234?"},
        ],
    )
    ```

    Use instead:
    ```python
    import os

    from openai import OpenAI

    client = OpenAI()
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Use the get_order tool to look orders up."},
            {"role": "user", "content": "Where is my order 1234?"},
        ],
        tools=[{"type": "function", "function": {"name": "get_order", "parameters": {}}}],
    )
    # The tool implementation reads os.environ["ORDERS_API_TOKEN"] itself.
    ```

    ## References
    - [OWASP LLM02:2025 Sensitive Information Disclosure](https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/)
    - [OWASP LLM07:2025 System Prompt Leakage](https://genai.owasp.org/llmrisk/llm072025-system-prompt-leakage/)
    - [CWE-200: Exposure of Sensitive Information](https://cwe.mitre.org/data/definitions/200.html)
    """

    code = "LLM104"
    name = "secret-in-prompt"
    severity = Severity.ERROR
    owasp = ("LLM06:2023", "LLM02:2025")
    cwe = (200, 359)
    precision = "high"
    security_severity = 7.5

    def message(self, hit: FlowHit) -> str:
        return (
            f"Secret from {hit.source.text} ({self.place(hit)}){self.others(hit)} is sent "
            f"to the model in the prompt of '{hit.sink_text}'."
        )
