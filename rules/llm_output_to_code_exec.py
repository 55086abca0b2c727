from llmlint.finding import Severity
from llmlint.rule import FlowRule


class LlmOutputToCodeExec(FlowRule):
    """
    ## What it does
    Finds LLM output that reaches code execution: `eval`, `exec`, `compile`,
    `__import__`/`importlib`, `runpy`, `numexpr.evaluate`, `sympy.sympify`, pandas
    `eval`/`query`, or a Python REPL tool's `run`. It follows the model's response through
    variables, containers, string operations, `json.loads`, loops over streams, returns of
    the project's own functions in any module, and the arguments a model chooses for the
    project's tools.

    ## Why is this bad?
    Whoever controls the model's input controls its output: a prompt injection hidden in a
    user message, a web page, an e-mail or a retrieved document becomes code running with
    the application's privileges. This is how LangChain's `PALChain` and
    `LLMMathChain`, PandasAI and Vanna got their remote-code-execution CVEs.

    ## Example
    ```python
    from openai import OpenAI

    client = OpenAI()
    response = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Write a sum of 2 and 3"}]
    )
    code = response.choices[0].message.content
    exec(code)
    ```

    Use instead:
    ```python
    import ast

    from openai import OpenAI

    client = OpenAI()
    response = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Answer with a number"}]
    )
    number = ast.literal_eval(response.choices[0].message.content)
    ```

    ## Known limitations
    Sanitizers are recognised by name (`ast.literal_eval`, `int`...); a project's own
    validation function is not, unless it is added to the catalog as a `[[sanitizer]]`.

    ## References
    - [OWASP LLM05:2025 Improper Output Handling](https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/)
    - [CVE-2023-29374: LangChain LLMMathChain code execution](https://nvd.nist.gov/vuln/detail/CVE-2023-29374)
    - [CWE-94: Improper Control of Generation of Code](https://cwe.mitre.org/data/definitions/94.html)
    """

    code = "LLM001"
    name = "llm-output-to-code-exec"
    severity = Severity.ERROR
    owasp = ("LLM02:2023", "LLM05:2025")
    cwe = (94, 95)
    precision = "high"
    security_severity = 9.3
