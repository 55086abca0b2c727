from llmlint.finding import Severity
from llmlint.rule import AgencyRule


class AgentCodeExecutionTool(AgencyRule):
    """
    ## What it does
    Finds agents and tools that run code a model writes on this machine. It reports
    LangChain's `PythonREPLTool`/`PythonAstREPLTool` and agents built with
    `allow_dangerous_code=True` (pandas, CSV, Spark, PAL), LlamaIndex's
    `CodeInterpreterToolSpec`, CrewAI agents with `allow_code_execution=True` outside
    `code_execution_mode="safe"` and `CodeInterpreterTool(unsafe_mode=True)`, AutoGen
    agents with `use_docker: False` and its local executors, smolagents' local executor
    with `"*"` or system modules among its authorized imports, and the project's own tools
    that pass their arguments to `eval`, `exec`, a REPL or an interpreter. The finding is
    where the tool or agent is made or registered.

    ## Why is this bad?
    Code the model writes runs with the process's privileges: it can read secrets and
    files, start processes and reach the network. The model writes what the text it reads
    tells it to, so a prompt injection in a CSV cell, a web page or a document becomes
    code execution on the host. Run such code in a disposable sandbox (a container without
    credentials, a remote sandbox service) instead.

    ## Example
    ```python
    import pandas as pd
    from langchain_experimental.agents import create_pandas_dataframe_agent
    from langchain_openai import ChatOpenAI

    agent = create_pandas_dataframe_agent(
        ChatOpenAI(model="gpt-4o"), pd.read_csv("sales.csv"), allow_dangerous_code=True
    )
    ```

    Use instead:
    ```python
    from smolagents import CodeAgent, InferenceClientModel

    # The model's code runs in a remote sandbox, not in this process.
    agent = CodeAgent(
        tools=[],
        model=InferenceClientModel(),
        additional_authorized_imports=["pandas"],
        executor_type="e2b",
    )
    ```

    ## Known limitations
    A sandbox set up outside the call (the process itself in a container) is not seen.
    The project's own tools are followed into functions of their module, not further.
    CrewAI's default mode falls back to an in-process sandbox when Docker is missing, so
    only an explicit `code_execution_mode="safe"` clears `allow_code_execution=True`.

    ## References
    - [OWASP LLM06:2025 Excessive Agency](https://genai.owasp.org/llmrisk/llm062025-excessive-agency/)
    - [smolagents: secure code execution](https://huggingface.co/docs/smolagents/tutorials/secure_code_execution)
    - [CWE-94: Improper Control of Generation of Code](https://cwe.mitre.org/data/definitions/94.html)
    - [CWE-250: Execution with Unnecessary Privileges](https://cwe.mitre.org/data/definitions/250.html)
    """

    code = "LLM302"
    name = "agent-code-execution-tool"
    severity = Severity.ERROR
    owasp = ("LLM08:2023", "LLM06:2025")
    cwe = (94, 250)
    precision = "high"
    consequence = "any code the model writes runs with this process's privileges"
