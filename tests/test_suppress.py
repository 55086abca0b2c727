from __future__ import annotations

import pytest

from llmlint.suppress import is_suppressed, parse_suppressions


@pytest.mark.parametrize(
    ("comment", "suppressed", "kept"),
    [
        ("# noqa", {"LLM402", "LLM001"}, set()),
        ("# noqa: LLM402", {"LLM402"}, {"LLM001"}),
        ("# noqa:LLM402,LLM001", {"LLM402", "LLM001"}, {"LLM105"}),
        ("# NOQA: llm402", {"LLM402"}, {"LLM001"}),
        ("# noqa: E501", set(), {"LLM402"}),
        ("# llmlint: ignore[LLM402] reviewed: weights are ours", {"LLM402"}, {"LLM001"}),
        ("# llmlint: ignore[LLM402, LLM403]", {"LLM402", "LLM403"}, {"LLM001"}),
        ("# llmlint: ignore", {"LLM402"}, set()),
        ("# type: ignore", set(), {"LLM402"}),
    ],
)
def test_comment_forms(comment: str, suppressed: set[str], kept: set[str]) -> None:
    found = parse_suppressions(f"x = torch.load(f)  {comment}\n")
    for code in suppressed:
        assert is_suppressed(code, (1,), found)
    for code in kept:
        assert not is_suppressed(code, (1,), found)


def test_only_real_comments_count() -> None:
    text = 's = "# noqa"\nt = """\n# noqa\n"""\nu = 1  # noqa: LLM001\n'
    assert parse_suppressions(text) == {5: frozenset({"LLM001"})}


def test_finding_lines_are_its_first_and_last() -> None:
    found = parse_suppressions("call(\n    x,\n)  # noqa: LLM402\n")
    assert is_suppressed("LLM402", (1, 3), found)
    assert not is_suppressed("LLM402", (1, 2), found)


def test_syntax_newer_than_the_interpreter_falls_back_to_text() -> None:
    text = "x = f'{a!r:{'nested'}}'  # noqa: LLM001\ndef broken(:\n"
    assert parse_suppressions(text)[1] == frozenset({"LLM001"})
