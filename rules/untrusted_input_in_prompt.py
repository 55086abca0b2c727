from llmlint.analysis.project import FlowHit
from llmlint.finding import Severity
from llmlint.rule import FlowRule


class UntrustedInputInPrompt(FlowRule):
    """
    ## What it does
    Finds untrusted input spliced into a prompt together with instruction text. Untrusted
    input is web request data (Flask, Django and DRF requests, FastAPI, Starlette,
    Litestar and aiohttp route parameters and bodies, headers, uploaded files) and
    chat-bot event payloads; splicing is an f-string, `+`, `%`, `str.format`, `join` or a
    prompt template (`PromptTemplate.format`, `ChatPromptTemplate`, Jinja). A value sent
    as its own user message is the intended channel and is not reported.

    ## Why is this bad?
    Mixed into the instructions, the user's text is read as instructions: "ignore the
    above and ..." then changes what the model does, what tools it calls and what it
    reveals (prompt injection). Keeping user text in its own message does not make
    injection impossible, but it keeps the roles apart and lets the model and any
    guardrail tell them apart.

    ## Example
    ```python
    from flask import Flask, request
    from openai import OpenAI

    app = Flask(__name__)
    client = OpenAI()


    @app.post("/summarize")
    def summarize():
        text = request.form["text"]
        prompt = f"Summarize this support ticket in two sentences:\\n{text}"
        return client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
        ).choices[0].message.content
    ```

    Use instead:
    ```python
    from flask import Flask, request
    from openai import OpenAI

    app = Flask(__name__)
    client = OpenAI()


    @app.post("/summarize")
    def summarize():
        text = request.form["text"]
        return client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[
                {"role": "system", "content": "Summarize the user's ticket in two sentences."},
                {"role": "user", "content": text},
            ],
        ).choices[0].message.content
    ```

    ## Known limitations
    A project's own validation function clears the input only when it is added to the
    catalog as a `[[sanitizer]]` for LLM101.

    ## References
    - [OWASP LLM01:2025 Prompt Injection](https://genai.owasp.org/llmrisk/llm01-prompt-injection/)
    - [OWASP LLM Prompt Injection Prevention Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/LLM_Prompt_Injection_Prevention_Cheat_Sheet.html)
    - [CWE-1427: Improper Neutralization of Input Used for LLM Prompting](https://cwe.mitre.org/data/definitions/1427.html)
    """

    code = "LLM101"
    name = "untrusted-input-in-prompt"
    severity = Severity.WARNING
    owasp = ("LLM01:2023", "LLM01:2025")
    cwe = (1427, 77)
    precision = "high"
    security_severity = 6.5

    def message(self, hit: FlowHit) -> str:
        return (
            f"Untrusted input from {hit.source.text} ({self.place(hit)}){self.others(hit)} "
            f"is spliced into instruction text in the prompt of '{hit.sink_text}'."
        )
