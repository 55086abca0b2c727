from collections.abc import Iterator

import libcst as cst

from llmlint.analysis.literals import mentions_model_artifact, same_constant
from llmlint.analysis.module import UNKNOWN, CallSite, matching_calls
from llmlint.catalog import Catalog
from llmlint.catalog.schema import ModelLoader
from llmlint.finding import Severity
from llmlint.prefilter import Prefilter, calls_prefilter
from llmlint.rule import Report, Rule, RuleContext


class UnsafeModelDeserialization(Rule):
    """
    ## What it does
    Finds model files loaded with deserializers that can run code. These are `torch.load` without
    `weights_only=True`, `pickle`/`dill`/`cloudpickle`/`joblib`/`pandas.read_pickle` on
    model artifacts, `numpy.load(..., allow_pickle=True)`, and Keras `load_model` with
    `safe_mode=False`.

    ## Why is this bad?
    Pickle-based formats store instructions, not just data: loading a file runs whatever
    callables its author chose. A model downloaded from a hub, shared by a colleague or
    swapped in storage becomes remote code execution the moment it is loaded.

    ## Example
    ```python
    import torch

    state = torch.load("checkpoints/model.pt")
    ```

    Use instead:
    ```python
    import torch
    from safetensors.torch import load_file

    state = torch.load("checkpoints/model.pt", weights_only=True)
    weights = load_file("checkpoints/model.safetensors")
    ```

    ## Known limitations
    Pickle loads are reported only when the argument looks like a model artifact (a name
    or path mentioning a model, weights, checkpoint, `.pt`, `.bin`, `.joblib`...).
    PyTorch 2.6 made `weights_only=True` the default; the call is still reported,
    because code must not depend on the installed version for its safety.

    ## References
    - [PyTorch: torch.load and weights_only](https://pytorch.org/docs/stable/generated/torch.load.html)
    - [Python docs: pickle warning](https://docs.python.org/3/library/pickle.html)
    - [Keras: safe_mode in load_model](https://keras.io/api/models/model_saving_apis/model_saving_and_loading/)
    - [CWE-502: Deserialization of Untrusted Data](https://cwe.mitre.org/data/definitions/502.html)
    """

    code = "LLM402"
    name = "unsafe-model-deserialization"
    severity = Severity.ERROR
    owasp = ("LLM05:2023", "LLM03:2025")
    cwe = (502,)
    precision = "high"

    def prefilter(self, catalog: Catalog) -> Prefilter:
        return calls_prefilter(loader.call for loader in catalog.entries(ModelLoader))

    def check(self, ctx: RuleContext) -> Iterator[Report]:
        for call, loader in matching_calls(ctx.model, ctx.catalog.index(ModelLoader)):
            culprit = self._culprit(call, loader)
            if culprit is None:
                continue
            if loader.artifact is not None:
                target = call.argument(loader.artifact)
                text = ctx.model.provenance_text(target, call.scope) if target else ""
                if not mentions_model_artifact(text, ctx.catalog):
                    continue
            yield self.report(culprit, self._message(call, loader))

    def _culprit(self, call: CallSite, loader: ModelLoader) -> cst.CSTNode | None:
        """The node that makes this call unsafe, or None when it is safe or unknown."""
        for keyword, safe_value in loader.safe_when.items():
            arg = call.keyword(keyword)
            if arg is None:
                return None if call.has_unpacked_arguments else call.node
            value = call.literal(keyword)
            if value is UNKNOWN or same_constant(value, safe_value):
                return None
            return arg
        for keyword, unsafe_value in loader.unsafe_when.items():
            if not same_constant(call.literal(keyword), unsafe_value):
                return None
        if loader.unsafe_when:
            return call.keyword(next(iter(loader.unsafe_when))) or call.node
        return call.node

    def _message(self, call: CallSite, loader: ModelLoader) -> str:
        condition = ""
        if loader.safe_when:
            condition = " without " + ", ".join(f"{k}={v}" for k, v in loader.safe_when.items())
        elif loader.unsafe_when:
            condition = " with " + ", ".join(f"{k}={v}" for k, v in loader.unsafe_when.items())
        return f"'{call.callee_text}'{condition} {loader.risk}."
