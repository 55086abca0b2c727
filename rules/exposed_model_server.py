from collections.abc import Iterator

import libcst as cst

from llmlint.analysis.literals import is_all_interfaces, same_constant
from llmlint.analysis.module import CallSite, ModuleModel, matching_calls
from llmlint.catalog import Catalog
from llmlint.catalog.schema import ModelServer
from llmlint.finding import Severity
from llmlint.prefilter import Prefilter, calls_prefilter
from llmlint.rule import Report, Rule, RuleContext


class ExposedModelServer(Rule):
    """
    ## What it does
    Finds model and AI-infrastructure servers exposed to the network without
    authentication. It reports the Ray dashboard or Ray Serve bound to `0.0.0.0`, and
    Gradio apps launched with `share=True` or on `0.0.0.0` without `auth=`.

    ## Why is this bad?
    These servers execute work on request. Ray's dashboard and job API accept arbitrary
    jobs with no authentication at all (the "ShadowRay" campaign, CVE-2023-48022, took
    over clusters this way); a public Gradio link lets anyone on the internet drive the
    app, spend its model budget and reach whatever the app can reach.

    ## Example
    ```python
    import ray

    ray.init(dashboard_host="0.0.0.0")
    ```

    Use instead:
    ```python
    import ray

    # Reach the dashboard through an SSH tunnel or an authenticating proxy.
    ray.init(dashboard_host="127.0.0.1")
    ```

    ## Known limitations
    Only constant bind addresses are checked; addresses from environment variables or
    configuration files, and servers started from the command line, are not.

    ## References
    - [Ray security: exposing Ray](https://docs.ray.io/en/latest/ray-security/index.html)
    - [Gradio: sharing your app and authentication](https://www.gradio.app/guides/sharing-your-app)
    - [CWE-306: Missing Authentication for Critical Function](https://cwe.mitre.org/data/definitions/306.html)
    """

    code = "LLM404"
    name = "exposed-model-server"
    severity = Severity.ERROR
    owasp = ("LLM10:2023", "LLM10:2025")
    cwe = (306, 668)
    precision = "high"

    def prefilter(self, catalog: Catalog) -> Prefilter:
        return calls_prefilter(s.call for s in catalog.entries(ModelServer))

    def check(self, ctx: RuleContext) -> Iterator[Report]:
        for call, server in matching_calls(ctx.model, ctx.catalog.index(ModelServer)):
            if _has_auth(call, server, ctx.model):
                continue
            host = call.argument(server.host) if server.host else None
            address = ctx.model.literal(host, call.scope) if host is not None else None
            if host is not None and is_all_interfaces(address):
                protection = "no authentication is set" if server.auth else "has no authentication"
                yield self.report(
                    _argument_node(call, host),
                    f"{server.label} listens on {address} (all network interfaces) and "
                    f"{protection}: bind it to 127.0.0.1 or put authentication in front.",
                )
            elif server.public_when and all(
                same_constant(call.literal(k), v) for k, v in server.public_when.items()
            ):
                given = ", ".join(f"{k}={v}" for k, v in server.public_when.items())
                node = call.keyword(next(iter(server.public_when))) or call.node
                yield self.report(
                    node,
                    f"{server.label} is made public by {given} and no authentication is set: "
                    "anyone with the link can use it.",
                )


def _has_auth(call: CallSite, server: ModelServer, model: ModuleModel) -> bool:
    for keyword in server.auth:
        arg = call.keyword(keyword)
        if arg is not None and model.literal(arg.value, call.scope) not in (None, False, "", ()):
            return True
    return bool(server.auth) and call.has_unpacked_arguments


def _argument_node(call: CallSite, value: cst.BaseExpression) -> cst.CSTNode:
    """The `keyword=value` argument holding `value` (or the value itself, nested)."""
    for arg in call.node.args:
        if arg.value is value:
            return arg
    return value
