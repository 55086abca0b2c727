"""`llmlint inventory`: every LLM call site, local and through the project's own modules."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

LLMLINT = Path(sys.executable).parent / "llmlint"

PROJECT = {
    "app/__init__.py": "",
    "app/clients.py": """
        from anthropic import AsyncAnthropic
        from openai import OpenAI

        openai_client = OpenAI()
        claude = AsyncAnthropic()
        """,
    "app/chat.py": """
        import litellm
        from app.clients import claude, openai_client

        MODEL = "gpt-4o-mini"

        def ask(prompt):
            return openai_client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": prompt}]
            )

        async def summarize(text):
            return await claude.messages.create(
                model="claude-sonnet-4-5", max_tokens=300, messages=[]
            )

        def embed(text):
            return openai_client.embeddings.create(model="text-embedding-3-small", input=text)

        def fallback(prompt, model):
            return litellm.completion(model=model, messages=[])
        """,
    "app/util.py": "import json\n\ndef load(text):\n    return json.loads(text)\n",
}


def run_inventory(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    for name, code in PROJECT.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code), encoding="utf-8")
    return subprocess.run(
        [str(LLMLINT), "inventory", str(tmp_path), "--no-cache", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"NO_COLOR": "1", "PATH": ""},
        timeout=120,
    )


def test_inventory_json_lists_every_call_site(tmp_path: Path) -> None:
    result = run_inventory(tmp_path, "--output-format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    sites = [
        (s["path"], s["line"], s["provider"], s["api"], s["model"]) for s in data["call_sites"]
    ]
    assert sites == [
        ("app/chat.py", 8, "openai", "chat.completions", "gpt-4o-mini"),
        ("app/chat.py", 13, "anthropic", "messages", "claude-sonnet-4-5"),
        ("app/chat.py", 18, "openai", "embeddings", "text-embedding-3-small"),
        ("app/chat.py", 21, "litellm", "completion", None),
    ]
    assert data["summary"] == {
        "call_sites": 4,
        "by_provider": {"anthropic": 1, "litellm": 1, "openai": 2},
    }


def test_inventory_text_is_a_table_with_a_summary(tmp_path: Path) -> None:
    result = run_inventory(tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Location", "Provider", "API", "Model", "Call"]
    assert lines[1].split()[:4] == ["app/chat.py:8:12", "openai", "chat.completions", "gpt-4o-mini"]
    assert lines[-1] == "4 LLM call sites in 1 file: 1 anthropic, 1 litellm, 2 openai."
