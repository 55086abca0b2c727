from llmlint.finding import Severity
from llmlint.rule import AgencyRule


class AgentUnrestrictedFilesystem(AgencyRule):
    """
    ## What it does
    Finds file tools that give a model the whole file system. It reports LangChain's
    `FileManagementToolkit` and its file tools (read, list, search, write, delete, move,
    copy) without `root_dir`, CrewAI's `FileWriterTool` without `base_dir`, and the
    project's own tools that pass their arguments as the path of a file written or deleted
    (`open(path, "w")`, `Path.write_text`, `os.remove`, `shutil`...). The finding is where
    the tool is made or registered.

    ## Why is this bad?
    A model steered by a prompt injection chooses the path: `../../.ssh/authorized_keys`,
    the application's own source or configuration, a cron file. Writing or deleting
    outside a directory made for the agent can take over or break the host; reading
    anywhere hands `.env` files, SSH keys and cloud credentials to whoever steers the
    model.

    ## Example
    ```python
    from langchain_community.agent_toolkits import FileManagementToolkit

    tools = FileManagementToolkit().get_tools()
    ```

    Use instead:
    ```python
    from langchain_community.agent_toolkits import FileManagementToolkit

    tools = FileManagementToolkit(
        root_dir="/srv/agent-workspace",
        selected_tools=["read_file", "write_file", "list_directory"],
    ).get_tools()
    ```

    ## Known limitations
    For the project's own tools, a path check in the tool (`resolve()` then
    `is_relative_to(root)`) is not recognized; `os.path.basename` and similar sanitizers
    are. Tools that only read files are not reported. The project's own tools are
    followed into functions of their module, not further.

    ## References
    - [OWASP LLM06:2025 Excessive Agency](https://genai.owasp.org/llmrisk/llm062025-excessive-agency/)
    - [LangChain: file system tools](https://python.langchain.com/docs/integrations/tools/filesystem/)
    - [CWE-22: Path Traversal](https://cwe.mitre.org/data/definitions/22.html)
    - [CWE-732: Incorrect Permission Assignment for Critical Resource](https://cwe.mitre.org/data/definitions/732.html)
    """

    code = "LLM303"
    name = "agent-unrestricted-filesystem"
    severity = Severity.WARNING
    owasp = ("LLM08:2023", "LLM06:2025")
    cwe = (22, 732)
    precision = "medium"
    consequence = "the model can reach any file this process can"
