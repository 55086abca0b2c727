from __future__ import annotations

import builtins
import io
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from llmlint.files import DEFAULT_EXCLUDES, PathPatterns, SourcePath, discover, module_name
from llmlint.gitignore import parse_gitignore, translate_glob

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")


def make(root: Path, *names: str, content: str = "") -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def rels(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    exclude: Sequence[str] = DEFAULT_EXCLUDES,
    **options: Any,
) -> list[str]:
    found = discover(paths if paths is not None else [root], root=root, exclude=exclude, **options)
    assert found.errors == ()
    return [source.rel for source in found.files]


def git_repo(root: Path) -> Path:
    """A work tree as discovery sees it: just a `.git` directory (no git needed)."""
    (root / ".git" / "info").mkdir(parents=True)
    return root


class Blocked(BaseException):
    """Not an OSError, so that discovery's error handling cannot swallow it."""


@pytest.fixture
def no_open(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records every file opened; fails fast instead of hanging on a fifo."""
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def record_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    def record_os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        return real_os_open(path, *args, **kwargs)

    def timeout(signum: int, frame: FrameType | None) -> None:
        raise Blocked("discovery blocked")

    monkeypatch.setattr(builtins, "open", record_open)
    monkeypatch.setattr(io, "open", record_open)
    monkeypatch.setattr(os, "open", record_os_open)
    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(10)
    try:
        yield opened
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# traversal and default excludes


def test_finds_python_files_sorted_with_posix_rel_paths(tmp_path: Path) -> None:
    make(tmp_path, "z.py", "a/b/c.py", "a/stub.pyi", "notes.txt", "script", "a/data.json")
    found = discover([tmp_path], root=tmp_path, exclude=DEFAULT_EXCLUDES)
    assert found.errors == ()
    assert found.files == (
        SourcePath(tmp_path / "a" / "b" / "c.py", "a/b/c.py", False),
        SourcePath(tmp_path / "a" / "stub.pyi", "a/stub.pyi", False),
        SourcePath(tmp_path / "z.py", "z.py", False),
    )


def test_default_excludes(tmp_path: Path) -> None:
    make(
        tmp_path,
        "app.py",
        "build.py",
        "build/gen.py",
        "src/build/gen.py",
        ".venv/lib/x.py",
        "venv/x.py",
        "node_modules/x.py",
        "pkg/__pycache__/x.py",
        ".git/hooks/x.py",
        ".llmlint_cache/x.py",
        "site-packages/x.py",
        "dist/x.py",
    )
    assert rels(tmp_path) == ["app.py", "build.py"]
    assert set(DEFAULT_EXCLUDES) >= {".git", ".tox", "__pypackages__", "buck-out", "_build"}


def test_a_directory_with_pyvenv_cfg_is_a_virtualenv(tmp_path: Path) -> None:
    make(tmp_path, "app.py", "myenv/pyvenv.cfg", "myenv/lib/python3.12/mod.py", "env2/ok.py")
    assert rels(tmp_path) == ["app.py", "env2/ok.py"]
    # Named explicitly it is checked, unless excludes are forced.
    assert rels(tmp_path, [tmp_path / "myenv"]) == ["myenv/lib/python3.12/mod.py"]
    inside = tmp_path / "myenv" / "lib" / "python3.12" / "mod.py"
    assert rels(tmp_path, [tmp_path / "myenv", inside], force_exclude=True) == []
    assert rels(tmp_path, [inside], force_exclude=True) == []


def test_exclude_replaces_the_defaults_and_extend_exclude_adds(tmp_path: Path) -> None:
    make(tmp_path, "build/a.py", "gen/b.py", "src/gen/c.py", "keep.py", "x_pb2.py")
    assert rels(tmp_path, exclude=["gen"]) == ["build/a.py", "keep.py", "x_pb2.py"]
    assert rels(tmp_path, extend_exclude=["gen", "*_pb2.py"]) == ["keep.py"]


def test_pattern_without_slash_matches_any_component(tmp_path: Path) -> None:
    make(tmp_path, "a/b/x_pb2.py", "x_pb2.py", "tmp_1/c.py", "d/tmp_2/e.py", "tmp.py")
    assert rels(tmp_path, exclude=["*_pb2.py", "tmp_?"]) == ["tmp.py"]


def test_pattern_with_slash_is_anchored_to_the_root(tmp_path: Path) -> None:
    make(
        tmp_path,
        "tests/fixtures/a.py",
        "tests/fixtures/sub/b.py",
        "tests/test_a.py",
        "other/tests/fixtures/c.py",
        "src/gen/a.py",
        "src/gen/sub/b.py",
        "src/gen.py",
    )
    found = rels(tmp_path, exclude=["tests/fixtures/**", "src/gen/*.py"])
    assert found == [
        "other/tests/fixtures/c.py",
        "src/gen.py",
        "src/gen/sub/b.py",
        "tests/test_a.py",
    ]


def test_double_star_matches_any_number_of_directories(tmp_path: Path) -> None:
    make(tmp_path, "gen/a.py", "x/gen/b.py", "x/y/gen/c.py", "x/y/z.py", "a/m.py", "a/b/c/m.py")
    assert rels(tmp_path, exclude=["**/gen", "a/**/m.py"]) == ["x/y/z.py"]


def test_leading_slash_or_dot_slash_anchors_a_name(tmp_path: Path) -> None:
    make(tmp_path, "build/a.py", "src/build/b.py", "out/c.py", "src/out/d.py")
    assert rels(tmp_path, exclude=["/build", "./out/"]) == ["src/build/b.py", "src/out/d.py"]


def test_path_patterns_match_a_path_or_its_directories() -> None:
    patterns = PathPatterns(["tests/*", "*.gen.py", "/top"])
    assert patterns.matches("tests/a.py")
    assert patterns.matches("tests/sub/a.py")
    assert patterns.matches("src/x.gen.py")
    assert patterns.matches("top/x.py")
    assert not patterns.matches("src/tests/a.py")
    assert not patterns.matches("src/top/x.py")
    assert not patterns.matches("tests.py")
    assert patterns.matches("../elsewhere/x.gen.py", under_root=False)
    assert not patterns.matches("tests/a.py", under_root=False)
    assert not PathPatterns([]).matches("anything.py")


def test_translate_glob() -> None:
    cases = {
        "*.py": (["a.py", ".py"], ["a/b.py", "a.pyc"]),
        "a?c": (["abc"], ["a/c", "ac"]),
        "[!ab]x": (["cx"], ["ax", "/x"]),
        "[a-c]x": (["bx"], ["dx", "/x"]),
        "[]]": (["]"], ["a"]),
        "**/x": (["x", "a/x", "a/b/x"], ["ax"]),
        "a/**": (["a/b", "a/b/c"], ["a", "ab"]),
        "a/**/b": (["a/b", "a/x/b", "a/x/y/b"], ["ab", "a/xb"]),
        "a**b": (["ab", "axxb"], ["a/b"]),
        "\\*": (["*"], ["a"]),
    }
    for glob, (matching, other) in cases.items():
        source = translate_glob(glob)
        assert source is not None
        assert [t for t in matching if not re.fullmatch(source, t, re.DOTALL)] == [], glob
        assert [t for t in other if re.fullmatch(source, t, re.DOTALL)] == [], glob
    assert translate_glob("trailing\\") is None


# explicit paths


def test_explicit_files_are_always_included(tmp_path: Path) -> None:
    make(tmp_path, "build/gen.py", "script", "notes.txt")
    paths = [tmp_path / "build" / "gen.py", tmp_path / "script", tmp_path / "notes.txt"]
    found = discover(paths, root=tmp_path, exclude=DEFAULT_EXCLUDES)
    assert found.files == (
        SourcePath(tmp_path / "build" / "gen.py", "build/gen.py", True),
        SourcePath(tmp_path / "notes.txt", "notes.txt", True),
        SourcePath(tmp_path / "script", "script", True),
    )


def test_explicit_directory_is_walked_even_if_excluded(tmp_path: Path) -> None:
    make(tmp_path, "build/gen.py", "build/dist/x.py")
    assert rels(tmp_path, [tmp_path / "build"]) == ["build/gen.py"]
    assert rels(tmp_path, [tmp_path / "build"], force_exclude=True) == []


def test_force_exclude_skips_excluded_explicit_files(tmp_path: Path) -> None:
    make(tmp_path, "build/gen.py", "src/ok.py", "src/x_pb2.py", "tests/fixtures/f.py")
    paths = [
        tmp_path / "build" / "gen.py",
        tmp_path / "src" / "ok.py",
        tmp_path / "src" / "x_pb2.py",
        tmp_path / "tests" / "fixtures" / "f.py",
    ]
    kept = rels(
        tmp_path,
        paths,
        extend_exclude=["*_pb2.py", "tests/fixtures"],
        force_exclude=True,
    )
    assert kept == ["src/ok.py"]
    everything = rels(tmp_path, paths, extend_exclude=["*_pb2.py", "tests/fixtures"])
    assert everything == ["build/gen.py", "src/ok.py", "src/x_pb2.py", "tests/fixtures/f.py"]


def test_force_exclude_honours_gitignore_for_explicit_files(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="ignored/\nsecret.py\n")
    make(tmp_path, "ignored/a.py", "secret.py", "ok.py")
    paths = [tmp_path / "ignored" / "a.py", tmp_path / "secret.py", tmp_path / "ok.py"]
    assert rels(tmp_path, paths, force_exclude=True) == ["ok.py"]
    assert rels(tmp_path, paths, force_exclude=True, respect_gitignore=False) == [
        "ignored/a.py",
        "ok.py",
        "secret.py",
    ]
    assert rels(tmp_path, paths) == ["ignored/a.py", "ok.py", "secret.py"]


def test_nonexistent_path_is_an_error_and_the_run_continues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, "ok.py")
    monkeypatch.chdir(tmp_path)
    found = discover(
        [Path("foo.py"), Path("ok.py"), Path("missing/dir")],
        root=tmp_path,
        exclude=DEFAULT_EXCLUDES,
    )
    assert [source.rel for source in found.files] == ["ok.py"]
    assert found.errors == ("path 'foo.py' does not exist", "path 'missing/dir' does not exist")


def test_paths_outside_the_root_keep_the_given_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, "proj/a.py", "other/sub/b.py", "other/c.py")
    monkeypatch.chdir(tmp_path)
    paths = [Path("other/./sub"), Path("proj"), Path("other/x/../c.py")]
    assert rels(tmp_path / "proj", paths) == ["a.py", "other/c.py", "other/sub/b.py"]


def test_relative_paths_are_made_relative_to_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, "proj/src/a.py")
    monkeypatch.chdir(tmp_path / "proj" / "src")
    found = discover([Path("a.py"), Path(".")], root=tmp_path / "proj", exclude=())
    assert found.files == (SourcePath(tmp_path / "proj" / "src" / "a.py", "src/a.py", True),)


# dedupe and determinism


def test_duplicates_are_reported_once(tmp_path: Path) -> None:
    make(tmp_path, "a.py", "pkg/b.py")
    found = discover(
        [tmp_path / "a.py", tmp_path, tmp_path / "a.py", tmp_path / "pkg", tmp_path / "pkg/b.py"],
        root=tmp_path,
        exclude=DEFAULT_EXCLUDES,
    )
    assert found.files == (
        SourcePath(tmp_path / "a.py", "a.py", True),
        SourcePath(tmp_path / "pkg" / "b.py", "pkg/b.py", True),
    )


def test_a_file_and_a_symlink_to_it_are_one_file(tmp_path: Path) -> None:
    make(tmp_path, "proj/real.py", "outside/t.py")
    (tmp_path / "proj" / "alias.py").symlink_to(tmp_path / "proj" / "real.py")
    (tmp_path / "proj" / "link.py").symlink_to(tmp_path / "outside" / "t.py")
    root = tmp_path / "proj"
    assert rels(root) == ["link.py", "real.py"]
    assert discover([root], root=root, exclude=()).files[0].path == root / "link.py"
    # Named on the command line, the symlink is what the user asked for.
    assert rels(root, [root, root / "alias.py"]) == ["alias.py", "link.py"]
    assert rels(root, [root / "alias.py", root / "real.py"]) == ["real.py"]


def test_output_does_not_depend_on_argument_order(tmp_path: Path) -> None:
    make(tmp_path, "m.py", "b/z.py", "b/a.py", "A.py", "_x.py", "a/b.py")
    paths = [tmp_path / "b", tmp_path / "m.py", tmp_path / "a", tmp_path]
    first = discover(paths, root=tmp_path, exclude=DEFAULT_EXCLUDES)
    second = discover(paths[::-1], root=tmp_path, exclude=DEFAULT_EXCLUDES)
    assert first == second
    assert [f.rel for f in first.files] == ["A.py", "_x.py", "a/b.py", "b/a.py", "b/z.py", "m.py"]


# links and special files


def test_directory_symlink_loop_terminates(tmp_path: Path, no_open: list[str]) -> None:
    make(tmp_path, "pkg/a.py")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path)
    (tmp_path / "pkg" / "loop.py").symlink_to(tmp_path / "pkg")
    (tmp_path / "pkg" / "self").symlink_to(".")
    assert rels(tmp_path) == ["pkg/a.py"]


def test_dangling_symlink_is_skipped_silently(tmp_path: Path) -> None:
    make(tmp_path, "a.py")
    (tmp_path / "gone.py").symlink_to(tmp_path / "nowhere.py")
    assert rels(tmp_path) == ["a.py"]
    found = discover([tmp_path / "gone.py"], root=tmp_path, exclude=())
    assert found.files == ()
    assert found.errors == (f"path {str(tmp_path / 'gone.py')!r} is a broken symlink",)


@needs_fifo
def test_fifo_is_skipped_during_traversal_without_being_opened(
    tmp_path: Path, no_open: list[str]
) -> None:
    make(tmp_path, "a.py")
    os.mkfifo(tmp_path / "pipe.py")
    git_repo(tmp_path)
    os.mkfifo(tmp_path / ".gitignore")
    assert rels(tmp_path) == ["a.py"]
    assert str(tmp_path / "pipe.py") not in no_open
    assert str(tmp_path / ".gitignore") not in no_open


@needs_fifo
def test_explicit_fifo_is_included_without_being_opened(tmp_path: Path, no_open: list[str]) -> None:
    os.mkfifo(tmp_path / "pipe")
    found = discover([tmp_path / "pipe"], root=tmp_path, exclude=DEFAULT_EXCLUDES)
    assert found.files == (SourcePath(tmp_path / "pipe", "pipe", True),)
    assert no_open == []


def test_unreadable_directory_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, "a.py", "locked/b.py", "z/c.py")
    real_scandir = os.scandir
    locked = str(tmp_path / "locked")

    def scandir(path: str) -> Any:
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover([tmp_path], root=tmp_path, exclude=())
    assert [f.rel for f in found.files] == ["a.py", "z/c.py"]
    assert found.errors == ("cannot read directory 'locked': Permission denied",)


# .gitignore


def test_gitignore_negation_and_order(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="*.py\n!keep*.py\nkeep_not.py\n")
    make(tmp_path, "a.py", "keep.py", "keep_not.py", "sub/keep2.py", "sub/b.py")
    assert rels(tmp_path) == ["keep.py", "sub/keep2.py"]
    assert rels(tmp_path, respect_gitignore=False) == [
        "a.py",
        "keep.py",
        "keep_not.py",
        "sub/b.py",
        "sub/keep2.py",
    ]


def test_gitignore_anchoring(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="/top.py\nsub/mid.py\nanywhere.py\n")
    make(
        tmp_path,
        "top.py",
        "x/top.py",
        "sub/mid.py",
        "x/sub/mid.py",
        "anywhere.py",
        "x/y/anywhere.py",
    )
    assert rels(tmp_path) == ["x/sub/mid.py", "x/top.py"]


def test_gitignore_directory_only_patterns(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="mod.py/\nout/\n")
    make(tmp_path, "mod.py", "pkg/mod.py/inner.py", "out/a.py", "x/out/b.py", "x/c.py")
    assert rels(tmp_path) == ["mod.py", "x/c.py"]


def test_gitignore_double_star_forms(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="**/gen/*.py\nlogs/**\na/**/z.py\n")
    make(
        tmp_path,
        "gen/a.py",
        "x/y/gen/b.py",
        "x/y/gen/deep/c.py",
        "logs/d.py",
        "logs/e/f.py",
        "a/z.py",
        "a/b/c/z.py",
        "a/b/y.py",
    )
    assert rels(tmp_path) == ["a/b/y.py", "x/y/gen/deep/c.py"]


def test_gitignore_comments_escapes_and_trailing_spaces(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="# a.py\n\n\\#b.py\n\\!c.py\nd.py   \ne.py\\ \n[fg].py\n")
    make(tmp_path, "a.py", "#b.py", "!c.py", "d.py", "e.py ", "e.py", "f.py", "g.py", "h.py")
    assert rels(tmp_path) == ["a.py", "e.py", "h.py"]


def test_nested_gitignore_overrides_and_anchors_to_its_directory(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="gen_*.py\n")
    make(tmp_path, "sub/.gitignore", content="!gen_keep.py\n/local.py\n")
    make(
        tmp_path,
        "gen_keep.py",
        "sub/gen_keep.py",
        "sub/gen_x.py",
        "sub/deeper/gen_keep.py",
        "local.py",
        "sub/local.py",
        "sub/deeper/local.py",
    )
    assert rels(tmp_path) == [
        "local.py",
        "sub/deeper/gen_keep.py",
        "sub/deeper/local.py",
        "sub/gen_keep.py",
    ]


def test_files_in_an_ignored_directory_cannot_be_re_included(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="out/\n!out/keep.py\nout2/*\n!out2/keep.py\n")
    make(tmp_path, "out/.gitignore", content="!keep.py\n")
    make(tmp_path, "out/keep.py", "out/a.py", "out2/keep.py", "out2/a.py")
    assert rels(tmp_path) == ["out2/keep.py"]
    paths = [tmp_path / "out" / "keep.py", tmp_path / "out2" / "keep.py"]
    assert rels(tmp_path, paths, force_exclude=True) == ["out2/keep.py"]


def test_info_exclude_is_weaker_than_gitignore(tmp_path: Path) -> None:
    git_repo(tmp_path)
    (tmp_path / ".git" / "info" / "exclude").write_text("secret*.py\n", encoding="utf-8")
    make(tmp_path, ".gitignore", content="!secret_ok.py\n")
    make(tmp_path, "secret.py", "secret_ok.py", "a/secret2.py", "b.py")
    assert rels(tmp_path) == ["b.py", "secret_ok.py"]


def test_gitignore_outside_a_work_tree_is_not_used(tmp_path: Path) -> None:
    make(tmp_path, ".gitignore", content="*.py\n")
    make(tmp_path, "a.py")
    assert rels(tmp_path) == ["a.py"]


def test_gitignore_above_the_starting_directory_applies(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="sub/gen/\nignored.py\n")
    make(tmp_path, "sub/.gitignore", content="/local.py\n")
    make(tmp_path, "sub/a.py", "sub/gen/b.py", "sub/x/ignored.py", "sub/local.py")
    assert rels(tmp_path / "sub", [tmp_path / "sub"]) == ["a.py"]
    assert rels(tmp_path, [tmp_path / "sub" / "x"]) == []


def test_git_file_marks_a_work_tree_and_points_at_info_exclude(tmp_path: Path) -> None:
    git_dir = tmp_path / "repo.git" / "worktrees" / "wt"
    git_dir.mkdir(parents=True)
    (git_dir / "commondir").write_text("../..\n", encoding="utf-8")
    (tmp_path / "repo.git" / "info").mkdir()
    (tmp_path / "repo.git" / "info" / "exclude").write_text("excl.py\n", encoding="utf-8")
    work = tmp_path / "wt"
    make(work, "ign.py", "excl.py", "a.py")
    make(work, ".gitignore", content="ign.py\n")
    (work / ".git").write_text(f"gitdir: {git_dir}\n", encoding="utf-8")
    assert rels(work) == ["a.py"]


def test_nested_repository_has_its_own_rules(tmp_path: Path) -> None:
    git_repo(tmp_path)
    make(tmp_path, ".gitignore", content="/vendor/lib/*.py\nx.py\n")
    git_repo(tmp_path / "vendor")
    make(tmp_path, "vendor/lib/a.py", "vendor/x.py", "x.py")
    assert rels(tmp_path) == ["vendor/lib/a.py", "vendor/x.py"]


def test_parse_gitignore_skips_blank_comment_and_invalid_lines() -> None:
    patterns = parse_gitignore("\n# c\n   \n!\n/\nbad\\\nok/\r\n")
    assert [(p.regex.pattern, p.negated, p.dir_only, p.basename) for p in patterns] == [
        ("ok", False, True, True)
    ]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignore_agrees_with_git(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(tmp_path),
    }
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=env)
    (tmp_path / ".git" / "info" / "exclude").write_text("*_ex.py\n!keep_ex.py\n", encoding="utf-8")
    rules = {
        ".gitignore": "*.tmp.py\n/root_only.py\nbuild/\n!build/keep.py\ndocs/**/gen_*.py\n"
        "[ab]_?.py\n!a_1.py\ncache/*\n!cache/keep/\nlib/**\n!lib/**/\n!lib/**/*.pyi\n"
        "sp.py \n\\#h.py\n",
        "src/.gitignore": "!x.tmp.py\n/root_only.py\nnested/\n*_ex.py\n!keep_ex.py\n",
        "src/pkg/.gitignore": "!nested/\nlocal*.py\n!local_keep.py\n",
    }
    names = [
        "a.tmp.py", "src/x.tmp.py", "src/y.tmp.py", "root_only.py", "src/root_only.py",
        "src/pkg/root_only.py", "build/keep.py", "build/b.py", "src/build/c.py", "build.py",
        "docs/gen_a.py", "docs/x/y/gen_b.py", "docs/x/other.py", "a_1.py", "a_2.py", "b_3.py",
        "c_4.py", "a_10.py", "cache/x.py", "cache/keep/y.py", "cache/keep/sub/z.py",
        "lib/m.py", "lib/m.pyi", "lib/d/n.py", "lib/d/n.pyi", "sp.py", "#h.py", "h.py",
        "src/nested/a.py", "src/pkg/nested/b.py", "src/pkg/local.py", "src/pkg/local_keep.py",
        "src/pkg/sub/local2.py", "z_ex.py", "src/z_ex.py", "src/keep_ex.py", "keep_ex.py",
        "plain.py",
    ]  # fmt: skip
    make(tmp_path, *names)
    for name, text in rules.items():
        make(tmp_path, name, content=text)
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env=env,
    ).stdout.decode()
    expected = sorted(p for p in listed.split("\0") if p.endswith((".py", ".pyi")))
    assert len(expected) > 10
    assert rels(tmp_path, exclude=()) == expected


# module_name


@pytest.mark.parametrize(
    ("layout", "target", "expected"),
    [
        (["pkg/__init__.py", "pkg/sub/__init__.py"], "pkg/sub/mod.py", "pkg.sub.mod"),
        (["pkg/__init__.py"], "pkg/__init__.py", "pkg"),
        (["pkg/__init__.py", "pkg/sub/__init__.py"], "pkg/sub/__init__.py", "pkg.sub"),
        (["standalone.py"], "standalone.py", "standalone"),
        (["pkg/__init__.py", "pkg/sub/mod.py"], "pkg/sub/mod.py", "mod"),
        (["nopkg/sub/__init__.py", "nopkg/sub/mod.py"], "nopkg/sub/mod.py", "sub.mod"),
        (["stubs/__init__.pyi", "stubs/api.pyi"], "stubs/api.pyi", "stubs.api"),
        (["pkg/__init__.py", "pkg/script"], "pkg/script", "pkg.script"),
    ],
)  # fmt: skip
def test_module_name(tmp_path: Path, layout: list[str], target: str, expected: str) -> None:
    make(tmp_path, *layout)
    assert module_name(tmp_path / target) == expected


def test_module_name_of_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, "pkg/__init__.py", "pkg/mod.py")
    monkeypatch.chdir(tmp_path / "pkg")
    assert module_name(Path("mod.py")) == "pkg.mod"
    assert module_name(Path("__init__.py")) == "pkg"
