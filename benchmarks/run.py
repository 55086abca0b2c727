#!/usr/bin/env python3
"""Time llmlint against bandit and semgrep on a pinned corpus of real LLM framework code.

    python benchmarks/run.py [--jobs N] [--skip-semgrep]

Downloads the corpus with pip (wheels, no dependencies) into benchmarks/corpus/ and the
peer tools into a virtual environment in benchmarks/.tools/, both once. Then, in one run:
llmlint cold (no cache, all cores), llmlint warm (the cache of the cold run), bandit, and
semgrep with the taint rules in semgrep-llm-taint.yml (the same risk classes), and a
pre-commit-sized run (5 files) of llmlint and bandit. Prints wall time, peak memory of
the whole process tree, and the ratios the project's targets are stated in.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import venv
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
TOOLS = HERE / ".tools"
PACKAGES = (
    "langchain==0.3.27",
    "langchain-community==0.3.27",
    "langchain-experimental==0.3.4",
    "llama-index-core==0.12.52",
)
PEERS = ("bandit==1.9.4", "semgrep==1.185.0")
PRE_COMMIT_FILES = 5
SMALL_RUNS = 5  # a sub-second run is timed several times; its median is reported


@dataclass
class Timing:
    name: str
    seconds: float
    peak_mb: float
    returncode: int


def fetch_corpus() -> list[Path]:
    """The corpus's Python files (downloaded and unpacked on first use)."""
    if not CORPUS.exists():
        wheels = Path(tempfile.mkdtemp())
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels)]
        subprocess.run([*pip, *PACKAGES], check=True)
        for wheel in sorted(wheels.glob("*.whl")):
            target = CORPUS / wheel.name.split("-")[0]
            with zipfile.ZipFile(wheel) as archive:
                members = [m for m in archive.namelist() if ".dist-info/" not in m]
                archive.extractall(target, members)
        shutil.rmtree(wheels)
    return sorted(CORPUS.rglob("*.py"))


def peer_tools() -> Path:
    """The bin/ folder of a virtual environment with bandit and semgrep."""
    bin_dir = TOOLS / "bin"
    if not (bin_dir / "semgrep").exists():
        venv.create(TOOLS, with_pip=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", *PEERS], check=True)
    return bin_dir


def _tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def timed(name: str, command: list[str], env: dict[str, str] | None = None) -> Timing:
    """Run `command`, sampling the memory of its process tree every 50 ms."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        print(f"  {name} exited {process.returncode}: {stderr.strip()[-500:]}", file=sys.stderr)
    timing = Timing(name, elapsed, peak / 1024, process.returncode)
    print(f"  {name:<28} {elapsed:8.2f} s  {timing.peak_mb:8.0f} MB")
    return timing


def median_of(
    runs: int,
    name: str,
    command: list[str],
    env_factory: Callable[[], dict[str, str]] | None = None,
) -> Timing:
    """The run with the median wall time of `runs` runs (each with a fresh environment)."""
    timings = sorted(
        (timed(name, command, env_factory() if env_factory else None) for _ in range(runs)),
        key=lambda t: t.seconds,
    )
    middle = timings[len(timings) // 2]
    print(f"  {name + ' (median)':<28} {middle.seconds:8.2f} s  {middle.peak_mb:8.0f} MB")
    return middle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-semgrep", action="store_true")
    args = parser.parse_args()
    files = fetch_corpus()
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    tools = peer_tools()
    llmlint = shutil.which("llmlint") or sys.exit("llmlint is not installed")
    print(f"corpus: {len(files)} files, {lines:,} lines; {os.cpu_count()} cores, -j {args.jobs}")
    cache = Path(tempfile.mkdtemp())
    env = {**os.environ, "LLMLINT_CACHE_DIR": str(cache)}
    check = [llmlint, "check", str(CORPUS), "-q", "--exit-zero", "-j", str(args.jobs)]
    report = ["--output-format", "json", "-o", os.devnull]
    cold = timed("llmlint cold", [*check, *report], env)
    warm = timed("llmlint warm (cached)", [*check, *report], env)
    bandit = timed("bandit", [str(tools / "bandit"), "-r", str(CORPUS), "-q", "-f", "json"])
    semgrep = None
    if not args.skip_semgrep:
        semgrep = timed(
            "semgrep (taint rules)",
            [
                str(tools / "semgrep"),
                "scan",
                "--metrics=off",
                "--disable-version-check",
                "--no-git-ignore",  # the corpus sits in a git-ignored folder
                "--config",
                str(HERE / "semgrep-llm-taint.yml"),
                "--jobs",
                str(args.jobs),
                "--json",
                "-q",
                str(CORPUS),
            ],
        )
    few = [str(p) for p in files[:: max(1, len(files) // PRE_COMMIT_FILES)][:PRE_COMMIT_FILES]]

    def fresh_cache() -> dict[str, str]:
        return {**os.environ, "LLMLINT_CACHE_DIR": tempfile.mkdtemp()}

    small = median_of(
        SMALL_RUNS, f"llmlint {PRE_COMMIT_FILES} files", [llmlint, "check", "-q", *few], fresh_cache
    )
    small_bandit = median_of(
        SMALL_RUNS, f"bandit {PRE_COMMIT_FILES} files", [str(tools / "bandit"), "-q", *few]
    )
    shutil.rmtree(cache, ignore_errors=True)
    print("\nratios (targets in parentheses)")
    if semgrep is not None:
        print(f"  cold / semgrep          {cold.seconds / semgrep.seconds:6.2f}  (<= 1)")
    print(f"  cold / bandit           {cold.seconds / bandit.seconds:6.2f}")
    print(f"  warm / cold             {warm.seconds / cold.seconds:6.2f}  (<= 0.10)")
    print(f"  peak memory, cold       {cold.peak_mb:6.0f} MB  (< 1024)")
    print(f"  5 files / bandit        {small.seconds / small_bandit.seconds:6.2f}  (<= 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
