import re
from collections.abc import Iterator

import libcst as cst

from llmlint.analysis.literals import key_provider
from llmlint.analysis.module import CallSite, ModuleModel, matching_calls
from llmlint.analysis.scope import BindingKind, Scope, ScopeKind
from llmlint.catalog import Catalog
from llmlint.catalog.schema import (
    CredentialArgument,
    CredentialKeyword,
    CredentialSetting,
    CredentialVariable,
    KeyPattern,
)
from llmlint.finding import Severity
from llmlint.prefilter import Prefilter
from llmlint.rule import Report, Rule, RuleContext

_ENVIRON_SETTERS = {"os.environ.setdefault", "os.putenv"}
_OPAQUE_TOKEN = re.compile(rb"[\"'](?=[\w.\-]*[0-9])[A-Za-z0-9][\w.\-]{19,}[\"']")


class HardcodedLlmApiKey(Rule):
    """
    ## What it does
    Finds LLM provider API keys written into source code. It reports a literal key passed
    to an LLM client or call (`OpenAI(api_key="sk-...")`, `ChatAnthropic(anthropic_api_key=
    ...)`, `litellm.completion(api_key=...)`), assigned to a module setting such as
    `openai.api_key`, or put into a provider's environment variable
    (`os.environ["OPENAI_API_KEY"] = "sk-..."`), also through a module constant. Values
    that have the shape of a real key are reported; placeholders such as `"sk-..."`,
    `"YOUR_API_KEY"` or `"EMPTY"` and lookups such as `os.environ["OPENAI_API_KEY"]` are
    not.

    ## Why is this bad?
    Source code is copied to laptops, CI logs, forks, package indexes and LLM prompts. A
    key in it is a key anyone can use: to run up the bill, to read the organisation's
    files, batches and fine-tunes, or to impersonate the application. Leaked provider keys
    are harvested from public repositories within minutes.

    ## Example
    ```python
    from openai import OpenAI

    client = OpenAI(api_key="sk-proj-4fT9qLz2Xw8KpR1nB7vY3mC6dH0jS5aE")
    ```

    Use instead:
    ```python
    import os

    from openai import OpenAI

    client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    ```

    ## Known limitations
    Keys assembled at run time (concatenation, decoding) are not recognised, nor keys in
    configuration files; use a secret scanner for those.

    ## References
    - [OpenAI: best practices for API key safety](https://help.openai.com/en/articles/5112595-best-practices-for-api-key-safety)
    - [OWASP LLM02:2025 Sensitive Information Disclosure](https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    code = "LLM105"
    name = "hardcoded-llm-api-key"
    severity = Severity.ERROR
    owasp = ("LLM06:2023", "LLM02:2025")
    cwe = (798,)
    precision = "high"

    def prefilter(self, catalog: Catalog) -> Prefilter:
        # The key itself must be in the file: one with a provider's prefix, or an opaque
        # token (which the rule reports only when a credential name holds it; those names
        # are regexes and case-insensitive suffixes, so no byte test can stand for them).
        shapes = [
            re.compile(b"[\"']" + k.regex.strip("^$").encode())
            for k in catalog.entries(KeyPattern)
            if k.provider != "generic"
        ]
        return Prefilter(tuple((shape,) for shape in shapes)) | Prefilter.all_of(_OPAQUE_TOKEN)

    def check(self, ctx: RuleContext) -> Iterator[Report]:
        model, catalog = ctx.model, ctx.catalog
        reported: set[cst.CSTNode] = set()
        candidates = list(self._client_arguments(model, catalog))
        candidates += self._settings(model, catalog)
        candidates += _named_settings(model, catalog)
        for node, scope, where in candidates:
            literal = model.constant_definition(node, scope)
            value = model.literal(node, scope)
            provider = key_provider(value, catalog)
            if literal is None or provider is None or literal in reported:
                continue
            reported.add(literal)
            owner = "" if provider == "generic" else f" {provider}"
            yield self.report(
                literal,
                f"Hard-coded{owner} API key {where}: anyone who can read the code can use "
                "it; load it from the environment or a secret manager.",
                redact=[str(value)],
            )

    def _client_arguments(
        self, model: ModuleModel, catalog: Catalog
    ) -> Iterator[tuple[cst.BaseExpression, Scope, str]]:
        known: set[cst.Call] = set()
        for call, entry in matching_calls(model, catalog.index(CredentialArgument)):
            known.add(call.node)
            for keyword in entry.keywords:
                arg = call.keyword(keyword)
                if arg is not None:
                    yield arg.value, call.scope, f"passed to '{call.callee_text}' as {keyword}"
            positional = [a for a in call.node.args if a.keyword is None and not a.star]
            if entry.position is not None and entry.position < len(positional):
                where = f"passed to '{call.callee_text}'"
                yield positional[entry.position].value, call.scope, where
        suffixes = _keyword_suffixes(catalog)
        for call in model.calls:
            if call.node not in known:
                yield from _unknown_client_keys(call, model, catalog, suffixes)

    def _settings(
        self, model: ModuleModel, catalog: Catalog
    ) -> Iterator[tuple[cst.BaseExpression, Scope, str]]:
        attributes = {s.attribute for s in catalog.entries(CredentialSetting) if s.attribute}
        variables = {s.environment for s in catalog.entries(CredentialSetting) if s.environment}
        for store in model.stores:
            if isinstance(store.target, cst.Attribute):
                names = model.paths(store.target, store.scope) & attributes
                for name in sorted(names):
                    yield store.value, store.scope, f"assigned to '{name}'"
            elif model.paths(store.target.value, store.scope) & {"os.environ"}:
                key = _subscript_key(store.target, model, store.scope)
                if key in variables:
                    yield store.value, store.scope, f"put into the environment as {key}"
        for call in model.calls:
            if call.callees & _ENVIRON_SETTERS and len(call.node.args) >= 2:
                name = model.literal(call.node.args[0].value, call.scope)
                if name in variables:
                    yield call.node.args[1].value, call.scope, f"put into the environment as {name}"


def _named_settings(
    model: ModuleModel, catalog: Catalog
) -> Iterator[tuple[cst.BaseExpression, Scope, str]]:
    """`OPENAI_API_KEY = "sk-..."` in a module or a settings class: the name says what it
    is (a provider's variable name, or a [[credential-variable]] name: `api_key`, `token`)."""
    variables = {s.environment for s in catalog.entries(CredentialSetting) if s.environment}
    patterns = [re.compile(v.regex) for v in catalog.entries(CredentialVariable)]
    for scope in model.scopes:
        if scope.kind not in (ScopeKind.MODULE, ScopeKind.CLASS):
            continue
        for name, bindings in scope.bindings.items():
            if name.upper() not in variables and not any(p.search(name) for p in patterns):
                continue
            for binding in bindings:
                if binding.kind is BindingKind.ASSIGN and isinstance(
                    binding.node, cst.BaseExpression
                ):
                    yield binding.node, binding.scope, f"assigned to the setting {name}"


def _unknown_client_keys(
    call: CallSite, model: ModuleModel, catalog: Catalog, suffixes: tuple[str, ...]
) -> Iterator[tuple[cst.BaseExpression, Scope, str]]:
    """Credential-named keywords of other calls, when the value has a provider's key shape."""
    for arg in call.node.args:
        keyword = arg.keyword.value if arg.keyword else ""
        if keyword.lower().endswith(suffixes):
            value = model.literal(arg.value, call.scope)
            if key_provider(value, catalog, specific_only=True):
                yield arg.value, call.scope, f"passed to '{call.callee_text}' as {keyword}"


def _keyword_suffixes(catalog: Catalog) -> tuple[str, ...]:
    """How credential keywords end ([[credential-keyword]]), compared in lower case."""
    return tuple(entry.suffix.lower() for entry in catalog.entries(CredentialKeyword))


def _subscript_key(target: cst.Subscript, model: ModuleModel, scope: Scope) -> object:
    if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
        return model.literal(target.slice[0].slice.value, scope)
    return None
