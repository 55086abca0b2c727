from llmlint.finding import Severity
from llmlint.rule import FlowRule


class LlmOutputToPath(FlowRule):
    """
    ## What it does
    Finds LLM output used as the path of a file that is written, moved or deleted:
    `open(..., "w")`, `Path.write_text`/`write_bytes`/`unlink`, `os.remove`,
    `os.rename`, `shutil.rmtree`/`move`/`copy` and similar.

    ## Why is this bad?
    A model-chosen path can climb out of the intended folder (`../../.ssh/authorized_keys`,
    `/etc/cron.d/x`) or name an absolute path: a prompt injection turns a "save the
    summary" feature into overwriting or deleting any file the process can reach.

    ## Example
    ```python
    from openai import OpenAI

    client = OpenAI()
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Name a file for this report"}]
    )
    with open(reply.choices[0].message.content, "w") as report:
        report.write("...")
    ```

    Use instead:
    ```python
    import os

    from openai import OpenAI

    client = OpenAI()
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Name a file for this report"}]
    )
    name = os.path.basename(reply.choices[0].message.content)
    with open(os.path.join("reports", name), "w") as report:
        report.write("...")
    ```

    ## References
    - [OWASP LLM05:2025 Improper Output Handling](https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/)
    - [CWE-22: Path Traversal](https://cwe.mitre.org/data/definitions/22.html)
    - [CWE-73: External Control of File Name or Path](https://cwe.mitre.org/data/definitions/73.html)
    """

    code = "LLM007"
    name = "llm-output-to-path"
    severity = Severity.WARNING
    owasp = ("LLM02:2023", "LLM05:2025")
    cwe = (22, 73)
    precision = "high"
    security_severity = 6.5
