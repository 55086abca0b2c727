from llmlint.finding import Severity
from llmlint.rule import FlowRule


class LlmOutputToMarkup(FlowRule):
    """
    ## What it does
    Finds LLM output rendered as HTML without escaping: `Markup`,
    `render_template_string`, `mark_safe`/`SafeString`, `HTMLResponse`, Streamlit with
    `unsafe_allow_html=True`, `gradio.HTML`, `IPython.display.HTML` and Jinja templates
    built from model text.

    ## Why is this bad?
    Model output is attacker-influenced text. Marked as safe HTML it becomes stored or
    reflected cross-site scripting: a prompt injection can make the model emit a
    `<script>` or an `<img src=...>` that steals the session of whoever views the answer,
    or exfiltrates the conversation through the image URL.

    ## Example
    ```python
    from fastapi.responses import HTMLResponse
    from openai import OpenAI

    client = OpenAI()


    def summary_page(ticket: str) -> HTMLResponse:
        reply = client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": ticket}]
        )
        return HTMLResponse(f"<h1>Summary</h1>{reply.choices[0].message.content}")
    ```

    Use instead:
    ```python
    import html

    from fastapi.responses import HTMLResponse
    from openai import OpenAI

    client = OpenAI()


    def summary_page(ticket: str) -> HTMLResponse:
        reply = client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": ticket}]
        )
        return HTMLResponse(f"<h1>Summary</h1>{html.escape(reply.choices[0].message.content)}")
    ```

    ## Known limitations
    Templates that apply `|safe` to a variable are not read; model output passed to
    such a template is not reported.

    ## References
    - [OWASP LLM05:2025 Improper Output Handling](https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/)
    - [OWASP Cross Site Scripting Prevention Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html)
    - [CWE-79: Cross-site Scripting](https://cwe.mitre.org/data/definitions/79.html)
    """

    code = "LLM004"
    name = "llm-output-to-markup"
    severity = Severity.WARNING
    owasp = ("LLM02:2023", "LLM05:2025")
    cwe = (79,)
    precision = "high"
    security_severity = 6.1
