"""The catalog loader: shipped files load, user extensions are validated strictly and used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from llmlint.catalog import CatalogError, PatternIndex, load_catalog
from llmlint.catalog.schema import SECTIONS, CredentialSetting, ModelLoader
from llmlint.pipeline import FileAnalyzer, FileTask


def test_shipped_catalog_loads_every_section() -> None:
    catalog = load_catalog()
    assert set(catalog.sections) == set(SECTIONS)
    assert catalog.fingerprint == load_catalog().fingerprint


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"model-loaders": []}, "unknown catalog section 'model-loaders'"),
        ({"model-loader": {"call": "x"}}, "must be an array of tables"),
        (
            {"model-loader": [{"call": "x", "risk": "r", "cal": "y"}]},
            "model-loader[0]: unknown field 'cal'",
        ),
        ({"model-loader": [{"risk": "r"}]}, "model-loader[0]: missing required field 'call'"),
        (
            {"model-loader": [{"call": 3, "risk": "r"}]},
            "model-loader[0].call: expected a string, got an integer",
        ),
        (
            {"model-loader": [{"call": "x", "risk": "r", "artifact": {"key": "k"}}]},
            "artifact: needs a position or a keyword",
        ),
        ({"key-pattern": [{"provider": "p", "regex": "(unclosed"}]}, "regex: invalid regex"),
        (
            {"credential-setting": [{"provider": "p", "attribute": "a", "environment": "E"}]},
            "give exactly one of 'attribute', 'environment'",
        ),
        ({"include": "extra.toml"}, "include: expected a list of paths"),
        ({"include": ["missing.toml"]}, "cannot read"),
    ],
)
def test_user_catalog_errors_name_the_entry(
    table: dict[str, object], message: str, tmp_path: Path
) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)):
        load_catalog(table, tmp_path, "pyproject.toml")


def test_user_entries_and_includes_extend_the_catalog(tmp_path: Path) -> None:
    (tmp_path / "extra.toml").write_text(
        '[[credential-setting]]\nprovider = "acme"\nenvironment = "ACME_LLM_KEY"\n'
    )
    user = {
        "include": ["extra.toml"],
        "model-loader": [{"call": "acme.ml.load_checkpoint", "risk": "unpickles it"}],
    }
    catalog = load_catalog(user, tmp_path, "pyproject.toml")
    assert catalog.fingerprint != load_catalog().fingerprint
    assert any(e.environment == "ACME_LLM_KEY" for e in catalog.entries(CredentialSetting))
    code = b"from acme.ml import load_checkpoint as lc\nstate = lc('weights.bin')\n"
    result = FileAnalyzer(("LLM402",), catalog).analyze(FileTask("m.py", "m.py", "m", False, code))
    assert [(f.code, f.location.line, f.message) for f in result.findings] == [
        ("LLM402", 2, "'lc' unpickles it.")
    ]
    assert load_catalog().index(ModelLoader).match("acme.ml.load_checkpoint") == []


def test_patterns_match_whole_paths_and_globs_stop_at_instances() -> None:
    index = PatternIndex([("a.*.load", 1), ("a.B().run", 2), ("a.load", 3)])
    assert index.match("a.x.y.load") == [1]
    assert index.match("a.B().load") == []
    assert index.match("a.B().run") == [2]
    assert index.match("a.load") == [3]
    assert index.match("a.loader") == []
