#!/usr/bin/env python3
"""Crash-free sweep: scan many real LLM-related PyPI packages, count internal errors.

    python benchmarks/sweep.py [--jobs N] [PACKAGE ...]

Downloads each package's wheel (or sdist) with pip into benchmarks/sweep/ once, unpacks
it, and runs `llmlint check` on it with JSON output. Prints one line per package (files,
findings, LLM000 files, internal errors, seconds) and a total. The exit status is 1 when
any package produced an internal error (exit code 2 or an "internal error" message).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SWEEP = HERE / "sweep"
PACKAGES = (
    # LangChain and LangGraph
    "langchain", "langchain-core", "langchain-community", "langchain-experimental",
    "langchain-openai", "langchain-anthropic", "langchain-google-genai", "langchain-aws",
    "langchain-text-splitters", "langchain-chroma", "langgraph", "langsmith",
    # LlamaIndex
    "llama-index-core", "llama-index-llms-openai", "llama-index-readers-file",
    "llama-index-embeddings-openai", "llama-index-agent-openai",
    # Provider SDKs
    "openai", "anthropic", "google-genai", "google-generativeai", "cohere", "mistralai",
    "groq", "together", "litellm", "ollama", "replicate", "huggingface-hub",
    # Agents and frameworks
    "dspy", "instructor", "openai-agents", "smolagents", "pydantic-ai-slim", "haystack-ai",
    "semantic-kernel", "crewai", "crewai-tools", "autogen-agentchat", "autogen-core",
    "autogen-ext", "vanna", "pandasai", "marvin", "outlines", "guidance", "mem0ai",
    "camel-ai", "agno", "browser-use", "open-interpreter", "strands-agents", "llmx",
    # Guardrails, MCP, vector stores, UIs
    "guardrails-ai", "llm-guard", "nemoguardrails", "mcp", "fastmcp", "chromadb",
    "qdrant-client", "gradio",
)  # fmt: skip


def fetch(package: str) -> Path | None:
    """The unpacked source of `package` (downloaded on first use)."""
    target = SWEEP / package
    if target.exists():
        return target
    download = Path(tempfile.mkdtemp())
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(download)]
    if subprocess.run([*command, package], capture_output=True).returncode != 0:
        shutil.rmtree(download)
        return None
    for archive in download.iterdir():
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as wheel:
                wheel.extractall(target)
        elif archive.name.endswith(".tar.gz"):
            with tarfile.open(archive) as sdist:
                sdist.extractall(target, filter="data")
        (target / "VERSION").write_text(archive.name + "\n")
    shutil.rmtree(download)
    return target


def scan(package: str, root: Path, jobs: int) -> dict[str, object]:
    llmlint = shutil.which("llmlint") or sys.exit("llmlint is not installed")
    started = time.perf_counter()
    env = {**os.environ, "LLMLINT_CACHE_DIR": tempfile.mkdtemp()}
    command = [llmlint, "check", str(root), "--output-format", "json", "-j", str(jobs)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    internal = proc.returncode == 2 or "internal error" in proc.stderr
    findings = json.loads(proc.stdout)["findings"] if proc.returncode in (0, 1) else []
    return {
        "package": package,
        "version": (root / "VERSION").read_text().strip() if (root / "VERSION").exists() else "",
        "files": sum(1 for _ in root.rglob("*.py")),
        "findings": len(findings),
        "llm000": len({f["location"]["path"] for f in findings if f["code"] == "LLM000"}),
        "internal_errors": proc.stderr.count("internal error") or int(internal),
        "seconds": round(elapsed, 1),
        "stderr": proc.stderr[-2000:] if internal else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=list(PACKAGES))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    rows = []
    for package in args.packages:
        root = fetch(package)
        if root is None:
            print(f"{package:<32} (not downloadable here)")
            continue
        row = scan(package, root, args.jobs)
        rows.append(row)
        print(
            f"{package:<32} {row['files']:>6} files {row['findings']:>6} findings "
            f"{row['llm000']:>4} LLM000 {row['internal_errors']:>3} internal {row['seconds']:>7}s"
        )
        if row["stderr"]:
            print(str(row["stderr"]), file=sys.stderr)
    total_errors = sum(int(r["internal_errors"]) for r in rows)
    total_files = sum(int(r["files"]) for r in rows)
    print(f"\n{len(rows)} packages, {total_files} files, {total_errors} internal errors")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
