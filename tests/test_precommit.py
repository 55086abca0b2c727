"""The `llmlint` hook of .pre-commit-hooks.yaml, installed and run by pre-commit itself.

`pre-commit try-repo` clones a repository at HEAD and adds changes to tracked files only,
so a hook manifest or module that is not committed yet would be missing from the clone.
The test therefore commits a copy of this working tree (tracked and untracked files, minus
ignored ones) into a scratch repository and points try-repo at that: what is tested is
exactly what is on disk. pre-commit builds the hook's virtualenv with pip (needs PyPI).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 600

FINDING = 'import torch\n\nstate = torch.load("model.pt")\n'  # LLM402 at 3:9
CLEAN = 'import json\n\nprint(json.dumps({"ok": True}))\n'


def _env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PRE_COMMIT", "LLMLINT_"))
    }
    return {**env, "NO_COLOR": "1", **extra}


def _git(cwd: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "-c", "user.email=tests@example.com", "-c", "user.name=tests", *args],
        cwd=cwd,
        env=_env(),
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout


def _commit_working_tree(dest: Path) -> Path:
    """A one-commit repository holding the files of REPO's working tree."""
    listed = _git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split(b"\0")):
        relative = os.fsdecode(name)
        source = REPO / relative
        if not source.is_symlink() and not source.is_file():
            continue  # deleted in the working tree
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "--no-verify", "-m", "working tree")
    return dest


def _try_repo(target: Path, hook_repo: Path, home: Path, *files: str) -> tuple[int, str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "llmlint"]
    proc = subprocess.run(
        [*command, "--color", "never", "--verbose", "--files", *files],
        cwd=target,
        env=_env(PRE_COMMIT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_precommit_hook_fails_on_findings_and_passes_clean_files(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit needs it")
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert hook["id"] == hook["name"] == "llmlint"
    assert hook["entry"] == "llmlint check --force-exclude"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["python", "pyi"]
    assert hook["require_serial"] is True
    assert hook["minimum_pre_commit_version"] == "2.9.2"

    hook_repo = _commit_working_tree(tmp_path / "llmlint")
    target = tmp_path / "app"
    target.mkdir()
    files = {
        "models.py": FINDING,
        "clean.py": CLEAN,
        # Excluded by the project's config: pre-commit names it, --force-exclude skips it.
        "generated/models_pb2.py": FINDING,
        "pyproject.toml": '[tool.llmlint]\nextend-exclude = ["generated"]\n',
    }
    for name, content in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(content, encoding="utf-8")
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    home = tmp_path / "pre-commit-home"

    code, output = _try_repo(target, hook_repo, home, "models.py")
    assert code == 1, output
    assert "- hook id: llmlint" in output
    assert re.search(r"^llmlint\.+Failed$", output, re.M), output
    assert "models.py:3:9: LLM402 [error]" in output

    code, output = _try_repo(target, hook_repo, home, "clean.py", "generated/models_pb2.py")
    assert code == 0, output
    assert re.search(r"^llmlint\.+Passed$", output, re.M), output
    assert "No findings in 1 file." in output  # generated/ was left out by --force-exclude
