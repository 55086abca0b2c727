"""`llmlint.__version__` is a literal, not read from the installed metadata at import time
(importing importlib.metadata slows every run): it must be the version pyproject.toml gives."""

from __future__ import annotations

import sys
from pathlib import Path

import llmlint

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_version_is_pyprojects() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    assert llmlint.__version__ == project["version"]
