from llmlint.finding import Severity
from llmlint.rule import Rule


class UnparseableFile(Rule):
    """
    ## What it does
    Reports a file that llmlint could not read, decode or parse, so it could not be
    analysed. The message says why: an I/O error, an undecodable byte (with the encoding
    Python would use, from the BOM or the PEP 263 coding cookie), NUL bytes, a syntax
    error (with its line), or a file that exceeded the parser's safety limits.

    ## Why is this bad?
    A file llmlint cannot parse is a file it cannot check: any LLM call in it, and any
    flaw next to one, goes unreported. A green run that skipped files silently would be
    a false assurance.

    ## Example
    ```python
    def broken(:
        return client.chat.completions.create(model="gpt-4o", messages=[])
    ```

    Use instead:
    ```python
    def fixed():
        return client.chat.completions.create(model="gpt-4o", messages=[])
    ```

    ## References
    - [PEP 263: Defining Python Source Code Encodings](https://peps.python.org/pep-0263/)
    - [Python reference: Lexical analysis](https://docs.python.org/3/reference/lexical_analysis.html)
    """

    code = "LLM000"
    name = "unparseable-file"
    severity = Severity.ERROR
    owasp = ()
    cwe = ()
    precision = "very-high"
    security_severity = 1.0
    engine_reported = True
