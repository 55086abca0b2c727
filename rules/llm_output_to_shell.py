from llmlint.finding import Severity
from llmlint.rule import FlowRule


class LlmOutputToShell(FlowRule):
    """
    ## What it does
    Finds LLM output that reaches a shell or chooses the program to run: `os.system`,
    `os.popen`, `subprocess` calls with `shell=True` (or with a program name the model
    wrote), `bash -c <text>`, `asyncio.create_subprocess_shell`, `pexpect`, paramiko's
    `exec_command` and similar. Arguments a model chooses for the project's own tools
    count as LLM output.

    ## Why is this bad?
    A shell interprets metacharacters: `;`, `&&`, `$(...)` and backticks turn one
    command into several. A model that can be steered by text it reads (a prompt
    injection in a web page, a ticket, a file) can then run any command on the host,
    with the application's credentials.

    ## Example
    ```python
    import subprocess

    from openai import OpenAI

    client = OpenAI()
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Which log file is largest?"}]
    )
    subprocess.run(reply.choices[0].message.content, shell=True)
    ```

    Use instead:
    ```python
    import subprocess

    from openai import OpenAI

    ALLOWED = {"app.log", "error.log"}
    client = OpenAI()
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Which log file is largest?"}]
    )
    name = reply.choices[0].message.content.strip()
    if name in ALLOWED:
        subprocess.run(["wc", "-c", name])
    ```

    ## Known limitations
    A command list whose program is a constant is not reported even when the model
    chooses its arguments (`["git", model_text]`); option injection is still possible.

    ## References
    - [OWASP LLM05:2025 Improper Output Handling](https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/)
    - [Python docs: security considerations of subprocess](https://docs.python.org/3/library/subprocess.html#security-considerations)
    - [CWE-78: OS Command Injection](https://cwe.mitre.org/data/definitions/78.html)
    """

    code = "LLM002"
    name = "llm-output-to-shell"
    severity = Severity.ERROR
    owasp = ("LLM02:2023", "LLM05:2025")
    cwe = (78,)
    precision = "high"
    security_severity = 9.3
