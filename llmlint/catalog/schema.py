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
    regex: str


@dataclass(frozen=True)
class Placeholder:
    """[[placeholder]] Literals that stand in for a key in docs and samples (a regex, searched)."""

    regex: str


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

    regex: str


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
    receiver: str = ""
    args: tuple[ArgRef, ...] = ()
    receiver_is_value: bool = False
    when: dict[str, Scalar] = field(default_factory=dict)
    program: bool = False
    write_mode: ArgRef | None = None
    safe: ArgRef | None = None
    safe_values: tuple[str, ...] = ()
    # What the call returns is the model's data too (a deserializer's result).
    passes_through: bool = False


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
    name: str | None = None
    receiver: str = ""
    key: ArgRef | None = None
    key_pattern: str = ""


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
    parameters: str = ""


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


SECTIONS: dict[str, type] = {
    "credential-argument": CredentialArgument,
    "credential-setting": CredentialSetting,
    "key-pattern": KeyPattern,
    "placeholder": Placeholder,
    "remote-code-option": RemoteCodeOption,
    "model-loader": ModelLoader,
    "model-artifact-hint": ModelArtifactHint,
    "model-download": ModelDownload,
    "model-server": ModelServer,
    "returns-receiver": ReturnsReceiver,
    "llm-call": LLMCall,
    "sink": Sink,
    "sanitizer": Sanitizer,
    "tool-decorator": ToolDecorator,
    "tool-registration": ToolRegistration,
    "tool-class": ToolClass,
    "response-metadata": ResponseMetadata,
    "call-through": CallThrough,
    "source": Source,
    "route": Route,
    "prompt": Prompt,
    "message-role": MessageRole,
    "template": Template,
}
