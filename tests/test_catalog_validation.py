"""Catalog validation names the entry and the field at fault, for every kind of field, and
the catalog's fingerprint is the hash of every entry's fields."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from llmlint.catalog import Catalog, CatalogError, load_catalog

NOT_AN_ARGUMENT = 'expected a table like { position = 0, keyword = "x" }'


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"model-loader": [{"call": "x", "risk": "r", "safe-when": {"k": [1]}}]},
            "model-loader[0].safe-when.k: expected a string, number or boolean, got a list",
        ),
        (
            {"model-loader": [{"call": "x", "risk": "r", "safe-when": 3}]},
            "model-loader[0].safe-when: expected a table, got an integer",
        ),
        (
            {"model-loader": [{"call": "x", "risk": "r", "artifact": {"pos": 0}}]},
            "model-loader[0].artifact: unknown field 'pos' (fields: position, keyword, key)",
        ),
        ({"model-loader": [{"risk": 3}]}, "model-loader[0]: missing required field 'call'"),
        (
            {"model-loader": [{"call": "x", "risk": "r"}, {"call": "y", "risk": None}]},
            "model-loader[1].risk: expected a string, got a NoneType",
        ),
        (
            {"credential-argument": [{"call": "x", "provider": "p", "keywords": ["a", 1]}]},
            "credential-argument[0].keywords: expected a list of strings, got a list",
        ),
        (
            {"credential-argument": [{"call": "x", "provider": "p", "position": True}]},
            "credential-argument[0].position: expected an integer, got a boolean",
        ),
        (
            {"llm-call": [{"call": "x", "provider": "p", "api": "a", "output": "yes"}]},
            "llm-call[0].output: expected a boolean, got a string",
        ),
        (
            {"prompt": [{"call": "x", "messages": {"position": 0}}]},
            "prompt[0].messages: expected a list of argument tables",
        ),
        ({"prompt": [{"call": "x", "messages": [1]}]}, f"prompt[0].messages[0]: {NOT_AN_ARGUMENT}"),
        (
            {"prompt": [{"call": "x", "messages": [{"position": 0}, {"position": "1"}]}]},
            "prompt[0].messages[1].position: expected an integer, got a string",
        ),
        (
            {"source": [{"kind": "bad", "label": "l", "call": "x"}]},
            "source[0].kind: expected one of untrusted-input, indirect-content, secret",
        ),
        (
            {"source": [{"kind": "secret", "label": "l", "name": "x", "key-pattern": "("}]},
            "source[0].key_pattern: invalid regex",
        ),
        (
            {"rate-limit": [{"kind": "nope"}]},
            "rate-limit[0].kind: expected one of decorator, dependency, app, middleware",
        ),
        ({"sink": [{"rule": "X1", "call": "x"}]}, "sink[0].rule: 'X1' is not a rule code"),
        ({"sink": [{"rule": "LLM001"}]}, "sink[0]: give exactly one of 'call', 'method'"),
        (
            {"sink": [{"rule": "LLM001", "method": "m", "receiver": "("}]},
            "sink[0].receiver: invalid regex",
        ),
        ({"placeholder": [{"regex": "["}]}, "placeholder[0].regex: invalid regex"),
        (
            {"token-cap": [{"call": "x", "keywords": ["k"], "exempt-models": "("}]},
            "token-cap[0].exempt_models: invalid regex",
        ),
        (
            {"source": [{"kind": "untrusted-input", "label": "l", "name": "(", "receiver": "r"}]},
            "source[0].name: invalid regex",
        ),
        (
            {"route": [{"decorator": "a.b", "framework": "f", "parameters": "("}]},
            "route[0].parameters: invalid regex",
        ),
    ],
)
def test_errors_name_the_field(table: dict[str, Any], message: str, tmp_path: Path) -> None:
    with pytest.raises(
        CatalogError, match=re.escape(f"pyproject.toml: [tool.llmlint.catalog]: {message}")
    ):
        load_catalog(table, tmp_path, "pyproject.toml")


def asdict_fingerprint(catalog: Catalog) -> str:
    canonical = {name: [asdict(e) for e in entries] for name, entries in catalog.sections.items()}
    encoded = json.dumps(canonical, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def test_fingerprint_hashes_every_field(tmp_path: Path) -> None:
    user = {
        "model-loader": [
            {
                "call": "acme.load",
                "risk": "unpickles it",
                "safe-when": {"weights_only": True, "n": 1.5},
                "artifact": {"position": 0},
            }
        ],
        "prompt": [{"call": "acme.chat", "messages": [{"keyword": "m", "key": "k"}]}],
    }
    shipped, extended = load_catalog(), load_catalog(user, tmp_path)
    assert shipped.fingerprint == asdict_fingerprint(shipped)
    assert extended.fingerprint == asdict_fingerprint(extended) != shipped.fingerprint
    assert load_catalog().fingerprint == shipped.fingerprint
