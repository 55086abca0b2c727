from llmlint.finding import Severity
from llmlint.rule import FlowRule


class LlmOutputToSql(FlowRule):
    """
    ## What it does
    Finds LLM output in the text of a SQL or graph query: DB-API `execute`,
    `executemany` and `executescript`, SQLAlchemy `text()` and `exec_driver_sql`, pandas
    `read_sql`, Django `raw`/`extra`/`RawSQL`, DuckDB, and Cypher queries run through
    neo4j. Values passed as bound parameters are not reported.

    ## Why is this bad?
    Text-to-SQL features let the model write the query, and a prompt injection then
    writes it instead: `DROP TABLE`, reading other tenants' rows, or (with DuckDB,
    SQLite extensions or `COPY ... PROGRAM`) running code. Vanna and LangChain's SQL
    chains had such vulnerabilities.

    ## Example
    ```python
    import sqlite3

    from openai import OpenAI

    client = OpenAI()
    answer = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "SQL for last week's orders"}]
    )
    connection = sqlite3.connect("shop.db")
    connection.execute(answer.choices[0].message.content)
    ```

    Use instead:
    ```python
    import sqlite3

    from openai import OpenAI

    client = OpenAI()
    answer = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Which customer id?"}]
    )
    connection = sqlite3.connect("file:shop.db?mode=ro", uri=True)
    connection.execute(
        "SELECT * FROM orders WHERE customer = ?", (answer.choices[0].message.content,)
    )
    ```

    ## Known limitations
    When the model must write SQL, run it on a read-only connection with an allowlist of
    tables; llmlint still reports the flow, since it cannot see database permissions.

    ## References
    - [OWASP LLM05:2025 Improper Output Handling](https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/)
    - [CVE-2024-5565: Vanna prompt injection to code execution](https://nvd.nist.gov/vuln/detail/CVE-2024-5565)
    - [CWE-89: SQL Injection](https://cwe.mitre.org/data/definitions/89.html)
    """

    code = "LLM003"
    name = "llm-output-to-sql"
    severity = Severity.ERROR
    owasp = ("LLM02:2023", "LLM05:2025")
    cwe = (89, 943)
    precision = "high"
    security_severity = 8.8
