"""Hostile and unusual input: every case ends as a finding or a normal analysis, never a
crash, a hang or a lost file. Each case is scanned together with a file that has a real
finding, which must still be reported. (Symlink loops, dangling links and fifos are in
test_files.py; terminal escapes and markup in test_reporters.py.)"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from llmlint.catalog import load_catalog
from llmlint.complexity import parse_hazard
from llmlint.engine import EngineOptions, InputFile, run
from llmlint.files import module_name
from llmlint.registry import all_rules

CANARY = b"import torch\ntorch.load('model.pt')\n"  # LLM402 on line 2


def scan(tmp_path: Path, files: dict[str, bytes]) -> dict[str, set[tuple[str, int]]]:
    """{file: {(code, line)}} for a project of `files` plus the canary."""
    for name, data in {**files, "canary.py": CANARY}.items():
        (tmp_path / name).write_bytes(data)
    inputs = [
        InputFile(p, p.name, module_name(p)) for p in sorted(tmp_path.iterdir()) if p.is_file()
    ]
    codes = tuple(rule.code for rule in all_rules())
    result = run(inputs, EngineOptions(codes, load_catalog(), jobs=2, file_timeout=60))
    assert not result.errors, result.errors
    found: dict[str, set[tuple[str, int]]] = {name: set() for name in [*files, "canary.py"]}
    for finding in result.findings:
        found[finding.location.path].add((finding.code, finding.location.line))
    assert ("LLM402", 2) in found["canary.py"]
    return found


HAZARDS = {
    "parentheses.py": b"x = " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n",
    "calls.py": b"x = " + b"f(" * 1500 + b"1" + b")" * 1500 + b"\n",
    "chain.py": b"x = " + b" + ".join([b"a"] * 20000) + b"\n",
    "unary.py": b"x = " + b"-" * 5000 + b"1\n",
    "nots.py": b"x = " + b"not " * 3000 + b"y\n",
}


@pytest.mark.parametrize("name", sorted(HAZARDS))
def test_parser_hazards_are_llm000_quickly(tmp_path: Path, name: str) -> None:
    started = time.monotonic()
    found = scan(tmp_path, {name: HAZARDS[name]})
    assert {code for code, _ in found[name]} == {"LLM000"}
    assert time.monotonic() - started < 30


def test_hazard_check_passes_ordinary_deep_code() -> None:
    nested = "x = " + "[" * 150 + "]" * 150 + "\n"  # deep, but fine for CPython and libcst
    strings = 's = "' + "(" * 400 + '"\n'  # brackets in a string are not nesting
    long_line = "x = " + " + ".join(["a"] * 600) + "\n"
    for text in (nested, strings, long_line):
        assert parse_hazard(text, "t.py") is None


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("binary.py", bytes(range(256)) * 4),
        ("nul.py", b"x = 1\x00\n"),
        ("invalid_utf8.py", b"x = '\xff\xfe'\n"),
        ("python2.py", b"print 'hello'\nexec code in ns\n"),
        ("bad_cookie.py", b"# -*- coding: klingon -*-\nx = 1\n"),
    ],
)
def test_undecodable_and_invalid_files_are_llm000(tmp_path: Path, name: str, data: bytes) -> None:
    found = scan(tmp_path, {name: data})
    assert {code for code, _ in found[name]} == {"LLM000"}


LOAD = b"import torch\ntorch.load('m.pt')\n"


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("bom.py", b"\xef\xbb\xbf" + LOAD, 2),
        ("crlf.py", LOAD.replace(b"\n", b"\r\n"), 2),
        ("cr_only.py", LOAD.replace(b"\n", b"\r"), 2),
        ("tabs_formfeed.py", b"import torch\n\x0c\nif True:\n\ttorch.load('m.pt')\n", 4),
        ("latin1.py", b"# -*- coding: latin-1 -*-\ns = '\xe9'\nimport torch\ntorch.load(s)\n", 4),
        ("stub.pyi", b"import torch\ndef f(x: int) -> None: ...\ntorch.load('m.pt')\n", 3),
        (
            "py312.py",
            b"type Alias = list[int]\ndef f[T](x: T) -> T: return x\n"
            b"import torch\nv = f'{\"nested\" + f\"{1}\"}'\ntorch.load('m.pt')\n",
            5,
        ),
        (
            "py314.py",
            b"import torch\ntry:\n    pass\nexcept ValueError, TypeError:\n    pass\n"
            b"torch.load('m.pt')\n",
            6,
        ),
    ],
)
def test_unusual_but_valid_files_are_analysed(
    tmp_path: Path, name: str, data: bytes, line: int
) -> None:
    found = scan(tmp_path, {name: data})
    if name == "py314.py" and sys.version_info < (3, 14):
        # Parenthesis-free except lists are 3.14 syntax: libcst parses them or this
        # Python reports them; either way the file ends as a result, not a crash.
        assert found[name] and found[name] <= {("LLM402", line), ("LLM000", 4)}
        return
    assert found[name] == {("LLM402", line)}


def test_empty_file_has_no_findings(tmp_path: Path) -> None:
    assert scan(tmp_path, {"empty.py": b""})["empty.py"] == set()


def test_large_file_is_analysed(tmp_path: Path) -> None:
    body = b"".join(b"def f%d(x):\n    return x + %d\n\n" % (i, i) for i in range(40000))
    assert len(body) > 1_000_000
    found = scan(tmp_path, {"big.py": body + LOAD})
    assert ("LLM402", body.count(b"\n") + 2) in found["big.py"]
