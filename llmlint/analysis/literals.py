"""What constant values mean: bind addresses, hub repo ids, commit hashes, API keys."""

from __future__ import annotations

import re
from functools import lru_cache

from llmlint.catalog import Catalog
from llmlint.catalog.schema import KeyPattern, ModelArtifactHint, Placeholder

ALL_INTERFACES = frozenset({"0.0.0.0", "::", "[::]", "*", "0:0:0:0:0:0:0:0"})
COMMIT_HASH_RE = re.compile(r"[0-9a-f]{40}")
_REPO_PART_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# First path segments that name a local folder far more often than a hub organisation.
_LOCAL_FOLDERS = frozenset(
    {"models", "model", "checkpoints", "checkpoint", "ckpt", "weights", "output", "outputs",
     "data", "artifacts", "saved_models", "tmp", "cache", "runs", "results", "local"}
)  # fmt: skip
_FILE_SUFFIXES = (".bin", ".pt", ".pth", ".json", ".safetensors", ".gguf", ".ckpt", ".onnx", ".h5")


def is_all_interfaces(value: object) -> bool:
    return isinstance(value, str) and value.strip() in ALL_INTERFACES


def is_commit_hash(value: object) -> bool:
    return isinstance(value, str) and COMMIT_HASH_RE.fullmatch(value) is not None


def looks_like_repo_id(value: object) -> bool:
    """True for hub ids (`org/name`, `gpt2`), False for local paths and URLs."""
    if not isinstance(value, str) or not value or value.startswith(("/", ".", "~", "\\")):
        return False
    if value.lower().endswith(_FILE_SUFFIXES):
        return False
    parts = value.split("/")
    if len(parts) > 2 or (len(parts) == 2 and parts[0].lower() in _LOCAL_FOLDERS):
        return False
    return all(_REPO_PART_RE.fullmatch(part) for part in parts)


@lru_cache(maxsize=8)
def _key_regexes(
    catalog: Catalog,
) -> tuple[tuple[tuple[str, re.Pattern[str]], ...], tuple[re.Pattern[str], ...]]:
    keys = tuple((k.provider, re.compile(k.regex)) for k in catalog.entries(KeyPattern))
    placeholders = tuple(re.compile(p.regex) for p in catalog.entries(Placeholder))
    return keys, placeholders


def key_provider(value: object, catalog: Catalog, *, specific_only: bool = False) -> str | None:
    """The provider whose credential shape `value` has ("generic" for an opaque token).

    None for anything else, including the placeholders docs and samples use.
    """
    if not isinstance(value, str):
        return None
    keys, placeholders = _key_regexes(catalog)
    if any(p.search(value) for p in placeholders):
        return None
    for provider, regex in keys:
        if provider == "generic" and specific_only:
            continue
        if regex.fullmatch(value):
            return provider
    return None


@lru_cache(maxsize=8)
def _artifact_regexes(catalog: Catalog) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(h.regex) for h in catalog.entries(ModelArtifactHint))


def mentions_model_artifact(text: str, catalog: Catalog) -> bool:
    return any(regex.search(text) for regex in _artifact_regexes(catalog))


def redacted(secret: str) -> str:
    return secret[:4] + "…" if len(secret) > 8 else "…"


def same_constant(value: object, expected: object) -> bool:
    """Equal and of the same type: `1` is not `True`, `"true"` is not `True`."""
    return type(value) is type(expected) and value == expected
