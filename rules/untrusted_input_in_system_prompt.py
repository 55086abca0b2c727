from llmlint.analysis.project import FlowHit
from llmlint.finding import Severity
from llmlint.rule import FlowRule


class UntrustedInputInSystemPrompt(FlowRule):
    """
    ## What it does
    Finds untrusted input (web request data, chat-bot event payloads) placed in the system
    role of a prompt: a message with role `system` or `developer`, `system=` (Anthropic,
    Bedrock `converse`), `instructions=` (OpenAI Responses, Agents SDK),
    `system_instruction=` (Gemini), `SystemMessage(...)`, a `("system", ...)` entry of a
    `ChatPromptTemplate`, `system_prompt=` of agent frameworks. Spliced or not.

    ## Why is this bad?
    Models give the system role the most authority: it sets the rules every later message
    is judged by. Whoever controls text in it controls the assistant, its tools and its
    guardrails, and no later instruction reliably overrides it.

    ## Example
    ```python
    from fastapi import FastAPI
    from anthropic import Anthropic

    app = FastAPI()
    client = Anthropic()


    @app.get("/ask")
    def ask(question: str, persona: str):
        reply = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=500,
            system=f"You are {persona}, a helpful assistant for Acme customers.",
            messages=[{"role": "user", "content": question}],
        )
        return reply.content[0].text
    ```

    Use instead:
    ```python
    from fastapi import FastAPI
    from anthropic import Anthropic

    app = FastAPI()
    client = Anthropic()
    PERSONAS = {"friendly": "a friendly", "formal": "a formal"}


    @app.get("/ask")
    def ask(question: str, persona: str):
        if persona not in PERSONAS:
            persona = "friendly"
        reply = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=500,
            system=f"You are {PERSONAS[persona]} assistant for Acme customers.",
            messages=[{"role": "user", "content": question}],
        )
        return reply.content[0].text
    ```

    ## References
    - [OWASP LLM01:2025 Prompt Injection](https://genai.owasp.org/llmrisk/llm01-prompt-injection/)
    - [OWASP LLM07:2025 System Prompt Leakage](https://genai.owasp.org/llmrisk/llm072025-system-prompt-leakage/)
    - [CWE-1427: Improper Neutralization of Input Used for LLM Prompting](https://cwe.mitre.org/data/definitions/1427.html)
    """

    code = "LLM102"
    name = "untrusted-input-in-system-prompt"
    severity = Severity.ERROR
    owasp = ("LLM01:2023", "LLM01:2025")
    cwe = (1427,)
    precision = "high"
    security_severity = 7.5

    def message(self, hit: FlowHit) -> str:
        return (
            f"Untrusted input from {hit.source.text} ({self.place(hit)}){self.others(hit)} "
            f"reaches the system prompt of '{hit.sink_text}'."
        )
