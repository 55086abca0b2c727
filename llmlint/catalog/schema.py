"""The catalog's sections: one frozen dataclass per kind of entry.

The field names, types and defaults here *are* the catalog file format (a field
`api_key` is written `api-key` in TOML). `llmlint.catalog.load_catalog` validates every
entry against these classes, for the shipped files and for users' own alike.

A *call pattern* names a callee the way the analysis resolves it: the dotted path of a
function or class (`torch.load`, `transformers.AutoModel.from_pretrained`), where `()`
stands for "an instance returned by calling this" (`gradio.Blocks().launch`,
`openai.OpenAI().chat.completions.create`). `*` matches any run of characters except
parentheses: `transformers.*.from_pretrained` covers every class in transformers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

Scalar: TypeAlias = "str | int | float | bool"
# Marks a field that holds a regular expression: the catalog loader compiles it, so that a
# broken one is reported at load time with its place, not as a crash on some file.
REGEX = {"regex": True}


@dataclass(frozen=True)
class ArgRef:
    """Where a call argument is: by position, by keyword, or both (either form counts).

    `key` descends into a dict literal passed there (`http_options={"host": ...}`).
    """

    position: int | None = None
    keyword: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class CredentialArgument:
    """[[credential-argument]] A call that takes an LLM provider credential (LLM105), by
    keyword, or at `position` (`AzureKeyCredential("...")`)."""

    call: str
    provider: str
    keywords: tuple[str, ...] = ("api_key",)
    position: int | None = None


@dataclass(frozen=True)
class CredentialSetting:
    """[[credential-setting]] A module attribute or environment variable holding a credential.

    Exactly one of `attribute` (`openai.api_key`) and `environment` (`OPENAI_API_KEY`).
    """

    provider: str
    attribute: str | None = None
    environment: str | None = None


@dataclass(frozen=True)
class KeyPattern:
    """[[key-pattern]] The shape of a real credential (a regex over the whole literal)."""

    provider: str
    regex: str = field(metadata=REGEX)


@dataclass(frozen=True)
class Placeholder:
    """[[placeholder]] Literals that stand in for a key in docs and samples (a regex, searched)."""

    regex: str = field(metadata=REGEX)


@dataclass(frozen=True)
class CredentialVariable:
    """[[credential-variable]] A regex, searched in the name of a module or class variable,
    that says the variable holds a credential (`API_KEY = "..."`, a settings class's
    `auth_token`): a literal with a key's shape assigned to it is reported (LLM105)."""

    regex: str = field(metadata=REGEX)


@dataclass(frozen=True)
class CredentialKeyword:
    """[[credential-keyword]] How the name of a keyword argument that takes a credential
    ends, in any case (`api_key`, `access_token`): a literal with a provider's key shape
    passed so to a call no [[credential-argument]] describes is reported (LLM105)."""

    suffix: str


@dataclass(frozen=True)
class RemoteCodeOption:
    """[[remote-code-option]] A keyword that lets a loader run code from a model repo (LLM401)."""

    keyword: str
    enabled: Scalar = True


@dataclass(frozen=True)
class ModelLoader:
    """[[model-loader]] A call that can deserialize code along with a model (LLM402).

    The call is unsafe unless every `safe-when` keyword has its value, or only when every
    `unsafe-when` keyword has its value. With `artifact`, the call is reported only when
    that argument looks like a model file (see [[model-artifact-hint]]).
    """

    call: str
    risk: str  # completes "'torch.load' without weights_only=True ..."
    safe_when: dict[str, Scalar] = field(default_factory=dict)
    unsafe_when: dict[str, Scalar] = field(default_factory=dict)
    artifact: ArgRef | None = None


@dataclass(frozen=True)
class ModelArtifactHint:
    """[[model-artifact-hint]] A regex that marks a path or name as a model artifact."""

    regex: str = field(metadata=REGEX)


@dataclass(frozen=True)
class ModelDownload:
    """[[model-download]] A call that downloads a model from a hub by repo id (LLM403)."""

    call: str
    repo: ArgRef
    revision: str = "revision"


@dataclass(frozen=True)
class ModelServer:
    """[[model-server]] A call that starts a model or AI-infrastructure server (LLM404).

    It is exposed when `host` is bound to all interfaces, or when every `public-when`
    keyword has its value; `auth` keywords, when passed, protect it (a server with no
    authentication of its own lists none).
    """

    call: str
    label: str
    host: ArgRef | None = None
    public_when: dict[str, Scalar] = field(default_factory=dict)
    auth: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReturnsReceiver:
    """[[returns-receiver]] A fluent method that returns the object it is called on."""

    call: str


@dataclass(frozen=True)
class LLMCall:
    """[[llm-call]] A call that runs a model: an LLM call site (inventory, LLM0xx sources).

    With `output = true` what it returns is LLM output; embeddings and token counts set
    it to false. `model` says where the model name is, for the inventory.
    """

    call: str
    provider: str
    api: str
    model: ArgRef | None = None
    output: bool = True


@dataclass(frozen=True)
class Sink:
    """[[sink]] Where LLM output must not arrive (LLM001-LLM007, named by `rule`).

    Either `call` (a call pattern) or `method` with `receiver`, a regex over the
    receiver's name, for objects whose type llmlint cannot know (`cursor.execute`). The
    dangerous values are the `args`, or the object itself with `receiver-is-value`. The
    call is a sink only when every `when` keyword has its constant. With `program`, the
    arguments are a command: only its program name matters (its first element), unless
    the program is a shell given `-c`. `write-mode` names the mode argument that must
    open the file for writing; `safe` with `safe-values` names an argument whose value
    (a constant or a resolved name such as `yaml.SafeLoader`) makes the call safe.
    """

    rule: str
    call: str | None = None
    method: str | None = None
    receiver: str = field(default="", metadata=REGEX)
    args: tuple[ArgRef, ...] = ()
    receiver_is_value: bool = False
    when: dict[str, Scalar] = field(default_factory=dict)
    program: bool = False
    write_mode: ArgRef | None = None
    safe: ArgRef | None = None
    safe_values: tuple[str, ...] = ()
    # What the call returns is the model's data too (a deserializer's result).
    passes_through: bool = False
    # Reported at each dangerous argument rather than at the call (`model=...`).
    at_argument: bool = False


@dataclass(frozen=True)
class Sanitizer:
    """[[sanitizer]] A call whose result is safe for the sinks of `rules` ("*": every sink).

    Calls that return no data from their arguments (`len`, `isinstance`, `print`) are
    sanitizers for "*" too. A `validates` call checks its first argument instead of
    returning a cleaned copy (`rebuff.detect_injection(text)`): the variable it checks is
    cleared from then on.
    """

    call: str
    rules: tuple[str, ...] = ("*",)
    validates: bool = False
    # With rules "*": the rules it does not clear (a number is still a token count).
    keeps: tuple[str, ...] = ()


@dataclass(frozen=True)
class ToolDecorator:
    """[[tool-decorator]] A decorator that makes a function a tool a model can call.

    The model chooses the function's arguments. `decorator` is the decorator's path,
    used bare (`@tool`) or called (`@mcp.tool()`).
    """

    decorator: str
    framework: str


@dataclass(frozen=True)
class ToolRegistration:
    """[[tool-registration]] A call that registers the function at `function` as a tool."""

    call: str
    function: ArgRef
    framework: str


@dataclass(frozen=True)
class ToolClass:
    """[[tool-class]] A base class whose subclasses are tools: the model chooses the
    arguments of their `methods`."""

    base: str
    methods: tuple[str, ...]
    framework: str


@dataclass(frozen=True)
class ResponseMetadata:
    """[[response-metadata]] An attribute of a model response that is not model text.

    Token counts, ids and finish reasons read from LLM output are not LLM output.
    """

    attribute: str


@dataclass(frozen=True)
class CallThrough:
    """[[call-through]] `f.<method>(args)` runs `f(args)` somewhere else (Ray's
    `.remote`, Celery's `.delay`): data flows through it as through a call of `f`."""

    method: str


@dataclass(frozen=True)
class Source:
    """[[source]] Where untrusted or sensitive data enters a program (LLM101-LLM104).

    `kind` is `untrusted-input` (web request data, chat-bot events), `indirect-content`
    (fetched pages, loaded documents, retrieved chunks, e-mails, uploaded files) or
    `secret`. Give one of: `call` (what the call returns), `method` with `receiver` (a
    method of an untyped object: `request.get_json()`), `attribute` (reading a path:
    `flask.request.args`), `name` with `receiver` (an attribute by regex over its name,
    on a receiver by regex over its name: `request.GET`, `settings.SECRET_KEY`). With
    `key-pattern`, only a constant key matching it counts: the argument at `key` for a
    call (`os.getenv("OPENAI_API_KEY")`), the subscript for an attribute
    (`os.environ["OPENAI_API_KEY"]`).
    """

    kind: str
    label: str
    call: str | None = None
    method: str | None = None
    attribute: str | None = None
    name: str | None = field(default=None, metadata=REGEX)
    receiver: str = field(default="", metadata=REGEX)
    key: ArgRef | None = None
    key_pattern: str = field(default="", metadata=REGEX)


@dataclass(frozen=True)
class Route:
    """[[route]] A decorator that makes a function a web route or an event handler.

    Its parameters carry request or event data (untrusted input), except those typed
    with a framework class (`Request`), a scalar type, or given by dependency injection.
    With `parameters` (a regex over the name), only the parameters it matches do:
    a Slack handler's `event` and `body` are data, its `say` and `ack` are not.
    """

    decorator: str
    framework: str
    parameters: str = field(default="", metadata=REGEX)


@dataclass(frozen=True)
class RouteDependency:
    """[[route-dependency]] A call that marks a route parameter as given by the framework
    rather than by the request, as its default (`db = Depends(get_db)`) or in its
    `Annotated[...]` metadata: the parameter is not request data (FastAPI's `Depends`)."""

    call: str


@dataclass(frozen=True)
class RequestDataType:
    """[[request-data-type]] A library type that a route parameter annotated with still
    holds request data (`str`, `dict`, `typing.Any`). A parameter typed with any other
    library class (`request: Request`) is a framework object: its data are [[source]]s."""

    annotation: str


@dataclass(frozen=True)
class RouteRegistration:
    """[[route-registration]] A call that wires the view at `view` to a URL (Django's
    `path("chat/", views.chat)`, Starlette's `Route`, Flask's `add_url_rule`). A class
    (`ChatView.as_view()`, a DRF viewset) contributes its HTTP-method handlers."""

    call: str
    view: ArgRef
    framework: str


@dataclass(frozen=True)
class WebFramework:
    """[[web-framework]] A framework whose routes answer HTTP requests (LLM201), named as
    in the `framework` of [[route]] and [[route-registration]]; routes of other
    frameworks (chat-bot events, MCP tools) are not web routes.

    `handler-methods` are the methods of its view classes that answer requests, for a
    class wired by a [[route-registration]] (`ChatView.as_view()`, a DRF viewset).
    `inclusions` are the methods, found by name, that attach a router or blueprint to an
    app or to another router (`app.include_router(router)`): the parent's rate limits
    cover the child's routes. Entries of the same name add up.
    """

    name: str
    handler_methods: tuple[str, ...] = ()
    inclusions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateLimit:
    """[[rate-limit]] What rate-limits web routes (LLM201).

    `kind` says where it acts: `decorator` on one route (`@limiter.limit("5/minute")`,
    also applied to a Flask blueprint as `limiter.limit(...)(bp)`); `dependency`, a call
    whose presence among a route's, a router's or an app's dependencies limits them
    (fastapi-limiter's `RateLimiter`); `app`, a call that limits every route of
    `framework` in the project when it has one of the `when-any` keywords (flask-limiter's
    `Limiter(default_limits=...)`); `middleware`, a class added with `add_middleware` or
    listed in a `middleware=` argument; `setting`, a settings key whose non-empty value
    limits every route of `framework` (`DEFAULT_THROTTLE_CLASSES`); `attribute`, a view
    class attribute that limits its handlers (`throttle_classes`); `exempt`, a decorator
    that removes a route from app-wide limits.
    """

    kind: str
    call: str = ""
    name: str = ""
    framework: str = ""
    when_any: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prompt:
    """[[prompt]] Where an LLM call takes its prompt (LLM101-LLM104).

    `messages`: lists of role-tagged messages (`{"role": "system", "content": ...}`,
    `SystemMessage(...)`, `("system", ...)`); `text`: prompt text sent as the user;
    `system`: system instructions (`system=`, `instructions=`, `system_instruction=`).
    With `template`, every argument is a variable formatted into the call's own
    instruction text (`LLMChain.run(question=...)`, CrewAI's `kickoff(inputs=...)`).
    """

    call: str
    messages: tuple[ArgRef, ...] = ()
    text: tuple[ArgRef, ...] = ()
    system: tuple[ArgRef, ...] = ()
    template: bool = False


@dataclass(frozen=True)
class MessageRole:
    """[[message-role]] A message constructor: its `content` is sent with `role`, or with
    the role named by the constant at `role-argument` (`ChatMessage(role="system", ...)`,
    `role=MessageRole.SYSTEM`) when that is given."""

    call: str
    content: ArgRef
    role: str = "user"
    role_argument: ArgRef | None = None


@dataclass(frozen=True)
class Template:
    """[[template]] A prompt template: values formatted into it are spliced into its
    instruction text (`PromptTemplate().format`, `jinja2.Template().render`)."""

    call: str


@dataclass(frozen=True)
class SystemKey:
    """[[system-key]] A dict key whose value is system instructions, in request bodies and
    config dicts (Bedrock's and Anthropic's JSON `system`, google.genai's
    `system_instruction`): what is put there is sent in the system role (LLM102-LLM104)."""

    key: str


@dataclass(frozen=True)
class TokenCap:
    """[[token-cap]] An LLM call whose output length only the call itself caps (LLM202).

    It is capped when one of `keywords` is passed with a value other than None: as a
    keyword, in `**{...}`, or as a key or keyword inside one of its `options` arguments
    (a dict, `dict(...)`, or a config object such as `GenerateContentConfig(...)`). An
    `options` argument whose content cannot be seen may cap it: the call is not reported.
    A constant model name at `model` matching `exempt-models` (a regex, searched) is
    capped by the SDK itself (LiteLLM fills in `max_tokens` for Anthropic models).
    """

    call: str
    keywords: tuple[str, ...]
    options: tuple[str, ...] = ()
    model: ArgRef | None = None
    exempt_models: str = field(default="", metadata=REGEX)


@dataclass(frozen=True)
class TokenCapDefault(TokenCap):
    """[[token-cap-default]] A model or client constructor whose instances have no output
    cap unless it is given one of `keywords` (directly or in its `options`) (LLM202).

    An LLM call on an instance traced back to this constructor is capped by those
    keywords on the constructor, on a fluent copy of the instance (`.bind(max_tokens=...)`)
    or on the call itself. Calls whose receiver cannot be traced to constructors of this
    section are not reported. `through` names methods that return an object keeping the
    instance's settings (`model.start_chat()`); their arguments count too.
    """

    through: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClientTimeout:
    """[[client-timeout]] An LLM client constructor, or a call that makes its own client,
    whose default timeout is unbounded or very long (`default` says what it is) (LLM203).

    It is bounded when given one of `keywords` with a value other than None, directly or
    inside one of its `options` arguments (`http_options={"timeout": ...}`), an HTTP
    client at one of `http-client` that sets a timeout of its own, or when the module
    assigns one of the `settings` attributes (`litellm.request_timeout = 30`). A client is
    not reported either when every request the module makes with it passes one of
    `request-keywords`, on the call or on a fluent copy (`client.with_options(timeout=...)`).
    The HTTP client sets its own timeout with one of `http-client-keywords` (httpx's
    `timeout`). `fix` says how to set one, for the message (by default: pass the first
    keyword).
    """

    call: str
    default: str
    fix: str = ""
    keywords: tuple[str, ...] = ("timeout",)
    options: tuple[str, ...] = ()
    http_client: tuple[str, ...] = ()
    http_client_keywords: tuple[str, ...] = ("timeout",)
    request_keywords: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgentLimit:
    """[[agent-limit]] A call that builds or runs an agent loop, with the arguments that
    bound it (LLM204). `label` names what it runs, with its article ("a CrewAI agent").

    The loop is unbounded when none of `limits` bounds it: each is None, a constant above
    its value in `ceilings`, or not passed and without a default in `defaults` (limits
    are named by their keyword, or key). With `none-is-default`, None stands for the
    default. Values that are not constants, and `**kwargs`, are taken to bound it.
    """

    call: str
    label: str
    limits: tuple[ArgRef, ...]
    defaults: dict[str, Scalar] = field(default_factory=dict)
    ceilings: dict[str, Scalar] = field(default_factory=dict)
    none_is_default: bool = False


@dataclass(frozen=True)
class LoopWait:
    """[[loop-wait]] A call that waits for outside input or for time (LLM204): a
    `while True` loop making it is a service loop paced by events, not a runaway one.

    Either `call` (a call pattern) or `method` with `receiver`, a regex over the name of
    the object it is called on (`queue.get()`, `websocket.receive_text()`).
    """

    call: str | None = None
    method: str | None = None
    receiver: str = field(default="", metadata=REGEX)


@dataclass(frozen=True)
class NoReturn:
    """[[no-return]] A call that never returns: it ends the process (`sys.exit`) or raises
    (Flask's `abort`, Streamlit's `st.stop`). A `while True` loop making it ends (LLM204),
    and a branch ending with it leaves its block, as a `return` would (data flow)."""

    call: str


@dataclass(frozen=True)
class AgentTool:
    """[[agent-tool]] A call that makes a tool or an agent with a dangerous capability: a
    shell, code execution, the file system, the network, a database (LLM301-LLM305, named
    by `rule`); `label` says what it is.

    It is reported when every `when` keyword has its constant (passed directly, in
    `**{...}`, or one level down in an options dict; one not passed takes its value from
    `defaults`, if there), every `when-given` keyword is passed with a value, and, with
    `selects`, the list there names one of `names` (`x.*` counts as `x`). An `unless`
    keyword with its constant (or a value that is not a constant), or an `unless-given`
    keyword passed with a value (not None, False or empty), makes it safe. A tool passed
    directly to another tool of the same rule is reported through that one.
    """

    call: str
    rule: str
    label: str
    when: dict[str, Scalar] = field(default_factory=dict)
    defaults: dict[str, Scalar] = field(default_factory=dict)
    when_given: tuple[str, ...] = ()
    unless: dict[str, Scalar] = field(default_factory=dict)
    unless_given: tuple[str, ...] = ()
    selects: ArgRef | None = None
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class SqlTool:
    """[[sql-tool]] A tool, agent or chain that runs SQL a model writes on the connection
    (or URI) at one of its `database` arguments (LLM305). It is reported when that
    connection is made in the module by a [[sql-connection]] (or is a URI) with no table
    allowlist and no [[read-only-marker]]; an `unless-given` keyword makes it safe."""

    call: str
    label: str
    database: tuple[ArgRef, ...]
    unless_given: tuple[str, ...] = ()


@dataclass(frozen=True)
class SqlConnection:
    """[[sql-connection]] A call that makes a database connection for SQL tools (LLM305).

    Passing an `allowlist` keyword limits the tables a model is given. With `engine`, the
    connection wraps the engine there: one made elsewhere (a parameter, an attribute) may
    be read-only, and the connection is not reported.
    """

    call: str
    engine: tuple[ArgRef, ...] = ()
    allowlist: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadOnlyMarker:
    """[[read-only-marker]] A regex, searched in the source of a database connection and
    of what its names were assigned, that marks it read-only (`?mode=ro`) (LLM305)."""

    regex: str = field(metadata=REGEX)


@dataclass(frozen=True)
class ToolCapability:
    """[[tool-capability]] What a tool the project defines can do when its arguments
    reach a [[sink]] of `sink-rule`: reported as `rule` (LLM301-LLM304); `label` says it
    ("runs shell commands"). With `host-prefix`, the values are URLs: one that starts
    with a constant `scheme://host/`, or with a base the model does not choose, is not
    the model's choice."""

    sink_rule: str
    rule: str
    label: str
    host_prefix: bool = False


SECTIONS: dict[str, type] = {
    "credential-argument": CredentialArgument,
    "credential-setting": CredentialSetting,
    "key-pattern": KeyPattern,
    "placeholder": Placeholder,
    "credential-variable": CredentialVariable,
    "credential-keyword": CredentialKeyword,
    "remote-code-option": RemoteCodeOption,
    "model-loader": ModelLoader,
    "model-artifact-hint": ModelArtifactHint,
    "model-download": ModelDownload,
    "model-server": ModelServer,
    "returns-receiver": ReturnsReceiver,
    "llm-call": LLMCall,
    "token-cap": TokenCap,
    "token-cap-default": TokenCapDefault,
    "client-timeout": ClientTimeout,
    "agent-limit": AgentLimit,
    "loop-wait": LoopWait,
    "no-return": NoReturn,
    "sink": Sink,
    "sanitizer": Sanitizer,
    "tool-decorator": ToolDecorator,
    "tool-registration": ToolRegistration,
    "tool-class": ToolClass,
    "agent-tool": AgentTool,
    "sql-tool": SqlTool,
    "sql-connection": SqlConnection,
    "read-only-marker": ReadOnlyMarker,
    "tool-capability": ToolCapability,
    "response-metadata": ResponseMetadata,
    "call-through": CallThrough,
    "source": Source,
    "route": Route,
    "route-dependency": RouteDependency,
    "request-data-type": RequestDataType,
    "prompt": Prompt,
    "message-role": MessageRole,
    "template": Template,
    "system-key": SystemKey,
    "route-registration": RouteRegistration,
    "web-framework": WebFramework,
    "rate-limit": RateLimit,
}
