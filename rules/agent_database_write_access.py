from llmlint.finding import Severity
from llmlint.rule import AgencyRule


class AgentDatabaseWriteAccess(AgencyRule):
    """
    ## What it does
    Finds SQL agents and tools that run model-written SQL on a connection that can write.
    It reports LangChain's `SQLDatabaseToolkit`, `create_sql_agent`,
    `QuerySQLDatabaseTool` and `SQLDatabaseChain`, LlamaIndex's text-to-SQL engines and
    `DatabaseToolSpec`, when their database is made in the module (`SQLDatabase.from_uri`,
    `SQLDatabase(engine)`, `create_engine`) with no table allowlist (`include_tables`) and
    no read-only setting (a `mode=ro` SQLite URI, `default_transaction_read_only`,
    `postgresql_readonly`...), and CrewAI's `NL2SQLTool(allow_dml=True)`. The finding is
    where the tool or agent is made.

    ## Why is this bad?
    These tools run whatever SQL the model writes. A prompt injection (in a question, or
    in data the model reads back from the database) turns into `UPDATE`, `DELETE`,
    `DROP TABLE` or `GRANT`. Give the agent a connection whose database user can only
    read the tables it needs.

    ## Example
    ```python
    from langchain_community.agent_toolkits import SQLDatabaseToolkit
    from langchain_community.utilities import SQLDatabase
    from langchain_openai import ChatOpenAI

    db = SQLDatabase.from_uri("sqlite:///shop.db")
    toolkit = SQLDatabaseToolkit(db=db, llm=ChatOpenAI(model="gpt-4o"))
    ```

    Use instead:
    ```python
    from langchain_community.agent_toolkits import SQLDatabaseToolkit
    from langchain_community.utilities import SQLDatabase
    from langchain_openai import ChatOpenAI

    db = SQLDatabase.from_uri("sqlite:///file:shop.db?mode=ro&uri=true")
    toolkit = SQLDatabaseToolkit(db=db, llm=ChatOpenAI(model="gpt-4o"))
    ```

    ## Known limitations
    The database user's own permissions are not known: a connection through a read-only
    role is reported unless the URI or options say so. Connections made in another
    module, or passed in as parameters, are not checked. `include_tables` clears a
    connection as RULES asks, though it limits what the model is shown more than what
    it can run.

    ## References
    - [OWASP LLM06:2025 Excessive Agency](https://genai.owasp.org/llmrisk/llm062025-excessive-agency/)
    - [LangChain: SQL question answering, security note](https://python.langchain.com/docs/tutorials/sql_qa/)
    - [CWE-269: Improper Privilege Management](https://cwe.mitre.org/data/definitions/269.html)
    """

    code = "LLM305"
    name = "agent-database-write-access"
    severity = Severity.WARNING
    owasp = ("LLM08:2023", "LLM06:2025")
    cwe = (269,)
    precision = "medium"
    consequence = "the model can change or delete data, not only read it"
