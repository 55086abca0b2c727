from llmlint.finding import Severity
from llmlint.rule import AgencyRule


class AgentUnrestrictedNetwork(AgencyRule):
    """
    ## What it does
    Finds request tools that let a model choose the URL. It reports LangChain's
    `RequestsToolkit`, `OpenAPIToolkit`, OpenAPI agents and `Requests*Tool` made with
    `allow_dangerous_requests=True`, `load_tools` with the `requests_*` tools, LlamaIndex's
    `RequestsToolSpec`, and the project's own tools that pass their arguments as the URL
    of `requests`, `httpx`, `urllib` or `aiohttp` calls. A URL with a constant
    `scheme://host/` prefix is not the model's choice. The finding is where the tool is
    made or registered.

    ## Why is this bad?
    A model that can fetch any URL can reach what the server can reach: cloud metadata
    endpoints (`169.254.169.254`) and their credentials, admin interfaces and databases on
    the internal network, and any host where it can send the data it has seen. With
    POST, PUT and DELETE it can also change things there.

    ## Example
    ```python
    from langchain_community.agent_toolkits.openapi.toolkit import RequestsToolkit
    from langchain_community.utilities.requests import TextRequestsWrapper

    toolkit = RequestsToolkit(
        requests_wrapper=TextRequestsWrapper(headers={}), allow_dangerous_requests=True
    )
    ```

    Use instead:
    ```python
    import requests
    from langchain_core.tools import tool


    @tool
    def weather(city: str) -> str:
        \"\"\"The current weather in a city.\"\"\"
        url = "https://api.weather.example/v1/current"
        return requests.get(url, params={"city": city}, timeout=10).text
    ```

    ## Known limitations
    A URL allowlist checked in the tool's body is not recognized. Browser and scraping
    tools from libraries are not reported. The project's own tools are followed into
    functions of their module, not further.

    ## References
    - [OWASP LLM06:2025 Excessive Agency](https://genai.owasp.org/llmrisk/llm062025-excessive-agency/)
    - [OWASP Server Side Request Forgery Prevention Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html)
    - [CWE-918: Server-Side Request Forgery](https://cwe.mitre.org/data/definitions/918.html)
    """

    code = "LLM304"
    name = "agent-unrestricted-network"
    severity = Severity.WARNING
    owasp = ("LLM08:2023", "LLM06:2025")
    cwe = (918,)
    precision = "medium"
    consequence = "the model can send requests to any URL, internal services included"
