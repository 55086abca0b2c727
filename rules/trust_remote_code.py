from collections.abc import Iterator

import libcst as cst

from llmlint.analysis.literals import same_constant
from llmlint.catalog import Catalog
from llmlint.catalog.schema import RemoteCodeOption
from llmlint.finding import Severity
from llmlint.prefilter import Prefilter, any_of
from llmlint.rule import Report, Rule, RuleContext


class TrustRemoteCode(Rule):
    """
    ## What it does
    Finds models, tokenizers, pipelines and datasets loaded with `trust_remote_code=True`.
    The option is found when passed directly, through `**{...}` or a dict of options, or
    nested in an options dict such as `model_kwargs={"trust_remote_code": True}`.

    ## Why is this bad?
    `trust_remote_code=True` makes the loader import and run Python files from the model
    repository. Whoever controls that repository, or can push to it, or a later revision
    of it, runs code on the machine that loads the model: with its credentials, data and
    network access. Malicious models on public hubs use exactly this.

    ## Example
    ```python
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained("acme/chat-7b", trust_remote_code=True)
    ```

    Use instead:
    ```python
    from transformers import AutoModelForCausalLM

    # An architecture transformers ships, or reviewed code vendored into the project.
    model = AutoModelForCausalLM.from_pretrained(
        "acme/chat-7b", revision="4f1d2a8c9b7e6d5c4b3a29180716f5e4d3c2b1a0"
    )
    ```

    ## Known limitations
    A value that is not a constant (`trust_remote_code=args.trust`) is not reported.

    ## References
    - [OWASP LLM03:2025 Supply Chain](https://genai.owasp.org/llmrisk/llm032025-supply-chain/)
    - [Hugging Face: custom models and trust_remote_code](https://huggingface.co/docs/transformers/custom_models)
    - [CWE-829: Inclusion of Functionality from Untrusted Control Sphere](https://cwe.mitre.org/data/definitions/829.html)
    """

    code = "LLM401"
    name = "trust-remote-code"
    severity = Severity.ERROR
    owasp = ("LLM05:2023", "LLM03:2025")
    cwe = (94, 829)
    precision = "very-high"

    def prefilter(self, catalog: Catalog) -> Prefilter:
        return Prefilter.all_of(any_of(o.keyword for o in catalog.entries(RemoteCodeOption)))

    def check(self, ctx: RuleContext) -> Iterator[Report]:
        options = ctx.catalog.entries(RemoteCodeOption)
        reported: set[cst.CSTNode] = set()
        for call in ctx.model.calls:
            if "builtins.dict" in call.callees:
                continue  # an options dict: reported where it is passed to a loader
            for option in options:
                for node, value in call.keyword_occurrences(option.keyword):
                    if node in reported:
                        continue
                    reported.add(node)
                    if same_constant(ctx.model.literal(value, call.scope), option.enabled):
                        yield self.report(
                            node,
                            f"'{call.callee_text}' is called with {option.keyword}="
                            f"{option.enabled}: it runs Python code from the model "
                            "repository on this machine.",
                        )
