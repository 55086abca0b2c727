"""Prefilters: the byte-level test of whether a file can hold a rule's finding."""

from __future__ import annotations

from llmlint.catalog import load_catalog
from llmlint.pipeline import FileAnalyzer, FileTask
from llmlint.prefilter import calls_prefilter

RELATIVE_CLIENT = (
    b"from .. import OpenAI\n\n"
    b"client = OpenAI()\n"
    b'client.chat.completions.create(model="gpt-4o", messages=[])\n'
)


def test_the_module_name_counts_as_text_of_the_file() -> None:
    prefilter = calls_prefilter(["openai.OpenAI"])
    assert not prefilter.accepts(RELATIVE_CLIENT)  # "openai" is nowhere in the bytes
    assert prefilter.accepts(RELATIVE_CLIENT, "openai.tests.test_client")
    assert not prefilter.accepts(RELATIVE_CLIENT, "app.tests.test_client")
    assert not prefilter.accepts(b"import openai\n", "openai.tests")  # and the name is needed


def test_per_file_rules_see_relative_imports_inside_the_sdk_package() -> None:
    """Each per-file rule runs only where its prefilter accepts the file; a file of the
    SDK's own package that imports the client relatively must still be checked."""
    analyzer = FileAnalyzer(("LLM202", "LLM203"), load_catalog())

    def findings(module: str) -> list[tuple[str, int]]:
        result = analyzer.analyze(FileTask("t.py", "t.py", module, False, RELATIVE_CLIENT))
        return [(f.code, f.location.line) for f in result.findings]

    assert findings("openai.tests.test_client") == [("LLM203", 3), ("LLM202", 4)]
    assert findings("app.tests.test_client") == []  # `..` is not the SDK here


def test_an_opaque_key_in_a_credential_variable_is_not_filtered_out() -> None:
    """LLM105 names credentials by case-insensitive patterns; its prefilter must not ask
    for a name in some fixed spelling (it missed `API_KEY = "..."`)."""
    analyzer = FileAnalyzer(("LLM105",), load_catalog())
    for code in (
        b'API_KEY = "a1b2c3d4e5f6g7h8i9j0k1l2m3"\n',
        b'ACME_SECRET = "a1b2c3d4e5f6g7h8i9j0k1"\n',
    ):
        result = analyzer.analyze(FileTask("t.py", "t.py", "t", False, code))
        assert [(f.code, f.location.line) for f in result.findings] == [("LLM105", 1)]
