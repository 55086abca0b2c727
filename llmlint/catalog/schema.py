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
    """[[credential-argument]] A call that takes an LLM provider credential (LLM105)."""

    call: str
    provider: str
    keywords: tuple[str, ...] = ("api_key",)


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
}
