from collections.abc import Iterator

from llmlint.analysis.literals import is_commit_hash, looks_like_repo_id
from llmlint.analysis.module import UNKNOWN, matching_calls
from llmlint.catalog import Catalog
from llmlint.catalog.schema import ModelDownload
from llmlint.finding import Severity
from llmlint.prefilter import Prefilter, calls_prefilter
from llmlint.rule import Report, Rule, RuleContext


class UnpinnedModelDownload(Rule):
    """
    ## What it does
    Finds models downloaded from a hub without a revision pinned to a commit hash. It
    checks downloads by repo id through `from_pretrained`, `pipeline`,
    `SentenceTransformer`, `hf_hub_download`, `snapshot_download` and vLLM's `LLM`.

    ## Why is this bad?
    A repo id without a revision means "whatever the default branch holds today". The
    owner, anyone who compromises their account, or a name-squatter after a rename can
    replace the weights, the tokenizer or the remote code you load, and your next
    deployment picks it up silently. Branch and tag names can move too.

    ## Example
    ```python
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained("mistralai/Mistral-7B-Instruct-v0.3")
    ```

    Use instead:
    ```python
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(
        "mistralai/Mistral-7B-Instruct-v0.3",
        revision="e0bc86c23ce5aae1db576c8cca6f06f1f73af2db",
    )
    ```

    ## Known limitations
    Only repo ids that are constants are checked; a one-word id such as `gpt2` counts as
    a hub id, a path (`./models/x`, `models/x`, `/opt/x`) does not.

    ## References
    - [Hugging Face Hub: revisions](https://huggingface.co/docs/huggingface_hub/guides/download#from-specific-version)
    - [OWASP LLM03:2025 Supply Chain](https://genai.owasp.org/llmrisk/llm032025-supply-chain/)
    - [CWE-494: Download of Code Without Integrity Check](https://cwe.mitre.org/data/definitions/494.html)
    """

    code = "LLM403"
    name = "unpinned-model-download"
    severity = Severity.NOTE
    owasp = ("LLM05:2023", "LLM03:2025")
    cwe = (494,)
    precision = "high"

    def prefilter(self, catalog: Catalog) -> Prefilter:
        return calls_prefilter(d.call for d in catalog.entries(ModelDownload))

    def check(self, ctx: RuleContext) -> Iterator[Report]:
        for call, download in matching_calls(ctx.model, ctx.catalog.index(ModelDownload)):
            repo_expr = call.argument(download.repo)
            repo = ctx.model.literal(repo_expr, call.scope) if repo_expr else UNKNOWN
            if not looks_like_repo_id(repo):
                continue
            revision_arg = call.keyword(download.revision)
            if revision_arg is None:
                if not call.has_unpacked_arguments:
                    yield self.report(
                        call.node,
                        f"'{call.callee_text}' downloads '{repo}' without a pinned "
                        f"{download.revision}: pin a commit hash.",
                    )
                continue
            revision = ctx.model.literal(revision_arg.value, call.scope)
            if isinstance(revision, str) and not is_commit_hash(revision):
                yield self.report(
                    revision_arg,
                    f"'{call.callee_text}' downloads '{repo}' at {download.revision} "
                    f"'{revision}', a branch or tag that can move: pin a commit hash.",
                )
