from llmlint.finding import Severity
from llmlint.rule import FlowRule


class LlmOutputToRequest(FlowRule):
    """
    ## What it does
    Finds LLM output that chooses the URL or host of an HTTP request: `requests`,
    `httpx`, `aiohttp`, `urllib.request` and `urllib3` calls, including the URL
    arguments a model chooses for the project's own tools.

    ## Why is this bad?
    A model that picks URLs can be steered to internal services (cloud metadata at
    `169.254.169.254`, admin panels, databases on localhost): server-side request
    forgery. It can also leak data: a prompt injection makes the model put secrets or
    the conversation into the query string of an attacker's URL.

    ## Example
    ```python
    import requests

    from openai import OpenAI

    client = OpenAI()
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Which status page to check?"}]
    )
    status = requests.get(reply.choices[0].message.content, timeout=10)
    ```

    Use instead:
    ```python
    import requests

    from openai import OpenAI

    STATUS_PAGES = {"api": "https://status.example.com/api", "web": "https://status.example.com/web"}
    client = OpenAI()
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Which status page: api or web?"}]
    )
    choice = reply.choices[0].message.content.strip()
    if choice in ("api", "web"):
        status = requests.get(STATUS_PAGES[choice], timeout=10)
    ```

    ## Known limitations
    Reported where the URL is chosen as a whole; a model-chosen path or query parameter
    appended to a constant host is reported too, though it is only a data-exfiltration
    risk.

    ## References
    - [OWASP LLM05:2025 Improper Output Handling](https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/)
    - [OWASP Server Side Request Forgery Prevention Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html)
    - [CWE-918: Server-Side Request Forgery](https://cwe.mitre.org/data/definitions/918.html)
    """

    code = "LLM006"
    name = "llm-output-to-request"
    severity = Severity.WARNING
    owasp = ("LLM02:2023", "LLM05:2025")
    cwe = (918,)
    precision = "medium"
    security_severity = 6.5
